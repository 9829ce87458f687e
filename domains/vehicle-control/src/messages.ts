/**
 * Message catalogues of VehicleControlAPI.
 *
 * `standard` holds the reference's exact texts. `augmented` holds actionable hints (paper §3.3, App. B):
 * the two texts the paper's authors baked into their vehicle_control.py @ 4aeef7b (`weather_com_unavailable`,
 * `distance_not_found`) verbatim, and envtune's own hints for the other error paths. A hint says
 * what went wrong and which kind of step fixes it, never the value the task expects.
 *
 * Placeholders: `{name}` is replaced by the tool with Python `str()` of the value.
 */
import type { MessageCatalogue } from "@envtune/core/domain";

export const standard = {
  // startEngine
  doors_unlocked: "All doors must be locked before starting the engine. Here are the unlocked doors: {doors}",
  brake_not_pressed: "Brake pedal needs to be pressed when starting the engine.",
  brake_not_fully_pressed: "Must press the brake fully before starting the engine.",
  fuel_tank_empty: "Fuel tank is empty.",
  invalid_ignition_mode: "Invalid ignition mode.",
  // fillFuelTank
  fuel_amount_negative: "Fuel amount cannot be negative.",
  fuel_above_capacity: "Cannot fill gas above the tank capacity.",
  fuel_below_minimum: "Fuel tank is empty. Min fuel level is 0 gallons.",
  // lockDoors: the reference raises KeyError(door) for an unknown door; str(KeyError) is repr(door).
  unknown_door: "{door}",
  // adjustClimateControl
  fan_speed_out_of_range: "Fan speed must be between 0 and 100.",
  // get_outside_temperature_from_weather_com: the reference returns the int 404, see tools.ts.
  weather_com_unavailable: "404",
  // setHeadlights
  invalid_headlight_mode: "Invalid headlight mode.",
  // displayCarStatus
  invalid_status_option: "Invalid option",
  // activateParkingBrake
  invalid_parking_brake_mode: "Invalid mode",
  // pressBrakePedal
  pedal_position_out_of_range: "Pedal position must be between 0 and 1.",
  // setCruiseControl
  cruise_engine_stopped: "Start the engine before activating the cruise control.",
  invalid_cruise_speed: "Invalid speed",
  // estimate_distance
  distance_not_found: "distance not found in database.",
} as const satisfies MessageCatalogue;

export type MessageCode = keyof typeof standard;

export const augmented: Record<MessageCode, string> = {
  doors_unlocked:
    "All doors must be locked before starting the engine. Here are the unlocked doors: {doors}. " +
    "Lock them with 'lockDoors' first, then start the engine again.",
  brake_not_pressed:
    "Brake pedal needs to be pressed when starting the engine. " + "Press it with 'pressBrakePedal' first, then start the engine again.",
  brake_not_fully_pressed:
    "Must press the brake fully before starting the engine. The brake pedal is pressed only partially; " +
    "press it fully with 'pressBrakePedal' (the position ranges from 0 to 1), then start the engine again.",
  fuel_tank_empty: "Fuel tank is empty. Add fuel with 'fillFuelTank' before starting the engine.",
  invalid_ignition_mode: "Invalid ignition mode '{mode}'. The ignition mode must be one of: START, STOP.",
  fuel_amount_negative: "Fuel amount cannot be negative. 'fuelAmount' is the number of gallons to add to the tank.",
  fuel_above_capacity:
    "Cannot fill gas above the tank capacity. The tank holds at most 50 gallons; " +
    "check the current level with 'displayCarStatus' and add no more than the remaining capacity.",
  fuel_below_minimum: "Fuel tank is empty. Min fuel level is 0 gallons.",
  unknown_door: "lockDoors: unknown door {door}. 'door' must be a list of door names from: " + "driver, passenger, rear_left, rear_right.",
  fan_speed_out_of_range: "Fan speed must be between 0 and 100. Pass 'fanSpeed' as a number in that range.",
  weather_com_unavailable: "Weather.com service is currently unavailable. Please try using get_outside_temperature_from_google() instead.",
  invalid_headlight_mode: "Invalid headlight mode '{mode}'. The headlight mode must be one of: on, off, auto.",
  invalid_status_option:
    "Invalid option '{option}'. The option must be one of: fuel, battery, doors, climate, headlights, " +
    "parkingBrake, brakePedal, engine.",
  invalid_parking_brake_mode: "Invalid mode '{mode}'. The parking brake mode must be one of: engage, release.",
  pedal_position_out_of_range: "Pedal position must be between 0 and 1 (0 = released, 1 = fully pressed).",
  cruise_engine_stopped:
    "Start the engine before activating the cruise control. The engine is stopped; start it with " +
    "'startEngine' first (its own preconditions apply), then set the cruise control again.",
  invalid_cruise_speed: "Invalid speed '{speed}'. The cruise speed must be between 0 and 120 and a multiple of 5.",
  distance_not_found:
    "Invalid zipcode pair: '{cityA}' to '{cityB}'. Please verify both zipcodes are correct and supported. " +
    "You can use 'get_zipcode_based_on_city' to find the correct zipcode for a city name.",
};
