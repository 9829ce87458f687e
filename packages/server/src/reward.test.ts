import { describe, expect, it } from "vitest";
import { paperExecutionResults, REWARD_COMPONENTS } from "@envtune/engine";
import { extractActions, rewardAnswer } from "./reward.ts";

describe("extractActions", () => {
  it("takes the model's envelope blocks with their <think>, in order, and skips the environment's texts", () => {
    const env = paperExecutionResults(["ok"]);
    const text = [
      '<think>a</think>\n<tool_call>\n[{"name": "ls", "arguments": {}}]\n</tool_call>',
      `<|im_end|>\n<|im_start|>user\n${env}<|im_end|>\n<|im_start|>assistant\n`,
      "<think>b</think> no block here",
      "<think>c</think><answer>done</answer>",
    ].join("");
    expect(extractActions(text)).toEqual([
      '<think>a</think>\n<tool_call>\n[{"name": "ls", "arguments": {}}]\n</tool_call>',
      "<think>c</think><answer>done</answer>",
    ]);
  });

  it("finds blocks without a <think> and never joins two thinks", () => {
    expect(extractActions("<answer>x</answer><think>1</think>junk<think>2</think><tool_call>[]</tool_call>")).toEqual([
      "<answer>x</answer>",
      "<think>2</think><tool_call>[]</tool_call>",
    ]);
    expect(extractActions("nothing")).toEqual([]);
  });
});

describe("rewardAnswer", () => {
  it("gives OpenRLHF numbers only: one numeric list per extra_logs key, one entry per sample, a fixed key set", () => {
    const a = rewardAnswer([
      { reward: 1, reward_components: { progress: 1, binary: 1, format: 1, tool: 0.5, is_tool_call: 1, stage1: 0.7 }, error: null },
      { reward: 0, reward_components: {}, error: "Unknown task `nope`." },
    ]);
    expect(a.rewards).toEqual([1, 0]);
    expect(a.scores).toEqual([1, 0]);
    expect(Object.keys(a.extra_logs).sort()).toEqual([...REWARD_COMPONENTS, "envtune_error"].sort());
    for (const v of Object.values(a.extra_logs)) {
      expect(v).toHaveLength(2);
      for (const x of v) expect(Number.isFinite(x)).toBe(true);
    }
    expect(a.extra_logs.progress).toEqual([1, 0]);
    expect(a.extra_logs.envtune_error).toEqual([0, 1]);
    // The message stays available where OpenRLHF does not look.
    expect(a.details[1]!.error).toMatch(/Unknown task/);
  });
});
