/**
 * The few CPython semantics TicketAPI's bodies need beyond core's value model: truthiness,
 * subscription, `+= 1` and ordering against an int. Kept local because they are tiny and the
 * exact error texts matter (the fuzz traces show them verbatim).
 */
import { PyException, pyTypeName, type PyValue } from "@envtune/core";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core";
// Dict subscription and counters are shared CPython semantics, also in core.
export { pyGetItemStr as pyGetItem, pySetItemStr as pySetItem, pyPlusOne } from "@envtune/core";

/**
 * Python `v < n` / `v > n` for an int `n`. Only numbers (bool, int, float) order against an int;
 * any other type raises the TypeError CPython prints.
 */
export function pyCmpInt(v: PyValue, op: "<" | ">", n: bigint): boolean {
  let x: bigint | number;
  if (typeof v === "bigint" || typeof v === "number") x = v;
  else if (typeof v === "boolean") x = v ? 1n : 0n;
  else throw new PyException("TypeError", `'${op}' not supported between instances of '${pyTypeName(v)}' and 'int'`);
  // JS relational operators compare number with bigint exactly (NaN compares false, like Python).
  return op === "<" ? x < n : x > n;
}
