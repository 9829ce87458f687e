import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend, tf } from "./backend.ts";
import { categorical } from "./batch.ts";

beforeAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} });
});

describe("categorical (log-probability and entropy of the chosen option)", () => {
  it("matches log-softmax for several options", () => {
    const { logp, entropy } = categorical(tf.tensor2d([[0, Math.log(3)]]), Int32Array.from([1]));
    expect(logp.arraySync()[0]).toBeCloseTo(Math.log(0.75), 6);
    expect(entropy.arraySync()[0]).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
  });
  it("a single option is certain: log p = 0, no entropy (tf.oneHot refuses depth 1)", () => {
    const { logp, entropy } = categorical(tf.tensor2d([[2.5], [-1]]), Int32Array.from([0, 0]));
    expect(logp.arraySync()).toEqual([0, 0]);
    expect(entropy.arraySync()).toEqual([0, 0]);
  });
});
