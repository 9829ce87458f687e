/** `envtune eval` end to end: entry selection, policies, outputs, resume. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvtuneError, loadDomainPacks, type DomainPack } from "@envtune/core";
import { getSplit, type BfclDataset } from "@envtune/bfcl-data";
import { sharedDataset, bfclDataDir } from "@envtune/testing";
import type { EvalResult, EvalSummary } from "@envtune/engine";
import { parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { evalCommand, selectEntries } from "../../packages/cli/src/commands/eval.ts";
import { startFakeOpenAI, type FakeServer } from "./fake-openai.ts";

let ds: BfclDataset;
let packs: Map<string, DomainPack>;
const tmp = mkdtempSync(join(tmpdir(), "envtune-cli-eval-"));

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function evalCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const { values, positionals } = parseCommandArgs(evalCommand, [...args, "--data", bfclDataDir()]);
  const code = await evalCommand.run({
    values: values as CommandContext["values"],
    positionals,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

const results = (dir: string) =>
  readFileSync(join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EvalResult);
const summary = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as EvalSummary;

describe("envtune eval", () => {
  it("oracle on a split: 100%, results/summary files, a table on stdout, progress on stderr", async () => {
    const out = join(tmp, "oracle");
    const r = await evalCli(["--policy", "oracle", "--split", "miss_func", "--limit", "4", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("miss_func        4        4   100.00%     1.000       0");
    expect(r.stderr).toContain("eval: 4/4 entries, 4 correct (100.0%), 0 errors");
    expect(results(out).map((x) => x.valid)).toEqual([true, true, true, true]);
    expect(summary(out)).toMatchObject({ entries: 4, scored: 4, overallPresent: 1, overall: null });
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| miss_func | 4 | 4 | 100.00% |");
  });

  it("refuses to overwrite results without --resume or --force; --resume runs nothing twice", async () => {
    const out = join(tmp, "oracle");
    await expect(evalCli(["--policy", "oracle", "--split", "miss_func", "--limit", "4", "--out", out])).rejects.toThrow(
      /--resume to continue it or --force/,
    );
    const r = await evalCli(["--policy", "oracle", "--split", "miss_func", "--limit", "6", "--out", out, "--resume", "--json"]);
    expect(r.code).toBe(0);
    expect(results(out)).toHaveLength(6);
    expect((JSON.parse(r.stdout) as EvalSummary).scored).toBe(6);
    const forced = await evalCli(["--policy", "oracle", "--ids", "multi_turn_base_0", "--out", out, "--force"]);
    expect(forced.code).toBe(0);
    expect(results(out).map((x) => x.id)).toEqual(["multi_turn_base_0"]);
  });

  it("selects named splits and parts (the paper's split by default: test)", () => {
    const test = selectEntries(ds, { split: "paper" });
    expect(test.map((e) => e.id)).toEqual(getSplit("paper", ds).test);
    expect(test).toHaveLength(300);
    expect(selectEntries(ds, { split: "paper", part: "val" })).toHaveLength(100);
    expect(selectEntries(ds, { split: "all", limit: 7 })).toHaveLength(7);
    expect(selectEntries(ds, { ids: ["multi_turn_base_3", "multi_turn_base_3"] }).map((e) => e.id)).toEqual(["multi_turn_base_3"]);
    expect(() => selectEntries(ds, { ids: ["multi_turn_base_999"] })).toThrow(EnvtuneError);
    expect(() => selectEntries(ds, { split: "paper", part: "dev" })).toThrow(/Unknown --part/);
    expect(() => selectEntries(ds, {})).toThrow(/--split NAME or --ids/);
  });

  it("replay scores a result file (BFCL prompting-style strings)", async () => {
    const input = join(tmp, "recorded.jsonl");
    const ids = ["multi_turn_base_2", "multi_turn_long_context_7"];
    const lines = ids.map((id, i) => {
      const gt = ds.byId.get(id)!.groundTruth;
      // The second record leaves its last turn without calls.
      const result = gt.map((turn, t) => (i === 1 && t === gt.length - 1 ? ["Sorry."] : [`[${turn.join(", ")}]`, "Done."]));
      return JSON.stringify({ id, result });
    });
    writeFileSync(input, lines.join("\n") + "\n");
    const out = join(tmp, "replay");
    const r = await evalCli(["--policy", "replay", "--input", input, "--ids", ids.join(","), "--out", out]);
    expect(r.code).toBe(0);
    // Lines are written as entries finish, so their order can vary.
    expect(
      results(out)
        .map((x) => [x.id, x.valid, x.error_type])
        .sort(),
    ).toEqual([
      [ids[0], true, null],
      [ids[1], false, "multi_turn:empty_turn_model_response"],
    ]);
  });

  it("openai against a loopback server, the key from ENVTUNE_API_KEY", async () => {
    const entries = ["multi_turn_base_5", "multi_turn_miss_param_6"].map((id) => ds.byId.get(id)!);
    const server: FakeServer = await startFakeOpenAI({ entries, packs, apiKey: "sk-cli" });
    const saved = { o: process.env.OPENAI_API_KEY, e: process.env.ENVTUNE_API_KEY };
    delete process.env.OPENAI_API_KEY;
    process.env.ENVTUNE_API_KEY = "sk-cli";
    try {
      const out = join(tmp, "openai");
      const r = await evalCli([
        "--policy",
        "openai",
        "--base-url",
        server.url,
        "--model",
        "gt",
        "--mode",
        "prompt",
        "--ids",
        entries.map((e) => e.id).join(","),
        "--out",
        out,
        "--concurrency",
        "2",
      ]);
      expect(r.code).toBe(0);
      expect(results(out).every((x) => x.valid && x.policy === "openai-prompt:gt")).toBe(true);
      expect(server.requests.every((q) => q.authorization === "Bearer sk-cli")).toBe(true);
    } finally {
      await server.close();
      if (saved.o !== undefined) process.env.OPENAI_API_KEY = saved.o;
      if (saved.e !== undefined) process.env.ENVTUNE_API_KEY = saved.e;
      else delete process.env.ENVTUNE_API_KEY;
    }
  });

  it("reports usage errors", async () => {
    await expect(evalCli(["--split", "base"])).rejects.toThrow(/--policy is required/);
    await expect(evalCli(["--policy", "magic", "--split", "base", "--out", join(tmp, "x")])).rejects.toThrow(/Unknown --policy/);
    await expect(evalCli(["--policy", "openai", "--split", "base", "--out", join(tmp, "y")])).rejects.toThrow(
      /needs --base-url and --model/,
    );
    expect(existsSync(join(tmp, "x", "results.jsonl"))).toBe(false);
  });
});
