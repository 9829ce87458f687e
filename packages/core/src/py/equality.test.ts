import { describe, expect, it } from "vitest";
import { PY_ELLIPSIS } from "./encode.ts";
import { pyCompare, pyContains, pyEquals, pyLt, pyMax, pyMin, pyRichCompare, pySorted } from "./equality.ts";
import { pyRepr } from "./format.ts";
import { PyDict, PyException, PySet, PyTuple } from "./value.ts";
import type { PyValue } from "./value.ts";

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PyException) return `${e.pyType}: ${e.message}`;
    throw e;
  }
  return "no error";
};

describe("pyEquals", () => {
  it("compares numbers across int/float/bool exactly", () => {
    expect(pyEquals(1n, 1.0)).toBe(true);
    expect(pyEquals(1n, true)).toBe(true);
    expect(pyEquals(true, 1.0)).toBe(true);
    expect(pyEquals(false, 0n)).toBe(true);
    expect(pyEquals(0n, -0)).toBe(true);
    expect(pyEquals(2n ** 53n + 1n, 2 ** 53)).toBe(false);
    expect(pyEquals(2n ** 53n, 2 ** 53)).toBe(true);
    expect(pyEquals(10n ** 30n, 1e30)).toBe(false);
    expect(pyEquals(1000000000000000019884624838656n, 1e30)).toBe(true);
    expect(pyEquals(1n, 1.5)).toBe(false);
    expect(pyEquals(NaN, NaN)).toBe(false);
    expect(pyEquals(Infinity, Infinity)).toBe(true);
  });
  it('never equates str with numbers or None ("1" != 1)', () => {
    expect(pyEquals("1", 1n)).toBe(false);
    expect(pyEquals(null, 0n)).toBe(false);
    expect(pyEquals(null, null)).toBe(true);
    expect(pyEquals("a", "a")).toBe(true);
  });
  it("compares containers like Python", () => {
    expect(pyEquals([1n, 2.0], [1.0, 2n])).toBe(true);
    expect(pyEquals([1n, 2n], [2n, 1n])).toBe(false);
    expect(pyEquals([1n], new PyTuple([1n]))).toBe(false);
    expect(pyEquals(new PyTuple([1n, "a"]), new PyTuple([true, "a"]))).toBe(true);
    expect(
      pyEquals(
        new PyDict([
          ["a", 1n],
          ["b", 2n],
        ]),
        new PyDict([
          ["b", 2.0],
          ["a", true],
        ]),
      ),
    ).toBe(true);
    expect(pyEquals(new PyDict([["a", 1n]]), new PyDict([["a", 2n]]))).toBe(false);
    expect(pyEquals(new PyDict([[1n, "x"]]), new PyDict([["1", "x"]]))).toBe(false);
    expect(pyEquals(new PySet([1n, 2n]), new PySet([2.0, true]))).toBe(true);
    expect(pyEquals(new PySet([1n]), new PySet([1n, 2n]))).toBe(false);
    expect(pyEquals(new PyDict(), new PySet())).toBe(false);
    expect(pyEquals(PY_ELLIPSIS, PY_ELLIPSIS)).toBe(true);
    expect(pyEquals(PY_ELLIPSIS, null)).toBe(false);
    expect(pyEquals(null, PY_ELLIPSIS)).toBe(false);
  });
  it("treats an element identical to itself as equal (PyObject_RichCompareBool)", () => {
    const inner: PyValue[] = [NaN];
    expect(pyEquals([inner], [inner])).toBe(true);
    expect(pyEquals([NaN], [NaN])).toBe(false);
  });
});

describe("ordering", () => {
  it("orders numbers across types and strs by code point", () => {
    expect(pyLt(1n, 1.5)).toBe(true);
    expect(pyLt(2n ** 60n, 2 ** 60 + 0.0)).toBe(false);
    expect(pyLt(2n ** 53n + 1n, 2 ** 53 + 2)).toBe(true);
    expect(pyLt(true, 2n)).toBe(true);
    expect(pyLt(NaN, 1n)).toBe(false);
    expect(pyLt("\uffff", "\u{1F600}")).toBe(true); // UTF-16 order would say the opposite
    expect(pyCompare("b", "a")).toBe(1);
    expect(pyLt([1n, "b"], [1n, "c"])).toBe(true);
    expect(pyLt([1n], [1n, 0n])).toBe(true);
    expect(pyLt(new PyTuple([2n]), new PyTuple([1n, 5n]))).toBe(false);
    expect(pyRichCompare(new PySet([1n]), new PySet([1n, 2n]), "<")).toBe(true);
    expect(pyRichCompare(2n, 2.0, "<=")).toBe(true);
    expect(pyRichCompare("a", "a", ">=")).toBe(true);
  });
  it("raises CPython's TypeError texts", () => {
    expect(err(() => pyLt(1n, "a"))).toBe("TypeError: '<' not supported between instances of 'int' and 'str'");
    expect(err(() => pyCompare("a", 1n))).toBe("TypeError: '<' not supported between instances of 'str' and 'int'");
    expect(err(() => pyLt(null, null))).toBe("TypeError: '<' not supported between instances of 'NoneType' and 'NoneType'");
    expect(err(() => pyLt(new PyDict(), new PyDict()))).toBe("TypeError: '<' not supported between instances of 'dict' and 'dict'");
    expect(err(() => pyLt(new PyTuple([1n]), [1n]))).toBe("TypeError: '<' not supported between instances of 'tuple' and 'list'");
    expect(err(() => pyLt([1n], ["a"]))).toBe("TypeError: '<' not supported between instances of 'int' and 'str'");
    expect(err(() => pyRichCompare("a", 1n, ">"))).toBe("TypeError: '>' not supported between instances of 'str' and 'int'");
  });
});

describe("pySorted / pyMin / pyMax", () => {
  it("sorts stably with key and reverse like Python", () => {
    expect(pySorted([3n, 1.5, true, 2n])).toEqual([true, 1.5, 2n, 3n]);
    const words = ["bb", "a", "cc", "d"];
    expect(pySorted(words, { key: (w) => BigInt((w as string).length) })).toEqual(["a", "d", "bb", "cc"]);
    expect(pySorted(words, { key: (w) => BigInt((w as string).length), reverse: true })).toEqual(["bb", "cc", "a", "d"]);
    expect(pySorted(["b", "\u{1F600}", "\uffff", "a"])).toEqual(["a", "b", "\uffff", "\u{1F600}"]);
    const big = Array.from({ length: 200 }, (_, i) => BigInt((i * 7919) % 200));
    expect(pySorted(big)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)));
    expect(pyRepr(pySorted([new PyTuple([2n, "a"]), new PyTuple([1n, "b"]), new PyTuple([1n, "a"])]))).toBe(
      "[(1, 'a'), (1, 'b'), (2, 'a')]",
    );
  });
  it("fails on the same pair as CPython's sort for mixed types", () => {
    // Expected texts from CPython 3.11.
    const cases: [PyValue[], string][] = [
      [[1n, "a"], "'<' not supported between instances of 'str' and 'int'"],
      [["a", 1n, 2n], "'<' not supported between instances of 'int' and 'str'"],
      [[1n, 2n, "a"], "'<' not supported between instances of 'str' and 'int'"],
      [[3n, 1n, 2n, "x"], "'<' not supported between instances of 'str' and 'int'"],
    ];
    for (const [items, msg] of cases) expect(err(() => pySorted(items))).toBe("TypeError: " + msg);
  });
  it("min/max compare like CPython's builtins", () => {
    expect(pyMin([3n, 1.0, 2n])).toBe(1.0);
    expect(pyMax([3n, 3.0])).toBe(3n); // first maximal item wins
    expect(pyMin([], { default: null })).toBe(null);
    expect(err(() => pyMin([]))).toBe("ValueError: min() arg is an empty sequence");
    expect(err(() => pyMax([]))).toBe("ValueError: max() arg is an empty sequence");
    expect(err(() => pyMin([1n, "a"]))).toBe("TypeError: '<' not supported between instances of 'str' and 'int'");
    expect(err(() => pyMax([1n, "a"]))).toBe("TypeError: '>' not supported between instances of 'str' and 'int'");
  });
  it("pyContains follows `in`", () => {
    expect(pyContains([1n, 2n], 2.0)).toBe(true);
    expect(pyContains(new PyDict([["a", 1n]]), "a")).toBe(true);
    expect(pyContains("hello", "ell")).toBe(true);
    expect(err(() => pyContains("hello", 1n))).toBe("TypeError: 'in <string>' requires string as left operand, not int");
    expect(err(() => pyContains(new PySet(), []))).toBe("TypeError: unhashable type: 'list'");
    expect(err(() => pyContains(5n, 1n))).toBe("TypeError: argument of type 'int' is not iterable");
  });
});
