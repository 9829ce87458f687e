/**
 * SkyRL as its own code drives the adapter (NovaSky-AI/SkyRL @ a9564572eb8e91076be43c1bd5e4615e3de17265):
 * rows of `envtune export skyrl` go through the replay of `PromptDataset.__getitem__` (extras = the
 * columns but `prompt`/`env_class`), `SkyRLGymGenerator.agent_loop` (`extras["max_turns"]`,
 * `skyrl_gym.make(env_class, env_config={}, extras)`, `init`, `step` until done, `close`), with the env
 * registered by `envtune_adapters.skyrl.register()`. The replay (adapters/python/tests/engines.py)
 * cites every step.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportSkyrlDataset } from "@envtune/server";
import { parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { exportCommand } from "../../packages/cli/src/commands/export.ts";
import { bfclDataDir, environment, oracleRun, startServer, type TestServer } from "./helpers.ts";
import { activeSessions, replay } from "./engine-replay.ts";

const TOKEN = "skyrl-token";
const tmp = mkdtempSync(join(tmpdir(), "envtune-skyrl-"));
let s: TestServer;
const lines = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
let rows: Map<string, any>;

beforeAll(async () => {
  s = await startServer({ token: TOKEN, logLevel: "warn" });
  exportSkyrlDataset(await environment(), { out: join(tmp, "rows"), stages: ["2"], evalParts: [] });
  rows = new Map(lines(join(tmp, "rows", "stage2_train.jsonl")).map((r) => [r.task_id, r]));
});
afterAll(async () => {
  await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface SkyrlReplay {
  rollouts: Array<{ reward: number; steps: number; done: boolean; prompt_roles: string[] }>;
}

describe("SkyRL: dataset rows, skyrl_gym registration, generator agent loop", () => {
  it("`envtune export skyrl` writes SkyRL's layout: prompt, env_class and the env's extras at the top level", async () => {
    const out = join(tmp, "cli");
    const { values, positionals } = parseCommandArgs(exportCommand, [
      "skyrl",
      "--out",
      out,
      "--data",
      bfclDataDir(),
      "--stages",
      "2",
      "--base-url",
      "http://10.0.0.7:8000",
    ]);
    let stderr = "";
    const code = await exportCommand.run({
      values: values as CommandContext["values"],
      positionals,
      stdout: () => undefined,
      stderr: (x) => (stderr += x),
    });
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["manifest.json", "stage2_train.jsonl", "test.jsonl", "val.jsonl"]);
    const row = lines(join(out, "stage2_train.jsonl")).find((r) => r.task_id === "multi_turn_base_0");
    expect(Object.keys(row)).toEqual(["data_source", "prompt", "env_class", "task_id", "stage", "envtune_url", "extra_info"]);
    expect(row).toMatchObject({ env_class: "envtune", stage: "2", envtune_url: "http://10.0.0.7:8000" });
    expect(row.prompt.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    expect(stderr).toMatch(/stage2_train\.jsonl: 100 records/);
  });

  it("the solved ground truth of multi_turn_base_0 gives 1.0; the URL comes from the registration, no $ENVTUNE_URL", async () => {
    const plan = await oracleRun("multi_turn_base_0", { stage: "2" });
    const r = await replay<SkyrlReplay>({
      engine: "skyrl",
      register: { base_url: s.url, token: TOKEN },
      max_turns: 50,
      rollouts: [{ row: rows.get("multi_turn_base_0"), actions: plan.actions }],
    });
    expect(r.rollouts[0]).toMatchObject({ reward: 1, done: true, steps: plan.actions.length, prompt_roles: ["system", "user"] });
    expect(await activeSessions(s.url)).toBe(0);
  });

  it("a row's envtune_url wins over the registration", async () => {
    const plan = await oracleRun("multi_turn_base_0", { stage: "2" });
    const row = { ...rows.get("multi_turn_base_0"), envtune_url: s.url };
    const r = await replay<SkyrlReplay>({
      engine: "skyrl",
      register: { base_url: "http://127.0.0.1:9", token: TOKEN },
      max_turns: 50,
      rollouts: [{ row, actions: plan.actions }],
    });
    expect(r.rollouts[0]!.reward).toBe(1);
  });

  it("honours generator.max_turns (extras) and releases the session at the limit", async () => {
    const plan = await oracleRun("multi_turn_base_0", { stage: "2" });
    expect(plan.actions.length).toBeGreaterThan(3);
    const r = await replay<SkyrlReplay>({
      engine: "skyrl",
      register: { base_url: s.url, token: TOKEN },
      max_turns: 3,
      rollouts: [{ row: rows.get("multi_turn_base_0"), actions: plan.actions }],
    });
    expect(r.rollouts[0]).toMatchObject({ steps: 3, done: true });
    expect(r.rollouts[0]!.reward).toBeLessThan(1);
    expect(await activeSessions(s.url)).toBe(0);
  });

  it("many rollouts, ended by the episode, the turn limit or the generator's length stop: no session left", async () => {
    const tasks = ["multi_turn_base_0", "multi_turn_base_2", "multi_turn_base_5"].filter((t) => rows.has(t));
    const rollouts = [];
    for (let i = 0; i < 60; i++) {
      const task = tasks[i % tasks.length]!;
      const plan = await oracleRun(task, { stage: "2", mistakes: i % 2 === 1 });
      // Every fourth rollout stops early, as the generator does on its length limit (then calls close()).
      rollouts.push({ row: rows.get(task), actions: i % 4 === 3 ? plan.actions.slice(0, 2) : plan.actions });
    }
    const r = await replay<SkyrlReplay>({ engine: "skyrl", register: { base_url: s.url, token: TOKEN }, max_turns: 6, rollouts });
    expect(r.rollouts).toHaveLength(60);
    expect(await activeSessions(s.url)).toBe(0);
  });
});
