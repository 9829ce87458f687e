/**
 * verl as its own code drives the adapter (volcengine/verl @ b178a3cd56f58b2d502255daba591e92833930a7):
 * rows of `envtune export verl` go through the replay of `ToolAgentLoop` (`agent_name: tool_agent`),
 * the interaction named in the exported interaction config, and the reward function verl loads from
 * `custom_reward_function` (`pkg://envtune_adapters.verl_reward`, `compute_score`). The replay itself
 * (adapters/python/tests/engines.py) cites every step.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportVerlDataset } from "@envtune/server";
import { environment, oracleRun, startServer, type TestServer } from "./helpers.ts";
import { activeSessions, replay } from "./engine-replay.ts";

const TOKEN = "verl-token";
const tmp = mkdtempSync(join(tmpdir(), "envtune-verl-"));
let s: TestServer;
let rows: Map<string, any>;
let interactionYaml: string;

beforeAll(async () => {
  s = await startServer({ token: TOKEN, logLevel: "warn" });
  const out = join(tmp, "data");
  exportVerlDataset(await environment(), { out, stages: ["2"], evalParts: [], baseUrl: s.url });
  rows = new Map(
    readFileSync(join(out, "stage2_train.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .map((r) => [r.extra_info.original_id, r]),
  );
  interactionYaml = readFileSync(join(out, "interaction_config.yaml"), "utf8");
});
afterAll(async () => {
  await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The exported interaction config as verl's registry reads it (checked against the YAML text below). */
function interactionConfig(maxTurns = 32) {
  return {
    interaction: [
      {
        name: "envtune",
        class_name: "envtune_adapters.verl.EnvtuneInteraction",
        config: { base_url: s.url, token: TOKEN, max_assistant_turns: maxTurns, max_user_turns: maxTurns },
      },
    ],
  };
}
const REWARD_FN = { path: "pkg://envtune_adapters.verl_reward", name: "compute_score" };

describe("verl: ToolAgentLoop + interaction + custom_reward_function", () => {
  it("exported rows select the multi-turn loop and the config names the interaction with verl's turn limits", () => {
    const row = rows.get("multi_turn_base_0");
    expect(row.agent_name).toBe("tool_agent");
    expect(row.data_source).toBe("envtune/bfcl/base");
    expect(row.extra_info.interaction_kwargs).toMatchObject({ name: "envtune", task_id: "multi_turn_base_0", stage: "2" });
    expect(interactionYaml).toContain("class_name: envtune_adapters.verl.EnvtuneInteraction");
    expect(interactionYaml).toContain(`base_url: ${s.url}`);
    expect(interactionYaml).toMatch(/max_assistant_turns: 32\n\s+max_user_turns: 32/);
  });

  it("the solved ground truth of multi_turn_base_0 scores 1.0, counted once, and leaves no session", async () => {
    const plan = await oracleRun("multi_turn_base_0", { stage: "2" });
    expect(plan.reward).toBe(1);
    const r = await replay<{ rollouts: any[] }>({
      engine: "verl",
      interaction_config: interactionConfig(),
      custom_reward_function: REWARD_FN,
      limits: { max_assistant_turns: 32, max_user_turns: 32 },
      rollouts: [{ row: rows.get("multi_turn_base_0"), actions: plan.actions }],
    });
    const [one] = r.rollouts;
    expect(one.error).toBeNull();
    expect(one.score).toBe(1);
    expect(one.turn_scores.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    expect(one.hooks).toEqual(["start_interaction", ...plan.actions.map(() => "generate_response")]);
    expect(await activeSessions(s.url)).toBe(0);
  });

  it("a single-object <tool_call> goes to verl's own tools (hermes parser), arrays reach the interaction", async () => {
    const plan = await oracleRun("multi_turn_base_0", { stage: "2" });
    const single = '<tool_call>{"name": "ls", "arguments": {}}</tool_call>';
    const r = await replay<{ rollouts: any[] }>({
      engine: "verl",
      interaction_config: interactionConfig(),
      custom_reward_function: REWARD_FN,
      limits: { max_assistant_turns: 40, max_user_turns: 40 },
      rollouts: [{ row: rows.get("multi_turn_base_0"), actions: [single, ...plan.actions] }],
    });
    expect(r.rollouts[0].hooks).toHaveLength(plan.actions.length + 1);
    expect(r.rollouts[0].score).toBe(1);
  });

  it("rows without agent_name never reach the environment (verl's single-turn default)", async () => {
    const { agent_name: _dropped, ...row } = rows.get("multi_turn_base_0");
    const r = await replay<{ rollouts: any[] }>({
      engine: "verl",
      interaction_config: interactionConfig(),
      custom_reward_function: REWARD_FN,
      rollouts: [{ row, actions: ["x"] }],
    });
    expect(r.rollouts[0].hooks).toEqual([]);
    expect(r.rollouts[0].error).toMatch(/no `turn_scores`.*agent_name: tool_agent/);
  });

  it("many rollouts, ended by the episode or by verl's turn limit: no session left", async () => {
    const tasks = ["multi_turn_base_0", "multi_turn_base_2", "multi_turn_base_5"].filter((t) => rows.has(t));
    const rollouts = [];
    for (let i = 0; i < 60; i++) {
      const task = tasks[i % tasks.length]!;
      const plan = await oracleRun(task, { stage: "2", mistakes: i % 2 === 1 });
      rollouts.push({ row: rows.get(task), actions: plan.actions });
    }
    // Half the rollouts run under a turn limit shorter than their episodes: verl stops them itself.
    const full = await replay<{ rollouts: any[] }>({
      engine: "verl",
      interaction_config: interactionConfig(),
      custom_reward_function: REWARD_FN,
      limits: { max_assistant_turns: 32, max_user_turns: 32 },
      rollouts: rollouts.slice(0, 30),
      concurrency: 16,
    });
    const cut = await replay<{ rollouts: any[] }>({
      engine: "verl",
      interaction_config: interactionConfig(3),
      custom_reward_function: REWARD_FN,
      limits: { max_assistant_turns: 3, max_user_turns: 3 },
      rollouts: rollouts.slice(30),
      concurrency: 16,
    });
    expect(full.rollouts.every((x) => x.error === null)).toBe(true);
    expect(cut.rollouts.every((x) => x.hooks.length === 1 + 2)).toBe(true);
    expect(await activeSessions(s.url)).toBe(0);
  });
});
