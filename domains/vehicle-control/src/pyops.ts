/**
 * The Python operators VehicleControlAPI's bodies apply to caller-supplied values.
 *
 * Tool arguments arrive untyped (a model may pass `'abc'`, `[1.0]`, `None` for a float), so every
 * `+`, `*`, `<`, `float()` in the reference can fail with a CPython message the traces record
 * verbatim. Numbers follow Python exactly: bool is an int, int op int stays an int, int op float
 * converts the int (OverflowError when it does not fit). Texts of failures come from core.
 */
import { PyException, PyTuple, pyFloatFromStr, pyRichCompare, pyTypeErrorBinOp, pyTypeName, toFloat } from "@envtune/core/py";
import type { PyOrderOp, PyValue } from "@envtune/core/py";

export { pyTrueDiv } from "@envtune/core/py";

type Num = bigint | number;

/** int/float view of a numeric value (bool counts as int), `undefined` for anything else. */
function asNum(v: PyValue): Num | undefined {
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  return undefined;
}

/** Python `a + b` for numbers, str + str, list + list and tuple + tuple. */
export function pyAdd(a: PyValue, b: PyValue): PyValue {
  const x = asNum(a);
  const y = asNum(b);
  if (x !== undefined && y !== undefined) {
    if (typeof x === "bigint" && typeof y === "bigint") return x + y;
    return toFloat(x) + toFloat(y);
  }
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
  return pyTypeErrorBinOp("+", a, b);
}

/** Python `a - b` for numbers. */
export function pySub(a: PyValue, b: PyValue): PyValue {
  const x = asNum(a);
  const y = asNum(b);
  if (x === undefined || y === undefined) return pyTypeErrorBinOp("-", a, b);
  if (typeof x === "bigint" && typeof y === "bigint") return x - y;
  return toFloat(x) - toFloat(y);
}

/** Python `a * b` for numbers and sequence repetition by an int (`'ab' * 2`). */
export function pyMul(a: PyValue, b: PyValue): PyValue {
  const x = asNum(a);
  const y = asNum(b);
  if (x !== undefined && y !== undefined) {
    if (typeof x === "bigint" && typeof y === "bigint") return x * y;
    return toFloat(x) * toFloat(y);
  }
  if (isSequence(a) && typeof y === "bigint") return repeat(a, y);
  if (isSequence(b) && typeof x === "bigint") return repeat(b, x);
  return pyTypeErrorBinOp("*", a, b);
}

function isSequence(v: PyValue): v is string | PyValue[] | PyTuple {
  return typeof v === "string" || Array.isArray(v) || v instanceof PyTuple;
}

function repeat(seq: string | PyValue[] | PyTuple, count: bigint): PyValue {
  const n = count <= 0n ? 0 : Number(count);
  if (typeof seq === "string") return seq.repeat(n);
  const items = Array.isArray(seq) ? seq : seq.items;
  const out: PyValue[] = [];
  for (let i = 0; i < n; i++) out.push(...items);
  return Array.isArray(seq) ? out : new PyTuple(out);
}

/** Python `a OP b` (`<`, `<=`, `>`, `>=`), raising CPython's TypeError for unorderable operands. */
export function pyCmp(op: PyOrderOp, a: PyValue, b: PyValue): boolean {
  return pyRichCompare(a, b, op);
}

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core/py";
// Iteration is shared CPython semantics, also in core.
export { pyIter } from "@envtune/core/py";

/** Python `float(v)`. */
export function pyFloat(v: PyValue): number {
  if (typeof v === "string") return pyFloatFromStr(v);
  if (asNum(v) !== undefined) return toFloat(v);
  throw new PyException("TypeError", `float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}
