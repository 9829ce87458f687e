/**
 * VehicleControlAPI's instance state, built like the reference's
 * `_load_scenario(deepcopy(initial_config.get("VehicleControlAPI", {})), long_context)`.
 */
import { PyDict, PyException, PyTuple, freezePyValue, pyDeepCopy, pyEquals, pyTypeName } from "@envtune/core/py";
import { PyRandom } from "@envtune/core";
import type { LongContextConstants, StateInit } from "@envtune/core/domain";
import type { PyValue } from "@envtune/core/py";

export const PACK_NAME = "vehicle-control";

const DEFAULT_SEED = 141053n;

const API_DESCRIPTION =
  "This tool belongs to the vehicle control system, which allows users to control various aspects of the car such as engine, doors, climate control, lights, and more.";

/**
 * Objects the reference keeps at module level and mutates, scoped to one episode: the model world
 * and the ground-truth world of an episode see the same objects (as one Python process does),
 * other episodes never do. Built lazily, on first use in the episode.
 */
export interface VehicleShared {
  /** `long_context.LONG_WEATHER_EXTENSION`, which `get_outside_temperature_from_google` writes into. */
  weather?: PyDict;
  /** `long_context.INTERMEDIARY_CITIES`, handed out by reference in `estimate_distance` results. */
  cities?: PyValue[];
}

export class VehicleControlState {
  // Attribute order follows the reference's vars() order; `_`-prefixed ones are not compared.
  _api_description: string = API_DESCRIPTION;
  /** `random.Random(seed)`, created on first draw (most episodes never draw). */
  private _rng: PyRandom | undefined;
  private readonly _seed: bigint;
  fuelLevel: PyValue;
  batteryVoltage: PyValue;
  engine_state: PyValue;
  remainingUnlockedDoors: PyValue;
  doorStatus: PyValue;
  acTemperature: PyValue;
  fanSpeed: PyValue;
  acMode: PyValue;
  humidityLevel: PyValue;
  headLightStatus: PyValue;
  parkingBrakeStatus: PyValue;
  _parkingBrakeForce: PyValue;
  _slopeAngle: PyValue;
  brakePedalStatus: PyValue;
  _brakePedalForce: PyValue;
  distanceToNextVehicle: PyValue;
  cruiseStatus: PyValue;
  destination: PyValue;
  frontLeftTirePressure: PyValue;
  frontRightTirePressure: PyValue;
  rearLeftTirePressure: PyValue;
  rearRightTirePressure: PyValue;
  long_context: boolean;

  readonly _constants: LongContextConstants | undefined;
  readonly _shared: VehicleShared;

  constructor(init: StateInit) {
    const cfg = init.config;
    // scenario.get(key, default): the config is shared read-only, so containers are copied
    // (the reference deep-copies the whole config); scalars are immutable already.
    const get = (key: string, dflt: PyValue): PyValue => {
      const v = cfg.get(key);
      if (v === undefined) return dflt;
      return isScalar(v) ? v : pyDeepCopy(v);
    };
    this._seed = toSeed(cfg.get("random_seed") ?? DEFAULT_SEED);
    this.fuelLevel = get("fuelLevel", 0.0);
    this.batteryVoltage = get("batteryVoltage", 12.6);
    this.engine_state = get("engineState", "stopped");
    this.remainingUnlockedDoors = get("remainingUnlockedDoors", 4n);
    this.doorStatus = cfg.has("doorStatus")
      ? get("doorStatus", null)
      : PyDict.from({ driver: "unlocked", passenger: "unlocked", rear_left: "unlocked", rear_right: "unlocked" });
    // The configured count is overwritten: 4 - number of doors whose status == "locked".
    this.remainingUnlockedDoors = 4n - countLocked(this.doorStatus);
    this.acTemperature = get("acTemperature", 25.0);
    this.fanSpeed = get("fanSpeed", 50n);
    this.acMode = get("acMode", "auto");
    this.humidityLevel = get("humidityLevel", 50.0);
    this.headLightStatus = get("headLightStatus", "off");
    this.parkingBrakeStatus = get("parkingBrakeStatus", "released");
    this._parkingBrakeForce = get("parkingBrakeForce", 0.0);
    this._slopeAngle = get("slopeAngle", 0.0);
    this.brakePedalStatus = get("brakePedalStatus", "released");
    this._brakePedalForce = get("brakePedalForce", 0.0);
    this.distanceToNextVehicle = get("distanceToNextVehicle", 50.0);
    this.cruiseStatus = get("cruiseStatus", "inactive");
    this.destination = get("destination", "None");
    this.frontLeftTirePressure = get("frontLeftTirePressure", 32.0);
    this.frontRightTirePressure = get("frontRightTirePressure", 32.0);
    this.rearLeftTirePressure = get("rearLeftTirePressure", 30.0);
    this.rearRightTirePressure = get("rearRightTirePressure", 30.0);
    this.long_context = init.longContext;

    this._constants = init.constants;
    let shared = init.shared.get(PACK_NAME) as VehicleShared | undefined;
    if (shared === undefined) {
      shared = {};
      init.shared.set(PACK_NAME, shared);
    }
    this._shared = shared;
  }

  get _random(): PyRandom {
    return (this._rng ??= new PyRandom(this._seed));
  }

  /** A long-context constant; the pack cannot run a long-context episode without it. */
  constant(name: string): PyValue {
    const v = this._constants?.get(name);
    if (v === undefined) {
      throw new Error(
        `[envtune] [vehicle-control] long-context constant ${name} is missing. ` +
          "Pass the long_context.json constants in StateInit.constants for long-context episodes.",
      );
    }
    return v;
  }

  /** This episode's `LONG_WEATHER_EXTENSION` (a private copy: the tool writes into it). */
  weatherExtension(): PyDict {
    if (this._shared.weather === undefined) {
      const c = this.constant("LONG_WEATHER_EXTENSION");
      if (!(c instanceof PyDict)) throw badConstant("LONG_WEATHER_EXTENSION", "dict");
      this._shared.weather = pyDeepCopy(c) as PyDict;
    }
    return this._shared.weather;
  }

  /**
   * `INTERMEDIARY_CITIES`. No tool writes into it (only a nested call, which envtune does not
   * evaluate, could), so every episode shares one frozen copy, whose text is printed once.
   */
  intermediaryCities(): PyValue[] {
    if (this._shared.cities === undefined) {
      const c = this.constant("INTERMEDIARY_CITIES");
      if (!Array.isArray(c)) throw badConstant("INTERMEDIARY_CITIES", "list");
      let frozen = FROZEN_CITIES.get(c);
      if (frozen === undefined) {
        frozen = freezePyValue(c.slice());
        FROZEN_CITIES.set(c, frozen);
      }
      this._shared.cities = frozen;
    }
    return this._shared.cities;
  }

  /** The compared attributes (public ones, vars() order). */
  view(): Array<[string, PyValue]> {
    return [
      ["fuelLevel", this.fuelLevel],
      ["batteryVoltage", this.batteryVoltage],
      ["engine_state", this.engine_state],
      ["remainingUnlockedDoors", this.remainingUnlockedDoors],
      ["doorStatus", this.doorStatus],
      ["acTemperature", this.acTemperature],
      ["fanSpeed", this.fanSpeed],
      ["acMode", this.acMode],
      ["humidityLevel", this.humidityLevel],
      ["headLightStatus", this.headLightStatus],
      ["parkingBrakeStatus", this.parkingBrakeStatus],
      ["brakePedalStatus", this.brakePedalStatus],
      ["distanceToNextVehicle", this.distanceToNextVehicle],
      ["cruiseStatus", this.cruiseStatus],
      ["destination", this.destination],
      ["frontLeftTirePressure", this.frontLeftTirePressure],
      ["frontRightTirePressure", this.frontRightTirePressure],
      ["rearLeftTirePressure", this.rearLeftTirePressure],
      ["rearRightTirePressure", this.rearRightTirePressure],
      ["long_context", this.long_context],
    ];
  }
}

const FROZEN_CITIES = new WeakMap<PyValue[], PyValue[]>();

export function createState(init: StateInit): VehicleControlState {
  return new VehicleControlState(init);
}

function isScalar(v: PyValue): boolean {
  return v === null || typeof v !== "object" || v instanceof PyTuple;
}

function countLocked(doors: PyValue): bigint {
  if (!(doors instanceof PyDict)) {
    throw new PyException("AttributeError", `'${pyTypeName(doors)}' object has no attribute 'keys'`);
  }
  let locked = 0n;
  for (const status of doors.values()) if (pyEquals(status, "locked")) locked++;
  return locked;
}

/** `random.Random(seed)` accepts ints (bool included) and integral floats the same way. */
function toSeed(v: PyValue): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new Error(
    "[envtune] [vehicle-control] random_seed must be an integer. Set initial_config.VehicleControlAPI.random_seed to an int.",
  );
}

function badConstant(name: string, kind: string): Error {
  return new Error(`[envtune] [vehicle-control] long-context constant ${name} is not a ${kind}. Load it from long_context.json unchanged.`);
}
