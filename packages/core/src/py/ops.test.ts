import { describe, expect, it } from "vitest";
import { pyGetItemStr, pyIter, pyIterate, pyLength, pyPlusOne, pySetItemStr } from "./ops.ts";
import { PyDict, PyException, PySet, PyTuple, type PyValue } from "./value.ts";

/** The CPython error text of `f()`, or "" when it does not raise. */
function err(f: () => unknown): string {
  try {
    f();
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(PyException);
    return `${(e as PyException).pyType}: ${(e as PyException).message}`;
  }
}

describe("pyGetItemStr / pySetItemStr (the reference's dict subscriptions on model-supplied values)", () => {
  const d = new PyDict([["id", 3n]]);
  it("reads and writes dicts", () => {
    expect(pyGetItemStr(d, "id")).toBe(3n);
    pySetItemStr(d, "x", "y");
    expect(pyGetItemStr(d, "x")).toBe("y");
    expect(err(() => pyGetItemStr(d, "missing"))).toBe("KeyError: 'missing'");
  });
  it("raises CPython's TypeErrors for everything else", () => {
    expect(err(() => pyGetItemStr([1n], "id"))).toBe("TypeError: list indices must be integers or slices, not str");
    expect(err(() => pyGetItemStr(new PyTuple([]), "id"))).toBe("TypeError: tuple indices must be integers or slices, not str");
    expect(err(() => pyGetItemStr("abc", "id"))).toBe("TypeError: string indices must be integers, not 'str'");
    expect(err(() => pyGetItemStr(5n, "id"))).toBe("TypeError: 'int' object is not subscriptable");
    expect(err(() => pyGetItemStr(null, "id"))).toBe("TypeError: 'NoneType' object is not subscriptable");
    expect(err(() => pySetItemStr([1n], "a", 1n))).toBe("TypeError: list indices must be integers or slices, not str");
    expect(err(() => pySetItemStr(new PyTuple([]), "a", 1n))).toBe("TypeError: 'tuple' object does not support item assignment");
    expect(err(() => pySetItemStr("s", "a", 1n))).toBe("TypeError: 'str' object does not support item assignment");
    expect(err(() => pySetItemStr(null, "a", 1n))).toBe("TypeError: 'NoneType' object does not support item assignment");
  });
});

describe("pyPlusOne (`x += 1`)", () => {
  it("keeps int/float apart and treats bool as int", () => {
    expect(pyPlusOne(41n)).toBe(42n);
    expect(pyPlusOne(1.5)).toBe(2.5);
    expect(pyPlusOne(true)).toBe(2n);
  });
  it("raises what CPython raises", () => {
    expect(err(() => pyPlusOne("a"))).toBe('TypeError: can only concatenate str (not "int") to str');
    expect(err(() => pyPlusOne([]))).toBe('TypeError: can only concatenate list (not "int") to list');
    expect(err(() => pyPlusOne(null))).toBe("TypeError: unsupported operand type(s) for +=: 'NoneType' and 'int'");
  });
});

describe("pyIterate / pyLength", () => {
  it("visits what `for` visits, as a snapshot", () => {
    const lst: PyValue[] = [1n, 2n];
    const it = pyIterate(lst);
    lst.push(3n);
    expect(it).toEqual([1n, 2n]);
    expect(pyIterate("a😀")).toEqual(["a", "😀"]);
    expect(pyIterate(new PyDict([["k", 1n]]))).toEqual(["k"]);
    expect(pyIterate(new PyTuple([1n]))).toEqual([1n]);
    expect(pyIterate(new PySet(["x"]))).toEqual(["x"]);
    expect(err(() => pyIterate(3n))).toBe("TypeError: 'int' object is not iterable");
    // pyIter is live: it sees what pyIterate's snapshot does not.
    expect([...pyIter(lst)]).toEqual([1n, 2n, 3n]);
    expect([...pyIter("a😀")]).toEqual(["a", "😀"]);
    expect(err(() => pyIter(null))).toBe("TypeError: 'NoneType' object is not iterable");
  });
  it("counts code points and container sizes", () => {
    expect(pyLength("a😀")).toBe(2);
    expect(pyLength(new PyDict([["a", 1n]]))).toBe(1);
    expect(err(() => pyLength(2.5))).toBe("TypeError: object of type 'float' has no len()");
  });
});
