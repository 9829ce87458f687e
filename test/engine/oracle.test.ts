/**
 * The ground truth replayed through the episode engine must score 100% with the official checker
 * on all 800 entries, in every action format and protocol, standard and augmented; and the
 * engine's live per-turn checks must agree with the checker's verdicts of the checker fixtures;
 * replayed prompting text is scored as BFCL scores it.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDomainPacks, parsePythonCalls, type DomainPack } from "@envtune/core";
import type { BfclDataset } from "@envtune/bfcl-data";
import { sharedDataset, traceFile } from "@envtune/testing";
import { oraclePolicy, replayPolicy, runEval, type EpisodeConfigInput } from "@envtune/engine";

let ds: BfclDataset;
let packs: Map<string, DomainPack>;

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
});

describe("oracle policy", () => {
  const cases: Array<[string, "python" | "envelope" | "openai", EpisodeConfigInput]> = [
    ["Python call lists, BFCL protocol", "python", { protocol: "bfcl" }],
    ["the paper's envelope, paper protocol", "envelope", { protocol: "paper" }],
    ["OpenAI tool_calls, BFCL protocol, augmented", "openai", { protocol: "bfcl", augmented: true }],
  ];
  it.each(cases)("scores 800/800 with %s", async (_name, style, config) => {
    expect(ds.entries).toHaveLength(800);
    const { results, summary } = await runEval({
      policy: oraclePolicy({ packs, style }),
      entries: ds.entries,
      packs,
      constants: ds.longContext,
      funcDocs: ds.funcDocs,
      config,
      transcripts: false,
    });
    const failed = results
      .filter((r) => !r.valid || r.reward !== 1)
      .map((r) => `${r.id}: ${r.error_type} ${JSON.stringify(r.turns.find((t) => !t.passed))}`);
    expect(failed).toEqual([]);
    expect(summary.overall).toBe(1);
    for (const c of Object.values(summary.categories)) expect(c).toMatchObject({ entries: 200, correct: 200, accuracy: 1, progress: 1 });
    // The engine's live checks agree with the official re-execution turn by turn.
    expect(results.every((r) => r.turns.every((t) => t.checkerPassed && t.passed))).toBe(true);
  });
});

interface Fixture {
  id: string;
  fixture_id: string;
  model_output: string[][][];
  expected: { valid: boolean; error_type: string | null };
  failed_turn: number | null;
}

describe("replaying the checker fixtures through the engine", () => {
  it("gives the reference's verdict for all 400, and the live turn checks stop where the reference stops", async () => {
    const fixtures = readFileSync(traceFile("verdicts_dev.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Fixture);
    expect(fixtures).toHaveLength(400);
    const verdictMismatch: string[] = [];
    const liveMismatch: string[] = [];
    for (const f of fixtures) {
      const policy = replayPolicy(new Map([[f.id, { id: f.id, result: f.model_output }]]));
      const { results } = await runEval({
        policy,
        entries: [ds.byId.get(f.id)!],
        packs,
        constants: ds.longContext,
        config: { protocol: "bfcl" },
        transcripts: false,
      });
      const r = results[0]!;
      if (r.valid !== f.expected.valid || r.error_type !== f.expected.error_type)
        verdictMismatch.push(`${f.fixture_id}: ${r.error_type} vs ${f.expected.error_type}`);
      if (f.expected.error_type === "multi_turn:force_terminated") continue;
      // What the engine saw while the episode ran (its own execution of the parsed actions).
      const firstFail = r.turns.find((t) => !t.checkerPassed);
      const live = { valid: firstFail === undefined, error_type: firstFail?.errorType ?? null, failed_turn: firstFail?.turn ?? null };
      if (live.valid !== f.expected.valid || live.error_type !== f.expected.error_type || live.failed_turn !== f.failed_turn) {
        liveMismatch.push(
          `${f.fixture_id}: live ${JSON.stringify(live)} vs ${JSON.stringify({ ...f.expected, failed_turn: f.failed_turn })}`,
        );
      }
    }
    expect(verdictMismatch).toEqual([]);
    expect(liveMismatch).toEqual([]);
  });
});

describe("replaying ground-truth text as a prompting model's output", () => {
  it("fails exactly the 96 entries BFCL fails (its decoder drops positional arguments), and none when they are kept", async () => {
    const records = new Map(
      ds.entries.map((e) => [
        e.id,
        { id: e.id, result: e.groundTruth.map((t) => (t.length ? [`[${t.join(", ")}]`, "Done."] : ["Done."])) },
      ]),
    );
    const run = async (positional: "drop" | "keep") =>
      (
        await runEval({
          policy: replayPolicy(records, { positional }),
          entries: ds.entries,
          packs,
          constants: ds.longContext,
          transcripts: false,
        })
      ).results;
    const dropped = await run("drop");
    const failed = dropped.filter((r) => !r.valid);
    expect(failed).toHaveLength(96);
    const positional = new Set(
      ds.entries.filter((e) => e.groundTruth.flat().some((c) => parsePythonCalls(c).some((x) => x.args.length > 0))).map((e) => e.id),
    );
    expect(positional.size).toBe(96);
    expect(failed.every((r) => positional.has(r.id))).toBe(true);
    expect((await run("keep")).every((r) => r.valid)).toBe(true);
  });
});
