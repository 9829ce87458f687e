import { describe, expect, it } from "vitest";
import { z } from "zod";
import { resolveEpisodeConfig } from "./config.ts";
import { registerRewardRule, rewardRuleNames, type RewardFactory } from "./reward-registry.ts";
import { computeReward, parseRewardSpec, type RewardInput, type StepRecord } from "./rewards.ts";

const call: StepRecord = { kind: "tool_calls", executed: true, calls: 1, errorResults: 0, exceptions: 0 };
const input: RewardInput = {
  turnCount: 4,
  turns: [{ passed: true }, { passed: true }, { passed: false }],
  steps: [call, call, { kind: "answer" }],
};

/** Progress minus a cost per executed tool step: a user's rule, registered like the built-ins. */
const efficiency: RewardFactory<z.ZodObject<{ cost: z.ZodDefault<z.ZodNumber> }>> = {
  name: "test-efficiency",
  description: "R_P − cost · tool steps",
  options: z.object({ cost: z.number().min(0).default(0.1) }),
  create: (o) => (inp, c) => c.progress - o.cost * inp.steps.filter((s) => s.kind === "tool_calls").length,
};

describe("reward rule registry", () => {
  it("has the paper's rules built in", () => {
    expect(rewardRuleNames()).toEqual(expect.arrayContaining(["binary", "format", "mixed", "progress", "stage1", "tool", "weighted"]));
  });

  it("scores with a rule registered from user code; its options and the counting options are validated together", () => {
    registerRewardRule(efficiency);
    expect(parseRewardSpec({ kind: "test-efficiency" })).toEqual({
      kind: "test-efficiency",
      cost: 0.1,
      authorsErrorCounting: false,
      toolUnit: "step",
      progressDenominator: "all_turns",
    });
    const r = computeReward({ kind: "test-efficiency", cost: 0.25 }, input);
    expect(r.reward).toBeCloseTo(2 / 4 - 0.5, 12);
    expect(r.components.progress).toBe(0.5);
    // The counting options reach the components the rule reads.
    expect(computeReward({ kind: "test-efficiency", cost: 0, progressDenominator: "finished_turns" }, input).reward).toBeCloseTo(2 / 3, 12);
    // The episode config accepts it too (its schema is derived from the registry, not a fixed union).
    expect(resolveEpisodeConfig({ reward: { kind: "test-efficiency", cost: 0 } }).reward.kind).toBe("test-efficiency");
    try {
      parseRewardSpec({ kind: "test-efficiency", cost: -1, colour: "red" });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "INVALID_REWARD_SPEC" });
      const details = (e as { details: string[] }).details.join("\n");
      expect(details).toMatch(/cost/);
      expect(details).toMatch(/colour/);
    }
  });

  it("names the known rules for an unknown kind, and guards names", () => {
    expect(() => parseRewardSpec({ kind: "nope" })).toThrow(
      expect.objectContaining({
        code: "INVALID_REWARD_SPEC",
        details: [expect.stringMatching(/^kind: unknown reward rule `nope` \(known: .*binary.*weighted/)],
      }),
    );
    expect(() => registerRewardRule({ ...efficiency, name: "progress" })).toThrow(expect.objectContaining({ code: "REWARD_RULE_EXISTS" }));
    expect(() => registerRewardRule({ ...efficiency, name: "Bad Name" })).toThrow(
      expect.objectContaining({ code: "BAD_REWARD_RULE_NAME" }),
    );
  });
});
