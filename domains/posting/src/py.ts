/**
 * The few CPython semantics TwitterAPI's bodies need beyond core's value model. Kept local because
 * they are tiny and the exact error texts matter (the fuzz traces show them verbatim).
 */
import { PyException, pyIntFromFloat, pyIntFromStr, pyLength, pyTypeName, type PyValue } from "@envtune/core/py";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core/py";
// Dict subscription, counters and iteration are shared CPython semantics, also in core.
export { pyGetItemStr as pyGetItem, pyIterate, pyPlusOne } from "@envtune/core/py";

/** Python `len(v)` as an int. */
export const pyLenOf = (v: PyValue): bigint => BigInt(pyLength(v));

/** Python `int(v)` for the values a dict key can hold (the reference converts tweet keys with it). */
export function pyInt(v: PyValue): bigint {
  if (typeof v === "string") return pyIntFromStr(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return pyIntFromFloat(v);
  throw new PyException("TypeError", `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}
