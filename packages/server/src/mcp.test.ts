import { describe, expect, it } from "vitest";
import { negotiateProtocolVersion, taskSelection } from "./mcp.ts";
import { answerText } from "./mcp-tools.ts";

describe("MCP version negotiation", () => {
  it("answers the client's revision when supported, else the newest", () => {
    expect(negotiateProtocolVersion("2025-06-18")).toBe("2025-06-18");
    expect(negotiateProtocolVersion("2025-11-25")).toBe("2025-11-25");
    expect(negotiateProtocolVersion("2024-11-05")).toBe("2025-11-25");
    expect(negotiateProtocolVersion(undefined)).toBe("2025-11-25");
  });
});

describe("task selection of initialize", () => {
  it("merges the URL query with capabilities.experimental.envtune or _meta, the params winning", () => {
    expect(taskSelection({}, undefined)).toBeUndefined();
    expect(taskSelection({}, { task_id: "a", stage: "2" })).toEqual({ task_id: "a", stage: "2" });
    expect(taskSelection({ capabilities: { experimental: { envtune: { task_id: "b", seed: 3 } } } }, { task_id: "a" })).toEqual({
      task_id: "b",
      seed: 3,
    });
    expect(taskSelection({ _meta: { "envtune/task": { stage: 4 } } }, undefined)).toEqual({ stage: "4" });
  });

  it("refuses unknown or malformed fields with VALIDATION_ERROR", () => {
    expect(() => taskSelection({}, { task: "x" })).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    expect(() => taskSelection({}, { seed: "many" })).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
  });
});

describe("end_turn answers", () => {
  it("use the envelope's answer form where a bare text would be a parse error", () => {
    expect(answerText("openai", "Done.")).toBe("Done.");
    expect(answerText("python", "Done.")).toBe("Done.");
    expect(answerText("envelope", "Done <answer>x</answer>")).toBe("<think>The request is handled.</think>\n<answer>Done x</answer>");
  });
});
