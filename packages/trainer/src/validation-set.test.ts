import { describe, expect, it } from "vitest";
import { holdOutScenarios, scenarioKey } from "./validation-set.ts";

const cats = ["base", "miss_func", "miss_param", "long_context"];
const train = cats.flatMap((c) => Array.from({ length: 20 }, (_, k) => `multi_turn_${c}_${k * 3}`));

describe("holdOutScenarios", () => {
  it("takes whole scenarios (every category of an entry number) until it has enough entries", () => {
    const ids = holdOutScenarios(train, 10);
    expect(ids.length).toBe(12);
    const keys = new Set(ids.map(scenarioKey));
    expect(keys.size).toBe(3);
    for (const k of keys) for (const c of cats) expect(ids).toContain(`multi_turn_${c}_${k}`);
    // Given order is kept.
    expect(ids).toEqual(train.filter((id) => ids.includes(id)));
  });

  it("is fixed (independent of anything but its inputs) and takes nothing for n = 0", () => {
    expect(holdOutScenarios(train, 40)).toEqual(holdOutScenarios([...train], 40));
    expect(holdOutScenarios(train, 0)).toEqual([]);
    expect(holdOutScenarios(train, 1000)).toEqual(train);
  });
});
