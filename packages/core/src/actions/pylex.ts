/**
 * A tokenizer for the subset of Python source that tool calls and literal modules use. It follows
 * CPython 3.11's tokenizer for everything it accepts (string prefixes and escapes, number syntax
 * with underscores, implicit line joining inside brackets, backslash continuation, comments) and
 * recognises the rest of Python's operators only so that the parser can name what it refuses.
 *
 * Work is linear in the input: one pass, no regular expression that can backtrack, string bodies
 * collected as slices.
 */
import { ActionParseError } from "./errors.ts";

export type Tok =
  | { t: "name"; v: string; s: number; e: number }
  | { t: "int"; v: bigint; s: number; e: number }
  | { t: "float"; v: number; s: number; e: number }
  | { t: "imag"; s: number; e: number }
  | { t: "str"; v: string; bytes: boolean; fstr: boolean; s: number; e: number }
  | { t: "op"; v: string; s: number; e: number }
  | { t: "nl"; s: number; e: number }
  | { t: "eof"; s: number; e: number };

/** Python 3.11 hard keywords: never valid as names. */
export const PY_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);

// Longest first within each length so that a greedy scan picks `**=` over `**` over `*`.
const OPS3 = new Set(["**=", "//=", ">>=", "<<=", "...", "!="]);
const OPS2 = new Set(["**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="]);
const OPS1 = new Set(["(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">"]);

const ID_START = /^[\p{ID_Start}_]$/u;
const ID_CONTINUE = /^[\p{ID_Continue}\u00B7\u0387\u1369-\u1371\u19DA]$/u;

const SIMPLE_ESCAPES: ReadonlyMap<number, string> = new Map([
  [92, "\\"],
  [39, "'"],
  [34, '"'],
  [97, "\x07"],
  [98, "\b"],
  [102, "\f"],
  [110, "\n"],
  [114, "\r"],
  [116, "\t"],
  [118, "\v"],
]);

const STRING_PREFIXES: ReadonlySet<string> = new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf"]);
/** Python caps decimal int literals at 4300 digits (sys.int_info.default_max_str_digits). */
export const PY_INT_MAX_STR_DIGITS = 4300;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiIdStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAsciiIdContinue = (c: number): boolean => isAsciiIdStart(c) || isDigit(c);
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

function hexCp(cp: number): string {
  return "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
}

function syntax(detail: string, position: number, hint: string): ActionParseError {
  return new ActionParseError("PY_SYNTAX", detail, hint, { position });
}

const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

function invalidChar(cp: number, position: number, hint: string): ActionParseError {
  const ch = String.fromCodePoint(cp);
  // CPython's str.isprintable(): everything but categories C* and Z* (the ASCII space excepted).
  if (cp !== 32 && NON_PRINTABLE.test(ch)) return syntax(`invalid non-printable character ${hexCp(cp)}`, position, hint);
  return syntax(`invalid character '${ch}' (${hexCp(cp)})`, position, hint);
}

export interface LexerOptions {
  /** Emit `nl` tokens for newlines outside brackets (statement mode); otherwise newlines are whitespace. */
  newlines: boolean;
  /** In statement mode, reject indented statements like CPython (`unexpected indent`). */
  checkIndent: boolean;
  /** Fix hint of syntax errors that have no more specific one. */
  hint: string;
}

export class Lexer {
  private readonly src: string;
  private pos: number;
  private readonly end: number;
  private readonly opts: LexerOptions;
  private depth = 0;
  private atLineStart = true;
  private readonly la: Tok[] = [];

  constructor(src: string, start: number, end: number, opts: LexerOptions) {
    this.src = src;
    this.pos = start;
    this.end = end;
    this.opts = opts;
  }

  private syntax(detail: string, position: number, hint?: string): ActionParseError {
    return syntax(detail, position, hint ?? this.opts.hint);
  }

  private invalidChar(cp: number, position: number): ActionParseError {
    return invalidChar(cp, position, this.opts.hint);
  }

  peek(k = 0): Tok {
    while (this.la.length <= k) this.la.push(this.scan());
    return this.la[k] as Tok;
  }

  next(): Tok {
    const t = this.peek(0);
    this.la.shift();
    return t;
  }

  private scan(): Tok {
    const src = this.src;
    for (;;) {
      if (this.atLineStart && this.opts.newlines) {
        this.atLineStart = false;
        if (this.depth === 0) this.checkIndentation();
      }
      if (this.pos >= this.end) return { t: "eof", s: this.end, e: this.end };
      const c = src.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 12) {
        this.pos++;
        continue;
      }
      if (c === 10 || c === 13) {
        const s = this.pos;
        this.pos += c === 13 && src.charCodeAt(this.pos + 1) === 10 ? 2 : 1;
        if (this.opts.newlines && this.depth === 0) {
          this.atLineStart = true;
          return { t: "nl", s, e: this.pos };
        }
        continue;
      }
      if (c === 35) {
        // `#` comment: up to (not including) the line end.
        while (this.pos < this.end) {
          const d = src.charCodeAt(this.pos);
          if (d === 10 || d === 13) break;
          this.pos++;
        }
        continue;
      }
      if (c === 92) {
        const d = this.pos + 1 < this.end ? src.charCodeAt(this.pos + 1) : -1;
        if (d === 10 || d === 13) {
          this.pos += d === 13 && src.charCodeAt(this.pos + 2) === 10 ? 3 : 2;
          continue;
        }
        if (d === -1) throw this.syntax("unexpected end of input after line continuation character", this.pos);
        throw this.syntax("unexpected character after line continuation character", this.pos);
      }
      if (c === 39 || c === 34) return this.scanString(this.pos, "");
      if (isDigit(c) || (c === 46 && this.pos + 1 < this.end && isDigit(src.charCodeAt(this.pos + 1)))) return this.scanNumber();
      if (isAsciiIdStart(c) || c >= 128) return this.scanNameOrString();
      return this.scanOp();
    }
  }

  private checkIndentation(): void {
    if (!this.opts.checkIndent) return;
    const src = this.src;
    let p = this.pos;
    while (p < this.end) {
      const c = src.charCodeAt(p);
      if (c !== 32 && c !== 9 && c !== 12) break;
      p++;
    }
    if (p === this.pos || p >= this.end) return;
    const c = src.charCodeAt(p);
    if (c === 10 || c === 13 || c === 35) return;
    if (c === 92 && (src.charCodeAt(p + 1) === 10 || src.charCodeAt(p + 1) === 13)) return;
    throw this.syntax("unexpected indent", this.pos, "Start every statement at the beginning of its line.");
  }

  private scanOp(): Tok {
    const src = this.src;
    const s = this.pos;
    const three = src.slice(s, Math.min(s + 3, this.end));
    let op: string | undefined;
    if (three.length === 3 && OPS3.has(three)) op = three;
    else if (three.length >= 2 && OPS2.has(three.slice(0, 2))) op = three.slice(0, 2);
    else if (OPS1.has(src[s] as string)) op = src[s] as string;
    if (op === undefined) throw this.invalidChar(src.codePointAt(s) as number, s);
    this.pos += op.length;
    if (op === "(" || op === "[" || op === "{") this.depth++;
    else if ((op === ")" || op === "]" || op === "}") && this.depth > 0) this.depth--;
    return { t: "op", v: op, s, e: this.pos };
  }

  private scanNameOrString(): Tok {
    const src = this.src;
    const s = this.pos;
    let p = s;
    let ascii = true;
    while (p < this.end) {
      const c = src.charCodeAt(p);
      if (c < 128) {
        if (p === s ? !isAsciiIdStart(c) : !isAsciiIdContinue(c)) break;
        p++;
        continue;
      }
      const cp = src.codePointAt(p) as number;
      const ch = String.fromCodePoint(cp);
      if (!(p === s ? ID_START.test(ch) : ID_CONTINUE.test(ch))) {
        if (p === s) throw this.invalidChar(cp, s);
        break;
      }
      ascii = false;
      p += ch.length;
    }
    const raw = src.slice(s, p);
    if (p < this.end) {
      const q = src.charCodeAt(p);
      if ((q === 39 || q === 34) && STRING_PREFIXES.has(raw.toLowerCase())) return this.scanString(s, raw.toLowerCase());
    }
    this.pos = p;
    // CPython NFKC-normalizes identifiers, so `ｌｓ` names `ls`.
    return { t: "name", v: ascii ? raw : raw.normalize("NFKC"), s, e: p };
  }

  /** Whether an identifier character (which must not touch a number literal) starts at `p`. */
  private identifierCharAt(p: number): boolean {
    if (p >= this.end) return false;
    const c = this.src.charCodeAt(p);
    if (c < 128) return isAsciiIdContinue(c);
    return ID_CONTINUE.test(String.fromCodePoint(this.src.codePointAt(p) as number));
  }

  private scanNumber(): Tok {
    const src = this.src;
    const s = this.pos;
    let p = s;
    const c0 = src.charCodeAt(p);
    const c1 = p + 1 < this.end ? src.charCodeAt(p + 1) | 32 : -1;
    if (c0 === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      const kind = c1 === 120 ? "hexadecimal" : c1 === 111 ? "octal" : "binary";
      const ok = c1 === 120 ? isHex : c1 === 111 ? (c: number) => c >= 48 && c <= 55 : (c: number) => c === 48 || c === 49;
      p += 2;
      let digits = 0;
      for (;;) {
        let q = p;
        if (q < this.end && src.charCodeAt(q) === 95) q++;
        if (q < this.end && ok(src.charCodeAt(q))) {
          p = q + 1;
          digits++;
          continue;
        }
        break;
      }
      const after = p < this.end ? src.charCodeAt(p) : -1;
      if (digits === 0 || this.identifierCharAt(p)) {
        if (digits > 0 && isDigit(after)) throw this.syntax(`invalid digit '${String.fromCharCode(after)}' in ${kind} literal`, p);
        throw this.syntax(`invalid ${kind} literal`, p);
      }
      const text = src.slice(s, p).replace(/_/g, "");
      this.pos = p;
      return { t: "int", v: BigInt(text), s, e: p };
    }
    // Decimal: digitpart ["." [digitpart]] [exponent] ["j"], or "." digitpart ...
    const digitPart = (): boolean => {
      if (!(p < this.end && isDigit(src.charCodeAt(p)))) return false;
      p++;
      for (;;) {
        if (p < this.end && isDigit(src.charCodeAt(p))) {
          p++;
          continue;
        }
        if (p < this.end && src.charCodeAt(p) === 95) {
          if (p + 1 < this.end && isDigit(src.charCodeAt(p + 1))) {
            p += 2;
            continue;
          }
          throw this.syntax("invalid decimal literal", p);
        }
        return true;
      }
    };
    let isFloat = false;
    digitPart();
    if (p < this.end && src.charCodeAt(p) === 46) {
      isFloat = true;
      p++;
      digitPart();
    }
    if (p < this.end && (src.charCodeAt(p) | 32) === 101) {
      const e0 = p;
      p++;
      if (p < this.end && (src.charCodeAt(p) === 43 || src.charCodeAt(p) === 45)) p++;
      if (!digitPart()) throw this.syntax("invalid decimal literal", e0);
      isFloat = true;
    }
    let imag = false;
    if (p < this.end && (src.charCodeAt(p) | 32) === 106) {
      imag = true;
      p++;
    }
    if (this.identifierCharAt(p)) throw this.syntax("invalid decimal literal", p);
    this.pos = p;
    if (imag) return { t: "imag", s, e: p };
    const text = src.slice(s, p).replace(/_/g, "");
    if (isFloat) return { t: "float", v: Number(text), s, e: p };
    // `0`, `00`, `0_0` are fine; `012` is not.
    if (text.length > 1 && text.charCodeAt(0) === 48 && /[1-9]/.test(text)) {
      throw this.syntax("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", s);
    }
    if (text.length > PY_INT_MAX_STR_DIGITS) {
      throw new ActionParseError(
        "INT_TOO_LARGE",
        `int literal of ${text.length} digits exceeds Python's limit of ${PY_INT_MAX_STR_DIGITS} digits for integer string conversion`,
        "Use a smaller number.",
        { position: s },
      );
    }
    return { t: "int", v: BigInt(text), s, e: p };
  }

  /** `s` is the token start (prefix included); the quote is at `s + prefix.length`. */
  private scanString(s: number, prefix: string): Tok {
    const src = this.src;
    const raw = prefix.includes("r");
    const bytes = prefix.includes("b");
    const fstr = prefix.includes("f");
    let p = s + prefix.length;
    const q = src.charCodeAt(p);
    const triple = p + 2 < this.end && src.charCodeAt(p + 1) === q && src.charCodeAt(p + 2) === q;
    p += triple ? 3 : 1;
    const parts: string[] = [];
    let run = p;
    const flush = (to: number): void => {
      if (to > run) parts.push(src.slice(run, to));
    };
    for (;;) {
      if (p >= this.end) {
        throw this.syntax(
          triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
          s,
          "Close every string with the quote it was opened with.",
        );
      }
      const c = src.charCodeAt(p);
      if (c === q) {
        if (!triple) break;
        if (p + 2 < this.end && src.charCodeAt(p + 1) === q && src.charCodeAt(p + 2) === q) break;
        p++;
        continue;
      }
      if (c === 10 || c === 13) {
        if (!triple)
          throw this.syntax(
            "unterminated string literal",
            s,
            "Close every string with the quote it was opened with; write a line break as \\n.",
          );
        // CPython reads source with universal newlines: \r\n and \r become \n.
        flush(p);
        parts.push("\n");
        p += c === 13 && src.charCodeAt(p + 1) === 10 ? 2 : 1;
        run = p;
        continue;
      }
      if (c !== 92) {
        p++;
        continue;
      }
      // Backslash.
      flush(p);
      if (p + 1 >= this.end) {
        throw this.syntax(
          triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
          s,
          "Close every string with the quote it was opened with.",
        );
      }
      const d = src.charCodeAt(p + 1);
      if (d === 10 || d === 13) {
        const nl = d === 13 && src.charCodeAt(p + 2) === 10 ? 2 : 1;
        if (raw) parts.push("\\\n");
        p += 1 + nl;
        run = p;
        continue;
      }
      if (raw) {
        // The backslash stays, and still keeps the next character from ending the string.
        const ch = String.fromCodePoint(src.codePointAt(p + 1) as number);
        parts.push("\\" + ch);
        p += 1 + ch.length;
        run = p;
        continue;
      }
      p = this.escape(p, parts, bytes);
      run = p;
    }
    flush(p);
    p += triple ? 3 : 1;
    this.pos = p;
    if (bytes) {
      for (const part of parts) {
        for (let i = 0; i < part.length; i++) {
          if (part.charCodeAt(i) > 127) throw this.syntax("bytes can only contain ASCII literal characters", s);
        }
      }
    }
    return { t: "str", v: parts.join(""), bytes, fstr, s, e: p };
  }

  /** Decodes the escape whose backslash is at `p`; returns the index after it. */
  private escape(p: number, parts: string[], bytes: boolean): number {
    const src = this.src;
    const d = src.charCodeAt(p + 1);
    const m = SIMPLE_ESCAPES.get(d);
    if (m !== undefined) {
      parts.push(m);
      return p + 2;
    }
    if (d >= 48 && d <= 55) {
      let q = p + 1;
      let v = 0;
      while (q < this.end && q < p + 4 && src.charCodeAt(q) >= 48 && src.charCodeAt(q) <= 55) {
        v = v * 8 + (src.charCodeAt(q) - 48);
        q++;
      }
      parts.push(String.fromCharCode(bytes ? v & 0xff : v));
      return q;
    }
    const hexEscape = (len: number, what: string): number => {
      for (let i = 0; i < len; i++) {
        const q = p + 2 + i;
        if (!(q < this.end && isHex(src.charCodeAt(q)))) {
          throw this.syntax(
            `(unicode error) 'unicodeescape' codec can't decode bytes: truncated ${what} escape`,
            p,
            "Write \\x with 2 hex digits, \\u with 4, \\U with 8.",
          );
        }
      }
      const v = parseInt(src.slice(p + 2, p + 2 + len), 16);
      if (v > 0x10ffff)
        throw this.syntax(
          "(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character",
          p,
          "Use a code point up to \\U0010FFFF.",
        );
      parts.push(v <= 0xffff ? String.fromCharCode(v) : String.fromCodePoint(v));
      return p + 2 + len;
    };
    if (d === 120) return hexEscape(2, "\\xXX");
    if (!bytes && d === 117) return hexEscape(4, "\\uXXXX");
    if (!bytes && d === 85) return hexEscape(8, "\\UXXXXXXXX");
    if (!bytes && d === 78) {
      throw new ActionParseError(
        "UNSUPPORTED_ESCAPE",
        "\\N{...} named Unicode escapes are not supported",
        "Write the character itself or use a \\u/\\U escape.",
        {
          position: p,
        },
      );
    }
    // Unknown escape: Python keeps the backslash (with a DeprecationWarning).
    const ch = String.fromCodePoint(src.codePointAt(p + 1) as number);
    parts.push("\\" + ch);
    return p + 1 + ch.length;
  }
}
