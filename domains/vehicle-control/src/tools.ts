/**
 * The 22 VehicleControlAPI tools, each a line-by-line port of the reference method
 * (gorilla 6ea57973 `vehicle_control.py`): same checks in the same order, same mutations before a
 * failure (nothing is rolled back), same return values (dict key order, int vs float).
 */
import { PyDict, PyException, pyEquals, pyRepr, pyStr, pyTypeName } from "@envtune/core/py";
import type { ToolContext, ToolDef } from "@envtune/core/domain";
import type { PyValue } from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import type { MessageCode } from "./messages.ts";
import { pyAdd, pyCmp, pyFloat, pyIter, pyMul, pySub, pyTrueDiv, pyTruthy } from "./pyops.ts";
import type { VehicleControlState } from "./state.ts";

type Tool = ToolDef<VehicleControlState>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<VehicleControlState>();

const MAX_FUEL_LEVEL = 50n;
const MIN_FUEL_LEVEL = 0.0;
const MILE_PER_GALLON = 20.0;

function msg(ctx: ToolContext, code: MessageCode, vars?: Record<string, string>): string {
  return ctx.msg(code, vars);
}

function error(ctx: ToolContext, code: MessageCode, vars?: Record<string, string>): PyDict {
  return PyDict.from({ error: msg(ctx, code, vars) });
}

/** `0 <= v <= hi` with Python's chained-comparison short circuit. */
function between(v: PyValue, hi: bigint): boolean {
  return pyCmp("<=", 0n, v) && pyCmp("<=", v, hi);
}

/** `", ".join(doors)`: str.join accepts str items only. */
function joinStr(items: PyValue[]): string {
  items.forEach((it, i) => {
    if (typeof it !== "string") {
      throw new PyException("TypeError", `sequence item ${i}: expected str instance, ${pyTypeName(it)} found`);
    }
  });
  return (items as string[]).join(", ");
}

const startEngine = tool({
  name: "startEngine",
  params: [{ name: "ignitionMode" }],
  run(self, { ignitionMode }, ctx) {
    const mode = ignitionMode;
    if (pyEquals(mode, "STOP")) self.engine_state = "stopped";
    if (pyCmp(">", self.remainingUnlockedDoors, 0n)) {
      const unlocked: PyValue[] = [];
      for (const [door, status] of doorDict(self)) if (pyEquals(status, "unlocked")) unlocked.push(door);
      return error(ctx, "doors_unlocked", { doors: joinStr(unlocked), mode: pyStr(mode) });
    }
    if (!pyEquals(self.brakePedalStatus, "pressed")) return error(ctx, "brake_not_pressed");
    if (!pyEquals(self._brakePedalForce, 1000.0)) return error(ctx, "brake_not_fully_pressed");
    if (pyCmp("<", self.fuelLevel, MIN_FUEL_LEVEL)) return error(ctx, "fuel_tank_empty");
    if (pyEquals(mode, "START")) self.engine_state = "running";
    else return error(ctx, "invalid_ignition_mode", { mode: pyStr(mode) });
    return PyDict.from({
      engineState: self.engine_state,
      fuelLevel: self.fuelLevel,
      batteryVoltage: self.batteryVoltage,
    });
  },
});

const fillFuelTank = tool({
  name: "fillFuelTank",
  params: [{ name: "fuelAmount" }],
  run(self, { fuelAmount }, ctx) {
    const amount = fuelAmount;
    if (pyCmp("<", amount, 0n)) return error(ctx, "fuel_amount_negative");
    const level = pyAdd(self.fuelLevel, amount);
    if (pyCmp(">", level, MAX_FUEL_LEVEL)) return error(ctx, "fuel_above_capacity");
    if (pyCmp("<", level, MIN_FUEL_LEVEL)) return error(ctx, "fuel_below_minimum");
    self.fuelLevel = level;
    return PyDict.from({ fuelLevel: self.fuelLevel });
  },
});

function doorDict(self: VehicleControlState): PyDict {
  const d = self.doorStatus;
  if (d instanceof PyDict) return d;
  throw new PyException("TypeError", `'${pyTypeName(d)}' object is not subscriptable`);
}

const lockDoors = tool({
  name: "lockDoors",
  params: [{ name: "unlock" }, { name: "door" }],
  run(self, { unlock, door }, ctx) {
    const target = pyTruthy(unlock) ? "unlocked" : "locked";
    const step = target === "unlocked" ? 1n : -1n;
    for (const d of pyIter(door)) {
      const doors = doorDict(self);
      const status = doors.get(d); // raises TypeError for unhashable names, like dict[...]
      if (status === undefined) {
        throw new PyException("KeyError", msg(ctx, "unknown_door", { door: pyRepr(d) }));
      }
      if (pyEquals(status, target)) continue;
      doors.set(d, target);
      self.remainingUnlockedDoors = pyAdd(self.remainingUnlockedDoors, step);
    }
    return PyDict.from({ lockStatus: target, remainingUnlockedDoors: self.remainingUnlockedDoors });
  },
});

const adjustClimateControl = tool({
  name: "adjustClimateControl",
  params: [
    { name: "temperature" },
    { name: "unit", default: "celsius" },
    { name: "fanSpeed", default: 50n },
    { name: "mode", default: "auto" },
  ],
  run(self, { temperature, unit, fanSpeed, mode }, ctx) {
    const t = temperature;
    const fan = fanSpeed;
    if (!between(fan, 100n)) return error(ctx, "fan_speed_out_of_range", { fanSpeed: pyStr(fan) });
    // Set before converting: a failing conversion leaves the raw value in place, as in Python.
    self.acTemperature = t;
    if (pyEquals(unit, "fahrenheit")) {
      // (t - 32) * 5 / 9, evaluated left to right: the float result depends on this order.
      self.acTemperature = pyTrueDiv(pyMul(pySub(t, 32n), 5n), 9n);
    }
    self.fanSpeed = fan;
    self.acMode = mode;
    return PyDict.from({
      currentACTemperature: t,
      climateMode: mode,
      humidityLevel: self.humidityLevel,
    });
  },
});

const get_outside_temperature_from_google = tool({
  name: "get_outside_temperature_from_google",
  params: [],
  run(self) {
    if (self.long_context) {
      // The reference writes into the module-level dict and returns it (per episode here).
      const temperature = self._random.uniform(-10.0, 40.0);
      const weather = self.weatherExtension();
      weather.set("outsideTemperature", temperature);
      return weather;
    }
    return PyDict.from({ outsideTemperature: self._random.uniform(-10.0, 40.0) });
  },
});

const INT_TEXT = /^-?\d+$/;

const get_outside_temperature_from_weather_com = tool({
  name: "get_outside_temperature_from_weather_com",
  params: [],
  run(_self, _args, ctx) {
    // The reference's error value is the int 404, not a string: a numeric text is returned as an int.
    const text = msg(ctx, "weather_com_unavailable");
    return PyDict.from({ error: INT_TEXT.test(text) ? BigInt(text) : text });
  },
});

const HEADLIGHT_MODES = ["on", "off", "auto"];

const setHeadlights = tool({
  name: "setHeadlights",
  params: [{ name: "mode" }],
  run(self, { mode }, ctx) {
    const m = mode;
    if (!HEADLIGHT_MODES.some((x) => pyEquals(m, x))) return error(ctx, "invalid_headlight_mode", { mode: pyStr(m) });
    const status = pyEquals(m, "on") ? "on" : "off";
    self.headLightStatus = status;
    return PyDict.from({ headlightStatus: status });
  },
});

const displayCarStatus = tool({
  name: "displayCarStatus",
  params: [{ name: "option" }],
  run(self, { option }, ctx) {
    const opt = option;
    const status = new PyDict();
    if (self.long_context) status.set("metadata", self.constant("CAR_STATUS_METADATA_EXTENSION"));
    switch (typeof opt === "string" ? opt : undefined) {
      case "fuel":
        status.set("fuelLevel", self.fuelLevel);
        break;
      case "battery":
        status.set("batteryVoltage", self.batteryVoltage);
        break;
      case "doors":
        // The live dict, as in the reference (a nested call can hold on to it).
        status.set("doorStatus", self.doorStatus);
        break;
      case "climate":
        status.set("currentACTemperature", self.acTemperature);
        status.set("fanSpeed", self.fanSpeed);
        status.set("climateMode", self.acMode);
        status.set("humidityLevel", self.humidityLevel);
        break;
      case "headlights":
        status.set("headlightStatus", self.headLightStatus);
        break;
      case "parkingBrake":
        status.set("parkingBrakeStatus", self.parkingBrakeStatus);
        status.set("parkingBrakeForce", self._parkingBrakeForce);
        status.set("slopeAngle", self._slopeAngle);
        break;
      case "brakePedal":
        status.set("brakePedalStatus", self.brakePedalStatus);
        status.set("brakePedalForce", self._brakePedalForce);
        break;
      case "engine":
        status.set("engineState", self.engine_state);
        break;
      default:
        status.set("error", msg(ctx, "invalid_status_option", { option: pyStr(opt) }));
    }
    return status;
  },
});

const activateParkingBrake = tool({
  name: "activateParkingBrake",
  params: [{ name: "mode" }],
  run(self, { mode }, ctx) {
    const m = mode;
    const engage = pyEquals(m, "engage");
    if (!engage && !pyEquals(m, "release")) return error(ctx, "invalid_parking_brake_mode", { mode: pyStr(m) });
    const status = engage ? "engaged" : "released";
    const force = engage ? 500.0 : 0.0;
    self.parkingBrakeStatus = status;
    self._parkingBrakeForce = force;
    // Releasing also sets the slope to 10.0 in the reference.
    self._slopeAngle = 10.0;
    const out = new PyDict();
    if (self.long_context) out.set("parkingBrakeInstruction", self.constant("PARKING_BRAKE_INSTRUCTION"));
    out.set("parkingBrakeStatus", status);
    out.set("_parkingBrakeForce", force);
    out.set("_slopeAngle", 10.0);
    return out;
  },
});

const pressBrakePedal = tool({
  name: "pressBrakePedal",
  params: [{ name: "pedalPosition" }],
  run(self, { pedalPosition }, ctx) {
    const p = pedalPosition;
    if (!between(p, 1n)) return error(ctx, "pedal_position_out_of_range", { pedalPosition: pyStr(p) });
    if (pyEquals(p, 0n)) {
      self.brakePedalStatus = "released";
      self._brakePedalForce = 0.0;
      return PyDict.from({ brakePedalStatus: "released", brakePedalForce: 0.0 });
    }
    // An int position keeps an int force in the state (1 * 1000 == 1000); the result is float().
    const force = pyMul(p, 1000n);
    self.brakePedalStatus = "pressed";
    self._brakePedalForce = force;
    return PyDict.from({ brakePedalStatus: "pressed", brakePedalForce: pyFloat(force) });
  },
});

const releaseBrakePedal = tool({
  name: "releaseBrakePedal",
  params: [],
  run(self) {
    self.brakePedalStatus = "released";
    self._brakePedalForce = 0.0;
    return PyDict.from({ brakePedalStatus: "released", brakePedalForce: 0.0 });
  },
});

const setCruiseControl = tool({
  name: "setCruiseControl",
  params: [{ name: "speed" }, { name: "activate" }, { name: "distanceToNextVehicle" }],
  run(self, { speed, activate, distanceToNextVehicle }, ctx) {
    // Both conversions run first, distance before speed, whatever the engine state.
    const distance = pyFloat(distanceToNextVehicle);
    const v = pyFloat(speed);
    if (pyEquals(self.engine_state, "stopped")) return error(ctx, "cruise_engine_stopped");
    if (pyTruthy(activate)) {
      // The distance is stored even when the speed is then rejected.
      self.distanceToNextVehicle = distance;
      // JS `%` is C fmod; it is zero exactly when Python's float `%` is.
      if (v < 0 || v > 120 || v % 5 !== 0) return error(ctx, "invalid_cruise_speed", { speed: pyStr(speed) });
      self.cruiseStatus = "active";
      return PyDict.from({ cruiseStatus: "active", currentSpeed: v, distanceToNextVehicle: distance });
    }
    self.cruiseStatus = "inactive";
    self.distanceToNextVehicle = distance;
    return PyDict.from({ cruiseStatus: "inactive", currentSpeed: v, distanceToNextVehicle: distance });
  },
});

const get_current_speed = tool({
  name: "get_current_speed",
  params: [],
  run(self) {
    return PyDict.from({ currentSpeed: self._random.uniform(0.0, 120.0) });
  },
});

const display_log = tool({
  name: "display_log",
  params: [{ name: "messages" }],
  run(_self, { messages }) {
    return PyDict.from({ log: messages });
  },
});

const estimate_drive_feasibility_by_mileage = tool({
  name: "estimate_drive_feasibility_by_mileage",
  params: [{ name: "distance" }],
  run(self, { distance }) {
    const range = pyMul(self.fuelLevel, MILE_PER_GALLON);
    return PyDict.from({ canDrive: !pyCmp("<", range, distance) });
  },
});

const liter_to_gallon = tool({
  name: "liter_to_gallon",
  params: [{ name: "liter" }],
  run(_self, { liter }) {
    return PyDict.from({ gallon: pyMul(liter, 0.264172) });
  },
});

const gallon_to_liter = tool({
  name: "gallon_to_liter",
  params: [{ name: "gallon" }],
  run(_self, { gallon }) {
    return PyDict.from({ liter: pyMul(gallon, 3.78541) });
  },
});

/** The reference's symmetric zipcode-pair table (km). */
const DISTANCES: ReadonlyMap<string, ReadonlyMap<string, number>> = (() => {
  const pairs: Array<[string, string, number]> = [
    ["83214", "74532", 750.0],
    ["56108", "62947", 320.0],
    ["71354", "83462", 450.0],
    ["47329", "52013", 290.0],
    ["69238", "51479", 630.0],
    ["94016", "83214", 980.0],
    ["94016", "94704", 600.0],
    ["94704", "08540", 2550.0],
    ["94016", "08540", 1950.0],
    ["62947", "47329", 1053.0],
    ["94016", "62947", 780.0],
    ["74532", "94016", 880.0],
  ];
  const m = new Map<string, Map<string, number>>();
  const add = (a: string, b: string, d: number) => {
    let inner = m.get(a);
    if (!inner) m.set(a, (inner = new Map()));
    inner.set(b, d);
  };
  for (const [a, b, d] of pairs) {
    add(a, b, d);
    add(b, a, d);
  }
  return m;
})();

const estimate_distance = tool({
  name: "estimate_distance",
  params: [{ name: "cityA" }, { name: "cityB" }],
  run(self, { cityA, cityB }, ctx) {
    const a = cityA;
    const b = cityB;
    // Only str arguments can equal a table zipcode.
    const d = typeof a === "string" && typeof b === "string" ? DISTANCES.get(a)?.get(b) : undefined;
    const out = d !== undefined ? PyDict.from({ distance: d }) : error(ctx, "distance_not_found", { cityA: pyStr(a), cityB: pyStr(b) });
    if (self.long_context) out.set("intermediaryCities", self.intermediaryCities());
    return out;
  },
});

const ZIPCODES: ReadonlyMap<string, string> = new Map([
  ["Rivermist", "83214"],
  ["Stonebrook", "74532"],
  ["Maplecrest", "56108"],
  ["Silverpine", "62947"],
  ["Shadowridge", "71354"],
  ["Sunset Valley", "83462"],
  ["Oakendale", "47329"],
  ["Willowbend", "52013"],
  ["Crescent Hollow", "69238"],
  ["Autumnville", "51479"],
  ["San Francisco", "94016"],
]);

const get_zipcode_based_on_city = tool({
  name: "get_zipcode_based_on_city",
  params: [{ name: "city" }],
  run(_self, { city }) {
    const c = city;
    return PyDict.from({ zipcode: (typeof c === "string" ? ZIPCODES.get(c) : undefined) ?? "00000" });
  },
});

const set_navigation = tool({
  name: "set_navigation",
  params: [{ name: "destination" }],
  run(self, { destination }) {
    const dest = destination;
    // Stored before the concatenation that may raise.
    self.destination = dest;
    return PyDict.from({ status: pyAdd("Navigating to ", dest) });
  },
});

const check_tire_pressure = tool({
  name: "check_tire_pressure",
  params: [],
  run(self) {
    const total = pyAdd(
      pyAdd(pyAdd(self.frontLeftTirePressure, self.frontRightTirePressure), self.rearLeftTirePressure),
      self.rearRightTirePressure,
    );
    const mean = pyTrueDiv(total, 4n);
    const healthy = pyCmp("<=", 30n, mean) && pyCmp("<=", mean, 35n);
    return PyDict.from({
      frontLeftTirePressure: self.frontLeftTirePressure,
      frontRightTirePressure: self.frontRightTirePressure,
      rearLeftTirePressure: self.rearLeftTirePressure,
      rearRightTirePressure: self.rearRightTirePressure,
      healthy_tire_pressure: healthy,
      car_info: self.long_context ? self.constant("CAR_STATUS_METADATA_EXTENSION") : new PyDict(),
    });
  },
});

const find_nearest_tire_shop = tool({
  name: "find_nearest_tire_shop",
  params: [],
  run() {
    return PyDict.from({ shopLocation: "456 Oakwood Avenue, Rivermist, 83214" });
  },
});

export const tools: Tool[] = [
  activateParkingBrake,
  adjustClimateControl,
  check_tire_pressure,
  displayCarStatus,
  display_log,
  estimate_distance,
  estimate_drive_feasibility_by_mileage,
  fillFuelTank,
  find_nearest_tire_shop,
  gallon_to_liter,
  get_current_speed,
  get_outside_temperature_from_google,
  get_outside_temperature_from_weather_com,
  get_zipcode_based_on_city,
  liter_to_gallon,
  lockDoors,
  pressBrakePedal,
  releaseBrakePedal,
  setCruiseControl,
  setHeadlights,
  set_navigation,
  startEngine,
];
