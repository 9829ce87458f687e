/**
 * The `openai` policy against a real HTTP server on loopback speaking the chat-completions
 * protocol (test/engine/fake-openai.ts), through the global fetch.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDomainPacks, type DomainPack } from "@envtune/core";
import type { BfclDataset, BfclEntry } from "@envtune/bfcl-data";
import { sharedDataset } from "@envtune/testing";
import { NOT_EXECUTED_TEXT, openaiPolicy, runEval, SYSTEM_WARNING_TEXT, type EvalOptions } from "@envtune/engine";
import { startFakeOpenAI, type FakeServer } from "./fake-openai.ts";

const API_KEY = "sk-test-loopback";
let ds: BfclDataset;
let packs: Map<string, DomainPack>;
let entries: BfclEntry[];
let server: FakeServer;
const tmp = mkdtempSync(join(tmpdir(), "envtune-openai-"));

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
  entries = [
    "multi_turn_base_1",
    "multi_turn_miss_func_0",
    "multi_turn_miss_param_2",
    "multi_turn_long_context_3",
    "multi_turn_base_4",
    "multi_turn_miss_func_5",
  ].map((id) => ds.byId.get(id)!);
  server = await startFakeOpenAI({ entries, packs, apiKey: API_KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const evalWith = (model: string, mode: "fc" | "prompt", extra: Partial<EvalOptions> = {}, policyExtra: Record<string, unknown> = {}) =>
  runEval({
    policy: openaiPolicy({ baseUrl: server.url, model, mode, apiKey: API_KEY, timeoutMs: 5000, backoffMs: 10, ...policyExtra }),
    entries,
    packs,
    constants: ds.longContext,
    funcDocs: ds.funcDocs,
    concurrency: 3,
    ...extra,
  });

describe("openai policy over HTTP", () => {
  it("function calling: a ground-truth model scores 100%, sending tools and answering every tool_call", async () => {
    const before = server.requests.length;
    const { results, summary } = await evalWith("gt", "fc");
    expect(results.map((r) => [r.id, r.valid, r.status])).toEqual(entries.map((e) => [e.id, true, "scored"]));
    expect(summary.overallPresent).toBe(1);
    const reqs = server.requests.slice(before);
    expect(reqs.every((r) => r.authorization === `Bearer ${API_KEY}` && Array.isArray(r.tools) && r.tools.length > 0)).toBe(true);
    // The withheld function appears only once revealed.
    const mf = reqs.filter((r) => r.messages[1]!.content === ds.byId.get("multi_turn_miss_func_0")!.question[0]![0]!.content);
    const names = (r: (typeof mf)[number]) => (r.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
    expect(names(mf[0]!)).not.toContain("sort");
    expect(names(mf.at(-1)!)).toContain("sort");
    expect(server.statuses.slice(-reqs.length).every((s) => s === 200)).toBe(true);
    expect(results[0]!.transcript!.some((m) => m.role === "tool")).toBe(true);
  });

  it("prompt mode: the paper's prompt and envelope, user-role results, 100% for the ground truth", async () => {
    const before = server.requests.length;
    const { results } = await evalWith("gt", "prompt");
    expect(results.every((r) => r.valid)).toBe(true);
    const reqs = server.requests.slice(before);
    expect(
      reqs.every((r) => r.tools === undefined && r.messages[0]!.content!.startsWith("You are an expert in composing functions.")),
    ).toBe(true);
    expect(
      reqs.some((r) =>
        r.messages.some(
          (m) => m.role === "user" && m.content!.startsWith("Here are the function's execution results. Execution results:["),
        ),
      ),
    ).toBe(true);
    expect(reqs.every((r) => r.messages.every((m) => m.role !== "tool"))).toBe(true);
  });

  it("scores a model's mistakes with the official checker", async () => {
    const { results } = await evalWith("sloppy", "fc");
    for (const r of results) {
      const gt1Empty = ds.byId.get(r.id)!.groundTruth[1]!.length === 0;
      expect([r.id, r.valid, r.error_type, r.failed_turn]).toEqual(
        gt1Empty ? [r.id, true, null, null] : [r.id, false, "multi_turn:empty_turn_model_response", 1],
      );
    }
  });

  it("retries 503s (honouring Retry-After) and timeouts, with backoff", async () => {
    const retries: string[] = [];
    const { results } = await evalWith(
      "flaky",
      "fc",
      { entries: entries.slice(0, 2) },
      { timeoutMs: 400, onRetry: (r: { reason: string }) => retries.push(r.reason) },
    );
    expect(results.every((r) => r.valid)).toBe(true);
    expect(retries.filter((r) => r.startsWith("HTTP 503"))).toHaveLength(2);
    expect(retries.filter((r) => r.includes("within 400 ms"))).toHaveLength(2);
  });

  it("fails an entry (status error, re-run on resume) when the endpoint refuses the key; nothing else is lost", async () => {
    const file = join(tmp, "results.jsonl");
    const bad = await evalWith("gt", "fc", { entries: entries.slice(0, 2), resultsFile: file }, { apiKey: "wrong" });
    expect(bad.results.map((r) => r.status)).toEqual(["error", "error"]);
    expect(bad.results[0]!.error).toContain("HTTP 401");
    const good = await evalWith("gt", "fc", { entries: entries.slice(0, 3), resultsFile: file, resume: true });
    expect(good.results.map((r) => [r.status, r.valid])).toEqual([
      ["scored", true],
      ["scored", true],
      ["scored", true],
    ]);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(5);
  });

  it("paper protocol over fc: a call on an empty-GT turn gets tool replies, is not run, and the next question carries the SYSTEM WARNING", async () => {
    const entry = ds.byId.get("multi_turn_miss_param_2")!;
    const empty = entry.groundTruth.findIndex((t) => t.length === 0);
    const before = server.requests.length;
    const { results } = await evalWith("eager", "fc", { entries: [entry], config: { protocol: "paper" } });
    const r = results[0]!;
    expect(server.statuses.slice(-(server.requests.length - before)).every((s) => s === 200)).toBe(true);
    expect(r.turns[empty]).toMatchObject({ reason: "called_in_empty_turn", passed: false, gtEmpty: true });
    expect(r.transcript!.filter((m) => m.role === "tool" && m.content === NOT_EXECUTED_TEXT).length).toBeGreaterThan(0);
    expect(r.transcript!.filter((m) => m.role === "user" && m.content!.startsWith(SYSTEM_WARNING_TEXT))).toHaveLength(1);
    // Not executed, so the official verdict is unaffected; the reward is not.
    expect(r.valid).toBe(true);
    expect(r.reward_components.progress).toBe((entry.groundTruth.length - 1) / entry.groundTruth.length);
  });
});
