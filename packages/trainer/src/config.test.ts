import { describe, expect, it } from "vitest";
import { PRESETS, effectiveStages, paperStages, parseTrainConfig, presetConfig, stageGrpo } from "./config.ts";

describe("training config", () => {
  it("declares the paper's four stages as data", () => {
    const c = presetConfig("default");
    expect(c.stages.map((s) => [s.reward.kind, s.augmented, s.prompt, s.data.categories.length])).toEqual([
      ["stage1", false, "paper-a", 1],
      ["progress", true, "paper-a", 1],
      ["progress", true, "paper-b", 4],
      ["progress", false, "paper-b", 4],
    ]);
    expect(c.stages[0]!.data).toMatchObject({ part: "train", categories: ["base"], limit: 75, order: "easiest" });
    expect(c.validation.fromTrain).toBe(0);
    const held = parseTrainConfig({
      ...PRESETS.default!(),
      validation: { every: 10, limit: null, fromTrain: 100 },
      stages: paperStages({ s1: [1, 2], s2: [1, 2], s3: [1, 2], s4: [1, 2] }, 4, [2, 2, 5, 5], { s1Entries: 50 }),
    });
    expect(held.stages[0]!.data.limit).toBe(50);
    expect(held.validation.fromTrain).toBe(100);
    for (const name of Object.keys(PRESETS)) expect(() => presetConfig(name)).not.toThrow();
  });

  it("keeps the paper's GRPO values documented beside ours", () => {
    const g = presetConfig("default").grpo;
    expect([g.epsLow, g.epsHigh, g.clipRatioC, g.gradClip]).toEqual([0.2, 0.28, 10, 1]);
  });

  it("lets a stage override GRPO settings", () => {
    const c = presetConfig("default");
    expect(stageGrpo(c, c.stages[0]!).klCoef).toBe(0.01);
    expect(stageGrpo(c, c.stages[1]!).klCoef).toBe(c.grpo.klCoef);
    expect(stageGrpo(c, c.stages[0]!).lossAggregation).toBe("token-mean");
  });

  it("a stage's overrides leave the run's other settings alone (no defaults filled in)", () => {
    const q = presetConfig("quick");
    expect(q.stages[2]!.grpo).toEqual({ klCoef: 0.1, lr: 0.01, entropyCoef: 0.005 });
    expect(stageGrpo(q, q.stages[2]!).answerKlCoef).toBe(0);
    const anchored = parseTrainConfig({
      ...PRESETS.quick!(),
      stages: paperStages({ s1: [1, 2], s2: [1, 2], s3: [1, 2], s4: [1, 2] }, 2, [2, 2, 2, 2], {
        later: { answerKlCoef: 0.3, klCoefByHead: { tool: 0.1 } },
      }),
    });
    expect(stageGrpo(anchored, anchored.stages[3]!)).toMatchObject({
      answerKlCoef: 0.3,
      klCoefByHead: { tool: 0.1 },
      klCoef: anchored.grpo.klCoef,
      groupSize: 6,
    });
    expect(() => parseTrainConfig({ grpo: { klCoefByHead: { tools: 0.1 } } })).toThrow(/klCoefByHead/);
    for (const s of q.stages) expect([stageGrpo(q, s).groupSize, stageGrpo(q, s).tasksPerUpdate]).toEqual([6, 8]);
  });

  it("rejects invalid configs with every problem listed", () => {
    expect(() => parseTrainConfig({ stages: [], grpo: { groupSize: 1 } })).toThrow(
      /grpo.groupSize[\s\S]*stages|stages[\s\S]*grpo.groupSize/,
    );
    expect(() => parseTrainConfig({ ...PRESETS.quick!(), nope: 1 })).toThrow(/Unrecognized key/);
  });

  it("applies the ablations", () => {
    const base = PRESETS.default!();
    const single = effectiveStages(parseTrainConfig({ ...base, ablation: { singleStage: true } }));
    expect(single).toHaveLength(1);
    expect(single[0]!.reward).toMatchObject({ kind: "mixed", progressWeight: 0.9, formatWeight: 0.1 });
    expect(single[0]!.data.categories).toHaveLength(4);
    expect(single[0]!.promotion.maxUpdates).toBe(presetConfig("default").stages.reduce((a, s) => a + s.promotion.maxUpdates, 0));
    const noAug = effectiveStages(parseTrainConfig({ ...base, ablation: { noAugmentation: true } }));
    expect(noAug.every((s) => !s.augmented)).toBe(true);
    const binary = effectiveStages(parseTrainConfig({ ...base, ablation: { binaryReward: true } }));
    expect(binary.map((s) => s.reward.kind)).toEqual(["stage1", "binary", "binary", "binary"]);
  });
});
