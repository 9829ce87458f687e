/**
 * `datetime.strptime` for the two formats TradingBot uses (`%Y-%m-%d` and `%Y-%m-%d %H:%M:%S`),
 * with CPython 3.11's `_strptime` semantics: its regexes (alternation order, Unicode `\d`,
 * whitespace in the format matching `\s+`), a match anchored only at the start, then
 * "unconverted data remains", then the `date`/`datetime` constructor range checks.
 *
 * Failures are returned, not thrown, so the tool can render them through its message catalogue.
 */
import { PyException, pyRepr, pyTypeName, type PyValue } from "@envtune/core/py";

export const DATE_FORMAT = "%Y-%m-%d";
export const TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S";

/** A ValueError `strptime` would raise: message code and its variables. */
export interface StrptimeFailure {
  code: "DATE_FORMAT_MISMATCH" | "DATE_UNCONVERTED_DATA" | "DATE_YEAR_OUT_OF_RANGE" | "DATE_DAY_OUT_OF_RANGE" | "DATE_SECOND_OUT_OF_RANGE";
  vars: Record<string, string>;
}

// Python's `\d` on str patterns is any Unicode decimal digit; `\s` is any `str.isspace()` char.
const D = String.raw`\p{Nd}`;
const WS = String.raw`[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+`;
const Y = `(${D}${D}${D}${D})`;
const M = `(1[0-2]|0[1-9]|[1-9])`;
const DAY = `(3[01]|[12]${D}|0[1-9]|[1-9]| [1-9])`;
const H = `(2[0-3]|[0-1]${D}|${D})`;
const MIN = `([0-5]${D}|${D})`;
const S = `(6[0-1]|[0-5]${D}|${D})`;

const PATTERNS: Record<string, RegExp> = {
  [DATE_FORMAT]: new RegExp(`^${Y}-${M}-${DAY}`, "iu"),
  [TIMESTAMP_FORMAT]: new RegExp(`^${Y}-${M}-${DAY}${WS}${H}:${MIN}:${S}`, "iu"),
};

const ND = /^\p{Nd}$/u;

/** Python `int()` of a run of Unicode decimal digits. */
function digitsValue(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let d: number;
    if (cp >= 0x30 && cp <= 0x39) d = cp - 0x30;
    else {
      // Unicode assigns decimal digits in contiguous runs of ten, 0 first; find the run's start.
      let start = cp;
      while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start--;
      d = (cp - start) % 10;
    }
    n = n * 10 + d;
  }
  return n;
}

const CUM_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 && isLeap(y) ? 29 : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** Proleptic Gregorian ordinal (`date.toordinal()`). */
function ordinal(y: number, m: number, d: number): number {
  const py = y - 1;
  return py * 365 + Math.floor(py / 4) - Math.floor(py / 100) + Math.floor(py / 400) + CUM_DAYS[m - 1]! + (m > 2 && isLeap(y) ? 1 : 0) + d;
}

/**
 * `datetime.strptime(value, format)` as seconds since 0001-01-01 (a total order equal to
 * Python's datetime ordering), or the ValueError it raises. Non-str input raises the C-level
 * TypeError directly.
 */
export function strptimeSeconds(value: PyValue, format: typeof DATE_FORMAT | typeof TIMESTAMP_FORMAT): number | StrptimeFailure {
  if (typeof value !== "string") {
    throw new PyException("TypeError", `strptime() argument 1 must be str, not ${pyTypeName(value)}`);
  }
  const m = PATTERNS[format]!.exec(value);
  if (!m) {
    return { code: "DATE_FORMAT_MISMATCH", vars: { value: pyRepr(value), format: pyRepr(format) } };
  }
  if (m[0].length !== value.length) {
    return { code: "DATE_UNCONVERTED_DATA", vars: { rest: value.slice(m[0].length) } };
  }
  const year = digitsValue(m[1]!);
  const month = digitsValue(m[2]!);
  const day = digitsValue(m[3]!.trimStart());
  if (year < 1) return { code: "DATE_YEAR_OUT_OF_RANGE", vars: { year: String(year) } };
  if (day > daysInMonth(year, month)) return { code: "DATE_DAY_OUT_OF_RANGE", vars: {} };
  let secs = 0;
  if (format === TIMESTAMP_FORMAT) {
    const sec = digitsValue(m[6]!);
    if (sec > 59) return { code: "DATE_SECOND_OUT_OF_RANGE", vars: {} };
    secs = digitsValue(m[4]!) * 3600 + digitsValue(m[5]!) * 60 + sec;
  }
  return ordinal(year, month, day) * 86400 + secs;
}
