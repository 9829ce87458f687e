import { describe, expect, it } from "vitest";
import { pyTruthy } from "./truthy.ts";
import { PyDict, PySet, PyTuple } from "./value.ts";

describe("pyTruthy follows Python bool()", () => {
  it("treats empty and zero values as false", () => {
    for (const v of [null, false, 0n, 0, -0, "", [], new PyTuple([]), new PyDict(), new PySet()])
      expect(pyTruthy(v), String(v)).toBe(false);
  });
  it("treats NaN, non-empty containers and other objects as true", () => {
    for (const v of [true, 1n, -1n, NaN, 0.5, " ", [0n], new PyTuple([null]), new PyDict([["a", 0n]]), new PySet([0n])])
      expect(pyTruthy(v), String(v)).toBe(true);
  });
  it("asks an object's pyBool() when it has one", () => {
    const obj = {
      pyKind: "object" as const,
      pyTypeName: () => "complex",
      pyRepr: () => "0j",
      pyEquals: () => false,
      pyEncode: () => "0",
      pyBool: () => false,
    };
    expect(pyTruthy(obj)).toBe(false);
  });
});
