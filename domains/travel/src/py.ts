/**
 * The CPython semantics TravelAPI's bodies need beyond core: `float()`, `datetime.strptime(s,
 * "%Y-%m-%d")`, the digit sum of `get_flight_cost`, and the arithmetic the reference applies to
 * card balances and exchange values. They stay local because each mirrors one expression of
 * travel_booking.py, and the exact CPython error texts matter (the fuzz traces show them).
 */
import { PyDict, PyException, PySet, PyTuple, pyRepr, pyTypeName, type PyValue } from "@envtune/core/py";

// Dict subscription is shared CPython semantics, also in core.
export { pyGetItemStr as getItem, pySetItemStr as setItem } from "@envtune/core/py";

type Num = bigint | number | boolean;

export const isNum = (v: PyValue): v is Num => typeof v === "bigint" || typeof v === "number" || typeof v === "boolean";

/** Python `v == 0` (`False == 0`, `0.0 == 0`; nothing else equals 0). */
export function isZero(v: PyValue): boolean {
  return v === 0n || v === 0 || v === false;
}

/** Python `hash(v)` succeeding, else CPython's TypeError (`unhashable type: 'list'`). */
export function requireHashable(v: PyValue): void {
  if (Array.isArray(v) || v instanceof PyDict || v instanceof PySet) {
    throw new PyException("TypeError", `unhashable type: '${pyTypeName(v)}'`);
  }
  if (v instanceof PyTuple) for (const it of v.items) requireHashable(it);
}

/** Python `int → float` conversion (round half even), raising OverflowError like CPython. */
export function intToFloat(n: bigint): number {
  const f = Number(n);
  if (!Number.isFinite(f)) throw new PyException("OverflowError", "int too large to convert to float");
  return f;
}

const toInt = (v: bigint | boolean): bigint => (typeof v === "boolean" ? (v ? 1n : 0n) : v);
const toFloat = (v: Num): number => (typeof v === "number" ? v : intToFloat(toInt(v)));

/**
 * Python `a += b` / `a -= b` as applied to a card balance (`balance -= travel_cost`): int op int
 * stays int, any float makes a float, anything else raises CPython's TypeError.
 */
export function augAssign(a: PyValue, op: "+=" | "-=", b: PyValue): PyValue {
  if (isNum(a) && isNum(b)) {
    if (typeof a !== "number" && typeof b !== "number") {
      return op === "+=" ? toInt(a) + toInt(b) : toInt(a) - toInt(b);
    }
    return op === "+=" ? toFloat(a) + toFloat(b) : toFloat(a) - toFloat(b);
  }
  if (op === "+=" && typeof a === "string") {
    if (typeof b === "string") return a + b;
    throw new PyException("TypeError", `can only concatenate str (not "${pyTypeName(b)}") to str`);
  }
  throw new PyException("TypeError", `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Python `value * rate` for a numeric rate (int or float), including sequence repetition. */
export function mulByRate(value: PyValue, rate: bigint | number): PyValue {
  if (isNum(value)) {
    if (typeof value !== "number" && typeof rate === "bigint") return toInt(value) * rate;
    return toFloat(value) * toFloat(rate);
  }
  const isSeq = typeof value === "string" || Array.isArray(value) || value instanceof PyTuple;
  if (isSeq) {
    if (typeof rate === "number") throw new PyException("TypeError", "can't multiply sequence by non-int of type 'float'");
    const times = rate > 0n ? Number(rate) : 0;
    if (typeof value === "string") return value.repeat(times);
    const items = Array.isArray(value) ? value : value.items;
    const out: PyValue[] = [];
    for (let i = 0; i < times; i++) out.push(...items);
    return Array.isArray(value) ? out : new PyTuple(out);
  }
  throw new PyException(
    "TypeError",
    `unsupported operand type(s) for *: '${pyTypeName(value)}' and '${typeof rate === "bigint" ? "int" : "float"}'`,
  );
}

/**
 * Python `value / rate` (true division, always a float). int / int with operands beyond 2^53 is
 * computed in doubles (CPython rounds the exact quotient; the result can differ in the last ulp).
 */
export function divByRate(value: PyValue, rate: bigint | number): number {
  if (!isNum(value)) {
    throw new PyException(
      "TypeError",
      `unsupported operand type(s) for /: '${pyTypeName(value)}' and '${typeof rate === "bigint" ? "int" : "float"}'`,
    );
  }
  return toFloat(value) / toFloat(rate);
}

// Python's str.isspace() set (float() strips exactly these).
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity|nan)$/i;
const ND_RE = /\p{Nd}/u;

/** Decimal value of a Unicode `Nd` code point (Nd runs are contiguous 0..9 blocks), else -1. */
export function decimalValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp < 0x80 || !ND_RE.test(String.fromCodePoint(cp))) return -1;
  let start = cp;
  while (ND_RE.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Code points for which `str.isdigit()` holds but `str.isdecimal()` does not (superscripts, circled digits ...; CPython 3.11 / Unicode 14). */
const DIGIT_NOT_DECIMAL: ReadonlyArray<readonly [number, number]> = [
  [0xb2, 0xb3],
  [0xb9, 0xb9],
  [0x1369, 0x1371],
  [0x19da, 0x19da],
  [0x2070, 0x2070],
  [0x2074, 0x2079],
  [0x2080, 0x2089],
  [0x2460, 0x2468],
  [0x2474, 0x247c],
  [0x2488, 0x2490],
  [0x24ea, 0x24ea],
  [0x24f5, 0x24fd],
  [0x24ff, 0x24ff],
  [0x2776, 0x277e],
  [0x2780, 0x2788],
  [0x278a, 0x2792],
  [0x10a40, 0x10a43],
  [0x10e60, 0x10e68],
  [0x11052, 0x1105a],
  [0x1f100, 0x1f10a],
];

function isDigitNotDecimal(cp: number): boolean {
  if (cp < 0xb2) return false;
  for (const [a, b] of DIGIT_NOT_DECIMAL) if (cp >= a && cp <= b) return true;
  return false;
}

/** Python `str.isdigit()`. */
export function strIsDigit(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (decimalValue(cp) < 0 && !isDigitNotDecimal(cp)) return false;
  }
  return true;
}

/** Python `float(v)` for the argument types a model can pass. */
export function pyFloat(v: PyValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return intToFloat(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return floatFromStr(v);
  throw new PyException("TypeError", `float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

function floatFromStr(original: string): number {
  const fail = (): never => {
    throw new PyException("ValueError", `could not convert string to float: ${pyRepr(original)}`);
  };
  // CPython maps Unicode decimal digits to ASCII before parsing; any other non-ASCII char is invalid.
  let s = "";
  for (const ch of original.replace(STRIP_RE, "")) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) s += ch;
    else {
      const d = decimalValue(cp);
      if (d < 0) fail();
      s += String(d);
    }
  }
  if (s.includes("_")) {
    // PEP 515: an underscore must sit between two digits.
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "_" && !(/\d/.test(s[i - 1] ?? "") && /\d/.test(s[i + 1] ?? ""))) fail();
    }
    s = s.replace(/_/g, "");
  }
  if (!FLOAT_RE.test(s)) fail();
  const lower = s.toLowerCase();
  const neg = lower.startsWith("-");
  const body = lower.replace(/^[+-]/, "");
  if (body === "nan") return NaN;
  if (body === "inf" || body === "infinity") return neg ? -Infinity : Infinity;
  return Number(s);
}

const YMD_RE = /^(\p{Nd}\p{Nd}\p{Nd}\p{Nd})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\p{Nd}|0[1-9]|[1-9]| [1-9])/u;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface YmdDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function digitsValue(s: string): number {
  let n = 0;
  for (const ch of s) {
    const d = decimalValue(ch.codePointAt(0)!);
    if (d >= 0) n = n * 10 + d;
  }
  return n;
}

/**
 * `datetime.strptime(s, "%Y-%m-%d")` (CPython 3.11 `_strptime` regexes: `\d` is any Unicode
 * decimal digit, `%d` also accepts " 5"). Raises TypeError for a non-str and ValueError for every
 * rejected str, like the reference (the callers catch only ValueError).
 */
export function strptimeYmd(s: PyValue): YmdDate {
  if (typeof s !== "string") {
    throw new PyException("TypeError", `strptime() argument 1 must be str, not ${s === null ? "None" : pyTypeName(s)}`);
  }
  const m = YMD_RE.exec(s);
  if (!m) throw new PyException("ValueError", `time data ${pyRepr(s)} does not match format '%Y-%m-%d'`);
  if (m[0].length !== s.length) throw new PyException("ValueError", `unconverted data remains: ${s.slice(m[0].length)}`);
  const year = digitsValue(m[1]!);
  const month = digitsValue(m[2]!);
  const day = digitsValue(m[3]!);
  if (year < 1) throw new PyException("ValueError", `year ${year} is out of range`);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > dim) throw new PyException("ValueError", "day is out of range for month");
  return { year, month, day };
}

const INT_MAX_STR_DIGITS = 4300;

/** Parity of `int(s)` for a str of digits (`str.isdigit()` already true), raising like `int()`. */
function intParity(s: string): number {
  let last = 0;
  let count = 0;
  for (const ch of s) {
    const d = decimalValue(ch.codePointAt(0)!);
    if (d < 0) throw new PyException("ValueError", `invalid literal for int() with base 10: ${pyRepr(s)}`);
    last = d;
    count++;
  }
  if (count > INT_MAX_STR_DIGITS) {
    throw new PyException(
      "ValueError",
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${count} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return last & 1;
}

function iterate(v: PyValue): Iterable<PyValue> {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  if (v instanceof PyDict) return v.keys();
  if (v instanceof PySet) return v.values();
  throw new PyException("TypeError", `'${pyTypeName(v)}' object is not iterable`);
}

/**
 * Parity of `sum(int(char) for char in travel_date if char.isdigit())`. Only the parity is ever
 * used (the date multiplier), so big sums never need building.
 */
export function digitSumIsEven(travelDate: PyValue): boolean {
  let parity = 0;
  for (const ch of iterate(travelDate)) {
    if (typeof ch !== "string") {
      throw new PyException("AttributeError", `'${pyTypeName(ch)}' object has no attribute 'isdigit'`);
    }
    if (strIsDigit(ch)) parity ^= intParity(ch);
  }
  return parity === 0;
}
