import { describe, expect, it } from "vitest";
import { EnvtuneError } from "@envtune/core";
import {
  binaryReward,
  computeReward,
  formatReward,
  isToolCall,
  parseRewardSpec,
  progressReward,
  rewardComponents,
  stage1Reward,
  toolCounts,
  toolReward,
  type StepRecord,
} from "./rewards.ts";

const ok = (calls = 1): StepRecord => ({ kind: "tool_calls", executed: true, calls, errorResults: 0, exceptions: 0 });
const returnedError = (calls = 1, errors = 1): StepRecord => ({
  kind: "tool_calls",
  executed: true,
  calls,
  errorResults: errors,
  exceptions: 0,
});
const raised = (calls = 1, exceptions = 1): StepRecord => ({ kind: "tool_calls", executed: true, calls, errorResults: 0, exceptions });
const parseError: StepRecord = { kind: "parse_error" };
const answer: StepRecord = { kind: "answer" };
const notExecuted: StepRecord = { kind: "tool_calls", executed: false, calls: 2, errorResults: 0, exceptions: 0 };

describe("format reward R_format = (N − C_format) / N", () => {
  it("is 0 without steps", () => expect(formatReward([])).toBe(0));
  it("counts every assistant message in N, parse errors in C_format", () => {
    expect(formatReward([parseError, answer, ok(), raised()])).toBe(3 / 4);
    expect(formatReward([parseError, parseError])).toBe(0);
    expect(formatReward([answer])).toBe(1);
  });
});

describe("tool-call reward R_tool = C_correct / (C_correct + C_error)", () => {
  it('counts returned {"error": ...} results as errors (the authors\' code does not, B2)', () => {
    expect(toolCounts([ok(), returnedError(), raised()])).toEqual({ correct: 1, error: 2 });
    expect(toolReward([ok(), returnedError()])).toBe(0.5);
  });
  it("keeps the authors' counting behind authorsErrorCounting: only raised exceptions are errors", () => {
    expect(toolCounts([ok(), returnedError(), raised()], { authorsErrorCounting: true })).toEqual({ correct: 2, error: 1 });
    expect(toolReward([ok(), returnedError()], { authorsErrorCounting: true })).toBe(1);
  });
  it("counts per step by default (one bad call spoils the step) and per call on request", () => {
    const steps = [returnedError(3, 1), ok(2)];
    expect(toolCounts(steps)).toEqual({ correct: 1, error: 1 });
    expect(toolCounts(steps, { toolUnit: "call" })).toEqual({ correct: 4, error: 1 });
    expect(toolReward(steps, { toolUnit: "call" })).toBe(4 / 5);
  });
  it("ignores parse errors, answers and calls that were not executed; 0 without tool steps", () => {
    expect(toolCounts([parseError, answer, notExecuted])).toEqual({ correct: 0, error: 0 });
    expect(toolReward([parseError, answer, notExecuted])).toBe(0);
  });
});

describe("Stage-1 reward I_tool · (R_format + R_tool)", () => {
  it("is 0 without an executed tool call even with a perfect format", () => {
    expect(isToolCall([answer, notExecuted])).toBe(0);
    expect(stage1Reward([answer, answer])).toBe(0);
  });
  it("adds format and tool rewards when a tool ran (range up to 2)", () => {
    expect(isToolCall([ok()])).toBe(1);
    expect(stage1Reward([ok(), answer])).toBe(2);
    // N = 4, C_format = 1 → 0.75; C_correct = 1, C_error = 1 → 0.5.
    expect(stage1Reward([parseError, ok(), returnedError(), answer])).toBe(1.25);
    expect(stage1Reward([parseError, ok(), returnedError(), answer], { authorsErrorCounting: true })).toBe(1.75);
  });
});

describe("progress reward R_P = (1/T) Σ r_t", () => {
  it("divides by every turn of the entry: unfinished turns count as failed (B1)", () => {
    expect(progressReward({ turnCount: 4, turns: [{ passed: true }, { passed: true }] })).toBe(0.5);
    expect(progressReward({ turnCount: 4, turns: [{ passed: true }, { passed: false }, { passed: true }, { passed: true }] })).toBe(0.75);
  });
  it("keeps the authors' denominator (finished turns only) behind a flag", () => {
    expect(progressReward({ turnCount: 4, turns: [{ passed: true }, { passed: true }] }, { progressDenominator: "finished_turns" })).toBe(
      1,
    );
  });
  it("is 0 for no turns", () => {
    expect(progressReward({ turnCount: 0, turns: [] })).toBe(0);
  });
});

describe("binary reward", () => {
  it("is 1 only when all T turns ended and passed", () => {
    expect(binaryReward({ turnCount: 2, turns: [{ passed: true }, { passed: true }] })).toBe(1);
    expect(binaryReward({ turnCount: 2, turns: [{ passed: true }, { passed: false }] })).toBe(0);
    expect(binaryReward({ turnCount: 3, turns: [{ passed: true }, { passed: true }] })).toBe(0);
    expect(binaryReward({ turnCount: 0, turns: [] })).toBe(0);
  });
});

describe("reward specs", () => {
  const input = {
    turnCount: 4,
    turns: [{ passed: true }, { passed: false }, { passed: true }],
    steps: [parseError, ok(), answer, returnedError(), answer],
  };

  it("computes the configured reward and every component", () => {
    const components = rewardComponents(input);
    expect(components).toEqual({ progress: 0.5, binary: 0, format: 0.8, tool: 0.5, is_tool_call: 1, stage1: 1.3 });
    expect(computeReward({ kind: "progress" }, input).reward).toBe(0.5);
    expect(computeReward({ kind: "binary" }, input).reward).toBe(0);
    expect(computeReward({ kind: "format" }, input).reward).toBe(0.8);
    expect(computeReward({ kind: "tool" }, input).reward).toBe(0.5);
    expect(computeReward({ kind: "stage1" }, input).reward).toBeCloseTo(1.3, 12);
    expect(computeReward({ kind: "stage1", authorsErrorCounting: true }, input).reward).toBeCloseTo(1.8, 12);
  });

  it("mixed baseline is 0.9·R_P + 0.1·R_format by default, weights configurable", () => {
    expect(computeReward({ kind: "mixed" }, input).reward).toBeCloseTo(0.9 * 0.5 + 0.1 * 0.8, 12);
    expect(computeReward({ kind: "mixed", progressWeight: 0.5, formatWeight: 0.5 }, input).reward).toBeCloseTo(0.65, 12);
  });

  it("weighted combines any components", () => {
    expect(computeReward({ kind: "weighted", weights: { progress: 2, is_tool_call: -1 } }, input).reward).toBe(0);
    expect(computeReward({ kind: "weighted", weights: { binary: 1 } }, input).reward).toBe(0);
  });

  it("honours the counting options in the progress component", () => {
    expect(computeReward({ kind: "progress", progressDenominator: "finished_turns" }, input).reward).toBeCloseTo(2 / 3, 12);
  });

  it("fills defaults and rejects invalid specs with every problem named", () => {
    expect(parseRewardSpec({ kind: "mixed" })).toEqual({
      kind: "mixed",
      progressWeight: 0.9,
      formatWeight: 0.1,
      authorsErrorCounting: false,
      toolUnit: "step",
      progressDenominator: "all_turns",
    });
    for (const bad of [
      { kind: "nope" },
      { kind: "progress", extra: 1 },
      { kind: "mixed", progressWeight: Infinity },
      { kind: "weighted", weights: { bogus: 1 } },
      null,
    ]) {
      expect(() => parseRewardSpec(bad)).toThrow(EnvtuneError);
    }
    try {
      parseRewardSpec({ kind: "tool", toolUnit: "turn" });
    } catch (e) {
      expect((e as EnvtuneError).code).toBe("INVALID_REWARD_SPEC");
      expect((e as EnvtuneError).details?.join()).toContain("toolUnit");
    }
  });
});
