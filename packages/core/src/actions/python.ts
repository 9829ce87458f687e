/**
 * Safe parsers for Python call strings and literals: what BFCL ground truth and prompting models
 * write (`[cd(folder='docs'), sort('a.txt')]`), `ast.literal_eval`-style literals and modules of
 * `NAME = <literal>` assignments. Nothing is evaluated: the grammar is literals, calls with
 * positional and keyword arguments, and unary +/- on numbers. Everything else Python would accept
 * (operators, nested calls, bare names, subscripts, lambdas, comprehensions, f-strings, bytes,
 * complex numbers, `*args`) is refused with a stable {@link ActionErrorCode} and a fix hint.
 *
 * Bounded work: one linear pass, recursion only for brackets and unary operators, capped at
 * `maxDepth` (100), inputs capped at `maxInputLength` (1 MiB).
 */
import { PyDict, PySet, PyTuple, pyHashKey, pyTypeName, type PyObject, type PyValue } from "../py/value.ts";
import { PY_ELLIPSIS } from "../py/encode.ts";
import { ActionParseError, tooManyCalls } from "./errors.ts";
import { fastParseCall } from "./fast-call.ts";
import { Lexer, PY_KEYWORDS, type Tok } from "./pylex.ts";
import type { ToolCall } from "./types.ts";

export interface PythonParseOptions {
  /** Deepest bracket / unary-operator nesting accepted (default 100). */
  maxDepth?: number;
  /** Longest input accepted, in UTF-16 code units (default 1 MiB = 1,048,576). */
  maxInputLength?: number;
  /**
   * Most calls one action may hold; one more fails with `TOO_MANY_CALLS` as soon as the parser
   * reaches it, so a flood of `pwd(),` is refused before it becomes a huge array. Default: no limit.
   */
  maxCalls?: number;
}

export const DEFAULT_MAX_DEPTH = 100;
export const DEFAULT_MAX_INPUT_LENGTH = 1 << 20;

const CALL_HINT = "Write a list of calls with literal arguments, e.g. [cd(folder='docs'), ls(a=True)].";
const LITERAL_HINT = "Write a Python literal, e.g. [1, 'a', {'k': None}].";
const MODULE_HINT = "Write one NAME = <literal> statement per line.";

// Stands in for a value whose error is deferred (bare names, nested calls): never escapes a parse,
// because a parse with a deferred error always ends by throwing it.
const DEFERRED: PyObject = Object.freeze({
  pyKind: "object" as const,
  pyTypeName: () => "deferred",
  pyRepr: () => "<deferred>",
  pyEquals: (o: PyValue) => o === DEFERRED,
  pyEncode: () => "null",
});

const BINARY_OPS: ReadonlySet<string> = new Set([
  "+",
  "-",
  "*",
  "/",
  "//",
  "%",
  "**",
  "@",
  "<<",
  ">>",
  "&",
  "|",
  "^",
  "<",
  ">",
  "<=",
  ">=",
  "==",
  "!=",
]);
const WORD_OPS: ReadonlySet<string> = new Set(["and", "or", "not", "in", "is", "if"]);
const CLOSERS: ReadonlySet<string> = new Set([")", "]", "}"]);

function unsupported(
  what: string,
  position: number,
  hint = "Compute the value yourself and pass it as a plain literal.",
): ActionParseError {
  return new ActionParseError("UNSUPPORTED_EXPRESSION", `${what} not supported`, hint, { position });
}

function describe(t: Tok): string {
  switch (t.t) {
    case "name":
      return `name '${t.v}'`;
    case "int":
    case "float":
    case "imag":
      return "number";
    case "str":
      return "string";
    case "op":
      return `'${t.v}'`;
    case "nl":
      return "line break";
    case "eof":
      return "end of input";
  }
}

function checkInput(text: unknown, opts: PythonParseOptions | undefined): asserts text is string {
  if (typeof text !== "string") {
    throw new ActionParseError("BAD_INPUT", `expected a string, got ${text === null ? "null" : typeof text}`, "Pass the model's text.");
  }
  const max = opts?.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH;
  if (text.length > max) {
    throw new ActionParseError(
      "INPUT_TOO_LARGE",
      `input of ${text.length} characters exceeds the limit of ${max}`,
      "Send a shorter action.",
    );
  }
}

function checkNul(text: string, s: number, e: number): void {
  const i = text.indexOf("\0", s);
  if (i !== -1 && i < e) {
    throw new ActionParseError(
      "PY_SYNTAX",
      "source code cannot contain null bytes",
      "Remove the NUL character (write it as '\\x00' inside a string).",
      { position: i },
    );
  }
}

class Parser {
  private readonly lx: Lexer;
  private readonly maxDepth: number;
  private deferred: ActionParseError | undefined;
  private deferredSyntax: ActionParseError | undefined;
  private readonly hasComment: boolean;
  private readonly hint: string;
  private readonly maxCalls: number;

  constructor(lx: Lexer, opts: PythonParseOptions | undefined, hint: string, hasComment = false) {
    this.lx = lx;
    this.hint = hint;
    this.hasComment = hasComment;
    this.maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxCalls = opts?.maxCalls ?? Infinity;
  }

  // Errors Python reports only after parsing (NameError at run time, duplicate keywords at compile
  // time) wait until the whole input parsed, so a syntax error anywhere is reported first, like Python.
  // Only the first error of each kind is ever thrown, so later ones are never built (an Error
  // captures a stack trace: building one per duplicate in a 1 MB flood would cost seconds).
  private defer(compileTime: boolean, make: () => ActionParseError): void {
    if (compileTime) this.deferredSyntax ??= make();
    else this.deferred ??= make();
  }

  private finish(): void {
    const err = this.deferredSyntax ?? this.deferred;
    if (err) throw err;
  }

  private isOp(t: Tok, v: string): boolean {
    return t.t === "op" && t.v === v;
  }

  private unexpected(t: Tok, open?: Tok): ActionParseError {
    if (t.t === "eof" && open && open.t === "op") {
      return new ActionParseError(
        "PY_SYNTAX",
        `'${open.v}' was never closed`,
        `Close it with '${({ "(": ")", "[": "]", "{": "}" } as Record<string, string>)[open.v] ?? ""}'.`,
        { position: open.s },
      );
    }
    if (t.t === "op" && CLOSERS.has(t.v)) {
      if (open && open.t === "op") {
        return new ActionParseError("PY_SYNTAX", `closing parenthesis '${t.v}' does not match opening parenthesis '${open.v}'`, this.hint, {
          position: t.s,
        });
      }
      return new ActionParseError("PY_SYNTAX", `unmatched '${t.v}'`, this.hint, { position: t.s });
    }
    if (t.t === "eof") return new ActionParseError("PY_SYNTAX", "unexpected end of input", this.hint, { position: t.s });
    return new ActionParseError("PY_SYNTAX", `invalid syntax: unexpected ${describe(t)}`, this.hint, { position: t.s });
  }

  /** After an element of a bracketed sequence: a comma, the closer, or an error naming what is wrong. */
  private afterElement(open: Tok | undefined, close: string): "comma" | "close" {
    const t = this.lx.peek();
    if (this.isOp(t, ",")) {
      this.lx.next();
      return "comma";
    }
    if (close === "eof" ? t.t === "eof" : this.isOp(t, close)) return "close";
    this.checkTrailingOperator();
    if (t.t === "eof" || (t.t === "op" && CLOSERS.has(t.v))) throw this.unexpected(t, open);
    if (t.t === "name" && t.v === "for") throw unsupported("comprehensions and generator expressions are", t.s);
    if (t.t === "op" && (t.v === "=" || t.v === ":")) throw this.unexpected(t, open);
    return this.missingComma(t);
  }

  private missingComma(t: Tok): never {
    throw new ActionParseError("PY_SYNTAX", "invalid syntax. Perhaps you forgot a comma?", "Separate calls and values with commas.", {
      position: t.s,
    });
  }

  private expectClose(open: Tok, close: string): void {
    const t = this.lx.next();
    if (!this.isOp(t, close)) throw this.unexpected(t, open);
  }

  /** `first.second.third`: the rest of a dotted name (no part may be a keyword). */
  private dottedTail(first: string): string {
    let name = first;
    while (this.isOp(this.lx.peek(), ".") && this.lx.peek(1).t === "name") {
      this.lx.next();
      const part = this.lx.next() as Tok & { t: "name" };
      if (PY_KEYWORDS.has(part.v))
        throw new ActionParseError("PY_SYNTAX", `invalid syntax: unexpected keyword '${part.v}'`, this.hint, { position: part.s });
      name += "." + part.v;
    }
    return name;
  }

  private keywordError(t: Tok & { t: "name" }): ActionParseError {
    if (t.v === "lambda") return unsupported("lambda expressions are", t.s);
    if (t.v === "not") return unsupported("the 'not' operator is", t.s);
    if (t.v === "await" || t.v === "yield") return unsupported(`'${t.v}' expressions are`, t.s);
    return new ActionParseError("PY_SYNTAX", `invalid syntax: unexpected keyword '${t.v}'`, this.hint, { position: t.s });
  }

  /** Refuses an operator, subscript, attribute access or call applied to a value just parsed. */
  private checkTrailingOperator(): void {
    const t = this.lx.peek();
    if (t.t === "op") {
      if (BINARY_OPS.has(t.v)) throw unsupported(`the operator '${t.v}' is`, t.s);
      if (t.v === ":=") throw unsupported("assignment expressions (:=) are", t.s);
      if (t.v === "(") throw unsupported("calling the result of an expression is", t.s, "Call tools only at the top level.");
      if (t.v === "[") throw unsupported("subscripts are", t.s);
      if (t.v === ".") throw unsupported("attribute access is", t.s);
    } else if (t.t === "name" && WORD_OPS.has(t.v)) {
      throw unsupported(t.v === "if" ? "conditional expressions are" : `the operator '${t.v}' is`, t.s);
    }
  }

  // ---- values -------------------------------------------------------------------------------

  value(depth: number): PyValue {
    const v = this.unary(depth);
    this.checkTrailingOperator();
    return v;
  }

  /** A value or a bare tuple `a, b` (assignment right-hand sides and `literal_eval` input). */
  testList(depth: number): PyValue {
    const first = this.value(depth);
    if (!this.isOp(this.lx.peek(), ",")) return first;
    const items: PyValue[] = [first];
    while (this.isOp(this.lx.peek(), ",")) {
      this.lx.next();
      const t = this.lx.peek();
      if (t.t === "eof" || t.t === "nl" || this.isOp(t, ";")) break;
      items.push(this.value(depth));
    }
    return new PyTuple(items);
  }

  private tooDeep(position: number): ActionParseError {
    return new ActionParseError("TOO_DEEP", `nesting deeper than ${this.maxDepth} levels`, "Flatten the value.", { position });
  }

  private unary(depth: number): PyValue {
    const t = this.lx.peek();
    if (depth > this.maxDepth) throw this.tooDeep(t.s);
    if (t.t === "op" && (t.v === "-" || t.v === "+")) {
      this.lx.next();
      const v = this.unary(depth + 1);
      if (v === DEFERRED) return v;
      if (typeof v === "bigint") return t.v === "-" ? -v : v;
      if (typeof v === "number") return t.v === "-" ? -v : v;
      throw unsupported(`unary '${t.v}' on a non-number is`, t.s);
    }
    if (t.t === "op" && t.v === "~") throw unsupported("the operator '~' is", t.s);
    if (t.t === "name" && (t.v === "not" || t.v === "lambda" || t.v === "await" || t.v === "yield")) throw this.keywordError(t);
    return this.primary(depth);
  }

  private primary(depth: number): PyValue {
    const t = this.lx.next();
    switch (t.t) {
      case "int":
      case "float":
        return t.v;
      case "imag":
        throw unsupported("complex numbers are", t.s, "Pass a real number.");
      case "str":
        return this.strings(t);
      case "name":
        return this.name(t, depth);
      case "op":
        switch (t.v) {
          case "[":
            return this.list(t, depth);
          case "(":
            return this.paren(t, depth);
          case "{":
            return this.brace(t, depth);
          case "...":
            return PY_ELLIPSIS;
          case "*":
          case "**":
            throw unsupported("unpacking (*, **) is", t.s, "Write every element out.");
        }
        throw this.unexpected(t);
      default:
        throw this.unexpected(t);
    }
  }

  private strings(first: Tok & { t: "str" }): PyValue {
    const toks: Array<Tok & { t: "str" }> = [first];
    for (let n = this.lx.peek(); n.t === "str"; n = this.lx.peek()) toks.push(this.lx.next() as Tok & { t: "str" });
    const f = toks.find((x) => x.fstr);
    if (f) throw unsupported("f-strings are", f.s, "Write the final text as a plain string.");
    const nBytes = toks.filter((x) => x.bytes).length;
    if (nBytes > 0 && nBytes < toks.length) {
      throw new ActionParseError("PY_SYNTAX", "cannot mix bytes and nonbytes literals", "Use plain strings.", { position: first.s });
    }
    if (nBytes > 0) throw unsupported("bytes literals are", first.s, "Pass a str: drop the b prefix.");
    return toks.length === 1 ? first.v : toks.map((x) => x.v).join("");
  }

  private name(t: Tok & { t: "name" }, depth: number): PyValue {
    if (t.v === "True") return true;
    if (t.v === "False") return false;
    if (t.v === "None") return null;
    if (PY_KEYWORDS.has(t.v)) throw this.keywordError(t);
    const name = this.dottedTail(t.v);
    if (this.isOp(this.lx.peek(), "(")) {
      if (name === "set" && this.isOp(this.lx.peek(1), ")")) {
        // `set()` is the only spelling of an empty set; ast.literal_eval accepts it too.
        this.lx.next();
        this.lx.next();
        return new PySet();
      }
      this.callArgs(depth + 1);
      this.defer(
        false,
        () =>
          new ActionParseError(
            "NESTED_CALL",
            `nested call ${name}(...) used as an argument value`,
            "Call it as a separate step first, then pass its result as a literal.",
            {
              position: t.s,
            },
          ),
      );
      return DEFERRED;
    }
    const lower = name.toLowerCase();
    const hint =
      lower === "true" || lower === "false"
        ? "Python spells booleans True and False."
        : lower === "null" || lower === "none" || lower === "nil" || lower === "undefined"
          ? "Python spells null as None."
          : `Quote it if you meant the string '${name}'.`;
    this.defer(false, () => new ActionParseError("BARE_NAME", `bare name ${name} used as a value`, hint, { position: t.s }));
    return DEFERRED;
  }

  private list(open: Tok, depth: number): PyValue {
    const items: PyValue[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (this.isOp(t, "]")) break;
      items.push(this.value(depth + 1));
      if (this.afterElement(open, "]") === "close") break;
    }
    this.expectClose(open, "]");
    return items;
  }

  private paren(open: Tok, depth: number): PyValue {
    if (this.isOp(this.lx.peek(), ")")) {
      this.lx.next();
      return new PyTuple([]);
    }
    const first = this.value(depth + 1);
    const t = this.lx.peek();
    if (this.isOp(t, ")")) {
      this.lx.next();
      return first;
    }
    const items: PyValue[] = [first];
    if (this.afterElement(open, ")") === "comma") {
      for (;;) {
        if (this.isOp(this.lx.peek(), ")")) break;
        items.push(this.value(depth + 1));
        if (this.afterElement(open, ")") === "close") break;
      }
    }
    this.expectClose(open, ")");
    return new PyTuple(items);
  }

  private brace(open: Tok, depth: number): PyValue {
    let t = this.lx.peek();
    if (this.isOp(t, "}")) {
      this.lx.next();
      return new PyDict();
    }
    if (this.isOp(t, "**")) throw unsupported("dict unpacking (**) is", t.s, "Write every entry out.");
    const first = this.value(depth + 1);
    t = this.lx.peek();
    if (this.isOp(t, ":")) {
      const d = new PyDict();
      this.lx.next();
      this.put(d, first, this.value(depth + 1), t.s);
      for (;;) {
        if (this.afterElement(open, "}") === "close") break;
        t = this.lx.peek();
        if (this.isOp(t, "}")) break;
        if (this.isOp(t, "**")) throw unsupported("dict unpacking (**) is", t.s, "Write every entry out.");
        const k = this.value(depth + 1);
        const colon = this.lx.next();
        if (!this.isOp(colon, ":")) {
          if (colon.t === "eof" || (colon.t === "op" && CLOSERS.has(colon.v))) throw this.unexpected(colon, open);
          throw new ActionParseError("PY_SYNTAX", "':' expected after dictionary key", "Write dict entries as key: value.", {
            position: colon.s,
          });
        }
        this.put(d, k, this.value(depth + 1), colon.s);
      }
      this.expectClose(open, "}");
      return d;
    }
    const s = new PySet();
    this.add(s, first, open.s);
    for (;;) {
      if (this.afterElement(open, "}") === "close") break;
      t = this.lx.peek();
      if (this.isOp(t, "}")) break;
      if (this.isOp(t, "*")) throw unsupported("unpacking (*) is", t.s, "Write every element out.");
      this.add(s, this.value(depth + 1), t.s);
    }
    this.expectClose(open, "}");
    return s;
  }

  /** Python raises TypeError for an unhashable key; checked up front so a flood costs no exceptions. */
  private hashable(k: PyValue, position: number): boolean {
    if (pyHashKey(k) !== undefined) return true;
    this.defer(
      false,
      () =>
        new ActionParseError(
          "UNHASHABLE_KEY",
          `unhashable type: '${pyTypeName(k)}'`,
          "Use a str, number, bool, None or tuple as dict key or set element.",
          { position },
        ),
    );
    return false;
  }

  private put(d: PyDict, k: PyValue, v: PyValue, position: number): void {
    if (k !== DEFERRED && this.hashable(k, position)) d.set(k, v);
  }

  private add(s: PySet, v: PyValue, position: number): void {
    if (v !== DEFERRED && this.hashable(v, position)) s.add(v);
  }

  // ---- calls --------------------------------------------------------------------------------

  private callArgs(depth: number): { args: PyValue[]; kwargs: Array<[string, PyValue]> } {
    const open = this.lx.next();
    const args: PyValue[] = [];
    const kwargs: Array<[string, PyValue]> = [];
    const seen = new Set<string>();
    if (depth > this.maxDepth) throw this.tooDeep(open.s);
    for (;;) {
      const t = this.lx.peek();
      if (this.isOp(t, ")")) break;
      if (this.isOp(t, "*") || this.isOp(t, "**")) {
        throw new ActionParseError(
          "STAR_ARGS",
          `argument unpacking (${this.isOp(t, "*") ? "*" : "**"}) is not supported`,
          "Pass every argument explicitly as name=value.",
          { position: t.s },
        );
      }
      const t1 = this.lx.peek(1);
      if (t.t === "name" && this.isOp(t1, "=")) {
        if (PY_KEYWORDS.has(t.v)) {
          const detail =
            t.v === "True" || t.v === "False" || t.v === "None" ? `cannot assign to ${t.v}` : `invalid syntax: '${t.v}' is a reserved word`;
          throw new ActionParseError("PY_SYNTAX", detail, "Use the parameter names of the tool.", { position: t.s });
        }
        this.lx.next();
        this.lx.next();
        const v = this.value(depth);
        if (seen.has(t.v)) {
          this.defer(
            true,
            () =>
              new ActionParseError("DUPLICATE_KEYWORD", `keyword argument repeated: ${t.v}`, "Pass each argument once.", { position: t.s }),
          );
        } else {
          seen.add(t.v);
          kwargs.push([t.v, v]);
        }
      } else {
        const v = this.value(depth);
        if (kwargs.length > 0 || seen.size > 0) {
          throw new ActionParseError(
            "POSITIONAL_AFTER_KEYWORD",
            "positional argument follows keyword argument",
            "Put positional arguments first, or pass every argument as name=value.",
            {
              position: t.s,
            },
          );
        }
        args.push(v);
      }
      if (this.afterElement(open, ")") === "close") break;
    }
    this.expectClose(open, ")");
    return { args, kwargs };
  }

  private notACall(index: number, what: string, position: number, hint = this.hint): ActionParseError {
    return new ActionParseError("NOT_A_CALL", `element ${index + 1} of the call list is ${what}, not a call`, hint, { position });
  }

  /** One element of the call list. Non-calls are parsed as values first, so syntax errors win. */
  private call(index: number): ToolCall | undefined {
    const t = this.lx.peek();
    if (t.t === "op" && (t.v === "*" || t.v === "**")) throw unsupported("unpacking (*) in the call list is", t.s, this.hint);
    if (t.t !== "name" || t.v === "True" || t.v === "False" || t.v === "None") {
      const what =
        t.t === "str"
          ? "a string"
          : t.t === "name"
            ? t.v
            : t.t === "op"
              ? (({ "[": "a list", "(": "a tuple", "{": "a dict or set" } as Record<string, string>)[t.v] ?? "an expression")
              : "a number";
      this.value(1);
      this.defer(false, () => this.notACall(index, what, t.s));
      return undefined;
    }
    this.lx.next();
    if (PY_KEYWORDS.has(t.v)) throw this.keywordError(t);
    const name = this.dottedTail(t.v);
    if (!this.isOp(this.lx.peek(), "(")) {
      this.checkTrailingOperator();
      this.defer(false, () => this.notACall(index, `the bare name ${name}`, t.s, `Call it with parentheses: ${name}().`));
      return undefined;
    }
    const { args, kwargs } = this.callArgs(1);
    this.checkTrailingOperator();
    return { name, args, kwargs };
  }

  /** `[call, ...]`, `(call, ...)`, `call, ...` or a single call; then the end of input. */
  calls(): ToolCall[] {
    const first = this.lx.peek();
    const out: ToolCall[] = [];
    let open: Tok | undefined;
    let close = "eof";
    if (this.isOp(first, "[") || this.isOp(first, "(")) {
      // `(x)` and `[x]` both group calls here: a call list, a tuple of calls, or one call in parens.
      open = this.lx.next();
      close = first.t === "op" && first.v === "[" ? "]" : ")";
    }
    for (let i = 0; ; i++) {
      const t = this.lx.peek();
      if (close === "eof" ? t.t === "eof" : this.isOp(t, close)) break;
      if (i >= this.maxCalls) throw tooManyCalls(this.maxCalls, this.lx.peek().s);
      const c = this.call(i);
      if (c) out.push(c);
      if (this.afterElement(open, close) === "close") break;
    }
    if (first.t === "eof" && this.hasComment) {
      throw new ActionParseError("PY_SYNTAX", "no call found, only a comment", this.hint, { position: first.s });
    }
    if (open) this.expectClose(open, close);
    const rest = this.lx.peek();
    if (rest.t !== "eof") {
      this.checkTrailingOperator();
      if (rest.t === "op" && CLOSERS.has(rest.v)) throw this.unexpected(rest);
      if (rest.t === "op" && rest.v === ",") {
        throw new ActionParseError("PY_SYNTAX", "invalid syntax: text after the call list", "Put all calls inside one list.", {
          position: rest.s,
        });
      }
      throw new ActionParseError(
        "PY_SYNTAX",
        `invalid syntax: unexpected ${describe(rest)} after the call list`,
        "Send only the call list, with no text around it.",
        { position: rest.s },
      );
    }
    this.finish();
    return out;
  }

  literal(): PyValue {
    this.skipNewlines();
    const t = this.lx.peek();
    if (t.t === "eof")
      throw new ActionParseError("PY_SYNTAX", "empty input: expected a literal", "Pass a Python literal such as [1, 'a'].", {
        position: t.s,
      });
    const v = this.testList(1);
    this.skipNewlines();
    const rest = this.lx.peek();
    if (rest.t !== "eof") throw this.unexpected(rest);
    this.finish();
    return v;
  }

  private skipNewlines(): void {
    while (this.lx.peek().t === "nl") this.lx.next();
  }

  assignments(): Array<[string, PyValue]> {
    const out: Array<[string, PyValue]> = [];
    const badStatement = (t: Tok): ActionParseError =>
      new ActionParseError(
        "BAD_STATEMENT",
        `statement starting with ${describe(t)} is not an assignment NAME = <literal>`,
        "A constants module may only hold NAME = <literal> lines, comments and blank lines.",
        {
          position: t.s,
        },
      );
    for (;;) {
      this.skipNewlines();
      const t = this.lx.next();
      if (t.t === "eof") break;
      if (t.t === "name" && !PY_KEYWORDS.has(t.v) && this.isOp(this.lx.peek(), "=")) {
        this.lx.next();
        out.push([t.v, this.testList(1)]);
      } else if (t.t === "str") {
        // A docstring-like expression statement: harmless, skipped.
        this.strings(t);
      } else {
        throw badStatement(t);
      }
      const end = this.lx.peek();
      if (end.t === "eof" || end.t === "nl") continue;
      if (this.isOp(end, ";")) {
        this.lx.next();
        continue;
      }
      if (this.isOp(end, "=")) throw badStatement(t);
      throw this.unexpected(end);
    }
    this.finish();
    return out;
  }
}

const FENCE_TAGS: ReadonlySet<string> = new Set(["python", "py", "python3"]);
const STRIP_SET = (c: number): boolean => c === 96 || c === 10 || c === 32;

/**
 * Parses a model's call list: `[cd(folder='x'), ls(a=True)]`, a single call `ls(a=True)`, a tuple
 * of calls, or an empty list (→ `[]`). Surrounding backticks, newlines and spaces are ignored like
 * the reference's `strip("`\n ")`; a Markdown fence tag (```` ```python ````) is skipped too.
 * Positional arguments are kept; dotted names (`Class.method`) keep the full dotted name.
 *
 * @throws ActionParseError for anything else (see {@link ACTION_ERROR_CODES}).
 */
export function parsePythonCalls(text: string, opts?: PythonParseOptions): ToolCall[] {
  if (opts === undefined && typeof text === "string") {
    const fast = fastParseCall(text);
    if (fast !== undefined) return [fast];
  }
  checkInput(text, opts);
  let s = 0;
  let e = text.length;
  while (s < e && STRIP_SET(text.charCodeAt(s))) s++;
  while (e > s && STRIP_SET(text.charCodeAt(e - 1))) e--;
  if (s >= 3 && text.slice(0, s).includes("```")) {
    let p = s;
    while (p < e && /[A-Za-z0-9]/.test(text[p] as string)) p++;
    if (p > s && FENCE_TAGS.has(text.slice(s, p).toLowerCase()) && (text[p] === "\n" || text[p] === "\r")) {
      s = p;
      while (s < e && (STRIP_SET(text.charCodeAt(s)) || text.charCodeAt(s) === 13)) s++;
    }
  }
  checkNul(text, s, e);
  const lx = new Lexer(text, s, e, { newlines: false, checkIndent: false, hint: CALL_HINT });
  const hash = text.indexOf("#", s);
  return new Parser(lx, opts, CALL_HINT, hash !== -1 && hash < e).calls();
}

/**
 * `ast.literal_eval` for the core value model: str, int, float, bool, None, list, tuple, dict, set
 * (`set()` included), unary +/- on numbers, implicit string concatenation, `...` (Ellipsis) and a
 * bare top-level tuple `1, 2`. Complex numbers and bytes are refused.
 */
export function parsePythonLiteral(text: string, opts?: PythonParseOptions): PyValue {
  checkInput(text, opts);
  // Like ast.literal_eval: leading spaces and tabs are dropped, then indentation is Python's.
  let s = 0;
  while (s < text.length && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  checkNul(text, s, text.length);
  const lx = new Lexer(text, s, text.length, { newlines: true, checkIndent: true, hint: LITERAL_HINT });
  return new Parser(lx, opts, LITERAL_HINT).literal();
}

/**
 * Parses a module made only of `NAME = <literal>` statements (comments, blank lines, multi-line
 * bracketed literals, `;` separators and docstrings allowed), such as BFCL's `long_context.py`.
 * Returns the assignments in source order (a name assigned twice appears twice). The literal `...`
 * becomes core's {@link PY_ELLIPSIS}.
 */
export function parsePythonAssignments(text: string, opts?: PythonParseOptions): Array<[string, PyValue]> {
  const o = { maxInputLength: 64 << 20, ...opts };
  checkInput(text, o);
  let s = 0;
  if (text.charCodeAt(0) === 0xfeff) s = 1; // a UTF-8 BOM read as text
  checkNul(text, s, text.length);
  const lx = new Lexer(text, s, text.length, { newlines: true, checkIndent: true, hint: MODULE_HINT });
  return new Parser(lx, o, MODULE_HINT).assignments();
}
