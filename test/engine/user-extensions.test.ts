/**
 * Extension from user code, end to end: a reward rule registered by the user scores real episodes,
 * and `envtune eval --policy FILE` plays a user's policy module (the examples' own files), with
 * stable error codes for a missing file, a module without a factory and bad options; the
 * trainer's baselines run as registered policies.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDomainPacks, type DomainPack } from "@envtune/core";
import type { BfclDataset } from "@envtune/bfcl-data";
import { Episode, oraclePolicy, registerRewardRule, runEpisode, type EvalResult } from "@envtune/engine";
import { sharedDataset, bfclDataDir } from "@envtune/testing";
import { parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { evalCommand } from "../../packages/cli/src/commands/eval.ts";
import { efficiencyRule } from "../../examples/reward-rule/efficiency-rule.ts";

const POLICY_FILE = resolve(import.meta.dirname, "../../examples/eval-policy/policy.ts");
let ds: BfclDataset;
let packs: Map<string, DomainPack>;
const tmp = mkdtempSync(join(tmpdir(), "envtune-user-ext-"));

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function evalCli(args: string[]): Promise<{ code: number; results: EvalResult[] }> {
  const out = join(tmp, `run-${Math.random().toString(36).slice(2)}`);
  const { values, positionals } = parseCommandArgs(evalCommand, [...args, "--data", bfclDataDir(), "--out", out]);
  const code = await evalCommand.run({ values: values as CommandContext["values"], positionals, stdout: () => {}, stderr: () => {} });
  const results = readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EvalResult);
  return { code, results };
}

describe("a user's reward rule", () => {
  it("scores an episode, by name, with its own options", async () => {
    registerRewardRule(efficiencyRule);
    const entry = ds.byId.get("multi_turn_base_18")!;
    const play = async (cost: number) => {
      const ep = new Episode({
        entry,
        packs,
        constants: ds.longContext,
        funcDocs: ds.funcDocs,
        config: { actionFormat: "python", reward: { kind: "efficiency", cost } },
      });
      return (await runEpisode(ep, oraclePolicy({ packs }))).rewards;
    };
    const free = await play(0);
    const costly = await play(0.1);
    expect(free.components.progress).toBe(1);
    expect(free.reward).toBe(1);
    // The oracle sends one tool step per turn.
    expect(costly.reward).toBeCloseTo(1 - 0.1 * entry.groundTruth.filter((t) => t.length > 0).length, 12);
  });
});

describe("envtune eval --policy FILE", () => {
  it("plays the module's default-export policy factory with its options", async () => {
    const clean = await evalCli(["--policy", POLICY_FILE, "--split", "base", "--limit", "2"]);
    expect(clean.code).toBe(0);
    expect(clean.results.map((r) => [r.policy, r.valid])).toEqual([
      ["noisy-oracle-0", true],
      ["noisy-oracle-0", true],
    ]);
    const noisy = await evalCli(["--policy", POLICY_FILE, "--policy-options", '{"dropRate": 1}', "--split", "base", "--limit", "2"]);
    expect(noisy.results.map((r) => [r.policy, r.valid])).toEqual([
      ["noisy-oracle-1", false],
      ["noisy-oracle-1", false],
    ]);
  });

  it("fails with stable codes: missing file, no factory, bad options, bad JSON, unknown name", async () => {
    const noFactory = join(tmp, "no-factory.mjs");
    writeFileSync(noFactory, "export default { name: 'x' };");
    const sel = ["--split", "base", "--limit", "1"];
    await expect(evalCli(["--policy", join(tmp, "missing.js"), ...sel])).rejects.toMatchObject({ code: "POLICY_MODULE_NOT_FOUND" });
    await expect(evalCli(["--policy", noFactory, ...sel])).rejects.toMatchObject({ code: "BAD_POLICY_MODULE" });
    await expect(evalCli(["--policy", POLICY_FILE, "--policy-options", '{"dropRate": 2, "extra": 1}', ...sel])).rejects.toMatchObject({
      code: "INVALID_POLICY_OPTIONS",
      details: [expect.stringContaining("dropRate")],
    });
    await expect(evalCli(["--policy", POLICY_FILE, "--policy-options", "{nope", ...sel])).rejects.toMatchObject({ code: "USAGE" });
    await expect(evalCli(["--policy", "oracle", "--format", "xml", ...sel])).rejects.toMatchObject({ code: "INVALID_POLICY_OPTIONS" });
    await expect(evalCli(["--policy", "magic", ...sel])).rejects.toMatchObject({
      code: "UNKNOWN_POLICY",
      message: expect.stringMatching(/known: .*always-answer.*oracle.*random-valid-call/),
    });
  });
});

describe("the baselines as registered policies", () => {
  // Results are written as episodes finish: compare them by id.
  const strip = (rs: EvalResult[]) =>
    rs.map(({ id, valid, reward, decoded }) => ({ id, valid, reward, decoded })).sort((x, y) => x.id.localeCompare(y.id));
  it("random-valid-call is reproducible from its seed whatever the concurrency; always-answer never calls", async () => {
    const sel = ["--split", "base", "--limit", "6"];
    const a = await evalCli(["--policy", "random-valid-call", "--seed", "5", "--concurrency", "1", ...sel]);
    const b = await evalCli(["--policy", "random-valid-call", "--seed", "5", "--concurrency", "4", ...sel]);
    expect(a.results.every((r) => r.policy === "random-valid-call" && r.status === "scored")).toBe(true);
    expect(strip(b.results)).toEqual(strip(a.results));
    expect(a.results.some((r) => r.decoded.flat(2).length > 0)).toBe(true);
    const answer = await evalCli(["--policy", "always-answer", ...sel]);
    expect(answer.results.every((r) => r.decoded.flat(2).length === 0)).toBe(true);
  });

  it("untrained is the registered learner at its seeded initialization, greedy (same seed, same play)", async () => {
    const sel = ["--split", "base", "--limit", "2"];
    const a = await evalCli(["--policy", "untrained", "--seed", "2", ...sel]);
    const b = await evalCli(["--policy", "untrained", "--policy-options", '{"seed": 2, "learner": "grpo-tfjs"}', ...sel]);
    expect(a.results.every((r) => r.policy === "untrained" && r.status === "scored")).toBe(true);
    expect(strip(b.results)).toEqual(strip(a.results));
  });
});
