import { describe, expect, it } from "vitest";
import { pyDeepCopy } from "./copy.ts";
import { PY_ELLIPSIS } from "./encode.ts";
import { pyEquals } from "./equality.ts";
import { PyDict, PySet, PyTuple } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

describe("pyDeepCopy", () => {
  it("copies containers recursively and keeps key objects and order", () => {
    const inner: PyValue[] = [1n, 2.0];
    const d = new PyDict([
      [true, inner],
      ["s", new PySet(["a"])],
      [new PyTuple([1n, "x"]), PyDict.from({ k: null })],
    ]);
    const c = pyDeepCopy(d);
    expect(c).not.toBe(d);
    expect(pyEquals(c, d)).toBe(true);
    expect([...c.keys()][0]).toBe(true);
    expect(c.get(1n)).not.toBe(inner);
    (c.get(1n) as PyValue[]).push(3n);
    expect(inner).toHaveLength(2);
  });
  it("preserves aliasing inside the copied structure (memo) and handles cycles", () => {
    const shared: PyValue[] = ["x"];
    const root: PyValue[] = [shared, shared];
    const c = pyDeepCopy(root);
    expect(c[0]).toBe(c[1]);
    expect(c[0]).not.toBe(shared);
    const cyc: PyValue[] = [];
    cyc.push(cyc);
    const cc = pyDeepCopy(cyc);
    expect(cc[0]).toBe(cc);
  });
  it("returns immutable tuples as is when nothing inside changes", () => {
    const t = new PyTuple([1n, "a"]);
    expect(pyDeepCopy(t)).toBe(t);
    const t2 = new PyTuple([[1n]]);
    expect(pyDeepCopy(t2)).not.toBe(t2);
  });
  it("uses a PyObject's pyDeepCopy method, else shares the object", () => {
    let copies = 0;
    const make = (v: bigint): PyObject & { v: bigint; pyDeepCopy(): PyObject } => ({
      pyKind: "object",
      v,
      pyTypeName: () => "Thing",
      pyRepr: () => `Thing(${v})`,
      pyEquals: () => false,
      pyEncode: () => "{}",
      pyDeepCopy() {
        copies++;
        return make(this.v);
      },
    });
    const thing = make(1n);
    const c = pyDeepCopy([thing, thing]);
    expect(c[0]).not.toBe(thing);
    expect(c[0]).toBe(c[1]);
    expect(copies).toBe(1);
    const plain: PyObject = { pyKind: "object", pyTypeName: () => "P", pyRepr: () => "P", pyEquals: () => false, pyEncode: () => "{}" };
    expect(pyDeepCopy([plain])[0]).toBe(plain);
    expect(pyDeepCopy(PY_ELLIPSIS)).toBe(PY_ELLIPSIS);
  });
});
