/**
 * The CPython operator semantics TradingBot's bodies need that core does not provide as such
 * (truthiness, numeric `+`/`-`, `abs`, iteration, `str.join`, `x["k"]`, `d.get`), with CPython
 * 3.11's exception texts, so that a body fails exactly where the reference fails.
 */
import { PyDict, PyException, pyTypeErrorBinOp, pyTypeName, toFloat, type PyValue } from "@envtune/core/py";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core/py";
// Iteration and dict subscription are shared CPython semantics, also in core.
export { pyGetItemStr as pyGetStrItem, pyIter, pySetItemStr as pySetStrItem } from "@envtune/core/py";

function arith(op: "+" | "-", a: PyValue, b: PyValue): PyValue {
  const x = typeof a === "boolean" ? (a ? 1n : 0n) : a;
  const y = typeof b === "boolean" ? (b ? 1n : 0n) : b;
  if (typeof x === "bigint" && typeof y === "bigint") return op === "+" ? x + y : x - y;
  if ((typeof x === "bigint" || typeof x === "number") && (typeof y === "bigint" || typeof y === "number")) {
    // int op float promotes the int (OverflowError beyond the double range), like CPython.
    const fx = toFloat(x);
    const fy = toFloat(y);
    return op === "+" ? fx + fy : fx - fy;
  }
  return pyTypeErrorBinOp(op, a, b);
}

/** Python `a + b` on numbers (int + int stays int, any float makes a float). */
export const pyAdd = (a: PyValue, b: PyValue): PyValue => arith("+", a, b);
/** Python `a - b` on numbers. */
export const pySub = (a: PyValue, b: PyValue): PyValue => arith("-", a, b);

/** Python `abs(x)`. */
export function pyAbs(v: PyValue): PyValue {
  if (typeof v === "number") return Math.abs(v);
  if (typeof v === "bigint") return v < 0n ? -v : v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  throw new PyException("TypeError", `bad operand type for abs(): '${pyTypeName(v)}'`);
}

/** Python `sep.join(items)`. */
export function pyJoin(sep: string, items: readonly PyValue[]): string {
  items.forEach((it, i) => {
    if (typeof it !== "string") {
      throw new PyException("TypeError", `sequence item ${i}: expected str instance, ${pyTypeName(it)} found`);
    }
  });
  return (items as string[]).join(sep);
}

/** Python `d.get(key, dflt)` where `d` must be a dict (AttributeError otherwise). */
export function pyDictGet(d: PyValue, key: PyValue, dflt: PyValue): PyValue {
  if (!(d instanceof PyDict)) throw new PyException("AttributeError", `'${pyTypeName(d)}' object has no attribute 'get'`);
  const v = d.get(key);
  return v === undefined ? dflt : v;
}
