/**
 * Python `json.loads` semantics for TypeScript: ints stay exact (`bigint`), floats are `number`,
 * objects are insertion-ordered {@link PyDict}s (duplicate keys: last value wins, first position kept).
 * A hand-written scanner over char codes: the trace files are 12 MB, so no regex per token.
 */
import { PyDict } from "./value.ts";
import type { PyValue } from "./value.ts";

class JsonError extends Error {
  constructor(msg: string, text: string, pos: number) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos && i < text.length; i++) {
      if (text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const snippet = text.slice(Math.max(0, pos - 20), pos + 20).replace(/\n/g, "\\n");
    super(
      `[envtune] [core] Invalid JSON: ${msg}: line ${line} column ${pos - lineStart + 1} (char ${pos}) near ${JSON.stringify(snippet)}. ` +
        `Check that the text is JSON as Python's json.dumps writes it.`,
    );
    this.name = "SyntaxError";
  }
}

const SMALL_INTS: bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i));

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

class Parser {
  private readonly s: string;
  private i: number;
  constructor(s: string) {
    this.s = s;
    this.i = 0;
  }

  fail(msg: string, at = this.i): never {
    throw new JsonError(msg, this.s, at);
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    this.i = i;
  }

  parseDocument(): PyValue {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail("Extra data");
    return v;
  }

  value(depth: number): PyValue {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 0x22: // "
        return this.str();
      case 0x7b: // {
        return this.obj(depth);
      case 0x5b: // [
        return this.arr(depth);
      case 0x74: // t
        return this.word("true", true);
      case 0x66: // f
        return this.word("false", false);
      case 0x6e: // n
        return this.word("null", null);
      case 0x4e: // N
        return this.word("NaN", NaN);
      case 0x49: // I
        return this.word("Infinity", Infinity);
      case 0x2d: // -
        if (s.charCodeAt(this.i + 1) === 0x49) {
          this.i++;
          return this.word("Infinity", -Infinity, this.i - 1);
        }
        return this.num();
      default:
        if (c >= 0x30 && c <= 0x39) return this.num();
        return this.fail("Expecting value");
    }
  }

  private word<T extends PyValue>(w: string, v: T, errAt = this.i): T {
    if (!this.s.startsWith(w, this.i)) this.fail("Expecting value", errAt);
    this.i += w.length;
    return v;
  }

  private num(): PyValue {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    let c = s.charCodeAt(i);
    if (c === 0x30) i++;
    else if (c >= 0x31 && c <= 0x39) {
      i++;
      while ((c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) i++;
    } else this.fail("Expecting value", start);
    let isFloat = false;
    if (s.charCodeAt(i) === 0x2e) {
      const d = s.charCodeAt(i + 1);
      // Python's NUMBER_RE needs digits after '.', else the int alone is the value ("1." → Extra data).
      if (d >= 0x30 && d <= 0x39) {
        isFloat = true;
        i += 2;
        while ((c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) i++;
      }
    }
    c = s.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      let j = i + 1;
      const sgn = s.charCodeAt(j);
      if (sgn === 0x2b || sgn === 0x2d) j++;
      const d = s.charCodeAt(j);
      if (d >= 0x30 && d <= 0x39) {
        isFloat = true;
        j++;
        while ((c = s.charCodeAt(j)) >= 0x30 && c <= 0x39) j++;
        i = j;
      }
    }
    this.i = i;
    const lexeme = s.slice(start, i);
    if (isFloat) return Number(lexeme);
    // Small ints: avoid BigInt string parsing (and, below 1024, allocation) for the common case.
    if (i - intStart <= 15) {
      const n = Number(lexeme);
      if (n >= 0 && n < SMALL_INTS.length) return SMALL_INTS[n] as bigint;
      return BigInt(n);
    }
    return BigInt(lexeme);
  }

  private str(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let chunkStart = i;
    let out = "";
    for (;;) {
      if (i >= s.length) this.fail("Unterminated string starting at", start);
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.i = i + 1;
        return out + s.slice(chunkStart, i);
      }
      if (c === 0x5c) {
        out += s.slice(chunkStart, i);
        const e = s.charCodeAt(i + 1);
        switch (e) {
          case 0x22:
            out += '"';
            break;
          case 0x5c:
            out += "\\";
            break;
          case 0x2f:
            out += "/";
            break;
          case 0x62:
            out += "\b";
            break;
          case 0x66:
            out += "\f";
            break;
          case 0x6e:
            out += "\n";
            break;
          case 0x72:
            out += "\r";
            break;
          case 0x74:
            out += "\t";
            break;
          case 0x75: {
            const h = this.hex4(i + 2);
            out += String.fromCharCode(h);
            i += 4;
            break;
          }
          default:
            if (i + 1 >= s.length) this.fail("Unterminated string starting at", start);
            this.fail("Invalid \\escape", i);
        }
        i += 2;
        chunkStart = i;
        continue;
      }
      if (c < 0x20) this.fail("Invalid control character at", i);
      i++;
    }
  }

  private hex4(at: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(at + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.fail("Invalid \\uXXXX escape", at - 1);
      v = v * 16 + d;
    }
    return v;
  }

  private arr(depth: number): PyValue[] {
    if (depth > 5000) this.fail("Nesting too deep");
    const s = this.s;
    this.i++;
    const out: PyValue[] = [];
    this.ws();
    if (s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.i >= s.length) this.fail("Expecting value");
      out.push(this.value(depth + 1));
      this.ws();
      const c = s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return out;
      }
      this.fail("Expecting ',' delimiter");
    }
  }

  private obj(depth: number): PyDict {
    if (depth > 5000) this.fail("Nesting too deep");
    const s = this.s;
    this.i++;
    const out = new PyDict();
    this.ws();
    if (s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (s.charCodeAt(this.i) !== 0x22) this.fail("Expecting property name enclosed in double quotes");
      const key = this.str();
      this.ws();
      if (s.charCodeAt(this.i) !== 0x3a) this.fail("Expecting ':' delimiter");
      this.i++;
      this.ws();
      if (this.i >= s.length) this.fail("Expecting value");
      out.set(key, this.value(depth + 1));
      this.ws();
      const c = s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return out;
      }
      this.fail("Expecting ',' delimiter");
    }
  }
}

/**
 * Python `json.loads(text)`: strict JSON plus `NaN`, `Infinity`, `-Infinity`; numbers without `.`/`e`
 * become `bigint`, other numbers `number`; objects become {@link PyDict}. Throws an Error whose message
 * starts with `[envtune] [core] Invalid JSON` (with line/column) on bad input.
 */
export function parsePyJson(text: string): PyValue {
  return new Parser(text).parseDocument();
}

/** Parses JSON Lines (one {@link parsePyJson} document per non-blank line). */
export function parsePyJsonLines(text: string): PyValue[] {
  const out: PyValue[] = [];
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start < n) {
    lineNo++;
    let end = text.indexOf("\n", start);
    if (end < 0) end = n;
    let blank = true;
    for (let i = start; i < end; i++) {
      if (!isWs(text.charCodeAt(i))) {
        blank = false;
        break;
      }
    }
    if (!blank) {
      try {
        out.push(new Parser(text.slice(start, end)).parseDocument());
      } catch (e) {
        if (e instanceof JsonError) {
          e.message = e.message.replace("Invalid JSON:", `Invalid JSON (JSON Lines record on line ${lineNo}):`);
        }
        throw e;
      }
    }
    start = end + 1;
  }
  return out;
}
