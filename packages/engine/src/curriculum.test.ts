import { describe, expect, it } from "vitest";
import type { BfclEntry } from "@envtune/bfcl-data";
import { curriculumStageSchema, easiestFirst, selectStageEntries, stageDataSchema } from "./curriculum.ts";

/** An entry with the given calls per turn (only the fields selection reads). */
const entry = (id: string, category: string, callsPerTurn: number[]): BfclEntry =>
  ({
    id,
    category,
    involvedClasses: ["MathAPI"],
    groundTruth: callsPerTurn.map((n) => Array.from({ length: n }, () => "f()")),
  }) as unknown as BfclEntry;

const entries = [
  entry("b_0", "base", [2, 2]), // 2 per turn, 2 turns
  entry("b_1", "base", [1, 1, 1]), // 1 per turn, 3 turns
  entry("b_2", "base", [1]), // 1 per turn, 1 turn
  entry("b_3", "base", [0, 3]), // empty turns do not count: 3 per turn
  entry("f_0", "miss_func", [1]),
];
const byId = new Map(entries.map((e) => [e.id, e]));
const ids = entries.map((e) => e.id);

describe("selectStageEntries", () => {
  it("easiest first: fewest calls per non-empty turn, then fewest turns, then id", () => {
    const data = stageDataSchema.parse({ categories: ["base"], order: "easiest" });
    expect(selectStageEntries(data, ids, byId).map((e) => e.id)).toEqual(["b_2", "b_1", "b_0", "b_3"]);
    expect(easiestFirst(entry("x_b", "base", [1]), entry("x_a", "base", [1]))).toBeGreaterThan(0);
  });

  it("keeps split order, the categories, the usable entries and the limit; skips unknown ids", () => {
    const data = stageDataSchema.parse({ limit: 3 });
    expect(selectStageEntries(data, ["nope", ...[...ids].reverse()], byId, (e) => e.id !== "b_3").map((e) => e.id)).toEqual([
      "f_0",
      "b_2",
      "b_1",
    ]);
  });

  it("a stage is strict and defaults to all categories of the training part in split order", () => {
    expect(curriculumStageSchema.parse({ name: "s" }).data).toEqual({
      part: "train",
      categories: ["base", "miss_func", "miss_param", "long_context"],
      order: "dataset",
    });
    expect(curriculumStageSchema.safeParse({ name: "s", extra: 1 }).success).toBe(false);
  });
});
