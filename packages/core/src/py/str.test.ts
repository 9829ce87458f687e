import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pyFloatRepr } from "./format.ts";
import {
  pyAttributeError,
  pyCapitalize,
  pyCodePointCompare,
  pyFloatFromStr,
  pyFloorDiv,
  pyFloorMod,
  pyIntFromFloat,
  pyIntFromStr,
  pyLen,
  pyLower,
  pyLstrip,
  pyNumStr,
  pyRsplit,
  pyRstrip,
  pySplit,
  pySplitlines,
  pyStrip,
  pyTitle,
  pyTrueDiv,
  pyTypeErrorBinOp,
  pyUpper,
  requireStr,
  toFloat,
} from "./str.ts";
import { PyDict, PyException, PyTuple } from "./value.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(path.join(here, "__fixtures__/cpython-vectors.json"), "utf8")) as {
  str_ops: {
    s: string;
    sep: string | null;
    maxsplit: number;
    chars: string | null;
    [k: string]: unknown;
  }[];
  sort_pool: string[];
  sorted_strs: string[];
  divs: [string, string, string][];
  fmods: [string, string, string, string][];
};
const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PyException) return `${e.pyType}: ${e.message}`;
    throw e;
  }
  return "no error";
};

describe("str methods against CPython 3.11 (500 random strings over tricky characters)", () => {
  it("split/rsplit/strip/splitlines/lower/upper/title/capitalize/len", () => {
    for (const c of vectors.str_ops) {
      const { s, sep, maxsplit, chars } = c;
      const got = {
        split: pySplit(s, sep, BigInt(maxsplit)),
        rsplit: pyRsplit(s, sep, BigInt(maxsplit)),
        strip: pyStrip(s, chars),
        lstrip: pyLstrip(s, chars),
        rstrip: pyRstrip(s, chars),
        splitlines: pySplitlines(s),
        splitlines_keep: pySplitlines(s, true),
        lower: pyLower(s),
        upper: pyUpper(s),
        title: pyTitle(s),
        capitalize: pyCapitalize(s),
        len: pyLen(s),
      };
      const expected = Object.fromEntries(Object.keys(got).map((k) => [k, c[k]]));
      expect({ s, sep, maxsplit, chars, ...got }).toEqual({ s, sep, maxsplit, chars, ...expected });
    }
  });
  it("code point ordering matches sorted()", () => {
    expect([...vectors.sort_pool].sort(pyCodePointCompare)).toEqual(vectors.sorted_strs);
  });
  it("handles the documented cases", () => {
    expect(pySplitlines("a\nb\r\nc\rd\x0be\x0cf\x1cg\x85h\u2028i\u2029j\n")).toEqual("abcdefghij".split(""));
    expect(pySplitlines("")).toEqual([]);
    expect(pySplit("  a  b  c  ", null, 1n)).toEqual(["a", "b  c  "]);
    expect(pySplit("a\u3000b\u200bc")).toEqual(["a", "b\u200bc"]);
    expect(pySplit("a,b,,c", ",")).toEqual(["a", "b", "", "c"]);
    expect(err(() => pySplit("a", ""))).toBe("ValueError: empty separator");
    expect(err(() => pySplit("a", 1n))).toBe("TypeError: must be str or None, not int");
    expect(err(() => pyStrip("a", 1n))).toBe("TypeError: strip arg must be None or str");
    expect(pyStrip("//a/b//", "/")).toBe("a/b");
    expect(pyLen("\u{1F600}a")).toBe(2);
    expect(pyLower("ΑΣ ΟΔΟΣ")).toBe("ας οδος");
    expect(pyUpper("straße")).toBe("STRASSE");
    expect(pyTitle("hello wORLD's 3d ǆ")).toBe("Hello World'S 3D ǅ");
  });
});

describe("CPython error texts", () => {
  it("AttributeError / requireStr", () => {
    expect(err(() => pyAttributeError(true, "rstrip"))).toBe("AttributeError: 'bool' object has no attribute 'rstrip'");
    expect(err(() => requireStr(null, "lower"))).toBe("AttributeError: 'NoneType' object has no attribute 'lower'");
    expect(err(() => requireStr([], "lower"))).toBe("AttributeError: 'list' object has no attribute 'lower'");
    expect(requireStr("x", "lower")).toBe("x");
  });
  it("binary operator TypeErrors", () => {
    expect(err(() => pyTypeErrorBinOp("+", "a", 1n))).toBe('TypeError: can only concatenate str (not "int") to str');
    expect(err(() => pyTypeErrorBinOp("+", [1n], new PyTuple([])))).toBe('TypeError: can only concatenate list (not "tuple") to list');
    expect(err(() => pyTypeErrorBinOp("+", 1n, "a"))).toBe("TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    expect(err(() => pyTypeErrorBinOp("+", new PyDict(), new PyDict()))).toBe(
      "TypeError: unsupported operand type(s) for +: 'dict' and 'dict'",
    );
    expect(err(() => pyTypeErrorBinOp("-", null, 1n))).toBe("TypeError: unsupported operand type(s) for -: 'NoneType' and 'int'");
    expect(err(() => pyTypeErrorBinOp("*", "a", 1.5))).toBe("TypeError: can't multiply sequence by non-int of type 'float'");
    expect(err(() => pyTypeErrorBinOp("*", 1.5, "a"))).toBe("TypeError: can't multiply sequence by non-int of type 'float'");
    expect(err(() => pyTypeErrorBinOp("*", [1n], [1n]))).toBe("TypeError: can't multiply sequence by non-int of type 'list'");
    expect(err(() => pyTypeErrorBinOp("**", "a", 2n))).toBe("TypeError: unsupported operand type(s) for ** or pow(): 'str' and 'int'");
    expect(err(() => pyTypeErrorBinOp("%", "a", 2n))).toBe("TypeError: not all arguments converted during string formatting");
  });
});

describe("numeric helpers", () => {
  it("int() truncation and its errors", () => {
    expect(pyIntFromFloat(-2.7)).toBe(-2n);
    expect(pyIntFromFloat(1e20)).toBe(100000000000000000000n);
    expect(err(() => pyIntFromFloat(Infinity))).toBe("OverflowError: cannot convert float infinity to integer");
    expect(err(() => pyIntFromFloat(NaN))).toBe("ValueError: cannot convert float NaN to integer");
  });
  it("true division: correctly rounded, float for ints, Python's ZeroDivisionError texts", () => {
    for (const [a, b, r] of vectors.divs) expect([a, b, pyFloatRepr(pyTrueDiv(BigInt(a), BigInt(b)))]).toEqual([a, b, r]);
    expect(pyTrueDiv(1n, 1e-9)).toBe(999999999.9999999);
    expect(pyTrueDiv(true, 2n)).toBe(0.5);
    expect(err(() => pyTrueDiv(1n, 0n))).toBe("ZeroDivisionError: division by zero");
    expect(err(() => pyTrueDiv(1.0, 0n))).toBe("ZeroDivisionError: float division by zero");
    expect(err(() => pyTrueDiv(10n ** 400n, 1n))).toBe("OverflowError: integer division result too large for a float");
    expect(err(() => pyTrueDiv(10n ** 400n, 1.0))).toBe("OverflowError: int too large to convert to float");
    expect(err(() => pyTrueDiv("a", 2n))).toBe("TypeError: unsupported operand type(s) for /: 'str' and 'int'");
  });
  it("% and // follow the divisor's sign", () => {
    for (const [a, b, mod, div] of vectors.fmods) {
      expect([
        a,
        b,
        pyFloatRepr(pyFloorMod(Number(a), Number(b)) as number),
        pyFloatRepr(pyFloorDiv(Number(a), Number(b)) as number),
      ]).toEqual([a, b, mod, div]);
    }
    expect(pyFloorMod(-7n, 3n)).toBe(2n);
    expect(pyFloorMod(7n, -3n)).toBe(-2n);
    expect(pyFloorDiv(-7n, 2n)).toBe(-4n);
    expect(err(() => pyFloorMod(1n, 0n))).toBe("ZeroDivisionError: integer modulo by zero");
    expect(err(() => pyFloorMod(1.0, 0n))).toBe("ZeroDivisionError: float modulo");
    expect(err(() => pyFloorDiv(1n, 0n))).toBe("ZeroDivisionError: integer division or modulo by zero");
    expect(err(() => pyFloorDiv(1.0, 0n))).toBe("ZeroDivisionError: float floor division by zero");
  });
  it("float()/int() of numbers and strings", () => {
    expect(toFloat(3n)).toBe(3);
    expect(toFloat(true)).toBe(1);
    expect(err(() => toFloat(10n ** 400n))).toBe("OverflowError: int too large to convert to float");
    expect(err(() => toFloat("1"))).toBe("TypeError: must be real number, not str");
    expect(pyFloatFromStr(" 1_000.5 ")).toBe(1000.5);
    expect(pyFloatFromStr("-Infinity")).toBe(-Infinity);
    expect(pyFloatFromStr("1e5")).toBe(100000);
    expect(err(() => pyFloatFromStr("abc"))).toBe("ValueError: could not convert string to float: 'abc'");
    expect(err(() => pyFloatFromStr("1__0"))).toBe("ValueError: could not convert string to float: '1__0'");
    expect(pyIntFromStr(" -0012 ")).toBe(-12n);
    expect(err(() => pyIntFromStr("1.5"))).toBe("ValueError: invalid literal for int() with base 10: '1.5'");
    expect(pyNumStr(2.0)).toBe("2.0");
    expect(pyNumStr(false)).toBe("False");
  });
});
