import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDomainPacks, requirePacks, type DomainPack } from "@envtune/core";
import type { BfclDataset, BfclEntry } from "@envtune/bfcl-data";
import { sharedDataset } from "@envtune/testing";
import { readResultsFile, runEval, summaryMarkdown, summaryTable, type EvalResult } from "./eval.ts";
import { gtCallToKeywords } from "./policies/gt-calls.ts";
import { oraclePolicy } from "./policies/oracle.ts";
import type { Policy } from "./policies/policy.ts";
import { decodeRecordedOutput, decodeRecordedStep, readReplayFile, replayPolicy, type ReplayRecord } from "./policies/replay.ts";

let ds: BfclDataset;
let packs: Map<string, DomainPack>;
let entries: BfclEntry[];
const tmp = mkdtempSync(join(tmpdir(), "envtune-eval-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
  entries = ["base", "miss_func", "miss_param", "long_context"].flatMap((c) => [0, 1].map((k) => ds.byId.get(`multi_turn_${c}_${k}`)!));
});

const base = () => ({ packs, constants: ds.longContext, funcDocs: ds.funcDocs });

/** Counts the episodes a policy is asked to play. */
function counting(p: Policy): Policy & { episodes: Set<string> } {
  const episodes = new Set<string>();
  return {
    ...p,
    episodes,
    act(ctx) {
      episodes.add(ctx.entry.id);
      return p.act(ctx);
    },
  };
}

describe("runEval", () => {
  it("scores the oracle 100% with the official checker and writes one line per entry", async () => {
    const file = join(tmp, "oracle.jsonl");
    const { results, summary } = await runEval({ ...base(), policy: oraclePolicy({ packs }), entries, resultsFile: file, concurrency: 3 });
    expect(results.map((r) => r.id)).toEqual(entries.map((e) => e.id));
    expect(results.every((r) => r.valid && r.status === "scored" && r.error_type === null && r.reward === 1)).toBe(true);
    expect(summary.overall).toBe(1);
    expect(summary.categories.miss_func).toMatchObject({ entries: 2, correct: 2, accuracy: 1, progress: 1, errors: 0 });
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EvalResult);
    expect(lines.map((l) => l.id).sort()).toEqual(entries.map((e) => e.id).sort());
    expect(lines[0]!.transcript![0]!.role).toBe("system");
    expect(lines[0]!.turns.length).toBe(ds.byId.get(lines[0]!.id)!.groundTruth.length);
  });

  it("resumes: entries already scored are not run again; a torn last line is dropped and repaired", async () => {
    const file = join(tmp, "resume.jsonl");
    await runEval({ ...base(), policy: oraclePolicy({ packs }), entries: entries.slice(0, 3), resultsFile: file });
    appendFileSync(file, '{"id": "multi_turn_base_1", "status": "sco');
    const p = counting(oraclePolicy({ packs }));
    const { results, summary } = await runEval({ ...base(), policy: p, entries, resultsFile: file, resume: true });
    expect([...p.episodes].sort()).toEqual(
      entries
        .slice(3)
        .map((e) => e.id)
        .sort(),
    );
    expect(results).toHaveLength(entries.length);
    expect(summary.scored).toBe(entries.length);
    expect(readResultsFile(file)).toHaveLength(entries.length);
    expect(readFileSync(file, "utf8").endsWith("}\n")).toBe(true);
  });

  it("records a failing episode as an error (inference_error) and re-runs it on resume", async () => {
    const file = join(tmp, "errors.jsonl");
    const oracle = oraclePolicy({ packs });
    const flaky: Policy = {
      name: "flaky",
      act(ctx) {
        if (ctx.entry.id === "multi_turn_base_1") throw new Error("endpoint down");
        return oracle.act(ctx);
      },
    };
    const first = await runEval({ ...base(), policy: flaky, entries: entries.slice(0, 2), resultsFile: file });
    expect(first.results[1]).toMatchObject({
      id: "multi_turn_base_1",
      status: "error",
      valid: false,
      error_type: "multi_turn:inference_error",
      error: "endpoint down",
    });
    expect(first.summary.errors).toBe(1);
    const p = counting(oracle);
    const second = await runEval({ ...base(), policy: p, entries: entries.slice(0, 2), resultsFile: file, resume: true });
    expect([...p.episodes]).toEqual(["multi_turn_base_1"]);
    expect(second.summary).toMatchObject({ scored: 2, errors: 0 });
  });

  it("an abort stops taking entries and keeps everything already written", async () => {
    const file = join(tmp, "abort.jsonl");
    const controller = new AbortController();
    const { summary } = await runEval({
      ...base(),
      policy: oraclePolicy({ packs }),
      entries,
      resultsFile: file,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 2) controller.abort();
      },
    });
    expect(summary.interrupted).toBe(true);
    expect(readResultsFile(file)).toHaveLength(2);
  });

  it("refuses duplicate entries", async () => {
    await expect(runEval({ ...base(), policy: oraclePolicy({ packs }), entries: [entries[0]!, entries[0]!] })).rejects.toThrow(
      /listed twice/,
    );
  });

  it("prints a per-category table and Markdown with BFCL's overall (unweighted mean)", async () => {
    const { summary } = await runEval({ ...base(), policy: oraclePolicy({ packs }), entries: entries.slice(0, 2) });
    expect(summaryTable(summary)).toBe(
      [
        "category  entries  correct  accuracy  progress  errors",
        "base            2        2   100.00%     1.000       0",
        "overall         2        2   100.00%     1.000       0",
        "",
      ].join("\n"),
    );
    const md = summaryMarkdown(summary);
    expect(md).toContain("| base | 2 | 2 | 100.00% | 1.000 | 0 |");
    expect(md).toContain("Overall is the mean over the categories present");
  });
});

describe("replay policy", () => {
  const fcRecord = (e: BfclEntry): ReplayRecord => {
    const ps = requirePacks(packs, e.involvedClasses, e.id);
    return {
      id: e.id,
      result: e.groundTruth.map((turn) => [
        ...(turn.length ? [turn.flatMap((c) => gtCallToKeywords(c, ps)).map((k) => ({ [k.name]: k.arguments }))] : []),
        "I have done what you asked.",
      ]),
    };
  };

  it("decodes every recorded step shape", () => {
    expect(decodeRecordedStep([{ cd: '{"folder": "x"}' }, { ls: { a: true } }])).toEqual(["cd(folder='x')", "ls(a=True)"]);
    expect(decodeRecordedStep([{ name: "cd", arguments: { folder: "x" } }])).toEqual(["cd(folder='x')"]);
    // BFCL's prompting decoder keeps keyword arguments only.
    expect(decodeRecordedStep("[cd(folder='x'), sort('a.txt')]")).toEqual(["cd(folder='x')", "sort()"]);
    expect(decodeRecordedStep("[cd(folder='x'), sort('a.txt')]", { positional: "keep" })).toEqual(["cd(folder='x')", "sort('a.txt')"]);
    expect(decodeRecordedStep("```\ncd(folder='x')\n```")).toEqual(["cd(folder='x')"]);
    expect(
      decodeRecordedStep({ content: null, tool_calls: [{ id: "1", type: "function", function: { name: "pwd", arguments: "" } }] }),
    ).toEqual(["pwd()"]);
    expect(decodeRecordedStep(["cd(folder='x')", "pwd()"])).toEqual(["cd(folder='x')", "pwd()"]);
    expect(decodeRecordedStep("I moved the file.")).toBeNull();
    expect(decodeRecordedStep([{ cd: "{bad json" }])).toBeNull();
    expect(decodeRecordedOutput([["[pwd()]", "done"], []])).toEqual([[["pwd()"]], []]);
    expect(decodeRecordedOutput("not a list")).toBe("not a list");
  });

  it("scores BFCL FC-format records: the ground truth is valid, a truncated record is force-terminated", async () => {
    const es = entries.slice(0, 4);
    const records = new Map(es.map((e) => [e.id, fcRecord(e)]));
    const cut = records.get(es[1]!.id)!;
    records.set(es[1]!.id, { id: cut.id, result: (cut.result as unknown[]).slice(0, 2) });
    records.set(es[2]!.id, { id: es[2]!.id, result: { error: "model crashed" } });
    records.delete(es[3]!.id);
    const { results } = await runEval({ ...base(), policy: replayPolicy(records), entries: es });
    expect(results.map((r) => [r.valid, r.error_type])).toEqual([
      [true, null],
      [false, "multi_turn:force_terminated"],
      [false, "multi_turn:inference_error"],
      [false, "multi_turn:force_terminated"],
    ]);
    expect(results[1]!.truncated).toBe(true);
    expect(results[1]!.reward_components.progress).toBe(2 / ds.byId.get(es[1]!.id)!.groundTruth.length);
  });

  it("reads {id, result} JSON lines", () => {
    const file = join(tmp, "replay.jsonl");
    writeFileSync(file, `${JSON.stringify({ id: "a", result: [[]] })}\n\n${JSON.stringify({ id: "b", result: [] })}\n`);
    expect([...readReplayFile(file).keys()]).toEqual(["a", "b"]);
    writeFileSync(file, '{"id": "a"}\n');
    expect(() => readReplayFile(file)).toThrow(/lacks `id` or `result`/);
  });
});
