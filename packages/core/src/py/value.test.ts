import { describe, expect, it } from "vitest";
import { PyDict, PyTuple, pyTypeName } from "./value.ts";

describe("PyDict", () => {
  it("treats 1, 1.0 and True as one key and keeps the first key object and position", () => {
    const d = new PyDict([["b", 0n], [1n, "one"]]);
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
