/**
 * The Python adapters (verl, TRL, OpenRLHF, SkyRL) run with python3 against a real server and get
 * exactly the in-process engine's rewards on full BFCL episodes; `envtune export verl` writes the
 * paper's record layout whose prompts are what the server's sessions start with.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePacks } from "@envtune/core";
import { gtCallToKeywords, type AssistantInput } from "@envtune/engine";
import { exportVerlDataset } from "@envtune/server";
import { parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { exportCommand } from "../../packages/cli/src/commands/export.ts";
import { bfclDataDir, call, environment, oracleRun, startServer, type TestServer } from "./helpers.ts";

const run = promisify(execFile);
const PY = fileURLToPath(new URL("../../packages/server/adapters/python/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "envtune-adapters-"));
let s: TestServer;

beforeAll(async () => {
  s = await startServer({ token: "adapter-token", logLevel: "warn" });
});
afterAll(async () => {
  await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function drive(
  plan: Record<string, unknown>,
): Promise<
  { reward_sum: number; final: number; components: Record<string, number>; steps: number; done: boolean } & Record<string, unknown>
> {
  const file = join(tmp, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ base_url: s.url, token: "adapter-token", ...plan }));
  const { stdout } = await run("python3", [join(PY, "tests", "drive.py"), file], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

const TASKS = ["multi_turn_base_5", "multi_turn_miss_func_2", "multi_turn_miss_param_4", "multi_turn_long_context_1"];

describe("python3 adapters", () => {
  it("import with the standard library only; stand-in base classes; generated TRL tool signatures", async () => {
    const { stdout, stderr } = await run("python3", ["-m", "unittest", "discover", "-s", "tests", "-p", "test_*.py"], {
      cwd: PY,
      timeout: 60_000,
    });
    expect(stderr + stdout).toMatch(/OK/);
  });

  for (const adapter of ["verl", "openrlhf", "skyrl"] as const) {
    it(`${adapter}: full BFCL episodes through the server give the in-process engine's rewards`, async () => {
      for (const [i, task] of TASKS.entries()) {
        const stage = String((i % 4) + 1);
        const plan = await oracleRun(task, { stage, mistakes: i % 2 === 0 });
        const r = await drive({ adapter, task_id: task, stage, actions: plan.actions });
        expect(r.done, `${adapter} ${task}`).toBe(true);
        expect(r.steps).toBe(plan.actions.length);
        expect(r.reward_sum).toBeCloseTo(plan.reward, 12);
        expect(r.final).toBeCloseTo(plan.reward, 12);
        for (const [k, v] of Object.entries(plan.components)) expect(r.components[k], `${adapter} ${task} ${k}`).toBeCloseTo(v, 12);
      }
      const h = await call(s.url + "/v1/health", "GET");
      expect(h.body.sessions.active).toBe(0);
    });
  }

  it("trl: tools from /v1/tools, one call per step, the next question inside end_turn's result, same rewards", async () => {
    const env = await environment();
    const TRL_CONFIG = { actionFormat: "openai", observation: "tool", systemPrompt: "fc", maxActionsPerTurn: 20 } as const;
    for (const task of TASKS) {
      const entry = env.task(task);
      const packs = requirePacks(env.packs, entry.involvedClasses, task);
      const pyActions: Array<Record<string, unknown>> = [];
      const tsActions: AssistantInput[] = [];
      entry.groundTruth.forEach((calls, t) => {
        calls
          .flatMap((c) => gtCallToKeywords(c, packs))
          .forEach((kc, j) => {
            pyActions.push({ tool: kc.name, arguments: JSON.parse(kc.arguments) });
            tsActions.push({
              role: "assistant",
              content: null,
              tool_calls: [{ id: `call_${t}_${j}`, type: "function", function: { name: kc.name, arguments: kc.arguments } }],
            });
          });
        const reply = calls.length ? "Done." : "A function or a parameter is missing; please provide it.";
        pyActions.push({ end_turn: reply });
        tsActions.push(reply);
      });
      const ep = env.createEpisode({ taskId: task, stage: "3", config: TRL_CONFIG });
      ep.reset();
      for (const a of tsActions) if (!ep.done) ep.step(a);
      const expected = ep.rewards();
      const r = await drive({ adapter: "trl", task_id: task, stage: "3", actions: pyActions });
      expect(r.done, task).toBe(true);
      expect(r.tool_count).toBe(128);
      expect(typeof r.first).toBe("string");
      expect(r.reward_sum).toBeCloseTo(expected.reward, 12);
      expect(r.final).toBeCloseTo(expected.reward, 12);
      // Floats keep their type through Python's json (65.0 stays a float), so the oracle passes.
      expect(expected.reward).toBe(1);
    }
  });
});

describe("envtune export verl", () => {
  it("writes the paper's record layout per stage; prompts equal the sessions' first messages", async () => {
    const out = join(tmp, "verl");
    let stderr = "";
    const { values, positionals } = parseCommandArgs(exportCommand, ["verl", "--out", out, "--data", bfclDataDir(), "--stages", "1,2"]);
    const code = await exportCommand.run({
      values: values as CommandContext["values"],
      positionals,
      stdout: () => undefined,
      stderr: (x) => (stderr += x),
    });
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "interaction_config.yaml",
      "manifest.json",
      "stage1_train.jsonl",
      "stage2_train.jsonl",
      "test.jsonl",
      "val.jsonl",
    ]);
    const lines = (f: string) =>
      readFileSync(join(out, f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    const s1 = lines("stage1_train.jsonl");
    const s2 = lines("stage2_train.jsonl");
    expect(s1).toHaveLength(75);
    expect(s2).toHaveLength(100);
    expect(lines("val.jsonl")).toHaveLength(100);
    expect(lines("test.jsonl")).toHaveLength(300);
    const rec = s2[3];
    expect(Object.keys(rec)).toEqual(["data_source", "agent_name", "prompt", "ability", "reward_model", "extra_info"]);
    expect(rec.ability).toBe("multi_turn_function_calling");
    expect(rec.reward_model.style).toBe("interaction");
    const kw = rec.extra_info.interaction_kwargs;
    expect(kw).toMatchObject({ name: "envtune", stage: "2", task_id: rec.extra_info.original_id });
    expect(typeof kw.initial_config).toBe("string");
    expect(kw.processed_question).toHaveLength(kw.question.length - 1);
    const created = await call(
      s.url + "/v1/sessions",
      "POST",
      { task_id: kw.task_id, stage: kw.stage },
      { authorization: "Bearer adapter-token" },
    );
    expect(created.body.messages.map((m: { role: string; content: string }) => ({ role: m.role, content: m.content }))).toEqual(rec.prompt);
    expect(readFileSync(join(out, "interaction_config.yaml"), "utf8")).toContain("class_name: envtune_adapters.verl.EnvtuneInteraction");
    expect(stderr).toMatch(/stage1_train\.jsonl: 75 records/);
    // The verl adapter opens exactly that session from the record's interaction_kwargs.
    const plan = await oracleRun(kw.task_id, { stage: "2" });
    const r = await drive({ adapter: "verl", task_id: kw.task_id, stage: kw.stage, actions: plan.actions });
    expect(r.final).toBeCloseTo(plan.reward, 12);
    // miss_func records carry the revealed functions' docs in processed_question.
    const env = await environment();
    const mf = exportVerlDataset(env, { out: join(tmp, "verl3"), stages: ["3"], evalParts: [] });
    expect(mf.files[0]!.records).toBe(400);
    const withDocs = lines("../verl3/stage3_train.jsonl").find((x) => x.extra_info.dataset_type === "miss_func");
    expect(
      withDocs.extra_info.interaction_kwargs.processed_question.some((q: string) => q.includes("I have updated some more functions")),
    ).toBe(true);
  });
});
