import { describe, expect, it } from "vitest";
import { PAPER_STAGES, mergeEpisodeConfig, parseStages } from "./stages.ts";

describe("curriculum stages", () => {
  it("the paper's four stages parse and keep only the settings they give", () => {
    const st = parseStages(PAPER_STAGES);
    expect(st.map((s) => [s.id, s.data.categories.length, s.episode.augmented, (s.episode.reward as { kind: string }).kind])).toEqual([
      ["1", 1, false, "stage1"],
      ["2", 1, true, "progress"],
      ["3", 4, true, "progress"],
      ["4", 4, false, "progress"],
    ]);
    expect(st[0]!.data).toMatchObject({ order: "easiest", limit: 75, part: "train" });
    expect(Object.keys(st[1]!.episode).sort()).toEqual(["augmented", "protocol", "reward", "systemPrompt"]);
  });

  it("rejects bad stages with every problem listed", () => {
    expect(() =>
      parseStages([
        { id: "a", name: "x", episode: { maxActionsPerTurn: 0 } },
        { id: "b", name: "y", data: { categories: ["nope"] } },
      ]),
    ).toThrow(/stages\.0\.episode\.maxActionsPerTurn[\s\S]*stages\.1\.data\.categories/);
    expect(() =>
      parseStages([
        { id: "a", name: "x" },
        { id: "a", name: "y" },
      ]),
    ).toThrow(/duplicate id `a`/);
    expect(() => parseStages([{ id: "bad id", name: "x" }])).toThrow(/stages\.0\.id/);
  });

  it("merges episode configs field by field, later layers winning, undefined ignored", () => {
    expect(
      mergeEpisodeConfig(
        { augmented: true, maxActionsPerTurn: 5 },
        undefined,
        { maxActionsPerTurn: 3, observation: undefined },
        { reward: { kind: "binary" } },
      ),
    ).toEqual({
      augmented: true,
      maxActionsPerTurn: 3,
      reward: { kind: "binary" },
    });
  });
});
