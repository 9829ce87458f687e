/**
 * Python formatting: `repr`/`str`, `json.dumps` (default arguments), float layout, rounding.
 * Every function here is a contract the domain packs rely on: tool results must read exactly as
 * CPython 3.11 prints them, because BFCL turns each result into text with `json.dumps`, else `str()`
 * (`ShishirPatil/gorilla` `berkeley-function-call-leaderboard/bfcl_eval/eval_checker/multi_turn_eval/
 * multi_turn_utils.py` `execute_multi_turn_func_call` @ 6ea57973), and the checker compares those texts.
 */
import { hex, pyFloatRepr, pyStrRepr } from "./scalar-repr.ts";
import { JSON_TEXTS, REPR_TEXTS, cachedJsonFailure, frozenTail, maybeFrozen, rememberJsonFailure } from "./frozen.ts";
import { PyDict, PyException, PySet, PyTuple, pyTypeName } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

export { pyFloatRepr, pyStrRepr };

/** CPython's default `sys.get_int_max_str_digits()`. */
const INT_MAX_STR_DIGITS = 4300;

/** Python `str(int)` / `repr(int)`, including the 4300-digit conversion limit of CPython ≥ 3.11. */
export function pyIntRepr(n: bigint): string {
  const s = n.toString();
  const digits = n < 0n ? s.length - 1 : s.length;
  if (digits > INT_MAX_STR_DIGITS) {
    throw new PyException(
      "ValueError",
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return s;
}

/** PyObject detection that does not depend on class identity (domain objects are plain classes). */
export function isPyObject(v: PyValue): v is PyObject {
  return typeof v === "object" && v !== null && (v as { pyKind?: unknown }).pyKind === "object";
}

/** Python `repr(x)` for every PyValue (`'a'`, `3.0`, `[1, 'b']`, `{'k': None}`, `(1,)`, `set()`, `True`). */
export function pyRepr(v: PyValue): string {
  return reprInner(v, new Set());
}

function reprInner(v: PyValue, active: Set<object>): string {
  switch (typeof v) {
    case "string":
      return pyStrRepr(v);
    case "bigint":
      return pyIntRepr(v);
    case "number":
      return pyFloatRepr(v);
    case "boolean":
      return v ? "True" : "False";
    default:
      break;
  }
  if (v === null) return "None";
  const cached = REPR_TEXTS.get(v);
  if (cached !== undefined) return cached;
  // A frozen value cannot contain a container on the current path, so its text is context-free.
  if (maybeFrozen(v)) return REPR_TEXTS.put(v, reprContainer(v, active));
  return reprContainer(v, active);
}

function reprContainer(v: PyValue & object, active: Set<object>): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const ft = frozenTail(v);
    if (ft !== undefined && !active.has(v)) {
      active.add(v);
      try {
        let head = "";
        for (let i = 0; i < ft.at; i++) head += reprInner(v[i] as PyValue, active) + ", ";
        return "[" + head + reprInner(ft.tail as PyValue[], active).slice(1);
      } finally {
        active.delete(v);
      }
    }
    // Python's Py_ReprEnter: a container reached again while being printed shows as `[...]`.
    if (active.has(v)) return "[...]";
    active.add(v);
    try {
      let s = "[";
      for (let i = 0; i < v.length; i++) {
        if (i > 0) s += ", ";
        s += reprInner(v[i] as PyValue, active);
      }
      return s + "]";
    } finally {
      active.delete(v);
    }
  }
  if (v instanceof PyDict) {
    if (v.size === 0) return "{}";
    if (active.has(v)) return "{...}";
    active.add(v);
    try {
      let s = "{";
      let first = true;
      for (const [k, val] of v.entries()) {
        if (!first) s += ", ";
        first = false;
        s += reprInner(k, active) + ": " + reprInner(val, active);
      }
      return s + "}";
    } finally {
      active.delete(v);
    }
  }
  if (v instanceof PyTuple) {
    const items = v.items;
    if (items.length === 0) return "()";
    if (items.length === 1) return "(" + reprInner(items[0] as PyValue, active) + ",)";
    return "(" + items.map((x) => reprInner(x, active)).join(", ") + ")";
  }
  if (v instanceof PySet) {
    if (v.size === 0) return "set()";
    if (active.has(v)) return "set(...)";
    active.add(v);
    try {
      const parts: string[] = [];
      for (const x of v.values()) parts.push(reprInner(x, active));
      return "{" + parts.join(", ") + "}";
    } finally {
      active.delete(v);
    }
  }
  return (v as PyObject).pyRepr();
}

/**
 * Python `str(x)`: a str is itself, a PyObject with a `pyStr()` method (Python `__str__`, e.g. mpf,
 * Decimal, datetime) uses it, everything else is its repr.
 */
export function pyStr(v: PyValue): string {
  if (typeof v === "string") return v;
  if (isPyObject(v) && typeof v.pyStr === "function") return v.pyStr();
  return pyRepr(v);
}

// ---------------------------------------------------------------------------------------------
// json.dumps

const JSON_SHORT_ESCAPES: (string | undefined)[] = [];
JSON_SHORT_ESCAPES[0x22] = '\\"';
JSON_SHORT_ESCAPES[0x5c] = "\\\\";
JSON_SHORT_ESCAPES[0x08] = "\\b";
JSON_SHORT_ESCAPES[0x0c] = "\\f";
JSON_SHORT_ESCAPES[0x0a] = "\\n";
JSON_SHORT_ESCAPES[0x0d] = "\\r";
JSON_SHORT_ESCAPES[0x09] = "\\t";

// V8's native JSON quoting escapes exactly what Python's encoder escapes (quote, backslash,
// controls as \b \f \n \r \t or lowercase \u00XX), except DEL and non-ASCII text (kept
// as is) and lone surrogates (escaped): those cases take the per-unit path.
const NOT_ASCII_BELOW_DEL = /[\u007f-\uffff]/;
const LONE_SURROGATE_RISK = /[\ud800-\udfff]/;
const ESCAPE_ASCII_G = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const ESCAPE_UNICODE_G = /["\\\x00-\x1f]/g;
/**
 * Below this length an inline scan beats the regex test plus `JSON.stringify` (measured on the
 * strings one replay of the ground truth prints: 24 → 256 saves a tenth of the time spent here).
 */
const SHORT_STRING = 256;

const escapeUnit = (ch: string): string => {
  const c = ch.charCodeAt(0);
  return JSON_SHORT_ESCAPES[c] ?? "\\u" + hex(c, 4);
};

/**
 * Python `json.encoder.py_encode_basestring_ascii` (ensureAscii, the default) or
 * `py_encode_basestring`: escapes per UTF-16 unit, so astral characters come out as surrogate pairs.
 */
export function pyJsonString(s: string, ensureAscii = true): string {
  const n = s.length;
  if (n < SHORT_STRING) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0x7f && ensureAscii)) break;
    }
    if (i === n) return '"' + s + '"';
  }
  if (!(ensureAscii ? NOT_ASCII_BELOW_DEL : LONE_SURROGATE_RISK).test(s)) return JSON.stringify(s);
  return '"' + s.replace(ensureAscii ? ESCAPE_ASCII_G : ESCAPE_UNICODE_G, escapeUnit) + '"';
}

/** `float.__repr__` as json.dumps prints it (`allow_nan=True`). */
function jsonFloat(x: number): string {
  if (x !== x) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return pyFloatRepr(x);
}

function notSerializable(v: PyValue): PyException {
  return new PyException("TypeError", `Object of type ${pyTypeName(v)} is not JSON serializable`);
}

/**
 * Python `json.dumps(v)` with default arguments (`, `/`: ` separators, `ensure_ascii=True`,
 * `allow_nan=True`). Throws a {@link PyException} `TypeError` like Python for unserializable values
 * (set, tuple keys, PyObjects, ...), `ValueError: Circular reference detected` for cycles.
 * PyObjects are never serializable (as for any non-builtin class in Python) unless they provide a
 * `pyJson(): string` method returning their JSON text. Frozen values ({@link freezePyValue}) are
 * printed once and their text reused.
 */
export function pyJsonDumps(v: PyValue, opts?: { ensureAscii?: boolean }): string {
  return jsonEnc(v, opts?.ensureAscii ?? true, 0);
}

// Cycle detection costs a Set operation per container; results are shallow, so containers are
// only tracked below this depth. A cycle recurses without end, so it always gets there and is
// reported with the same ValueError (depth-first order revisits the same path, so no other error
// can come first).
const CYCLE_CHECK_DEPTH = 64;

function jsonScalar(x: PyValue, ascii: boolean): string | undefined {
  switch (typeof x) {
    case "string":
      return pyJsonString(x, ascii);
    case "bigint":
      return pyIntRepr(x);
    case "number":
      return jsonFloat(x);
    case "boolean":
      return x ? "true" : "false";
    default:
      return x === null ? "null" : undefined;
  }
}

function jsonKey(k: PyValue): string {
  switch (typeof k) {
    case "string":
      return k;
    case "number":
      return jsonFloat(k);
    case "boolean":
      return k ? "true" : "false";
    case "bigint":
      return pyIntRepr(k);
    default:
      if (k === null) return "null";
      throw new PyException("TypeError", `keys must be str, int, float, bool or None, not ${pyTypeName(k)}`);
  }
}

function jsonCustom(x: PyValue): string {
  if (x instanceof PySet) throw notSerializable(x);
  const custom = (x as { pyJson?: unknown }).pyJson;
  if (typeof custom === "function" && (x as PyObject).jsonSerializable !== false) {
    return (custom as () => string).call(x);
  }
  throw notSerializable(x);
}

function jsonEnc(x: PyValue, ascii: boolean, depth: number): string {
  const scalar = jsonScalar(x, ascii);
  if (scalar !== undefined) return scalar;
  const obj = x as object;
  if (depth >= CYCLE_CHECK_DEPTH) return jsonEncTracked(x, ascii, new Set());
  if (ascii) {
    const cached = JSON_TEXTS.get(obj);
    if (cached !== undefined) return cached;
    if (maybeFrozen(obj)) return jsonEncFrozen(x, depth);
  }
  return jsonContainer(x, ascii, depth);
}

function jsonEncFrozen(x: PyValue, depth: number): string {
  const failed = cachedJsonFailure(x as object);
  if (failed) throw new PyException(failed.pyType, failed.message);
  try {
    return JSON_TEXTS.put(x as object, jsonContainer(x, true, depth));
  } catch (e) {
    if (e instanceof PyException) rememberJsonFailure(x as object, e);
    throw e;
  }
}

function jsonContainer(x: PyValue, ascii: boolean, depth: number): string {
  if (Array.isArray(x) || x instanceof PyTuple) {
    const items: readonly PyValue[] = Array.isArray(x) ? x : x.items;
    const n = items.length;
    if (n === 0) return "[]";
    const ft = ascii && Array.isArray(x) ? frozenTail(x) : undefined;
    if (ft !== undefined) {
      // The head first: its errors come first, as in Python's left-to-right encoding.
      let head = "";
      for (let i = 0; i < ft.at; i++) head += jsonEnc(items[i] as PyValue, ascii, depth + 1) + ", ";
      const tail = jsonEnc(ft.tail as PyValue[], ascii, depth + 1);
      return "[" + head + tail.slice(1);
    }
    let s = "[" + jsonEnc(items[0] as PyValue, ascii, depth + 1);
    for (let i = 1; i < n; i++) s += ", " + jsonEnc(items[i] as PyValue, ascii, depth + 1);
    return s + "]";
  }
  if (x instanceof PyDict) {
    if (x.size === 0) return "{}";
    let s = "{";
    let first = true;
    for (const [k, val] of x.entries()) {
      const key = jsonKey(k);
      if (first) first = false;
      else s += ", ";
      s += pyJsonString(key, ascii) + ": " + jsonEnc(val, ascii, depth + 1);
    }
    return s + "}";
  }
  return jsonCustom(x);
}

/** The same encoder with Python's `markers` (every container on the current path is tracked). */
function jsonEncTracked(x: PyValue, ascii: boolean, active: Set<object>): string {
  const scalar = jsonScalar(x, ascii);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(x) || x instanceof PyTuple) {
    const items: readonly PyValue[] = Array.isArray(x) ? x : x.items;
    if (items.length === 0) return "[]";
    if (active.has(x)) throw new PyException("ValueError", "Circular reference detected");
    active.add(x);
    let s = "[";
    for (let i = 0; i < items.length; i++) {
      if (i > 0) s += ", ";
      s += jsonEncTracked(items[i] as PyValue, ascii, active);
    }
    active.delete(x);
    return s + "]";
  }
  if (x instanceof PyDict) {
    if (x.size === 0) return "{}";
    if (active.has(x)) throw new PyException("ValueError", "Circular reference detected");
    active.add(x);
    let s = "{";
    let first = true;
    for (const [k, val] of x.entries()) {
      const key = jsonKey(k);
      if (!first) s += ", ";
      first = false;
      s += pyJsonString(key, ascii) + ": " + jsonEncTracked(val, ascii, active);
    }
    active.delete(x);
    return s + "}";
  }
  return jsonCustom(x);
}

// ---------------------------------------------------------------------------------------------
// Exact decimal rounding of doubles

const TWO52 = 2n ** 52n;

/** Decomposes a finite, nonzero |x| into `m * 2^e` with integer m. */
function decompose(x: number): { m: bigint; e: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const frac = bits & (TWO52 - 1n);
  if (biased === 0) return { m: frac, e: -1074 };
  return { m: frac | TWO52, e: biased - 1075 };
}

const POW10_CACHE: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 400) {
    let p = POW10_CACHE[n];
    if (p === undefined) {
      p = 10n ** BigInt(n);
      POW10_CACHE[n] = p;
    }
    return p;
  }
  return 10n ** BigInt(n);
}

/** `round_half_even(|x| * 10^nd)` computed on the exact binary value of x (finite x). */
function scaledRoundHalfEven(x: number, nd: number): bigint {
  if (x === 0) return 0n;
  const { m, e } = decompose(x);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (nd >= 0) num *= pow10(nd);
  else den *= pow10(-nd);
  return divRoundHalfEven(num, den);
}

/** Round-half-even of num/den for num >= 0, den > 0. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

function toPyFloatFromInt(n: bigint): number {
  const f = Number(n);
  if (!Number.isFinite(f)) throw new PyException("OverflowError", "int too large to convert to float");
  return f;
}

/**
 * ndigits as an int. An integral JS number is accepted as a convenience for literals
 * (`pyRound(x, 2)`); a model-supplied Python float (`2.0`) must be rejected by the caller
 * (`typeof nd === "number"` → TypeError) if that matters.
 */
function toIndex(nd: bigint | number | boolean): bigint {
  if (typeof nd === "bigint") return nd;
  if (typeof nd === "boolean") return nd ? 1n : 0n;
  if (Number.isInteger(nd)) return BigInt(nd);
  throw new PyException("TypeError", "'float' object cannot be interpreted as an integer");
}

/**
 * Python `round(x, n)`: half-to-even on the exact binary value (`round(2.675, 2) == 2.67`);
 * int (or bool) in → int out; `round(x)` / `round(x, None)` → int. `ndigits` may be a bigint or an
 * integral JS number (a non-integral one raises `TypeError: 'float' object cannot be interpreted as
 * an integer`).
 */
export function pyRound(x: bigint | boolean, ndigits?: bigint | number | boolean | null): bigint;
export function pyRound(x: number, ndigits: bigint | number | boolean): number;
export function pyRound(x: number, ndigits?: null): bigint;
export function pyRound(x: number | bigint | boolean, ndigits?: bigint | number | boolean | null): number | bigint;
export function pyRound(x: number | bigint | boolean, ndigits?: bigint | number | boolean | null): number | bigint {
  if (typeof x === "boolean") x = x ? 1n : 0n;
  if (typeof x === "bigint") {
    if (ndigits === undefined || ndigits === null) return x;
    const nd = toIndex(ndigits);
    if (nd >= 0n) return x;
    // int.__round__ with negative ndigits: half-even to a multiple of 10^-nd.
    const p = 10n ** -nd;
    const neg = x < 0n;
    const q = divRoundHalfEven(neg ? -x : x, p) * p;
    return neg ? -q : q;
  }
  if (ndigits === undefined || ndigits === null) {
    if (x !== x) throw new PyException("ValueError", "cannot convert float NaN to integer");
    if (!Number.isFinite(x)) throw new PyException("OverflowError", "cannot convert float infinity to integer");
    const q = scaledRoundHalfEven(x, 0);
    return x < 0 ? -q : q;
  }
  const ndBig = toIndex(ndigits);
  if (!Number.isFinite(x) || x === 0) return x;
  // CPython's NDIGITS_MAX / NDIGITS_MIN shortcuts in float.__round__.
  if (ndBig > 323n) return x;
  if (ndBig < -308n) return x < 0 ? -0 : 0;
  const nd = Number(ndBig);
  const q = scaledRoundHalfEven(x, nd);
  const r = Number(q.toString() + "e" + -nd);
  if (!Number.isFinite(r)) throw new PyException("OverflowError", "rounded value too large to represent");
  return x < 0 ? -r : r;
}

/** Python `f"{x:.{digits}f}"` (exact binary value, half-to-even; ints are converted to float first). */
export function pyFormatFixed(x: number | bigint | boolean, digits: number): string {
  if (typeof x === "boolean") x = x ? 1 : 0;
  if (typeof x === "bigint") x = toPyFloatFromInt(x);
  if (!Number.isInteger(digits) || digits < 0) {
    throw new Error(
      `[envtune] [core] pyFormatFixed: digits must be a non-negative integer, got ${digits}. Pass the precision of the format spec.`,
    );
  }
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const q = scaledRoundHalfEven(x, digits).toString();
  if (digits === 0) return sign + q;
  const padded = q.length <= digits ? "0".repeat(digits + 1 - q.length) + q : q;
  return sign + padded.slice(0, padded.length - digits) + "." + padded.slice(padded.length - digits);
}
