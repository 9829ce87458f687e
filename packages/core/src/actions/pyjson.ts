/**
 * Python's `json.loads` (CPython 3.11 C scanner) over untrusted model text, including its exact
 * error messages (`Expecting value: line 1 column 1 (char 0)`), which the paper's parser shows the
 * model verbatim. Values: ints (no `.`/exponent in the lexeme) → bigint, other numbers → float,
 * objects → PyDict (insertion order, duplicate keys: last value wins at the first key's position),
 * `NaN`/`Infinity`/`-Infinity` accepted like Python.
 *
 * Differences, both where CPython would not raise a JSONDecodeError at all: nesting beyond
 * `maxDepth` (CPython: RecursionError near 1000 levels) and ints over 4300 digits (CPython:
 * ValueError) raise {@link ActionParseError} `TOO_DEEP` / `INT_TOO_LARGE`.
 */
import { PyDict, type PyValue } from "../py/value.ts";
import { ActionParseError } from "./errors.ts";
import { PY_INT_MAX_STR_DIGITS } from "./pylex.ts";

/** A Python `json.JSONDecodeError`: `msg` plus the position, formatted like Python's `str(e)`. */
export class PyJsonDecodeError extends Error {
  /** Python's short message, e.g. `Expecting ',' delimiter`. */
  readonly msg: string;
  /** UTF-16 offset of the error. */
  readonly pos: number;
  /** Python's line, column and char position (code points, 1-based line and column). */
  readonly lineno: number;
  readonly colno: number;
  readonly pyPos: number;
  constructor(msg: string, doc: string, pos: number) {
    let cp = 0;
    let lastNl = -1;
    let line = 1;
    for (let i = 0; i < pos && i < doc.length; i++) {
      const c = doc.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < pos) {
        const d = doc.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      if (c === 10) {
        line++;
        lastNl = cp;
      }
      cp++;
    }
    const col = cp - lastNl;
    super(`${msg}: line ${line} column ${col} (char ${cp})`);
    this.name = "PyJsonDecodeError";
    this.msg = msg;
    this.pos = pos;
    this.lineno = line;
    this.colno = col;
    this.pyPos = cp;
  }
}

export interface PyJsonOptions {
  /** Deepest array/object nesting accepted (default 100). */
  maxDepth?: number;
}

const isWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

class StopIteration {
  readonly idx: number;
  constructor(idx: number) {
    this.idx = idx;
  }
}

class Scanner {
  private readonly s: string;
  private readonly len: number;
  private readonly maxDepth: number;
  next = 0;

  constructor(s: string, maxDepth: number) {
    this.s = s;
    this.len = s.length;
    this.maxDepth = maxDepth;
  }

  private err(msg: string, pos: number): PyJsonDecodeError {
    return new PyJsonDecodeError(msg, this.s, pos);
  }

  private skipWs(idx: number): number {
    while (idx < this.len && isWs(this.s.charCodeAt(idx))) idx++;
    return idx;
  }

  private tooDeep(idx: number): ActionParseError {
    return new ActionParseError("TOO_DEEP", `JSON nested deeper than ${this.maxDepth} levels`, "Flatten the arguments.", { position: idx });
  }

  /** `scan_once`: one value at `idx`; sets `next` to the index after it. */
  scanOnce(idx: number, depth: number): PyValue {
    const s = this.s;
    if (idx >= this.len) throw new StopIteration(idx);
    const c = s.charCodeAt(idx);
    switch (c) {
      case 34:
        return this.scanString(idx + 1);
      case 123:
        if (depth >= this.maxDepth) throw this.tooDeep(idx);
        return this.parseObject(idx + 1, depth + 1);
      case 91:
        if (depth >= this.maxDepth) throw this.tooDeep(idx);
        return this.parseArray(idx + 1, depth + 1);
      case 110:
        if (s.startsWith("null", idx)) {
          this.next = idx + 4;
          return null;
        }
        break;
      case 116:
        if (s.startsWith("true", idx)) {
          this.next = idx + 4;
          return true;
        }
        break;
      case 102:
        if (s.startsWith("false", idx)) {
          this.next = idx + 5;
          return false;
        }
        break;
      case 78:
        if (s.startsWith("NaN", idx)) {
          this.next = idx + 3;
          return NaN;
        }
        break;
      case 73:
        if (s.startsWith("Infinity", idx)) {
          this.next = idx + 8;
          return Infinity;
        }
        break;
      case 45:
        if (s.startsWith("-Infinity", idx)) {
          this.next = idx + 9;
          return -Infinity;
        }
        break;
    }
    return this.matchNumber(idx);
  }

  private matchNumber(start: number): PyValue {
    const s = this.s;
    const endIdx = this.len - 1;
    let idx = start;
    const digit = (i: number): boolean => {
      const c = s.charCodeAt(i);
      return c >= 48 && c <= 57;
    };
    if (s.charCodeAt(idx) === 45) {
      idx++;
      if (idx > endIdx) throw new StopIteration(start);
    }
    const c0 = s.charCodeAt(idx);
    if (c0 >= 49 && c0 <= 57) {
      idx++;
      while (idx <= endIdx && digit(idx)) idx++;
    } else if (c0 === 48) {
      idx++;
    } else {
      throw new StopIteration(start);
    }
    let isFloat = false;
    if (idx < endIdx && s.charCodeAt(idx) === 46 && digit(idx + 1)) {
      isFloat = true;
      idx += 2;
      while (idx <= endIdx && digit(idx)) idx++;
    }
    if (idx < endIdx && (s.charCodeAt(idx) | 32) === 101) {
      const eStart = idx;
      idx++;
      if (idx < endIdx && (s.charCodeAt(idx) === 45 || s.charCodeAt(idx) === 43)) idx++;
      while (idx <= endIdx && digit(idx)) idx++;
      if (digit(idx - 1)) isFloat = true;
      else idx = eStart;
    }
    this.next = idx;
    const text = s.slice(start, idx);
    if (isFloat) return Number(text);
    const nDigits = text.charCodeAt(0) === 45 ? text.length - 1 : text.length;
    if (nDigits > PY_INT_MAX_STR_DIGITS) {
      throw new ActionParseError(
        "INT_TOO_LARGE",
        `JSON int of ${nDigits} digits exceeds Python's limit of ${PY_INT_MAX_STR_DIGITS} digits for integer string conversion`,
        "Use a smaller number.",
        { position: start },
      );
    }
    return BigInt(text);
  }

  /** `scanstring`: `end` is the index after the opening quote. */
  private scanString(end: number): string {
    const s = this.s;
    const len = this.len;
    const begin = end - 1;
    const chunks: string[] = [];
    for (;;) {
      let next = end;
      let c = 0;
      for (; next < len; next++) {
        c = s.charCodeAt(next);
        if (c === 34 || c === 92) break;
        if (c <= 0x1f) throw this.err("Invalid control character at", next);
      }
      if (next >= len || (c !== 34 && c !== 92)) throw this.err("Unterminated string starting at", begin);
      if (next > end) chunks.push(s.slice(end, next));
      next++;
      if (c === 34) {
        end = next;
        break;
      }
      if (next === len) throw this.err("Unterminated string starting at", begin);
      c = s.charCodeAt(next);
      let ch: string;
      if (c !== 117) {
        end = next + 1;
        switch (c) {
          case 34:
            ch = '"';
            break;
          case 92:
            ch = "\\";
            break;
          case 47:
            ch = "/";
            break;
          case 98:
            ch = "\b";
            break;
          case 102:
            ch = "\f";
            break;
          case 110:
            ch = "\n";
            break;
          case 114:
            ch = "\r";
            break;
          case 116:
            ch = "\t";
            break;
          default:
            throw this.err("Invalid \\escape", end - 2);
        }
      } else {
        next++;
        end = next + 4;
        if (end >= len) throw this.err("Invalid \\uXXXX escape", next - 1);
        let u = this.hex4(next, end);
        next = end;
        // A high surrogate followed by `\u` + low surrogate joins into one code point.
        if (u >= 0xd800 && u <= 0xdbff && end + 6 < len && s.charCodeAt(next) === 92 && s.charCodeAt(next + 1) === 117) {
          const u2 = this.hex4(next + 2, end + 6);
          if (u2 >= 0xdc00 && u2 <= 0xdfff) {
            u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
            end += 6;
          }
        }
        ch = String.fromCodePoint(u);
      }
      chunks.push(ch);
    }
    this.next = end;
    return chunks.length === 1 ? (chunks[0] as string) : chunks.join("");
  }

  private hex4(from: number, end: number): number {
    let v = 0;
    for (let i = from; i < end; i++) {
      const d = this.s.charCodeAt(i);
      let x: number;
      if (d >= 48 && d <= 57) x = d - 48;
      else if (d >= 97 && d <= 102) x = d - 87;
      else if (d >= 65 && d <= 70) x = d - 55;
      else throw this.err("Invalid \\uXXXX escape", end - 5);
      v = (v << 4) | x;
    }
    return v;
  }

  private parseObject(idx: number, depth: number): PyDict {
    const s = this.s;
    const d = new PyDict();
    idx = this.skipWs(idx);
    if (idx >= this.len || s.charCodeAt(idx) !== 125) {
      for (;;) {
        if (idx >= this.len || s.charCodeAt(idx) !== 34) throw this.err("Expecting property name enclosed in double quotes", idx);
        const key = this.scanString(idx + 1);
        idx = this.skipWs(this.next);
        if (idx >= this.len || s.charCodeAt(idx) !== 58) throw this.err("Expecting ':' delimiter", idx);
        idx = this.skipWs(idx + 1);
        const val = this.scanOnce(idx, depth);
        d.set(key, val);
        idx = this.skipWs(this.next);
        if (idx < this.len && s.charCodeAt(idx) === 125) break;
        if (idx >= this.len || s.charCodeAt(idx) !== 44) throw this.err("Expecting ',' delimiter", idx);
        idx = this.skipWs(idx + 1);
      }
    }
    this.next = idx + 1;
    return d;
  }

  private parseArray(idx: number, depth: number): PyValue[] {
    const s = this.s;
    const out: PyValue[] = [];
    idx = this.skipWs(idx);
    if (idx >= this.len || s.charCodeAt(idx) !== 93) {
      for (;;) {
        out.push(this.scanOnce(idx, depth));
        idx = this.skipWs(this.next);
        if (idx < this.len && s.charCodeAt(idx) === 93) break;
        if (idx >= this.len || s.charCodeAt(idx) !== 44) throw this.err("Expecting ',' delimiter", idx);
        idx = this.skipWs(idx + 1);
      }
    }
    this.next = idx + 1;
    return out;
  }

  /** `JSONDecoder.decode`: whitespace, one value, whitespace, end. */
  decode(): PyValue {
    let idx = this.skipWs(0);
    let v: PyValue;
    try {
      v = this.scanOnce(idx, 0);
    } catch (e) {
      if (e instanceof StopIteration) throw this.err("Expecting value", e.idx);
      throw e;
    }
    idx = this.skipWs(this.next);
    if (idx !== this.len) throw this.err("Extra data", idx);
    return v;
  }
}

/**
 * Python `json.loads(text)`. Throws {@link PyJsonDecodeError} (Python's message and position) or
 * {@link ActionParseError} (`TOO_DEEP`, `INT_TOO_LARGE`).
 */
export function pyJsonLoads(text: string, opts: PyJsonOptions = {}): PyValue {
  if (text.charCodeAt(0) === 0xfeff) throw new PyJsonDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0);
  return new Scanner(text, opts.maxDepth ?? 100).decode();
}
