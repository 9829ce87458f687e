import { describe, expect, it } from "vitest";
import { paperExecutionResults } from "@envtune/engine";
import { extractActions } from "./reward.ts";

describe("extractActions", () => {
  it("takes the model's envelope blocks with their <think>, in order, and skips the environment's texts", () => {
    const env = paperExecutionResults(["ok"]);
    const text = [
      "<think>a</think>\n<tool_call>\n[{\"name\": \"ls\", \"arguments\": {}}]\n</tool_call>",
      `<|im_end|>\n<|im_start|>user\n${env}<|im_end|>\n<|im_start|>assistant\n`,
      "<think>b</think> no block here",
      "<think>c</think><answer>done</answer>",
    ].join("");
    expect(extractActions(text)).toEqual(["<think>a</think>\n<tool_call>\n[{\"name\": \"ls\", \"arguments\": {}}]\n</tool_call>", "<think>c</think><answer>done</answer>"]);
  });

  it("finds blocks without a <think> and never joins two thinks", () => {
    expect(extractActions("<answer>x</answer><think>1</think>junk<think>2</think><tool_call>[]</tool_call>")).toEqual(["<answer>x</answer>", "<think>2</think><tool_call>[]</tool_call>"]);
    expect(extractActions("nothing")).toEqual([]);
  });
});
