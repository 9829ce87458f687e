import { describe, expect, it } from "vitest";
import { accuracy } from "./accuracy.ts";

const r = (cat: string, n: number, valid: boolean) => ({ id: `multi_turn_${cat}_${n}`, valid });

describe("accuracy", () => {
  it("is correct / entries per category and the unweighted mean of the four categories", () => {
    const rep = accuracy([
      r("base", 0, true),
      r("base", 1, false),
      r("miss_func", 0, true),
      r("miss_param", 0, false),
      r("long_context", 0, true),
      r("long_context", 1, true),
      r("long_context", 2, true),
      r("long_context", 3, false),
    ]);
    expect(rep.categories.base).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(rep.categories.long_context.accuracy).toBe(0.75);
    // Unweighted: (0.5 + 1 + 0 + 0.75) / 4, not 5/8.
    expect(rep.overall).toBe(0.5625);
    expect(rep.missingCategories).toEqual([]);
  });

  it("gives no overall (N/A) when a category is missing, and ignores non-multi-turn ids", () => {
    const rep = accuracy([r("base", 0, true), r("miss_func", 0, false), { id: "simple_3", valid: true }, r("composite", 1, true)]);
    expect(rep.overall).toBeNull();
    expect(rep.overallPresent).toBe(0.5);
    expect(rep.missingCategories).toEqual(["miss_param", "long_context"]);
    expect(rep.ignored).toEqual(["simple_3", "multi_turn_composite_1"]);
    expect(rep.categories.miss_param).toEqual({ correct: 0, total: 0, accuracy: 0 });
    expect(accuracy([]).overallPresent).toBeNull();
  });
});
