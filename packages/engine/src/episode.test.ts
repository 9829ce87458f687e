import { beforeAll, describe, expect, it } from "vitest";
import { EnvtuneError, loadDomainPacks, type DomainPack } from "@envtune/core";
import type { BfclDataset, BfclEntry } from "@envtune/bfcl-data";
import { checkEntry } from "@envtune/checker";
import { sharedDataset } from "@envtune/testing";
import type { EpisodeConfigInput } from "./config.ts";
import { Episode } from "./episode.ts";
import { oraclePolicy } from "./policies/oracle.ts";
import { ADDITIONAL_FUNCTIONS_TEXT, SYSTEM_WARNING_TEXT } from "./prompts.ts";
import { runEpisode } from "./run.ts";
import type { EpisodeEvent, StepResult } from "./types.ts";
import { toWireStep } from "./wire.ts";

let ds: BfclDataset;
let packs: Map<string, DomainPack>;

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
});

const entry = (id: string): BfclEntry => ds.byId.get(id)!;
const episode = (id: string, config: EpisodeConfigInput = {}) =>
  new Episode({ entry: entry(id), packs, constants: ds.longContext, funcDocs: ds.funcDocs, config });
const ofType = <T extends EpisodeEvent["type"]>(r: StepResult, type: T) =>
  r.events.filter((e): e is Extract<EpisodeEvent, { type: T }> => e.type === type);
const env = (calls: Array<[string, Record<string, unknown>]>) =>
  `<think>calling</think>\n<tool_call>${JSON.stringify(calls.map(([name, args]) => ({ name, arguments: args })))}</tool_call>`;
const ANSWER = "<think>done</think><answer>Done.</answer>";

// multi_turn_base_0 (TwitterAPI, GorillaFileSystem), ground truth of its turns 0 and 1.
const BASE0_TURN0 = "[cd(folder='document'), mkdir(dir_name='temp'), mv(source='final_report.pdf', destination='temp')]";
const BASE0_TURN1 = "[cd(folder='temp'), grep(file_name='final_report.pdf',pattern='budget analysis')]";

describe("reset", () => {
  it("returns [system, user], the involved classes' tools and the entry's info", () => {
    const ep = episode("multi_turn_base_0");
    const r = ep.reset();
    expect(r.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(r.messages[1]!.content).toBe(entry("multi_turn_base_0").question[0]![0]!.content);
    expect(r.messages[0]!.content).toContain('You have access to the following tools: [{"name": "authenticate_twitter"');
    expect(r.messages[0]!.content).toContain("- **Be resourceful**");
    expect(r.tools.map((t) => t.function.name)).toEqual(
      [...packs.get("TwitterAPI")!.openaiTools, ...packs.get("GorillaFileSystem")!.openaiTools].map((t) => t.function.name),
    );
    expect(r.info).toMatchObject({
      id: "multi_turn_base_0",
      category: "base",
      turn: 0,
      turnCount: 4,
      attempt: 0,
      maxActionsPerTurn: 5,
      augmented: false,
    });
  });

  it("withholds missing functions from the tools and the prompt until their turn", () => {
    const r = episode("multi_turn_miss_func_0").reset();
    expect(r.tools.map((t) => t.function.name)).not.toContain("sort");
    expect(r.messages[0]!.content).not.toContain('"name": "sort"');
    expect(r.info.withheld).toEqual({ "3": ["sort"] });
  });

  it("uses Prompt A, Prompt B or the function-calling prompt as configured", () => {
    const a = episode("multi_turn_base_1", { systemPrompt: "paper-a" }).reset().messages[0]!.content!;
    expect(a).toContain('<tool_call>\n[\n{"name": "func_name1"');
    expect(a).not.toContain("Be resourceful");
    const fc = episode("multi_turn_base_1", { systemPrompt: "fc" }).reset().messages[0]!.content!;
    expect(fc).not.toContain("You have access to the following tools");
    expect(fc).toContain("reply with a plain message and no tool calls");
  });

  it("refuses step before reset and after the end", () => {
    const ep = episode("multi_turn_base_1");
    expect(() => ep.step(ANSWER)).toThrow(/before `reset\(\)`/);
    ep.reset();
    ep.truncate("test");
    try {
      ep.step(ANSWER);
      expect.unreachable();
    } catch (e) {
      expect((e as EnvtuneError).code).toBe("EPISODE_DONE");
    }
  });
});

describe("observations", () => {
  it("paper: one user message with the authors' exact text around json.dumps(results, ensure_ascii=False)", () => {
    const ep = episode("multi_turn_base_0");
    ep.reset();
    const r = ep.step(
      env([
        ["cd", { folder: "document" }],
        ["ls", {}],
      ]),
    );
    expect(r.messages).toEqual([
      {
        role: "user",
        content:
          'Here are the function\'s execution results. Execution results:["{\\"current_working_directory\\": \\"document\\"}", "{\\"current_directory_content\\": [\\"final_report.pdf\\", \\"previous_report.pdf\\"]}"]\n If you believe you have already fulfilled the user\'s request, please first outline your thought process in a <think></think>pair, and then give a brief summary of the result in an <answer></answer> pair. Otherwise, you should continue to call until fulfilling user\'s request.',
      },
    ]);
    expect(ofType(r, "tool_ok").map((e) => e.detail.call)).toEqual(["cd(folder='document')", "ls()"]);
    expect(r.info).toEqual({ turn: 0, attempt: 1 });
  });

  it("tool: one tool message per call, answering each tool_call id", () => {
    const ep = episode("multi_turn_base_0", { protocol: "bfcl" });
    ep.reset();
    const r = ep.step({
      content: null,
      tool_calls: [
        { id: "a1", type: "function", function: { name: "cd", arguments: '{"folder": "document"}' } },
        { id: "b2", type: "function", function: { name: "cat", arguments: '{"file_name": "nope.txt"}' } },
      ],
    });
    expect(r.messages).toEqual([
      { role: "tool", tool_call_id: "a1", name: "cd", content: '{"current_working_directory": "document"}' },
      { role: "tool", tool_call_id: "b2", name: "cat", content: '{"error": "cat: \'nope.txt\': No such file or directory"}' },
    ]);
    expect(r.events.map((e) => e.type)).toEqual(["tool_ok", "tool_error"]);
  });

  it("bfcl: BFCL prompting's repr of role/name/content dicts", () => {
    const ep = episode("multi_turn_base_0", { protocol: "bfcl", observation: "bfcl", actionFormat: "python" });
    ep.reset();
    const r = ep.step("[cd(folder='document')]");
    expect(r.messages).toEqual([
      {
        role: "user",
        content: `[{'role': 'tool', 'name': "cd(folder='document')", 'content': '{"current_working_directory": "document"}'}]`,
      },
    ]);
  });

  it("results are the reference's strings: exceptions read `Error during execution: ...`", () => {
    const ep = episode("multi_turn_base_0", { protocol: "bfcl", actionFormat: "python" });
    ep.reset();
    const r = ep.step("[cd(), no_such_tool(x=1)]");
    expect(r.messages.map((m) => m.content)).toEqual([
      "Error during execution: GorillaFileSystem.cd() missing 1 required positional argument: 'folder'",
      "Error during execution: name 'no_such_tool' is not defined",
    ]);
    expect(ofType(r, "tool_error").map((e) => e.detail.status)).toEqual(["exception", "exception"]);
  });
});

describe("turns, parse errors and the action budget", () => {
  it("an answer ends the turn, the next user turn follows, the turn is checked", () => {
    const ep = episode("multi_turn_base_0", { actionFormat: "python", observation: "tool" });
    ep.reset();
    ep.step(BASE0_TURN0);
    const r = ep.step("All moved.");
    const end = ofType(r, "turn_end")[0]!;
    expect(end.detail).toMatchObject({
      reason: "answer",
      passed: true,
      checkerPassed: true,
      stateOk: true,
      responseOk: true,
      modelSteps: 1,
    });
    expect(r.messages).toEqual([{ role: "user", content: entry("multi_turn_base_0").question[1]![0]!.content }]);
    expect(r.info).toEqual({ turn: 1, attempt: 0 });
    expect(r.reward).toBe(0.25);
  });

  it("parse errors get the paper's exact feedback and count against the budget", () => {
    const ep = episode("multi_turn_base_0");
    ep.reset();
    const r = ep.step("<tool_call>[]</tool_call>");
    expect(r.messages).toEqual([{ role: "user", content: "Error: Missing <think></think> tags" }]);
    expect(ofType(r, "parse_error")[0]!.detail).toMatchObject({
      code: "ENVELOPE_MISSING_THINK",
      feedback: "Error: Missing <think></think> tags",
    });
    expect(r.info.attempt).toBe(1);
    const r2 = ep.step("<think>a</think>\n<tool_call>[{]</tool_call>");
    expect(r2.messages[0]!.content).toMatch(
      /^Error: Invalid JSON inside <tool_call>: Expecting property name enclosed in double quotes: line 1 column 3 \(char 2\)$/,
    );
    expect(r2.rewardComponents.format).toBe(0);
  });

  it("B8: a budget of N allows exactly N actions; the N-th executes and its results are shown", () => {
    const ep = episode("multi_turn_base_0", { maxActionsPerTurn: 3 });
    ep.reset();
    const cd = env([["cd", { folder: "document" }]]);
    expect(ofType(ep.step(cd), "turn_end")).toHaveLength(0);
    expect(ofType(ep.step("oops"), "turn_end")).toHaveLength(0);
    const r = ep.step(env([["ls", {}]]));
    expect(r.events.map((e) => e.type)).toEqual(["tool_ok", "budget_exhausted", "turn_end"]);
    expect(ofType(r, "budget_exhausted")[0]!.detail).toEqual({ actions: 3, budget: 3, then: "next_turn" });
    expect(ofType(r, "turn_end")[0]!.detail.reason).toBe("budget");
    // Results of the last action first, then the next user turn.
    expect(r.messages).toHaveLength(2);
    expect(r.messages[0]!.content).toContain('current_directory_content\\": [\\"final_report.pdf\\"');
    expect(r.messages[1]!.content).toBe(entry("multi_turn_base_0").question[1]![0]!.content);
    expect(r.info).toEqual({ turn: 1, attempt: 0 });
    expect(r.terminated || r.truncated).toBe(false);
  });

  it("the paper protocol's default budget is 5 counted actions", () => {
    const ep = episode("multi_turn_base_0");
    ep.reset();
    for (let i = 0; i < 4; i++) expect(ep.step(env([["pwd", {}]])).info).toEqual({ turn: 0, attempt: i + 1 });
    expect(ep.step(env([["pwd", {}]])).info).toEqual({ turn: 1, attempt: 0 });
  });

  it("BFCL's force quit: the budget (21 steps) ends the whole episode as truncated", () => {
    const ep = episode("multi_turn_base_0", { protocol: "bfcl", actionFormat: "python" });
    const reset = ep.reset();
    expect(reset.info.maxActionsPerTurn).toBe(21);
    let r!: StepResult;
    for (let i = 0; i < 21; i++) r = ep.step("[pwd()]");
    expect(r.truncated).toBe(true);
    expect(r.terminated).toBe(false);
    expect(r.events.map((e) => e.type).slice(-3)).toEqual(["budget_exhausted", "turn_end", "episode_end"]);
    const tr = ep.transcript();
    expect(tr.decoded).toHaveLength(1);
    expect(tr.decoded[0]).toHaveLength(21);
    expect(tr.truncationReason).toBe("budget");
    // The official checker sees a shorter output: force-terminated.
    expect(checkEntry(entry("multi_turn_base_0"), tr.decoded, { packs, constants: ds.longContext }).errorType).toBe(
      "multi_turn:force_terminated",
    );
  });

  it("B6: an answer is never executed, even when its text is a list of calls", () => {
    const ep = episode("multi_turn_base_1");
    ep.reset();
    const before = ep.stateSnapshot();
    const r = ep.step(
      '<think>x</think><answer>[{"name": "rm", "arguments": {"file_name": "workspace"}}, {"name": "mkdir", "arguments": {"dir_name": "x"}}]</answer>',
    );
    expect(r.events.map((e) => e.type)).toEqual(["answer", "turn_end"]);
    expect(ofType(r, "turn_end")[0]!.detail).toMatchObject({
      reason: "answer",
      passed: false,
      errorType: "multi_turn:empty_turn_model_response",
    });
    expect(ep.stateSnapshot()).toEqual(before);
    expect(ep.transcript().decoded).toEqual([[], []]);
  });

  it("malformed tool_calls: feedback and a retry (paper), or the end of the turn (BFCL); every id gets its reply", () => {
    const bad = {
      content: null,
      tool_calls: [{ id: "x1", type: "function" as const, function: { name: "cd", arguments: '{"folder": ' } }],
    };
    const paper = episode("multi_turn_base_1", { observation: "tool" });
    paper.reset();
    const p = paper.step(bad);
    expect(p.events.map((e) => e.type)).toEqual(["parse_error"]);
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]).toMatchObject({ role: "tool", tool_call_id: "x1" });
    expect(p.messages[0]!.content).toContain("invalid JSON");
    expect(p.info).toEqual({ turn: 0, attempt: 1 });
    const bfcl = episode("multi_turn_base_1", { protocol: "bfcl" });
    bfcl.reset();
    const b = bfcl.step(bad);
    expect(ofType(b, "turn_end")[0]!.detail.reason).toBe("undecodable");
    expect(b.messages.map((m) => [m.role, m.tool_call_id])).toEqual([
      ["tool", "x1"],
      ["user", undefined],
    ]);
  });

  it("an empty call list ends the turn (BFCL's empty decode)", () => {
    const ep = episode("multi_turn_base_1", { protocol: "bfcl", actionFormat: "python" });
    ep.reset();
    expect(ofType(ep.step("[]"), "turn_end")[0]!.detail.reason).toBe("empty_action");
  });
});

describe("empty-ground-truth turns", () => {
  // multi_turn_miss_param_0: turn 3 has an empty ground truth (a parameter is missing).
  const toTurn3 = (ep: Episode) => {
    const oracle = oraclePolicy({ packs, style: "envelope" });
    ep.reset();
    while (ep.turn < 3)
      ep.step(oracle.act({ entry: ep.entry, turn: ep.turn, attempt: ep.attempt, messages: ep.messages, tools: ep.tools }) as string);
  };

  it("paper rule: asking passes the turn", () => {
    const ep = episode("multi_turn_miss_param_0");
    toTurn3(ep);
    const r = ep.step("<think>missing</think><answer>Which file should I move?</answer>");
    expect(ofType(r, "turn_end")[0]!.detail).toMatchObject({ reason: "answer", passed: true, gtEmpty: true });
  });

  it("paper rule: a tool call fails the turn, is not executed, and the next question carries the SYSTEM WARNING", () => {
    const ep = episode("multi_turn_miss_param_0");
    toTurn3(ep);
    const before = ep.stateSnapshot();
    const r = ep.step(env([["mv", { source: "final_report.pdf", destination: "x" }]]));
    expect(r.events.map((e) => e.type)).toEqual(["not_executed", "turn_end"]);
    expect(ofType(r, "turn_end")[0]!.detail).toMatchObject({
      reason: "called_in_empty_turn",
      passed: false,
      checkerPassed: true,
      gtEmpty: true,
    });
    expect(ep.stateSnapshot()).toEqual(before);
    expect(r.messages).toEqual([
      { role: "user", content: SYSTEM_WARNING_TEXT + entry("multi_turn_miss_param_0").question[4]![0]!.content },
    ]);
    expect(SYSTEM_WARNING_TEXT).toBe(
      "(SYSTEM WARNING: You should not call any function in this turn because certain function description(s) or parameter(s) is missing in this turn. Previous turn is forced quit. Current function(s) will not be executed.) Next turn question:\n",
    );
    expect(ep.transcript().decoded[3]).toEqual([]);
  });

  it("BFCL rule: calls run (the checker's view) but the turn still counts as failed for rewards", () => {
    const ep = episode("multi_turn_miss_param_0", { emptyTurnRule: "bfcl" });
    toTurn3(ep);
    const before = ep.stateSnapshot();
    const r = ep.step(env([["mkdir", { dir_name: "extra" }]]));
    expect(r.events.map((e) => e.type)).toEqual(["tool_ok"]);
    expect(ep.stateSnapshot()).not.toEqual(before);
    const end = ep.step(ANSWER);
    expect(ofType(end, "turn_end")[0]!.detail).toMatchObject({ reason: "answer", passed: false, checkerPassed: true, gtEmpty: true });
  });
});

describe("missing functions", () => {
  it("are revealed at their turn with the new tool list in info.toolsChanged (function calling)", () => {
    const ep = episode("multi_turn_miss_func_0", { protocol: "bfcl", actionFormat: "python" });
    ep.reset();
    const oracle = oraclePolicy({ packs });
    let r!: StepResult;
    while (ep.turn < 3)
      r = ep.step(oracle.act({ entry: ep.entry, turn: ep.turn, attempt: ep.attempt, messages: ep.messages, tools: ep.tools }) as string);
    expect(r.info.toolsChanged?.map((t) => t.function.name)).toContain("sort");
    expect(ep.tools.map((t) => t.function.name)).toContain("sort");
    expect(ofType(r, "tools_changed")[0]!.detail).toEqual({ added: ["sort"] });
    expect(r.messages.at(-1)).toEqual({ role: "user", content: ADDITIONAL_FUNCTIONS_TEXT });
  });

  it("in prompt mode the message carries json.dumps of the docs", () => {
    const ep = episode("multi_turn_miss_func_0");
    ep.reset();
    const oracle = oraclePolicy({ packs, style: "envelope" });
    let r!: StepResult;
    while (ep.turn < 3)
      r = ep.step(oracle.act({ entry: ep.entry, turn: ep.turn, attempt: ep.attempt, messages: ep.messages, tools: ep.tools }) as string);
    const doc = ds.funcDocs.get("GorillaFileSystem")!.find((d) => d.name === "sort")!;
    expect(r.messages.at(-1)!.content).toBe(
      `[{"name": "sort", "description": ${JSON.stringify(doc.description)}, "parameters": ${JSON.stringify(doc.parameters).replace(/":/g, '": ').replace(/,"/g, ', "')}, "response": ${JSON.stringify(doc.response).replace(/":/g, '": ').replace(/,"/g, ', "')}}]\n${ADDITIONAL_FUNCTIONS_TEXT}`,
    );
  });
});

describe("the authors' bugs, fixed", () => {
  it("B1: unfinished turns count as failed (progress divides by all turns)", () => {
    const ep = episode("multi_turn_base_0", { actionFormat: "python", observation: "tool" });
    ep.reset();
    ep.step(BASE0_TURN0);
    ep.step("Done.");
    const r = ep.truncate("context full");
    expect(r.truncated).toBe(true);
    expect(r.rewardComponents.progress).toBe(0.25);
    expect(ep.transcript().rewards.reward).toBe(0.25);
    expect(ep.transcript().decoded).toHaveLength(1);
    expect(
      episode("multi_turn_base_0", { reward: { kind: "progress", progressDenominator: "finished_turns" } }).config.reward
        .progressDenominator,
    ).toBe("finished_turns");
  });

  it("B3: the ground-truth world advances on a turn the model skipped", () => {
    const ep = episode("multi_turn_base_0", { actionFormat: "python", observation: "tool" });
    ep.reset();
    const t0 = ep.step("I will not do that.");
    expect(ofType(t0, "turn_end")[0]!.detail).toMatchObject({ passed: false, errorType: "multi_turn:empty_turn_model_response" });
    // Doing turn 0's and turn 1's work in turn 1 matches only a GT world that ran turn 0 as well.
    ep.step(`${BASE0_TURN0.slice(0, -1)}, ${BASE0_TURN1.slice(1)}`);
    const t1 = ep.step("Done.");
    expect(ofType(t1, "turn_end")[0]!.detail).toMatchObject({ passed: true, stateOk: true, responseOk: true });
  });

  it("B4: episodes share nothing, not even the reference's process-global default lists", () => {
    const login = "authenticate_twitter(username='analyst_pro', password='Kj8#mP9$vL2')";
    const a = episode("multi_turn_base_0", { protocol: "bfcl", actionFormat: "python" });
    const b = episode("multi_turn_base_0", { protocol: "bfcl", actionFormat: "python" });
    a.reset();
    b.reset();
    const initial = b.stateSnapshot();
    expect(a.step(`[${login}, post_tweet(content='first')]`).messages[1]!.content).toContain('"mentions": []');
    a.step("[mention(tweet_id=3, mentioned_usernames=['@x'])]");
    // Within one episode the reference's aliasing is reproduced: the default list is shared.
    expect(a.step("[post_tweet(content='second')]").messages[0]!.content).toContain('"mentions": ["@x"]');
    expect(b.stateSnapshot()).toEqual(initial);
    expect(b.step(`[${login}, post_tweet(content='first')]`).messages[1]!.content).toContain('"mentions": []');
    // reset() starts from scratch too.
    a.reset();
    expect(a.stateSnapshot()).toEqual(initial);
    expect(a.transcript().steps).toEqual([]);
  });
});

describe("augmented environment", () => {
  it("uses the packs' hint catalogues instead of the reference texts", () => {
    const std = episode("multi_turn_base_1", { protocol: "bfcl", actionFormat: "python" });
    const aug = episode("multi_turn_base_1", { protocol: "bfcl", actionFormat: "python", augmented: true });
    std.reset();
    aug.reset();
    const s = std.step("[cd(folder='a/b')]").messages[0]!.content;
    const a = aug.step("[cd(folder='a/b')]").messages[0]!.content;
    expect(s).toBe('{"error": "cd: a/b: Unsupported path. Only one folder level at a time is supported."}');
    expect(a).not.toBe(s);
    expect(a).toContain("Paths are not allowed");
  });

  it("adds a JSON Schema hint to failed calls whose arguments break the schema", () => {
    const ep = episode("multi_turn_base_2", { protocol: "bfcl", actionFormat: "python", augmented: true });
    ep.reset();
    const r = ep.step("[close_ticket(ticket_id='no-such-ticket')]");
    const out = JSON.parse(r.messages[0]!.content!) as { error: string; hint: string };
    expect(out.hint).toMatch(
      /^the arguments of 'close_ticket' do not match its parameters: ticket_id must be integer\. Expected close_ticket\(ticket_id: integer\)\./,
    );
    const std = episode("multi_turn_base_2", { protocol: "bfcl", actionFormat: "python" });
    std.reset();
    expect(std.step("[close_ticket(ticket_id='no-such-ticket')]").messages[0]!.content).not.toContain("hint");
  });

  it("leaves successful calls alone (the ground truth itself passes a str ticket id that works)", () => {
    const ep = episode("multi_turn_base_2", { protocol: "bfcl", actionFormat: "python", augmented: true });
    ep.reset();
    const ok = ep.step("[cd(folder='documents')]");
    expect(ok.messages[0]!.content).toBe('{"current_working_directory": "documents"}');
  });

  it("reject mode does not execute such calls", () => {
    const ep = episode("multi_turn_base_1", { protocol: "bfcl", actionFormat: "python", augmented: true, validateArguments: "reject" });
    ep.reset();
    const before = ep.stateSnapshot();
    const r = ep.step("[mkdir(dir_name=5)]");
    expect(ofType(r, "tool_error")[0]!.detail.status).toBe("rejected");
    expect(r.messages[0]!.content).toContain("mkdir(dir_name: string)");
    expect(ep.stateSnapshot()).toEqual(before);
    expect(ep.transcript().decoded).toEqual([[]]);
  });
});

describe("rewards over an episode", () => {
  it("step rewards sum to the episode reward; components are named; terminated at the end", async () => {
    const ep = episode("multi_turn_miss_func_0", { reward: { kind: "mixed" } });
    const oracle = oraclePolicy({ packs, style: "envelope" });
    ep.reset();
    let sum = 0;
    let last!: StepResult;
    while (!ep.done) {
      last = ep.step(oracle.act({ entry: ep.entry, turn: ep.turn, attempt: ep.attempt, messages: ep.messages, tools: ep.tools }) as string);
      sum += last.reward;
    }
    expect(last.terminated).toBe(true);
    expect(last.truncated).toBe(false);
    expect(sum).toBeCloseTo(1, 12);
    expect(last.rewardComponents).toEqual({ progress: 1, binary: 1, format: 1, tool: 1, is_tool_call: 1, stage1: 2 });
    expect(ofType(last, "episode_end")[0]!.detail).toMatchObject({ terminated: true, reason: "completed", reward: 1 });
    expect(toWireStep(last)).toEqual({
      messages: last.messages,
      reward: last.reward,
      reward_components: last.rewardComponents,
      events: last.events,
      done: true,
      truncated: false,
      info: { turn: 5, attempt: 0 },
    });
    const again = await runEpisode(episode("multi_turn_miss_func_0"), oracle);
    expect(again.rewards.components.binary).toBe(1);
  });

  it("stage-1 reward: format and tool components from the episode's steps", () => {
    const ep = episode("multi_turn_base_1", { reward: { kind: "stage1" } });
    ep.reset();
    ep.step("no tags at all");
    ep.step(env([["cat", { file_name: "missing.txt" }]]));
    const r = ep.step(env([["ls", { a: true }]]));
    // N = 3, C_format = 1; tool steps: one returned error, one ok.
    expect(r.rewardComponents).toMatchObject({ format: 2 / 3, tool: 0.5, is_tool_call: 1 });
    expect(ep.rewards().reward).toBeCloseTo(2 / 3 + 0.5, 12);
  });

  it("maxEpisodeSteps truncates; the turn just opened is not part of the output", () => {
    const ep = episode("multi_turn_base_1", { protocol: "bfcl", actionFormat: "python", maxEpisodeSteps: 2 });
    ep.reset();
    ep.step("[ls(a=True)]");
    const r = ep.step("Done.");
    expect(r.truncated).toBe(true);
    expect(ofType(r, "episode_end")[0]!.detail.reason).toBe("max_episode_steps");
    expect(ep.transcript().decoded).toEqual([[["ls(a=True)"]]]);
  });
});
