/**
 * A fast path for the call strings that make up nearly all of BFCL's ground truth and of models'
 * well-formed output: one call `name(arg, key=value, ...)` whose values are plain strings, decimal
 * numbers, True/False/None and lists of those. It returns exactly what the full parser returns for
 * such input, or `undefined` for anything else (escapes, comments, dicts, exponents, line breaks,
 * duplicate keywords, ...), which then goes through the full parser and gets its verdict and error
 * texts. Equivalence with the full parser is tested on every call string of the traces and on
 * generated variants (`fast-call.test.ts`).
 */
import { PY_KEYWORDS } from "./pylex.ts";
import type { ToolCall } from "./types.ts";
import type { PyValue } from "../py/value.ts";

/** Longer inputs go to the full parser (its input limit and error texts apply). */
const MAX_FAST_LENGTH = 4096;
/** Deepest list nesting handled here (the full parser's limit is far above). */
const MAX_FAST_DEPTH = 4;
/** Longest int literal converted here (well inside Python's 4300-digit limit). */
const MAX_INT_DIGITS = 15;

const isIdStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdPart = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

// A value this parser does not handle; never escapes `fastParseCall`.
const FAIL = Symbol("fail");

class FastParser {
  pos = 0;
  readonly src: string;
  readonly end: number;

  constructor(src: string) {
    this.src = src;
    this.end = src.length;
  }

  skipSpaces(): void {
    const src = this.src;
    let p = this.pos;
    while (p < this.end) {
      const c = src.charCodeAt(p);
      if (c !== 32 && c !== 9) break;
      p++;
    }
    this.pos = p;
  }

  identifier(): string | undefined {
    const src = this.src;
    const s = this.pos;
    if (s >= this.end || !isIdStart(src.charCodeAt(s))) return undefined;
    let p = s + 1;
    while (p < this.end && isIdPart(src.charCodeAt(p))) p++;
    this.pos = p;
    return src.slice(s, p);
  }

  /** A value followed (after spaces) by `,`, `)` or `]`; FAIL for anything else. */
  value(depth: number): PyValue | typeof FAIL {
    const src = this.src;
    const p = this.pos;
    if (p >= this.end) return FAIL;
    const c = src.charCodeAt(p);
    let v: PyValue | typeof FAIL;
    if (c === 39 || c === 34) v = this.string(c);
    else if (isDigit(c) || c === 45) v = this.number();
    else if (c === 91) v = this.list(depth);
    else if (c === 84 && src.startsWith("True", p)) v = this.word(4, true);
    else if (c === 70 && src.startsWith("False", p)) v = this.word(5, false);
    else if (c === 78 && src.startsWith("None", p)) v = this.word(4, null);
    else return FAIL;
    if (v === FAIL) return FAIL;
    this.skipSpaces();
    if (this.pos >= this.end) return FAIL;
    const d = src.charCodeAt(this.pos);
    return d === 44 || d === 41 || d === 93 ? v : FAIL;
  }

  word(len: number, v: PyValue): PyValue | typeof FAIL {
    const q = this.pos + len;
    if (q < this.end && isIdPart(this.src.charCodeAt(q))) return FAIL;
    this.pos = q;
    return v;
  }

  /** A plain one-line string without escapes or prefix (`'abc'`, `"it's"`). */
  string(quote: number): PyValue | typeof FAIL {
    const src = this.src;
    const s = this.pos + 1;
    let p = s;
    for (;;) {
      if (p >= this.end) return FAIL;
      const c = src.charCodeAt(p);
      if (c === quote) break;
      if (c === 92 || c === 10 || c === 13 || c === 0) return FAIL;
      p++;
    }
    // `''` followed by another quote is a triple-quoted string.
    if (p === s && p + 1 < this.end && src.charCodeAt(p + 1) === quote) return FAIL;
    this.pos = p + 1;
    return src.slice(s, p);
  }

  /** `-`? then an int (`0` or no leading zero) or a float `digits.digits`; no `_`, exponent or `j`. */
  number(): PyValue | typeof FAIL {
    const src = this.src;
    const s = this.pos;
    let p = s;
    if (src.charCodeAt(p) === 45) p++;
    const d0 = p;
    while (p < this.end && isDigit(src.charCodeAt(p))) p++;
    const intDigits = p - d0;
    if (intDigits === 0) return FAIL;
    if (p < this.end && src.charCodeAt(p) === 46) {
      p++;
      const f0 = p;
      while (p < this.end && isDigit(src.charCodeAt(p))) p++;
      if (p === f0 || (p < this.end && isIdPart(src.charCodeAt(p))) || src.charCodeAt(p) === 46) return FAIL;
      this.pos = p;
      return Number(src.slice(s, p));
    }
    if (p < this.end && (isIdPart(src.charCodeAt(p)) || src.charCodeAt(p) === 46)) return FAIL;
    if (intDigits > MAX_INT_DIGITS || (intDigits > 1 && src.charCodeAt(d0) === 48)) return FAIL;
    this.pos = p;
    // `-0` is the int 0, as in Python.
    return BigInt(src.slice(s, p));
  }

  list(depth: number): PyValue | typeof FAIL {
    if (depth >= MAX_FAST_DEPTH) return FAIL;
    const src = this.src;
    this.pos++;
    this.skipSpaces();
    const items: PyValue[] = [];
    if (this.pos < this.end && src.charCodeAt(this.pos) === 93) {
      this.pos++;
      return items;
    }
    for (;;) {
      const v = this.value(depth + 1);
      if (v === FAIL) return FAIL;
      items.push(v);
      const c = src.charCodeAt(this.pos);
      this.pos++;
      if (c === 93) return items;
      if (c !== 44) return FAIL;
      this.skipSpaces();
      // A trailing comma (`[1, ]`) is left to the full parser.
      if (this.pos < this.end && src.charCodeAt(this.pos) === 93) return FAIL;
    }
  }
}

/**
 * The call in `text` when it is a single simple call (see module comment), else `undefined`.
 * The text must start with the tool name and end with the closing parenthesis.
 */
export function fastParseCall(text: string): ToolCall | undefined {
  const n = text.length;
  if (n > MAX_FAST_LENGTH || n < 3 || text.charCodeAt(n - 1) !== 41) return undefined;
  const p = new FastParser(text);
  const name = p.identifier();
  if (name === undefined || p.pos >= n || text.charCodeAt(p.pos) !== 40 || PY_KEYWORDS.has(name)) return undefined;
  p.pos++;
  p.skipSpaces();
  const args: PyValue[] = [];
  const kwargs: Array<[string, PyValue]> = [];
  if (text.charCodeAt(p.pos) !== 41) {
    for (;;) {
      const start = p.pos;
      const key = p.identifier();
      let v: PyValue | typeof FAIL;
      if (key !== undefined && text.charCodeAt(p.pos) === 61 && text.charCodeAt(p.pos + 1) !== 61) {
        if (PY_KEYWORDS.has(key)) return undefined;
        p.pos++;
        p.skipSpaces();
        v = p.value(1);
        if (v === FAIL) return undefined;
        for (const [k] of kwargs) if (k === key) return undefined;
        kwargs.push([key, v]);
      } else {
        p.pos = start;
        if (kwargs.length > 0) return undefined;
        v = p.value(1);
        if (v === FAIL) return undefined;
        args.push(v);
      }
      const c = text.charCodeAt(p.pos);
      p.pos++;
      if (c === 41) break;
      if (c !== 44) return undefined;
      p.skipSpaces();
      if (text.charCodeAt(p.pos) === 41) return undefined;
    }
  } else p.pos++;
  return p.pos === n ? { name, args, kwargs } : undefined;
}
