/**
 * Reprs of Python scalars (float, str). Dependency-free so that value.ts (KeyError texts) and
 * format.ts can both use them without an import cycle.
 */
import { isNonPrintable } from "./printable.ts";

/**
 * Python `repr(float)`: shortest round-trip digits (identical to JS), laid out the Python way:
 * fixed notation with a fractional part when the decimal exponent is in [-4, 16), else `d.ddde±XX`.
 */
export function pyFloatRepr(x: number): string {
  // Fast path: where both languages print fixed notation (Python for decimal exponents in
  // [-4, 16), JS in [-7, 21)), JS's shortest round-trip text is Python's, except that Python
  // keeps `.0` on integral values. The bounds are exact: a double below the double 1e-4 (or 1e16)
  // has shortest digits below 0.0001 (1e16).
  const a = x < 0 ? -x : x;
  if (a >= 1e-4 && a < 1e16) {
    const s = "" + x;
    return Number.isInteger(x) ? s + ".0" : s;
  }
  return pyFloatReprSlow(x);
}

/** @internal The general layout algorithm; tests hold the fast path to it. */
export function pyFloatReprSlow(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument yields the shortest round-trip digits.
  const ex = Math.abs(x).toExponential();
  const ePos = ex.indexOf("e");
  const mant = ex.slice(0, ePos);
  const exp = Number(ex.slice(ePos + 1));
  const digits = mant.length > 1 ? mant[0] + mant.slice(2) : mant;
  const k = digits.length;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return sign + "0." + "0".repeat(-exp - 1) + digits;
    if (k <= exp + 1) return sign + digits + "0".repeat(exp + 1 - k) + ".0";
    return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  }
  const absExp = Math.abs(exp);
  return (
    sign + (k > 1 ? digits[0] + "." + digits.slice(1) : digits) + (exp < 0 ? "e-" : "e+") + (absExp < 10 ? "0" + absExp : String(absExp))
  );
}

const NEEDS_REPR_WORK = /[^\x20-\x26\x28-\x5b\x5d-\x7e]/;

/** CPython `unicode_repr`: quote choice, `\\ \n \r \t`, `\xhh`/`\uhhhh`/`\Uhhhhhhhh` for non-printables. */
export function pyStrRepr(s: string): string {
  // Printable ASCII without quotes or backslashes prints as itself between single quotes (an
  // inline scan for short strings, the regex engine for long ones).
  const len = s.length;
  if (len < 24) {
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x27 || c === 0x5c) break;
    }
    if (i === len) return "'" + s + "'";
  } else if (!NEEDS_REPR_WORK.test(s)) return "'" + s + "'";
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const qc = quote.charCodeAt(0);
  let out = quote;
  let start = 0;
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== qc && c !== 0x5c) {
      i++;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    let esc: string | undefined;
    if (cp === qc || cp === 0x5c) esc = "\\" + String.fromCharCode(cp);
    else if (cp === 0x09) esc = "\\t";
    else if (cp === 0x0a) esc = "\\n";
    else if (cp === 0x0d) esc = "\\r";
    else if (cp < 0x20 || cp === 0x7f) esc = "\\x" + hex(cp, 2);
    else if (cp >= 0x80 && isNonPrintable(cp)) {
      esc = cp <= 0xff ? "\\x" + hex(cp, 2) : cp <= 0xffff ? "\\u" + hex(cp, 4) : "\\U" + hex(cp, 8);
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + width;
    }
    i += width;
  }
  return out + s.slice(start) + quote;
}

export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}
