import { beforeAll, describe, expect, it } from "vitest";
import type { DomainPack } from "@envtune/core";
import { Episode } from "@envtune/engine";
import { DialogueTracker, parsePaperResults } from "./observe.ts";
import { bfclPacks, ds } from "./__fixtures__/bfcl.ts";

let packs: Map<string, DomainPack>;

beforeAll(async () => {
  packs = await bfclPacks();
});

describe("observations from the chat messages of a real episode", () => {
  it("tracks the user turn, the calls and results of the turn, parse errors, and earlier turns", () => {
    const entry = ds.entries.find((e) => e.id === "multi_turn_base_0")!;
    const ep = new Episode({ entry, packs, constants: ds.longContext, funcDocs: ds.funcDocs, config: { protocol: "paper" } });
    const tracker = new DialogueTracker();
    tracker.update(ep.reset().messages);
    const tools = ep.tools.map((t) => t.function);
    let o = tracker.observation(tools);
    expect(o.userText).toBe(entry.question[0]![0]!.content);
    expect(o.steps).toEqual([]);

    ep.step('<think>x</think>\n<tool_call>\n[{"name": "ls", "arguments": {"a": true}}]\n</tool_call>');
    tracker.update(ep.messages);
    o = tracker.observation(tools);
    expect(o.steps).toHaveLength(1);
    expect(o.steps[0]!.kind).toBe("calls");
    expect(o.steps[0]!.calls).toEqual([{ name: "ls", values: ["true"] }]);
    expect(o.steps[0]!.results[0]).toMatch(/current_directory_content/);

    ep.step("<think>x</think><tool_call>[{bad json</tool_call>");
    tracker.update(ep.messages);
    o = tracker.observation(tools);
    expect(o.steps[1]).toMatchObject({ kind: "parse_error", calls: [], results: [] });
    expect(o.steps[1]!.feedback).toMatch(/^Error: Invalid JSON inside <tool_call>/);

    ep.step("<think>done</think>\n<answer>ok</answer>");
    tracker.update(ep.messages);
    o = tracker.observation(tools);
    expect(o.userText).toBe(entry.question[1]![0]!.content);
    expect(o.steps).toEqual([]);
    expect(o.previousUserTexts).toEqual([entry.question[0]![0]!.content]);
    expect(o.earlierCalls).toEqual(["ls"]);
    expect(o.earlierResults[0]).toMatch(/current_directory_content/);
  });

  it("reads tool-role results (function-calling observations) too", () => {
    const entry = ds.entries.find((e) => e.id === "multi_turn_base_0")!;
    const ep = new Episode({ entry, packs, constants: ds.longContext, config: { protocol: "paper", observation: "tool" } });
    const tracker = new DialogueTracker();
    tracker.update(ep.reset().messages);
    ep.step('<think>x</think>\n<tool_call>\n[{"name": "pwd", "arguments": {}}, {"name": "ls", "arguments": {}}]\n</tool_call>');
    tracker.update(ep.messages);
    const o = tracker.observation([]);
    expect(o.steps[0]!.calls.map((c) => c.name)).toEqual(["pwd", "ls"]);
    expect(o.steps[0]!.results).toHaveLength(2);
  });

  it("parses the paper's execution-results message", () => {
    expect(parsePaperResults("hello")).toBeUndefined();
  });
});
