import { describe, expect, it } from "vitest";
import { curveStats, formatStageCurve, stageCurves, verdictOverRuns } from "./curves.ts";

const line = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => [i + 1, f(i)] as const);

describe("curveStats (the per-stage rise rule)", () => {
  it("compares the last quarter with the first and fits a slope", () => {
    const s = curveStats(line(8, (i) => i / 100));
    expect(s.first).toBeCloseTo(0.005);
    expect(s.last).toBeCloseTo(0.065);
    expect(s.rise).toBeCloseTo(0.06);
    expect(s.slopePer100).toBeCloseTo(1);
    expect(s.slopeSe).toBeCloseTo(0);
    expect(s.rises).toBe(true);
    expect(s.clearly).toBe(true);
  });

  it("a flat noisy curve neither rises clearly nor hides its noise", () => {
    const s = curveStats(line(40, (i) => (i % 2 ? 0.1 : 0.0)));
    expect(Math.abs(s.rise)).toBeLessThan(s.riseSe * 2);
    expect(s.clearly).toBe(false);
    expect(s.riseSe).toBeGreaterThan(0);
  });

  it("a falling curve does not rise; one point is not a curve", () => {
    expect(curveStats(line(12, (i) => 1 - i / 10)).rises).toBe(false);
    const one = curveStats([[1, 0.5]]);
    expect(one.rises).toBe(false);
    expect(one.rise).toBe(0);
  });

  it("a rise in the quarters with a falling slope does not count", () => {
    const ys = [0.1, 0.1, 0.9, 0.9, 0.5, 0.3, 0.2, 0.2];
    const s = curveStats(ys.map((y, i) => [i, y] as const));
    expect(s.rise).toBeCloseTo(0.1);
    expect(s.slopePer100).toBeLessThan(0);
    expect(s.rises).toBe(false);
  });
});

describe("stageCurves", () => {
  const stages = [
    { name: "s1", reward: { kind: "stage1" }, promotion: { metric: "val_reward" } },
    { name: "s2", reward: { kind: "progress" }, promotion: { metric: "val_turn_success" } },
  ];
  const metrics: Array<Record<string, unknown>> = [
    { type: "validation", update: 0, stage: 1, stage_name: "s1", val_reward: 1.0, val_turn_success: 0 },
    ...[1, 2, 3, 4].map((u) => ({
      type: "update",
      update: u,
      stage: 1,
      stage_name: "s1",
      reward: 1 + u / 10,
      train_turn_success: 0.5 - u / 10,
      ...(u === 4 ? { val_reward: 1.4, val_turn_success: 0 } : {}),
    })),
    { type: "promotion", update: 4, from: "s1", to: "s2" },
    { type: "validation", update: 4, stage: 2, stage_name: "s2", val_reward: 0, val_turn_success: 0.02 },
    ...[5, 6, 7, 8, 9, 10, 11, 12].map((u) => ({
      type: "update",
      update: u,
      stage: 2,
      stage_name: "s2",
      reward: u / 100,
      train_turn_success: u / 100,
      ...(u % 4 === 0 ? { val_reward: 0, val_turn_success: u / 200 } : {}),
    })),
  ];

  it("reads each stage's reward (and turn success beside it), plus its validations", () => {
    const [a, b] = stageCurves(metrics, stages);
    expect(a!.metric).toBe("reward");
    expect(a!.rewardKind).toBe("stage1");
    expect(a!.updates).toBe(4);
    expect(a!.train.first).toBeCloseTo(1.1);
    expect(a!.train.last).toBeCloseTo(1.4);
    expect(a!.turnSuccess.rises).toBe(false);
    expect(a!.validation!.first).toBe(1.0);
    expect(a!.validation!.last).toBe(1.4);
    expect(b!.rewardKind).toBe("progress");
    expect(b!.train.first).toBeCloseTo(0.055);
    expect(b!.train.last).toBeCloseTo(0.115);
    expect(b!.turnSuccess.rise).toBeCloseTo(0.06);
    expect(b!.validation!.n).toBe(3);
    expect(b!.train.rises).toBe(true);
    expect(formatStageCurve(b!)).toMatch(
      /stage 2 s2 \(8 updates\): reward \(progress\) 0\.055 → 0\.115, rise 0\.060 ± .*: rises clearly; turn success 5\.50% → 11\.50% \(rise 6\.00 ± .* points: rises clearly\); validation val_turn_success/,
    );
  });
});

describe("verdictOverRuns", () => {
  it("needs a positive mean rise and a rise in two thirds of the runs", () => {
    expect(verdictOverRuns(0.04, 0.003, 3, 3)).toBe("rises clearly");
    expect(verdictOverRuns(0.004, 0.003, 2, 3)).toBe("rises");
    // A positive mean carried by one run of three is not a rising stage.
    expect(verdictOverRuns(0.0005, 0.0067, 1, 3)).toBe("does not rise");
    expect(verdictOverRuns(-0.001, 0.001, 3, 3)).toBe("does not rise");
    expect(verdictOverRuns(0.1, 0, 1, 1)).toBe("rises");
  });
});
