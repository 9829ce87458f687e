import type { PyValue } from "@envtune/core/py";
import { describe, expect, it } from "vitest";
import { pyHash0, setDifferenceOrder } from "./set-order.ts";

// Expected values printed by CPython 3.11.7 with PYTHONHASHSEED=0 (the reference traces' setting).
describe("CPython set order under PYTHONHASHSEED=0", () => {
  it("hashes str (UCS1/UCS2/UCS4), int, bool and float like CPython", () => {
    const cases: Array<[PyValue, bigint]> = [
      ["owner", -944270549399537338n],
      ["x", -3368204716105132637n],
      ["", 0n],
      ["é", 6047309291227476195n],
      ["日本", 6243316497235261705n],
      ["😀", -3536540696076613844n],
      [1n, 1n],
      [-1n, -2n],
      [2n ** 70n, 512n],
      [-(2n ** 70n), -512n],
      [true, 1n],
      [0.5, 1152921504606846976n],
      [-2.75, -1729382256910270466n],
      [1e300, 1224995262755759164n],
      [1e-300, 482449582752280463n],
      [Infinity, 314159n],
      [3.0, 3n],
    ];
    for (const [v, h] of cases) expect(BigInt.asIntN(64, pyHash0(v)!), String(v)).toBe(h);
    expect(pyHash0(null)).toBeUndefined();
    expect(pyHash0(NaN)).toBeUndefined();
  });

  it("orders `set(keys) - valid` like CPython, including the copy-and-discard path", () => {
    const valid = new Set(["title", "description", "status", "priority"]);
    const isValid = (k: PyValue) => typeof k === "string" && valid.has(k);
    expect(setDifferenceOrder(["x", "y", "z"], 4, isValid)).toEqual(["y", "x", "z"]);
    const many = [...Array.from({ length: 25 }, (_, i) => `k${i}`), "title"];
    expect(setDifferenceOrder(many, 4, isValid)?.join(", ")).toBe(
      "k1, k24, k19, k22, k17, k6, k16, k8, k14, k18, k7, k15, k11, k12, k23, k9, k21, k2, k3, k0, k13, k10, k5, k4, k20",
    );
    expect(setDifferenceOrder(["a", null], 4, isValid)).toBeUndefined();
  });
});
