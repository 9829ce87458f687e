/**
 * CPython semantics of the operators and builtins the MathAPI methods apply to whatever the model
 * passes: `+ - * / **`, `abs`, `sum`, `len`, truthiness and iteration, with Python's int/float/bool
 * coercions, its exceptions (`TypeError` the tools catch, `OverflowError`/`ZeroDivisionError` they
 * let through) and `complex` results of negative bases raised to fractional powers.
 */
import {
  PyException,
  PySet,
  PyTuple,
  pyFloatRepr,
  pyTypeErrorBinOp,
  pyTypeName,
  toFloat,
  type PyObject,
  type PyValue,
} from "@envtune/core/py";

import { glibcPow } from "./libm.ts";
import { _setComplexParts } from "./mpmath.ts";
import { sinCos } from "./trig.ts";

// `bool`, `for` and `len` are shared CPython semantics in core (PyComplex answers pyBool).
export { pyIterate as iterate, pyLength as length, pyTruthy as truthy } from "@envtune/core/py";

type Num = bigint | number | boolean;

export const isNum = (v: PyValue): v is Num => typeof v === "bigint" || typeof v === "number" || typeof v === "boolean";
/** `isinstance(v, (int, float))` (bool is an int). */
export const isIntOrFloat = isNum;

const asInt = (v: bigint | boolean): bigint => (typeof v === "boolean" ? (v ? 1n : 0n) : v);

/** CPython float repr inside a complex repr: `'r'` format without a forced `.0`. */
function complexPart(x: number, signed: boolean): string {
  let s = pyFloatRepr(x);
  if (s.endsWith(".0")) s = s.slice(0, -2);
  if (signed && !s.startsWith("-")) s = "+" + s;
  return s;
}

/** A Python `complex` (only ever a result: a negative number raised to a fractional power). */
export class PyComplex implements PyObject {
  readonly pyKind = "object" as const;
  readonly jsonSerializable = false as const;
  readonly re: number;
  readonly im: number;
  constructor(re: number, im: number) {
    this.re = re;
    this.im = im;
  }
  pyTypeName(): string {
    return "complex";
  }
  /** `bool(z)`: core's pyTruthy asks objects for this. */
  pyBool(): boolean {
    return this.re !== 0 || this.im !== 0;
  }
  pyRepr(): string {
    if (this.re === 0 && !Object.is(this.re, -0)) return complexPart(this.im, false) + "j";
    return "(" + complexPart(this.re, false) + complexPart(this.im, true) + "j)";
  }
  pyEquals(other: PyValue): boolean {
    if (other instanceof PyComplex) return other.re === this.re && other.im === this.im;
    if (this.im !== 0) return false;
    if (typeof other === "number") return other === this.re;
    if (typeof other === "bigint" || typeof other === "boolean") return Number(asInt(other)) === this.re && Number.isFinite(this.re);
    return false;
  }
  pyEncode(): string {
    return JSON.stringify({ $repr: this.pyRepr(), $type: "complex" });
  }
}

_setComplexParts((x) => (x instanceof PyComplex ? [x.re, x.im] : undefined));

/** Python `a + b`. */
export function add(a: PyValue, b: PyValue): PyValue {
  if (isNum(a) && isNum(b)) {
    if (typeof a !== "number" && typeof b !== "number") return asInt(a) + asInt(b);
    return toFloat(a) + toFloat(b);
  }
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
  return pyTypeErrorBinOp("+", a, b);
}

/** Python `a - b` (numbers, and set difference). */
export function sub(a: PyValue, b: PyValue): PyValue {
  if (isNum(a) && isNum(b)) {
    if (typeof a !== "number" && typeof b !== "number") return asInt(a) - asInt(b);
    return toFloat(a) - toFloat(b);
  }
  if (a instanceof PySet && b instanceof PySet) {
    const out = new PySet();
    for (const x of a.values()) if (!b.has(x)) out.add(x);
    return out;
  }
  return pyTypeErrorBinOp("-", a, b);
}

/** Python `a * b` for numbers (the only operands `multiply` lets through). */
export function mul(a: Num, b: Num): bigint | number {
  if (typeof a !== "number" && typeof b !== "number") return asInt(a) * asInt(b);
  return toFloat(a) * toFloat(b);
}

/** Python `abs(v)`. */
export function abs(v: PyValue): PyValue {
  if (typeof v === "bigint") return v < 0n ? -v : v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number") return Math.abs(v);
  throw new PyException("TypeError", `bad operand type for abs(): '${pyTypeName(v)}'`);
}

/** Python `sum(iterable)` (start 0, left to right). */
export function sum(items: readonly PyValue[]): PyValue {
  let acc: PyValue = 0n;
  for (const x of items) acc = add(acc, x);
  return acc;
}

const ERANGE_TEXT = "(34, 'Numerical result out of range')";

/** 1 when x is an odd integer (CPython `DOUBLE_IS_ODD_INTEGER`). */
const isOddInteger = (x: number): boolean => Number.isInteger(x) && Math.abs(x % 2) === 1;

/** Python `float.__pow__` (CPython 3.11 `float_pow`), libm `pow` being glibc's. */
export function floatPow(iv: number, iw: number): number | PyComplex {
  if (iw === 0) return 1.0;
  if (iv !== iv) return iv;
  if (iw !== iw) return iv === 1.0 ? 1.0 : iw;
  if (!Number.isFinite(iw)) {
    const av = Math.abs(iv);
    if (av === 1.0) return 1.0;
    if (iw > 0 === av > 1.0) return Math.abs(iw);
    return 0.0;
  }
  if (!Number.isFinite(iv)) {
    const odd = isOddInteger(iw);
    if (iw > 0) return odd ? iv : Math.abs(iv);
    return odd ? (iv < 0 ? -0 : 0) : 0.0;
  }
  if (iv === 0) {
    const odd = isOddInteger(iw);
    if (iw < 0) throw new PyException("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    return odd ? iv : 0.0;
  }
  let negate = false;
  if (iv < 0) {
    if (iw !== Math.floor(iw)) return complexPowOfNegative(iv, iw);
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv === 1.0) return negate ? -1.0 : 1.0;
  const r = glibcPow(iv, iw);
  let ix = r.value;
  if (negate) ix = -ix;
  // _Py_ADJUST_ERANGE1: an infinite result is an overflow; an underflow to zero is not an error.
  if (!Number.isFinite(ix)) throw new PyException("OverflowError", ERANGE_TEXT);
  return ix;
}

/**
 * CPython `complex.__pow__` for (negative real) ** (non-integral real): `_Py_c_pow` with
 * hypot = |x|, atan2(0, x) = pi. sin and cos are correctly rounded, which glibc's are in all but
 * about 0.1% of cases (documented deviation; JavaScript's differ in a few percent).
 */
function complexPowOfNegative(iv: number, iw: number): PyComplex {
  const vabs = Math.abs(iv);
  const len = glibcPow(vabs, iw).value;
  const phase = Math.PI * iw;
  const [sin, cos] = sinCos(phase);
  const re = len * cos;
  const im = len * sin;
  if (!Number.isFinite(re) || !Number.isFinite(im)) {
    if (re === Infinity || re === -Infinity || im === Infinity || im === -Infinity) {
      throw new PyException("OverflowError", "complex exponentiation");
    }
  }
  return new PyComplex(re, im);
}

const INT_MAX_STR_DIGITS = 4300;
const INT_DIGITS_ERROR =
  "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit";

/** Python `base ** exponent` for numbers. */
export function pow(base: PyValue, exponent: PyValue): PyValue {
  if (!isNum(base) || !isNum(exponent)) return pyTypeErrorBinOp("**", base, exponent);
  if (typeof base !== "number" && typeof exponent !== "number") {
    const b = asInt(base);
    const e = asInt(exponent);
    if (e < 0n) return floatPow(toFloat(b), toFloat(e));
    if (e === 0n) return 1n;
    if (b === 0n || b === 1n) return b;
    if (b === -1n) return (e & 1n) === 1n ? -1n : 1n;
    // A result of more than 4300 digits can only ever fail to print (int -> str limit), which is
    // what its stringification would raise; skip building it.
    const digits = (b < 0n ? -b : b).toString();
    const log10b = digits.length - 1 + Math.log10(Number("0." + digits.slice(0, 17)) * 10);
    if (Number(e) * log10b > INT_MAX_STR_DIGITS + 1) throw new PyException("ValueError", INT_DIGITS_ERROR);
    return b ** e;
  }
  return floatPow(toFloat(base), toFloat(exponent));
}
