/**
 * Python `str` methods and the CPython error texts tool bodies need (AttributeError, TypeError of
 * binary operators), plus Python numeric helpers (`int()`, `/`, `%`, `float()`).
 * JS strings are UTF-16; Python counts and compares code points, so every helper here does too.
 */
import { pyFloatRepr, pyIntRepr, pyStrRepr } from "./format.ts";
import { PyException, pyTypeName } from "./value.ts";
import type { PyValue } from "./value.ts";

export { pyCapitalize, pyLower, pySwapcase, pyTitle, pyUpper } from "./casing.ts";

/** Python `len(s)`: code points (an astral character counts 1, a lone surrogate counts 1). */
export function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Python `str < str` ordering (code points, not UTF-16 units): negative, 0 or positive. */
export function pyCodePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // Units before i are equal; a shared high surrogate at i-1 may pair with different units at i.
  if (i > 0) {
    const prev = a.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) {
      const ca = a.codePointAt(i - 1) as number;
      const cb = b.codePointAt(i - 1) as number;
      if (ca !== cb) return ca < cb ? -1 : 1;
    }
  }
  const ca = a.codePointAt(i) as number;
  const cb = b.codePointAt(i) as number;
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Python `str.isspace()` for one code point (`Py_UNICODE_ISSPACE`). */
export function isPySpace(c: number): boolean {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Line boundaries of Python `str.splitlines()` (`\r\n` is one boundary). */
function isLineBreak(c: number): boolean {
  return (c >= 0x0a && c <= 0x0d) || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Python `str.splitlines(keepends=False)`: every Python line boundary, no trailing empty line. */
export function pySplitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  let start = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!isLineBreak(c)) {
      i++;
      continue;
    }
    let eol = i + 1;
    if (c === 0x0d && s.charCodeAt(eol) === 0x0a) eol++;
    out.push(s.slice(start, keepends ? eol : i));
    i = start = eol;
  }
  if (start < n) out.push(s.slice(start));
  return out;
}

function checkSep(sep: PyValue | undefined): string | null {
  if (sep === undefined || sep === null) return null;
  if (typeof sep !== "string") throw new PyException("TypeError", `must be str or None, not ${pyTypeName(sep)}`);
  if (sep === "") throw new PyException("ValueError", "empty separator");
  return sep;
}

function checkMaxsplit(maxsplit: PyValue | undefined): number {
  if (maxsplit === undefined) return -1;
  if (typeof maxsplit === "boolean") return maxsplit ? 1 : 0;
  if (typeof maxsplit === "bigint") return maxsplit > 2147483647n ? Number.MAX_SAFE_INTEGER : Number(maxsplit);
  if (typeof maxsplit === "number" && Number.isInteger(maxsplit)) return maxsplit;
  throw new PyException("TypeError", `'${pyTypeName(maxsplit)}' object cannot be interpreted as an integer`);
}

/**
 * Python `str.split(sep=None, maxsplit=-1)`. Without `sep`, splits on runs of Unicode whitespace
 * and drops empty strings; the unsplit remainder keeps its trailing whitespace like CPython.
 */
export function pySplit(s: string, sep?: PyValue, maxsplit?: PyValue): string[] {
  const sp = checkSep(sep);
  let max = checkMaxsplit(maxsplit);
  if (max < 0) max = Number.MAX_SAFE_INTEGER;
  const out: string[] = [];
  const n = s.length;
  if (sp === null) {
    let i = 0;
    while (i < n) {
      while (i < n && isPySpace(s.charCodeAt(i))) i++;
      if (i === n) break;
      if (out.length === max) {
        out.push(s.slice(i));
        break;
      }
      const j = i;
      while (i < n && !isPySpace(s.charCodeAt(i))) i++;
      out.push(s.slice(j, i));
    }
    return out;
  }
  let start = 0;
  while (out.length < max) {
    const k = s.indexOf(sp, start);
    if (k < 0) break;
    out.push(s.slice(start, k));
    start = k + sp.length;
  }
  out.push(s.slice(start));
  return out;
}

/** Python `str.rsplit(sep=None, maxsplit=-1)`. */
export function pyRsplit(s: string, sep?: PyValue, maxsplit?: PyValue): string[] {
  const sp = checkSep(sep);
  let max = checkMaxsplit(maxsplit);
  if (max < 0) return pySplit(s, sep ?? null);
  const out: string[] = [];
  if (sp === null) {
    let i = s.length;
    while (i > 0) {
      while (i > 0 && isPySpace(s.charCodeAt(i - 1))) i--;
      if (i === 0) break;
      if (max-- === 0) {
        out.push(s.slice(0, i));
        break;
      }
      const j = i;
      while (i > 0 && !isPySpace(s.charCodeAt(i - 1))) i--;
      out.push(s.slice(i, j));
    }
    return out.reverse();
  }
  let end = s.length;
  while (max-- > 0) {
    const k = end - sp.length >= 0 ? s.lastIndexOf(sp, end - sp.length) : -1;
    if (k < 0) break;
    out.push(s.slice(k + sp.length, end));
    end = k;
  }
  out.push(s.slice(0, end));
  return out.reverse();
}

function stripSet(chars: PyValue | undefined, method: string): ((c: number) => boolean) | null {
  if (chars === undefined || chars === null) return null;
  if (typeof chars !== "string") throw new PyException("TypeError", `${method} arg must be None or str`);
  const set = new Set<number>();
  for (const ch of chars) set.add(ch.codePointAt(0) as number);
  return (c) => set.has(c);
}

function doStrip(s: string, chars: PyValue | undefined, method: string, left: boolean, right: boolean): string {
  const custom = stripSet(chars, method);
  let i = 0;
  let j = s.length;
  if (custom === null) {
    if (left) while (i < j && isPySpace(s.charCodeAt(i))) i++;
    if (right) while (j > i && isPySpace(s.charCodeAt(j - 1))) j--;
    return s.slice(i, j);
  }
  // Astral characters: walk by code point so a pair is stripped (or kept) as a whole.
  if (left) {
    while (i < j) {
      const cp = s.codePointAt(i) as number;
      if (!custom(cp)) break;
      i += cp > 0xffff ? 2 : 1;
    }
  }
  if (right) {
    while (j > i) {
      let k = j - 1;
      const lo = s.charCodeAt(k);
      if (lo >= 0xdc00 && lo <= 0xdfff && k > i) {
        const hi = s.charCodeAt(k - 1);
        if (hi >= 0xd800 && hi <= 0xdbff) k--;
      }
      if (!custom(s.codePointAt(k) as number)) break;
      j = k;
    }
  }
  return s.slice(i, j);
}

/** Python `str.strip(chars=None)`: Unicode whitespace, or any code point in `chars`. */
export function pyStrip(s: string, chars?: PyValue): string {
  return doStrip(s, chars, "strip", true, true);
}
/** Python `str.lstrip(chars=None)`. */
export function pyLstrip(s: string, chars?: PyValue): string {
  return doStrip(s, chars, "lstrip", true, false);
}
/** Python `str.rstrip(chars=None)`. */
export function pyRstrip(s: string, chars?: PyValue): string {
  return doStrip(s, chars, "rstrip", false, true);
}

/** Throws Python's `AttributeError: 'bool' object has no attribute 'rstrip'`. */
export function pyAttributeError(v: PyValue, attr: string): never {
  throw new PyException("AttributeError", `'${pyTypeName(v)}' object has no attribute '${attr}'`);
}

/**
 * Returns `v` if it is a str, else throws the AttributeError Python raises when a str method is
 * called on another type (`'int' object has no attribute 'lower'`).
 */
export function requireStr(v: PyValue, method: string): string {
  if (typeof v === "string") return v;
  return pyAttributeError(v, method);
}

/** Python binary operators whose TypeError texts {@link pyTypeErrorBinOp} knows. */
export type PyBinOp = "+" | "-" | "*" | "/" | "//" | "%" | "**" | "@" | "&" | "|" | "^" | "<<" | ">>";

const isSeq = (v: PyValue): boolean => typeof v === "string" || Array.isArray(v) || pyTypeName(v) === "tuple";

/**
 * Throws the TypeError CPython raises for `a <op> b` on unsupported operand types:
 * `can only concatenate str (not "int") to str` (str/list/tuple + other), `can't multiply sequence
 * by non-int of type 'float'`, `not all arguments converted during string formatting` (str % x),
 * else `unsupported operand type(s) for +: 'int' and 'str'` (`** or pow()` for `**`).
 */
export function pyTypeErrorBinOp(op: PyBinOp, a: PyValue, b: PyValue): never {
  const ta = pyTypeName(a);
  const tb = pyTypeName(b);
  if (op === "+" && (ta === "str" || ta === "list" || ta === "tuple")) {
    throw new PyException("TypeError", `can only concatenate ${ta} (not "${tb}") to ${ta}`);
  }
  if (op === "*") {
    if (isSeq(a) && !isSeq(b)) throw new PyException("TypeError", `can't multiply sequence by non-int of type '${tb}'`);
    if (isSeq(b) && !isSeq(a)) throw new PyException("TypeError", `can't multiply sequence by non-int of type '${ta}'`);
    if (isSeq(a) && isSeq(b)) throw new PyException("TypeError", `can't multiply sequence by non-int of type '${tb}'`);
  }
  if (op === "%" && ta === "str") {
    throw new PyException("TypeError", "not all arguments converted during string formatting");
  }
  const opText = op === "**" ? "** or pow()" : op;
  throw new PyException("TypeError", `unsupported operand type(s) for ${opText}: '${ta}' and '${tb}'`);
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Python `float(v)` for int/bool/float (OverflowError `int too large to convert to float`). */
export function toFloat(v: PyValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") {
    const f = Number(v);
    if (!Number.isFinite(f)) throw new PyException("OverflowError", "int too large to convert to float");
    return f;
  }
  throw new PyException("TypeError", `must be real number, not ${pyTypeName(v)}`);
}

/** Python `int(x)` for a float (truncation toward zero), int or bool. */
export function pyIntFromFloat(x: number | bigint | boolean): bigint {
  if (typeof x === "bigint") return x;
  if (typeof x === "boolean") return x ? 1n : 0n;
  if (x !== x) throw new PyException("ValueError", "cannot convert float NaN to integer");
  if (!Number.isFinite(x)) throw new PyException("OverflowError", "cannot convert float infinity to integer");
  return BigInt(Math.trunc(x));
}

type Num = number | bigint | boolean;

function asNum(v: PyValue, op: PyBinOp, a: PyValue, b: PyValue): number | bigint {
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number" || typeof v === "bigint") return v;
  return pyTypeErrorBinOp(op, a, b);
}

const TWO53 = 2n ** 53n;

/** x * 2^e without intermediate overflow/underflow of the power of two. */
function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** Correctly rounded n/d for bigints (CPython `long_true_divide`). */
function bigTrueDiv(n: bigint, d: bigint): number {
  const neg = n < 0n !== d < 0n;
  if (n < 0n) n = -n;
  if (d < 0n) d = -d;
  let r: number;
  if (n <= TWO53 && d <= TWO53) r = Number(n) / Number(d);
  else if (n === 0n) r = 0;
  else {
    // q = floor(n * 2^s / d) with 55..56 significant bits; a sticky low bit for a nonzero
    // remainder makes the single rounding in Number(q) correct (ties cannot be faked).
    const s = 55 - (n.toString(2).length - d.toString(2).length);
    const num = s > 0 ? n << BigInt(s) : n;
    const den = s < 0 ? d << BigInt(-s) : d;
    let q = num / den;
    if (q * den !== num) q |= 1n;
    r = ldexp(Number(q), -s);
  }
  if (!Number.isFinite(r)) throw new PyException("OverflowError", "integer division result too large for a float");
  return neg ? -r : r;
}

/** Python `a / b` on numbers: always a float; ZeroDivisionError `division by zero` / `float division by zero`. */
export function pyTrueDiv(a: PyValue, b: PyValue): number {
  const x = asNum(a, "/", a, b);
  const y = asNum(b, "/", a, b);
  if (typeof x === "bigint" && typeof y === "bigint") {
    if (y === 0n) throw new PyException("ZeroDivisionError", "division by zero");
    return bigTrueDiv(x, y);
  }
  const fx = toFloat(x);
  const fy = toFloat(y);
  if (fy === 0) throw new PyException("ZeroDivisionError", "float division by zero");
  return fx / fy;
}

/** Python `a % b` (result has the sign of the divisor); ints stay ints. */
export function pyFloorMod(a: Num, b: Num): number | bigint {
  const x = asNum(a, "%", a, b);
  const y = asNum(b, "%", a, b);
  if (typeof x === "bigint" && typeof y === "bigint") {
    if (y === 0n) throw new PyException("ZeroDivisionError", "integer modulo by zero");
    const r = x % y;
    return r !== 0n && r < 0n !== y < 0n ? r + y : r;
  }
  const fx = toFloat(x);
  const fy = toFloat(y);
  if (fy === 0) throw new PyException("ZeroDivisionError", "float modulo");
  // CPython float_rem: fmod, then move into the divisor's sign; a zero result takes the divisor's sign.
  let mod = fx % fy;
  if (mod) {
    if (fy < 0 !== mod < 0) mod += fy;
  } else mod = fy < 0 ? -0 : 0;
  return mod;
}

/** Python `a // b` (floor division); ints stay ints. */
export function pyFloorDiv(a: Num, b: Num): number | bigint {
  const x = asNum(a, "//", a, b);
  const y = asNum(b, "//", a, b);
  if (typeof x === "bigint" && typeof y === "bigint") {
    if (y === 0n) throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
    const q = x / y;
    return x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q;
  }
  const fx = toFloat(x);
  const fy = toFloat(y);
  if (fy === 0) throw new PyException("ZeroDivisionError", "float floor division by zero");
  // CPython float_floor_div via _float_div_mod.
  const mod = fx % fy;
  let div = (fx - mod) / fy;
  if (mod && fy < 0 !== mod < 0) div -= 1;
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else {
    // copysign(0.0, vx / wx)
    const q = fx / fy;
    floordiv = q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  return floordiv;
}

const FLOAT_RE = /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*|\d(?:_?\d)*\.)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python `float(s)` for a str (`could not convert string to float: 'x'`). */
export function pyFloatFromStr(s: string): number {
  const t = pyStrip(s);
  const sp = FLOAT_SPECIAL.exec(t);
  if (sp) {
    const word = (sp[2] as string).toLowerCase();
    if (word === "nan") return NaN;
    return sp[1] === "-" ? -Infinity : Infinity;
  }
  if (FLOAT_RE.test(t)) return Number(t.replace(/_/g, ""));
  throw new PyException("ValueError", `could not convert string to float: ${pyStrRepr(s)}`);
}

const INT_RE = /^[+-]?\d(?:_?\d)*$/;

/** Python `int(s)` for a str in base 10 (`invalid literal for int() with base 10: 'x'`). */
export function pyIntFromStr(s: string): bigint {
  const t = pyStrip(s);
  if (INT_RE.test(t)) return BigInt(t.replace(/_/g, ""));
  throw new PyException("ValueError", `invalid literal for int() with base 10: ${pyStrRepr(s)}`);
}

/** `str(x)` of a number, for messages built with f-strings (`f"{x}"`). */
export function pyNumStr(x: number | bigint | boolean): string {
  if (typeof x === "number") return pyFloatRepr(x);
  if (typeof x === "boolean") return x ? "True" : "False";
  return pyIntRepr(x);
}
