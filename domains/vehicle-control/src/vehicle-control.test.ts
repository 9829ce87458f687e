import { describe, expect, it } from "vitest";
import { parsePythonCalls } from "@envtune/core/actions";
import { World } from "@envtune/core/exec";
import { PyDict } from "@envtune/core/py";
import type { PyValue } from "@envtune/core/py";
import { sharedDataset, testDomainPack, testDomainTraces } from "@envtune/testing";
import pack, { augmented, standard } from "./index.ts";
import type { VehicleControlState } from "./state.ts";

const CLASS = "VehicleControlAPI";

interface WorldOpts {
  config?: Record<string, PyValue>;
  longContext?: boolean;
  augmented?: boolean;
  shared?: Map<string, unknown>;
}

function world(opts: WorldOpts = {}): World {
  const longContext = opts.longContext ?? false;
  return new World({
    packs: [pack],
    initialConfig: new PyDict([[CLASS, PyDict.from(opts.config ?? {})]]),
    longContext,
    ...(longContext ? { constants: sharedDataset().longContext } : {}),
    augmented: opts.augmented ?? false,
    shared: opts.shared ?? new Map(),
  });
}

/** Executes one call string and returns the reference-format result string. */
function call(w: World, text: string): string {
  const [c] = parsePythonCalls(text);
  return w.call(c!).result;
}

const stateOf = (w: World) => w.stateOf(CLASS) as VehicleControlState;

/** A car ready to drive: doors locked, brake fully pressed, engine running. */
function runningCar(opts: WorldOpts = {}): World {
  const w = world(opts);
  call(w, "lockDoors(unlock=False, door=['driver', 'passenger', 'rear_left', 'rear_right'])");
  call(w, "pressBrakePedal(pedalPosition=1.0)");
  expect(call(w, "startEngine(ignitionMode='START')")).toBe('{"engineState": "running", "fuelLevel": 0.0, "batteryVoltage": 12.6}');
  return w;
}

describe("VehicleControlAPI pack conformance", () => {
  testDomainPack(pack);
});

testDomainTraces(pack);

describe("VehicleControlAPI quirks", () => {
  it("loads the reference defaults; remainingUnlockedDoors is recomputed from doorStatus", () => {
    const w = world({
      config: {
        remainingUnlockedDoors: 4n,
        doorStatus: PyDict.from({ driver: "locked", passenger: "unlocked", rear_left: "locked", rear_right: "locked" }),
      },
    });
    const view = new Map(w.view(CLASS));
    expect(view.get("remainingUnlockedDoors")).toBe(1n);
    expect(view.get("fuelLevel")).toBe(0.0);
    expect(view.get("fanSpeed")).toBe(50n);
    expect(view.get("destination")).toBe("None");
    expect(view.get("long_context")).toBe(false);
    expect([...view.keys()]).toEqual([
      "fuelLevel",
      "batteryVoltage",
      "engine_state",
      "remainingUnlockedDoors",
      "doorStatus",
      "acTemperature",
      "fanSpeed",
      "acMode",
      "humidityLevel",
      "headLightStatus",
      "parkingBrakeStatus",
      "brakePedalStatus",
      "distanceToNextVehicle",
      "cruiseStatus",
      "destination",
      "frontLeftTirePressure",
      "frontRightTirePressure",
      "rearLeftTirePressure",
      "rearRightTirePressure",
      "long_context",
    ]);
  });

  it("does not mutate the shared initial config", () => {
    const doors = PyDict.from({ driver: "locked", passenger: "locked", rear_left: "locked", rear_right: "locked" });
    const w = world({ config: { doorStatus: doors } });
    call(w, "lockDoors(unlock=True, door=['driver'])");
    expect(doors.get("driver")).toBe("locked");
  });

  it("draws from random.Random(141053) in call order", () => {
    const w = world();
    expect(call(w, "get_outside_temperature_from_google()")).toBe('{"outsideTemperature": 36.63485703790535}');
    expect(call(w, "get_current_speed()")).toBe('{"currentSpeed": 99.11925428879405}');
    expect(call(world(), "get_current_speed()")).toBe('{"currentSpeed": 111.92365689097284}');
  });

  it("converts fahrenheit as (t - 32) * 5 / 9 and echoes the unconverted temperature", () => {
    const w = world();
    expect(call(w, "adjustClimateControl(temperature=72, unit='fahrenheit')")).toBe(
      '{"currentACTemperature": 72, "climateMode": "auto", "humidityLevel": 50.0}',
    );
    expect(stateOf(w).acTemperature).toBe(22.22222222222222);
    call(w, "adjustClimateControl(temperature=98.6, unit='fahrenheit')");
    expect(stateOf(w).acTemperature).toBe(37.0);
    call(w, "adjustClimateControl(temperature=True, unit='fahrenheit')");
    expect(stateOf(w).acTemperature).toBe(-17.22222222222222);
    // A failing conversion leaves the raw value stored (no rollback).
    expect(call(w, "adjustClimateControl(temperature=[1.0], unit='fahrenheit', fanSpeed=2)")).toBe(
      "Error during execution: unsupported operand type(s) for -: 'list' and 'int'",
    );
    expect(stateOf(w).acTemperature).toEqual([1.0]);
    expect(call(w, "adjustClimateControl(temperature=20, fanSpeed='x')")).toBe(
      "Error during execution: '<=' not supported between instances of 'int' and 'str'",
    );
  });

  it("startEngine checks doors, brake, force, fuel, mode in that order", () => {
    const w = world();
    expect(call(w, "startEngine(ignitionMode='START')")).toBe(
      '{"error": "All doors must be locked before starting the engine. Here are the unlocked doors: driver, passenger, rear_left, rear_right"}',
    );
    call(w, "lockDoors(unlock=False, door=['driver', 'passenger', 'rear_left', 'rear_right'])");
    expect(call(w, "startEngine(ignitionMode='START')")).toBe('{"error": "Brake pedal needs to be pressed when starting the engine."}');
    call(w, "pressBrakePedal(pedalPosition=0.5)");
    expect(call(w, "startEngine(ignitionMode='START')")).toBe('{"error": "Must press the brake fully before starting the engine."}');
    // An int position keeps an int force (1 * 1000), which still equals 1000.0.
    expect(call(w, "pressBrakePedal(pedalPosition=1)")).toBe('{"brakePedalStatus": "pressed", "brakePedalForce": 1000.0}');
    expect(stateOf(w)._brakePedalForce).toBe(1000n);
    expect(call(w, "startEngine(ignitionMode='GO')")).toBe('{"error": "Invalid ignition mode."}');
    expect(call(w, "startEngine(ignitionMode='START')")).toBe('{"engineState": "running", "fuelLevel": 0.0, "batteryVoltage": 12.6}');
  });

  it("fillFuelTank keeps Python number types and bounds", () => {
    const w = world({ config: { fuelLevel: 10.5 } });
    expect(call(w, "fillFuelTank(fuelAmount=-5)")).toBe('{"error": "Fuel amount cannot be negative."}');
    expect(call(w, "fillFuelTank(fuelAmount=40)")).toBe('{"error": "Cannot fill gas above the tank capacity."}');
    expect(call(w, "fillFuelTank(fuelAmount=39.5)")).toBe('{"fuelLevel": 50.0}');
    expect(call(w, "fillFuelTank(fuelAmount='1.5')")).toBe(
      "Error during execution: '<' not supported between instances of 'str' and 'int'",
    );
    const ints = world({ config: { fuelLevel: 10n } });
    expect(call(ints, "fillFuelTank(fuelAmount=5)")).toBe('{"fuelLevel": 15}');
  });

  it("lockDoors raises KeyError for unknown doors after earlier doors changed", () => {
    const w = world();
    expect(call(w, "lockDoors(unlock=False, door=['driver', 'trunk'])")).toBe("Error during execution: 'trunk'");
    expect(stateOf(w).remainingUnlockedDoors).toBe(3n);
    expect(call(w, "lockDoors(unlock=True, door='a,b')")).toBe("Error during execution: 'a'");
    expect(call(w, "lockDoors(unlock=1, door=['driver'])")).toBe('{"lockStatus": "unlocked", "remainingUnlockedDoors": 4}');
  });

  it("setCruiseControl converts both values with float() first and stores the distance before validating", () => {
    expect(call(world(), "setCruiseControl(speed='abc', activate=True, distanceToNextVehicle=100)")).toBe(
      "Error during execution: could not convert string to float: 'abc'",
    );
    expect(call(world(), "setCruiseControl(speed=65, activate=True, distanceToNextVehicle=[1.0])")).toBe(
      "Error during execution: float() argument must be a string or a real number, not 'list'",
    );
    expect(call(world(), "setCruiseControl(speed=65, activate=False, distanceToNextVehicle=100)")).toBe(
      '{"error": "Start the engine before activating the cruise control."}',
    );
    const w = runningCar();
    expect(call(w, "setCruiseControl(speed='1.5', activate=True, distanceToNextVehicle=42)")).toBe('{"error": "Invalid speed"}');
    expect(stateOf(w).distanceToNextVehicle).toBe(42.0);
    expect(stateOf(w).cruiseStatus).toBe("inactive");
    expect(call(w, "setCruiseControl(speed=' 6_5 ', activate=True, distanceToNextVehicle=100)")).toBe(
      '{"cruiseStatus": "active", "currentSpeed": 65.0, "distanceToNextVehicle": 100.0}',
    );
  });

  it("activateParkingBrake sets the slope to 10.0 on release too", () => {
    const w = world();
    expect(call(w, "activateParkingBrake(mode='release')")).toBe(
      '{"parkingBrakeStatus": "released", "_parkingBrakeForce": 0.0, "_slopeAngle": 10.0}',
    );
    expect(stateOf(w)._slopeAngle).toBe(10.0);
    expect(call(w, "activateParkingBrake(mode='0')")).toBe('{"error": "Invalid mode"}');
  });

  it("conversions, zip codes, navigation and CPython operator errors", () => {
    const w = world();
    expect(call(w, "liter_to_gallon(liter=2.675)")).toBe('{"gallon": 0.7066601}');
    expect(call(w, "gallon_to_liter(gallon=13.2)")).toBe('{"liter": 49.967411999999996}');
    expect(call(w, "gallon_to_liter(gallon='1.5')")).toBe("Error during execution: can't multiply sequence by non-int of type 'float'");
    expect(call(w, "gallon_to_liter(gallon=None)")).toBe(
      "Error during execution: unsupported operand type(s) for *: 'NoneType' and 'float'",
    );
    expect(call(w, "estimate_drive_feasibility_by_mileage(distance='abc')")).toBe(
      "Error during execution: '<' not supported between instances of 'float' and 'str'",
    );
    expect(call(w, "get_zipcode_based_on_city(city='Sunset Valley')")).toBe('{"zipcode": "83462"}');
    expect(call(w, "estimate_distance(cityA='08540', cityB='94704')")).toBe('{"distance": 2550.0}');
    expect(call(w, "set_navigation(destination=5)")).toBe('Error during execution: can only concatenate str (not "int") to str');
    expect(stateOf(w).destination).toBe(5n);
    expect(call(w, "displayCarStatus(option=['a'])")).toBe('{"error": "Invalid option"}');
  });

  it("long context: metadata, parking brake instruction and intermediary cities lead or trail the results", () => {
    const w = world({ longContext: true });
    const lc = sharedDataset().longContext;
    const status = call(w, "displayCarStatus(option='fuel')");
    expect(status.startsWith('{"metadata": "Manufacturer: Audi;')).toBe(true);
    expect(status.endsWith('"fuelLevel": 0.0}')).toBe(true);
    expect(call(w, "activateParkingBrake(mode='engage')")).toMatch(/^\{"parkingBrakeInstruction": "The parking brake/);
    const d = call(w, "estimate_distance(cityA='x', cityB='y')");
    expect(d.startsWith('{"error": "distance not found in database.", "intermediaryCities": ["New Hamilton",')).toBe(true);
    expect(call(w, "check_tire_pressure()")).toContain('"healthy_tire_pressure": true, "car_info": "Manufacturer: Audi;');
    expect((lc.get("INTERMEDIARY_CITIES") as PyValue[]).length).toBe(826);
  });

  it("long context weather dict is shared by the worlds of one episode, never written to the constants", () => {
    const shared = new Map<string, unknown>();
    const model = world({ longContext: true, shared });
    const gt = world({ longContext: true, shared });
    const first = call(model, "get_outside_temperature_from_google()");
    expect(first.startsWith('{"-1_day": {"windSpeed": 15.0,')).toBe(true);
    expect(first.endsWith('"outsideTemperature": 36.63485703790535}')).toBe(true);
    // The GT world draws from its own generator but writes into the same dict (key keeps its place).
    const second = call(gt, "get_outside_temperature_from_google()");
    expect(second.endsWith('"outsideTemperature": 36.63485703790535}')).toBe(true);
    expect(stateOf(model).weatherExtension()).toBe(stateOf(gt).weatherExtension());
    const constant = sharedDataset().longContext.get("LONG_WEATHER_EXTENSION") as PyDict;
    expect(constant.has("outsideTemperature")).toBe(false);
    // Another episode starts from the pristine constant.
    const other = world({ longContext: true });
    expect(stateOf(other).weatherExtension()).not.toBe(stateOf(model).weatherExtension());
    expect(stateOf(other).weatherExtension().has("outsideTemperature")).toBe(false);
  });
});

describe("VehicleControlAPI messages", () => {
  it("standard and augmented catalogues share their codes", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
  });

  it("augmented texts differ from the reference texts where hints exist", () => {
    for (const code of Object.keys(standard) as Array<keyof typeof standard>) {
      if (code === "fuel_below_minimum") continue; // already says what is wrong and what the limit is
      expect.soft(augmented[code], code).not.toBe(standard[code]);
    }
  });

  it("uses the paper's weather.com and zipcode hints in augmented mode", () => {
    expect(call(world(), "get_outside_temperature_from_weather_com()")).toBe('{"error": 404}');
    expect(call(world({ augmented: true }), "get_outside_temperature_from_weather_com()")).toBe(
      '{"error": "Weather.com service is currently unavailable. Please try using get_outside_temperature_from_google() instead."}',
    );
    expect(call(world({ augmented: true }), "estimate_distance(cityA='San Francisco', cityB='74532')")).toBe(
      "{\"error\": \"Invalid zipcode pair: 'San Francisco' to '74532'. Please verify both zipcodes are correct and supported. " +
        "You can use 'get_zipcode_based_on_city' to find the correct zipcode for a city name.\"}",
    );
  });

  it("augmented hints name the tool to call first without giving the expected value", () => {
    const w = world({ augmented: true });
    expect(call(w, "startEngine(ignitionMode='START')")).toContain("'lockDoors'");
    expect(call(w, "lockDoors(unlock=False, door=['trunk'])")).toBe(
      "Error during execution: lockDoors: unknown door 'trunk'. 'door' must be a list of door names from: driver, passenger, rear_left, rear_right.",
    );
    expect(call(w, "setCruiseControl(speed=65, activate=True, distanceToNextVehicle=100)")).toContain("'startEngine'");
  });
});
