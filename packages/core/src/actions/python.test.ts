import { describe, expect, it } from "vitest";
import { PyDict, PySet, PyTuple } from "../py/value.ts";
import { ActionParseError, type ActionErrorCode } from "./errors.ts";
import { PY_ELLIPSIS } from "../py/encode.ts";
import { formatCalls, formatValue } from "./format.ts";
import { parsePythonAssignments, parsePythonCalls, parsePythonLiteral } from "./python.ts";

const calls = (s: string): string => formatCalls(parsePythonCalls(s));
const lit = (s: string): string => formatValue(parsePythonLiteral(s));

function codeOf(f: () => unknown): ActionErrorCode | "ok" {
  try {
    f();
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(ActionParseError);
    return (e as ActionParseError).code;
  }
}
function errOf(f: () => unknown): ActionParseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ActionParseError);
    return e as ActionParseError;
  }
  throw new Error("expected an ActionParseError");
}

describe("parsePythonCalls: shapes", () => {
  it.each([
    ["[cd(folder='x'), sort('a.txt')]", "[cd(folder='x'), sort('a.txt')]"],
    ["ls(a=True)", "[ls(a=True)]"],
    ["(ls(a=True), cd(folder='x'))", "[ls(a=True), cd(folder='x')]"],
    ["ls(a=True), cd(folder='x')", "[ls(a=True), cd(folder='x')]"],
    ["(ls())", "[ls()]"],
    ["[ls(a=True), ]", "[ls(a=True)]"],
    ["[]", "[]"],
    ["", "[]"],
    ["   ", "[]"],
    ["()", "[]"],
    ["```\n[ls(a=True)]\n```", "[ls(a=True)]"],
    ["```python\n[ls(a=True)]\n```", "[ls(a=True)]"],
    [" \n[cd(folder='x'), ls()]\n ", "[cd(folder='x'), ls()]"],
    ["[GorillaFileSystem.ls(a=True)]", "[GorillaFileSystem.ls(a=True)]"],
    ["[a . b.c (x=1)]", "[a.b.c(x=1)]"],
    ["[cd('..', folder='x')]", "[cd('..', folder='x')]"],
    ["[f(\n  x=1,  # a comment\n  y=[1,\n 2],\n)]", "[f(x=1, y=[1, 2])]"],
    ["[f(x=1)] # trailing comment", "[f(x=1)]"],
    ["[f(x=\\\n1)]", "[f(x=1)]"],
    ["[echo(content='Hi (there) ls(x)')]", "[echo(content='Hi (there) ls(x)')]"],
    ["[ｌｓ(a=True)]", "[ls(a=True)]"],
    ["[café(naïve=1)]", "[café(naïve=1)]"],
  ])("%j → %s", (input, expected) => {
    expect(calls(input)).toBe(expected);
  });

  it("keeps positional and keyword arguments apart, in order", () => {
    const [c] = parsePythonCalls("cp('a', 'b', recursive=True, n=2)");
    expect(c).toEqual({
      name: "cp",
      args: ["a", "b"],
      kwargs: [
        ["recursive", true],
        ["n", 2n],
      ],
    });
  });

  it("parses every ground-truth style value", () => {
    const [c] = parsePythonCalls("f(a=[1, 2.5, -3], b=(1,), c=(), d={'k': None, 2: (1, 2)}, e={1, 2}, f=set(), g=..., h=-0.0, i=+5)");
    const kw = new Map(c?.kwargs);
    expect(kw.get("a")).toEqual([1n, 2.5, -3n]);
    expect(kw.get("b")).toEqual(new PyTuple([1n]));
    expect(kw.get("c")).toEqual(new PyTuple([]));
    const d = kw.get("d") as PyDict;
    expect([...d.entries()]).toEqual([
      ["k", null],
      [2n, new PyTuple([1n, 2n])],
    ]);
    expect([...(kw.get("e") as PySet).values()]).toEqual([1n, 2n]);
    expect((kw.get("f") as PySet).size).toBe(0);
    expect(kw.get("g")).toBe(PY_ELLIPSIS);
    expect(Object.is(kw.get("h"), -0)).toBe(true);
    expect(kw.get("i")).toBe(5n);
  });
});

describe("parsePythonCalls: refusals", () => {
  it.each<[string, ActionErrorCode]>([
    ["[cat(file_name=pwd())]", "NESTED_CALL"],
    ["[cat(file_name=os.path.join(a='x'))]", "NESTED_CALL"],
    ["[cd(folder=x)]", "BARE_NAME"],
    ["[ls(a=true)]", "BARE_NAME"],
    ["[ls(a=x.y)]", "BARE_NAME"],
    ["[add(a=1+2)]", "UNSUPPORTED_EXPRESSION"],
    ["[add(a='x'+'y')]", "UNSUPPORTED_EXPRESSION"],
    ["[add(a=2**10)]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a=not True)]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a=-True)]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a=~1)]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a=x[0])]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a='abc'[0])]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a='abc'.upper())]", "UNSUPPORTED_EXPRESSION"],
    ["[ls(a=lambda: 1)]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=[i for i in y])]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x for x in y)]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=1 if True else 2)]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=f'a{b}')]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=b'bytes')]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=1j)]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=(y:=1))]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x=[*a])]", "UNSUPPORTED_EXPRESSION"],
    ["[f(x={**a})]", "UNSUPPORTED_EXPRESSION"],
    ["[ls() + ls()]", "UNSUPPORTED_EXPRESSION"],
    ["[ls()(x=1)]", "UNSUPPORTED_EXPRESSION"],
    ["[*ls()]", "UNSUPPORTED_EXPRESSION"],
    ["[f(**{'a': 1})]", "STAR_ARGS"],
    ["[f(*[1])]", "STAR_ARGS"],
    ["[f(x=1, x=2)]", "DUPLICATE_KEYWORD"],
    ["[f(x=1, 2)]", "POSITIONAL_AFTER_KEYWORD"],
    ["[f(x={[1]: 2})]", "UNHASHABLE_KEY"],
    ["[f(x={[1], 2})]", "UNHASHABLE_KEY"],
    ["[1, 2]", "NOT_A_CALL"],
    ["[ls]", "NOT_A_CALL"],
    ["[[]]", "NOT_A_CALL"],
    ["[True]", "NOT_A_CALL"],
    ["'[ls(a=True)]'", "NOT_A_CALL"],
    ["[ls(a=True) ls()]", "PY_SYNTAX"],
    ["Sure! [ls(a=True)]", "PY_SYNTAX"],
    ["I cannot do that.", "PY_SYNTAX"],
    ["[ls(a=True)] done", "PY_SYNTAX"],
    ["[ls(a=True)", "PY_SYNTAX"],
    ["ls(a=True)]", "PY_SYNTAX"],
    ["<TOOLCALL>[ls(a=True)]</TOOLCALL>", "PY_SYNTAX"],
    ["# just a comment", "PY_SYNTAX"],
    ["[f(x='unterminated)]", "PY_SYNTAX"],
    ["[f(x='a\nb')]", "PY_SYNTAX"],
    ["[f(x=012)]", "PY_SYNTAX"],
    ["[f(x=1__0)]", "PY_SYNTAX"],
    ["[f(x=0b102)]", "PY_SYNTAX"],
    ["[f(x=1abc)]", "PY_SYNTAX"],
    ["[f(x='\\x4')]", "PY_SYNTAX"],
    ["[f(x='\\U00110000')]", "PY_SYNTAX"],
    ["[f(x=b'a' 'b')]", "PY_SYNTAX"],
    ["[f(True=1)]", "PY_SYNTAX"],
    ["[f(class=1)]", "PY_SYNTAX"],
    ["[ls(a.False)]", "PY_SYNTAX"],
    ["[a.lambda()]", "PY_SYNTAX"],
    ["[f(x=1\0)]", "PY_SYNTAX"],
    ["[f(x=1)\u000b]", "PY_SYNTAX"],
    ["[f(x=$)]", "PY_SYNTAX"],
    ["[f(x=(1, 2]]", "PY_SYNTAX"],
    ["[f(x='\\N{BULLET}')]", "UNSUPPORTED_ESCAPE"],
    ["[f(x=" + "1".repeat(4301) + ")]", "INT_TOO_LARGE"],
    ["[f(x=" + "[".repeat(150) + "]".repeat(150) + ")]", "TOO_DEEP"],
    ["[f(x=" + "-".repeat(150) + "1)]", "TOO_DEEP"],
  ])("%j → %s", (input, code) => {
    expect(codeOf(() => parsePythonCalls(input))).toBe(code);
  });

  it("reports Python's messages", () => {
    expect(errOf(() => parsePythonCalls("[f(x=1, x=2)]")).detail).toBe("keyword argument repeated: x");
    expect(errOf(() => parsePythonCalls("[f(x=1, 2)]")).detail).toBe("positional argument follows keyword argument");
    expect(errOf(() => parsePythonCalls("[ls(a=True)")).detail).toBe("'[' was never closed");
    expect(errOf(() => parsePythonCalls("ls(a=True)]")).detail).toBe("unmatched ']'");
    expect(errOf(() => parsePythonCalls("[f(x={[1]: 2})]")).detail).toBe("unhashable type: 'list'");
    expect(errOf(() => parsePythonCalls("[f(x=012)]")).detail).toBe(
      "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
    );
    expect(errOf(() => parsePythonCalls("[f(x=1)\u000b]")).detail).toBe("invalid non-printable character U+000B");
  });

  it("gives positions and hints", () => {
    const e = errOf(() => parsePythonCalls("[ls(a=true)]"));
    expect(e.position).toBe(6);
    expect(e.hint).toContain("True and False");
    expect(e.message).toMatch(/^\[envtune\] \[actions\] bare name true used as a value \(at offset 6\)\. Python spells/);
    expect(errOf(() => parsePythonCalls("[ls(a=null)]")).hint).toContain("None");
    expect(errOf(() => parsePythonCalls("[cd(folder=docs)]")).hint).toContain("'docs'");
  });

  it("reports a syntax error before a deferred semantic one, like Python", () => {
    expect(codeOf(() => parsePythonCalls("[f(x=y) g(]"))).toBe("PY_SYNTAX");
    expect(codeOf(() => parsePythonCalls("[f(x=y, x=1)]"))).toBe("DUPLICATE_KEYWORD");
    expect(codeOf(() => parsePythonCalls("[f(x=y), g(z=pwd())]"))).toBe("BARE_NAME");
  });

  it("rejects non-strings and oversized input", () => {
    expect(codeOf(() => parsePythonCalls(5 as unknown as string))).toBe("BAD_INPUT");
    expect(codeOf(() => parsePythonCalls("[ls()]", { maxInputLength: 3 }))).toBe("INPUT_TOO_LARGE");
    expect(codeOf(() => parsePythonCalls("[f(x=[[[1]]])]", { maxDepth: 3 }))).toBe("TOO_DEEP");
    expect(calls("[f(x=[[1]])]")).toBe("[f(x=[[1]])]");
  });
});

describe("string literals", () => {
  it.each([
    ["'a'", "a"],
    ['"it\'s"', "it's"],
    ["'''multi\nline'''", "multi\nline"],
    ['"""a"b"""', 'a"b'],
    ["'a' 'b' \"c\"", "abc"],
    ["u'x' 'y'", "xy"],
    ["r'\\d\\n'", "\\d\\n"],
    ["R'\\''", "\\'"],
    ["'\\n\\t\\r\\\\\\'\\\"\\a\\b\\f\\v'", "\n\t\r\\'\"\x07\b\f\v"],
    ["'\\x41\\u00e9\\U0001F600'", "Aé😀"],
    ["'\\101\\0\\777\\1234'", "A\0ǿS4"],
    ["'\\q\\d'", "\\q\\d"],
    ["'a\\\nb'", "ab"],
    ["'''a\r\nb\rc'''", "a\nb\nc"],
    ["'café ☕ 日本'", "café ☕ 日本"],
    ["r'a\\\nb'", "a\\\nb"],
  ])("%s", (src, value) => {
    expect(parsePythonLiteral(src)).toBe(value);
  });
});

describe("number literals", () => {
  it.each([
    ["1_000", 1000n],
    ["0x1F", 31n],
    ["0X_1f", 31n],
    ["0o17", 15n],
    ["0b101", 5n],
    ["00", 0n],
    ["0_0", 0n],
    ["-5", -5n],
    ["--5", 5n],
    ["-(1)", -1n],
    ["+-2", -2n],
    ["123456789012345678901234567890", 123456789012345678901234567890n],
    ["1.5", 1.5],
    ["1e-5", 1e-5],
    [".5", 0.5],
    ["5.", 5],
    ["1_0.5", 10.5],
    ["1.e5", 1e5],
    ["00.5", 0.5],
    ["1E+2", 100],
    ["1e400", Infinity],
    ["-1e400", -Infinity],
  ])("%s", (src, value) => {
    expect(parsePythonLiteral(src)).toBe(value);
  });

  it("keeps int vs float", () => {
    expect(lit("[1, 1.0, 5., 1e5, 0x10]")).toBe("[1, 1.0, 5.0, 100000.0, 16]");
  });
});

describe("parsePythonLiteral", () => {
  it.each([
    ["[1, 'a', (2,), {'k': None}, {1, 2}, set(), True, ...]", "[1, 'a', (2,), {'k': None}, {1, 2}, set(), True, ...]"],
    ["1, 2", "(1, 2)"],
    ["1,", "(1,)"],
    ["  (1)  ", "1"],
    ["{'a': 1, 'a': 2, 1: 'x', 1.0: 'y', True: 'z'}", "{'a': 2, 1: 'z'}"],
    ["{(1, 'a'): [1]}", "{(1, 'a'): [1]}"],
    ["[\n1,\n2]\n", "[1, 2]"],
    ["# comment\n[1]  # another\n", "[1]"],
  ])("%s", (src, expected) => {
    expect(lit(src)).toBe(expected);
  });

  it.each<[string, ActionErrorCode]>([
    ["", "PY_SYNTAX"],
    ["1\n2", "PY_SYNTAX"],
    ["'a'\n 'b'", "PY_SYNTAX"],
    ["x", "BARE_NAME"],
    ["len([1])", "NESTED_CALL"],
    ["1+2j", "UNSUPPORTED_EXPRESSION"],
    ["b'x'", "UNSUPPORTED_EXPRESSION"],
  ])("%j → %s", (src, code) => {
    expect(codeOf(() => parsePythonLiteral(src))).toBe(code);
  });
});

describe("parsePythonAssignments", () => {
  it("reads NAME = literal statements with comments, blank lines and multi-line literals", () => {
    const src = [
      '"""Module docstring."""',
      "# comment",
      "A = [1, 2,",
      "     3]  # trailing",
      "",
      "B = {'k': (1,),",
      "  'j': ...}",
      "C = 'x'; D = -1.5",
      "E = 1, 2",
      "A = None",
    ].join("\n");
    const got = parsePythonAssignments(src).map(([k, v]) => `${k}=${formatValue(v)}`);
    expect(got).toEqual(["A=[1, 2, 3]", "B={'k': (1,), 'j': ...}", "C='x'", "D=-1.5", "E=(1, 2)", "A=None"]);
  });

  it.each<[string, ActionErrorCode]>([
    ["import os", "BAD_STATEMENT"],
    ["A: int = 1", "BAD_STATEMENT"],
    ["A = B = 1", "BAD_STATEMENT"],
    ["print(1)", "BAD_STATEMENT"],
    ["A = 1\n  B = 2", "PY_SYNTAX"],
    ["A = 1 B = 2", "PY_SYNTAX"],
    ["A = x", "BARE_NAME"],
    ["A = f(1)", "NESTED_CALL"],
  ])("%j → %s", (src, code) => {
    expect(codeOf(() => parsePythonAssignments(src))).toBe(code);
  });
});
