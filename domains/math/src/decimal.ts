/**
 * The part of Python's `decimal` module `MathAPI.square_root` reaches:
 * `getcontext().prec = precision; Decimal(number).sqrt()` and `repr()` of the result.
 * `Decimal(float)` is exact, `sqrt` is correctly rounded (ROUND_HALF_EVEN) with the ideal
 * exponent `floor(exp / 2)` for exact results, as the General Decimal Arithmetic spec (and both
 * CPython implementations) require.
 */
import { PyException, type PyObject, type PyValue } from "@envtune/core/py";
import { floatParts } from "./float-bits.ts";

/** A finite decimal `(-1)**sign * coeff * 10**exp`, or a special value. */
export interface Dec {
  sign: number;
  coeff: bigint;
  exp: number;
  special?: "NaN" | "Infinity";
}

/** C decimal's `MAX_PREC` on 64-bit builds. */
const MAX_PREC = 999999999999999999n;
const SSIZE_MAX = (1n << 63n) - 1n;

/**
 * The value `getcontext().prec = v` stores, or the exception CPython raises: TypeError for
 * anything but an int (`except TypeError` in the tool catches it), OverflowError beyond ssize_t,
 * ValueError outside [1, MAX_PREC].
 */
export function decimalPrecision(v: PyValue): bigint {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "boolean") n = v ? 1n : 0n;
  else {
    const t = v === null ? "NoneType" : typeof v === "number" ? "float" : typeof v === "string" ? "str" : "object";
    throw new PyException("TypeError", `'${t}' object cannot be interpreted as an integer`);
  }
  if (n > SSIZE_MAX || n < -SSIZE_MAX - 1n) throw new PyException("OverflowError", "Python int too large to convert to C ssize_t");
  if (n < 1n || n > MAX_PREC) throw new PyException("ValueError", "valid range for prec is [1, MAX_PREC]");
  return n;
}

/** `Decimal(x)` for an int, bool or float (exact conversion). */
export function decFromNumber(x: bigint | number | boolean): Dec {
  if (typeof x === "boolean") return { sign: 0, coeff: x ? 1n : 0n, exp: 0 };
  if (typeof x === "bigint") return { sign: x < 0n ? 1 : 0, coeff: x < 0n ? -x : x, exp: 0 };
  if (x !== x) return { sign: 0, coeff: 0n, exp: 0, special: "NaN" };
  if (x === Infinity || x === -Infinity) return { sign: x < 0 ? 1 : 0, coeff: 0n, exp: 0, special: "Infinity" };
  const p = floatParts(x);
  const sign = p.sign;
  let m = p.mant;
  let e = p.exp;
  if (m === 0n) return { sign, coeff: 0n, exp: 0 };
  // as_integer_ratio(): strip factors of two, then n / 2^k == n * 5^k / 10^k.
  while ((m & 1n) === 0n && e < 0) {
    m >>= 1n;
    e += 1;
  }
  if (e >= 0) return { sign, coeff: m << BigInt(e), exp: 0 };
  return { sign, coeff: m * 5n ** BigInt(-e), exp: e };
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton from above converges to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const digitsOf = (c: bigint): number => (c === 0n ? 1 : c.toString().length);

/** `_fix` of a finite result to `prec` digits, ROUND_HALF_EVEN (exponents stay far from Emin/Emax). */
function fixPrec(sign: number, coeff: bigint, exp: number, prec: number): Dec {
  const len = digitsOf(coeff);
  if (coeff === 0n || len <= prec) return { sign, coeff, exp };
  const drop = len - prec;
  const p = 10n ** BigInt(drop);
  let q = coeff / p;
  const r = coeff - q * p;
  const half = p / 2n;
  if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  let e = exp + drop;
  if (digitsOf(q) > prec) {
    q /= 10n;
    e += 1;
  }
  return { sign, coeff: q, exp: e };
}

/** `Decimal.sqrt()` in a context of precision `prec` (the argument is never negative nonzero here). */
export function decSqrt(d: Dec, prec: number): Dec {
  if (d.special) return { ...d };
  if (d.coeff === 0n) return { sign: d.sign, coeff: 0n, exp: Math.floor(d.exp / 2) };
  const wp = prec + 1;
  const len = digitsOf(d.coeff);
  let e = Math.floor(d.exp / 2);
  let c: bigint;
  let l: number;
  if (d.exp & 1) {
    c = d.coeff * 10n;
    l = (len >> 1) + 1;
  } else {
    c = d.coeff;
    l = (len + 1) >> 1;
  }
  const shift = wp - l;
  let exact: boolean;
  if (shift >= 0) {
    c *= 100n ** BigInt(shift);
    exact = true;
  } else {
    const p = 100n ** BigInt(-shift);
    const rem = c % p;
    c /= p;
    exact = rem === 0n;
  }
  e -= shift;
  let n = isqrt(c);
  exact = exact && n * n === c;
  if (exact) {
    if (shift >= 0) n /= 10n ** BigInt(shift);
    else n *= 10n ** BigInt(-shift);
    e += shift;
  } else if (n % 5n === 0n) n += 1n;
  return fixPrec(0, n, e, prec);
}

/** `str(Decimal)`: scientific string with capital `E`. */
export function decToString(d: Dec): string {
  const sign = d.sign ? "-" : "";
  if (d.special) return sign + d.special;
  const digits = d.coeff.toString();
  const leftdigits = d.exp + digits.length;
  const dotplace = d.exp <= 0 && leftdigits > -6 ? leftdigits : 1;
  let intpart: string;
  let fracpart: string;
  if (dotplace <= 0) {
    intpart = "0";
    fracpart = "." + "0".repeat(-dotplace) + digits;
  } else if (dotplace >= digits.length) {
    intpart = digits + "0".repeat(dotplace - digits.length);
    fracpart = "";
  } else {
    intpart = digits.slice(0, dotplace);
    fracpart = "." + digits.slice(dotplace);
  }
  const e = leftdigits - dotplace;
  const exp = leftdigits === dotplace ? "" : "E" + (e >= 0 ? "+" : "-") + Math.abs(e);
  return sign + intpart + fracpart + exp;
}

/** A `decimal.Decimal` result: not JSON serializable, so the tool's dict prints as its repr. */
export class PyDecimal implements PyObject {
  readonly pyKind = "object" as const;
  readonly jsonSerializable = false as const;
  readonly value: Dec;
  constructor(value: Dec) {
    this.value = value;
  }
  pyTypeName(): string {
    return "Decimal";
  }
  pyRepr(): string {
    return `Decimal('${decToString(this.value)}')`;
  }
  pyEquals(other: PyValue): boolean {
    if (!(other instanceof PyDecimal)) return false;
    const a = this.value;
    const b = other.value;
    if (a.special === "NaN" || b.special === "NaN") return false;
    if (a.special || b.special) return a.special === b.special && a.sign === b.sign;
    if (a.coeff === 0n && b.coeff === 0n) return true;
    if (a.sign !== b.sign) return false;
    const e = Math.min(a.exp, b.exp);
    return a.coeff * 10n ** BigInt(a.exp - e) === b.coeff * 10n ** BigInt(b.exp - e);
  }
  pyEncode(): string {
    return JSON.stringify({ $repr: this.pyRepr(), $type: "Decimal" });
  }
}
