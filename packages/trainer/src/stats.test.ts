import { describe, expect, it } from "vitest";
import { mean, sampleVariance } from "./stats.ts";

describe("mean / sampleVariance", () => {
  it("are the arithmetic mean and the unbiased variance", () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(sampleVariance([1, 2, 3, 6])).toBeCloseTo(14 / 3, 12);
  });
  it("say what an empty or single sample gives", () => {
    expect(mean([])).toBe(0);
    expect(mean([], Number.NaN)).toBeNaN();
    expect(sampleVariance([5])).toBe(0);
    expect(sampleVariance([])).toBe(0);
  });
});
