import { describe, expect, it } from "vitest";
import { PyDict, PySet, PyTuple, pyTypeName } from "./value.ts";

describe("PyDict", () => {
  it("treats 1, 1.0 and True as one key and keeps the first key object and position", () => {
    const d = new PyDict([
      ["b", 0n],
      [1n, "one"],
    ]);
    d.set(1.0, "float one");
    d.set(true, "true one");
    expect(d.size).toBe(2);
    expect([...d.keys()]).toEqual(["b", 1n]);
    expect(d.get(1n)).toBe("true one");
  });
  it("raises KeyError and TypeError like Python", () => {
    const d = new PyDict();
    expect(() => d.getItem("x")).toThrowError(/x/);
    expect(() => d.set([], 1n)).toThrowError("unhashable type: 'list'");
  });
  it("hashes tuples by content", () => {
    const d = new PyDict([[new PyTuple([1n, "a"]), 5n]]);
    expect(d.get(new PyTuple([1.0, "a"]))).toBe(5n);
    expect(pyTypeName(new PyTuple([]))).toBe("tuple");
  });
});

describe("PyDict / PySet storage", () => {
  it("keeps the first key object for -0.0, True and tuples and forgets it on delete", () => {
    const d = new PyDict([
      [-0, "a"],
      [true, "b"],
      [new PyTuple([1n, 2.5]), "c"],
      [1.5, "d"],
      ["x", "e"],
    ]);
    d.set(0n, "A");
    d.set(new PyTuple([true, 2.5]), "C");
    expect([...d.entries()].map(([k, v]) => [typeof k === "object" ? "tuple" : k, v])).toEqual([
      [-0, "A"],
      [true, "b"],
      ["tuple", "C"],
      [1.5, "d"],
      ["x", "e"],
    ]);
    expect(d.delete(false)).toBe(true);
    d.set(0n, "z");
    expect([...d.keys()].at(-1)).toBe(0n);
    expect(d.pop(1.0)).toBe("b");
    expect(d.pop("missing", null)).toBe(null);
    expect(d.size).toBe(4);
    const c = d.copy();
    d.clear();
    expect(c.size).toBe(4);
    expect([...c.values()]).toEqual(["C", "d", "e", "z"]);
  });
  it("distinguishes str keys from numbers and tuples from their hash text", () => {
    const d = new PyDict([
      ["1", "str"],
      [1n, "int"],
      ["n1", "other"],
    ]);
    expect(d.size).toBe(3);
    expect(d.get("1")).toBe("str");
    expect(d.get(1.0)).toBe("int");
    const t = new PyTuple(["a"]);
    const e = new PyDict([[t, 1n]]);
    expect(e.get("t(2:sa)")).toBeUndefined();
    expect(e.get(new PyTuple(["a"]))).toBe(1n);
  });
  it("PySet uses Python equality and rejects unhashables", () => {
    const s = new PySet([1n, 1.0, true, "1", new PyTuple([])]);
    expect(s.size).toBe(3);
    expect(s.has(1.0)).toBe(true);
    expect(s.delete(true)).toBe(true);
    expect(() => s.add(new PyDict())).toThrowError("unhashable type: 'dict'");
    expect(() => s.has(new PyTuple([[]]))).toThrowError("unhashable type: 'list'");
  });
});
