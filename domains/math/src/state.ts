import type { StateInit } from "@envtune/core/domain";
import type { PyValue } from "@envtune/core/py";

/**
 * MathAPI's instance (upstream `math_api.py`): stateless. The reference never calls
 * `_load_scenario` for it (`STATELESS_CLASSES`), so `initial_config["MathAPI"]` and long-context
 * mode are ignored, and its only attribute is the private `_api_description`. The process-global
 * settings its tools touch (`mpmath.mp.dps`, the decimal context precision) are set by every call
 * before use, so nothing carries over between calls.
 */
export class MathAPI {
  readonly _api_description = "This tool belongs to the Math API, which provides various mathematical operations.";
}

/** Every tool body treats the instance as read-only, so one frozen instance serves all episodes. */
const INSTANCE: MathAPI = Object.freeze(new MathAPI());

export type MathState = MathAPI;

export function createState(_init: StateInit): MathState {
  return INSTANCE;
}

/** No compared attributes: `vars()` holds only the private description. */
export function view(_self: MathState): Array<[string, PyValue]> {
  return [];
}
