/**
 * OpenRLHF contract: its own call sequence (OpenRLHF/OpenRLHF @ 3c3be6234e0cb353e76bb8019947db9dfe99fca7),
 * replayed by packages/server/adapters/python/tests/openrlhf_replay.py (each step cites upstream
 * file:line) against a live server on loopback:
 * - `--train.agent_func_path`: `AgentExecutor()` loaded from the file (vllm_engine.py:19-30), one
 *   `execute` per sample, gathered per prompt (vllm_engine.py:196-208), `MultiTurnAgentExecutor`'s
 *   reset/step loop (agent.py:36-181) summing `rewards.item()` (agent.py:119);
 * - the token budget ending an episode (agent.py:92-95), after which OpenRLHF calls no hook;
 * - `--reward.remote_url`: `POST {query, prompts, labels}`, `rewards`/`scores`/`extra_logs` read
 *   (agent.py:281-296, 322-353) and made tensors (samples_generator.py:288-297).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REWARD_COMPONENTS } from "@envtune/engine";
import { oracleRun, startServer, type OracleRun, type TestServer } from "./helpers.ts";

const REPLAY = fileURLToPath(new URL("../../packages/server/adapters/python/tests/openrlhf_replay.py", import.meta.url));
const TASK = "multi_turn_base_0";
// CI keeps it short; set ENVTUNE_OPENRLHF_ROLLOUTS=1000 for the full run (ENVTUNE_PRINT_REPORT=1 prints the report).
const ROLLOUTS = Number(process.env.ENVTUNE_OPENRLHF_ROLLOUTS ?? 48);

function replay(plan: object): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", [REPLAY, JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d.toString()));
    p.stderr.on("data", (d) => (err += d.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`replay exited with ${code}: ${err.slice(-3000)}`))));
  });
}

let s: TestServer;
let plan: OracleRun;
let report: any;

beforeAll(async () => {
  s = await startServer({ logLevel: "warn" });
  plan = await oracleRun(TASK);
  // Every second group of 8 ends on the token budget, mid-episode.
  report = await replay({
    base_url: s.url,
    task_id: TASK,
    actions: plan.actions,
    rollouts: ROLLOUTS,
    group: 8,
    budget_every: 2,
    budget_length: 400,
  });
  if (process.env.ENVTUNE_PRINT_REPORT) console.log(JSON.stringify({ ...report, health: { sessions: report.health.sessions } }));
}, 300_000);

afterAll(async () => {
  await s.close();
});

describe("OpenRLHF agent_func_path, as its executor drives it", () => {
  it("gives the solved ground truth of multi_turn_base_0 1.0, counted once (the per-step rewards sum to the episode reward)", () => {
    expect(plan.reward).toBe(1);
    expect(report.solved.length).toBeGreaterThan(0);
    for (const r of report.solved) expect(r).toBeCloseTo(1, 12);
    expect(report.step_rewards).toHaveLength(plan.actions.length);
    report.step_rewards.forEach((r: number, i: number) => expect(r).toBeCloseTo(plan.stepRewards[i]!, 12));
    expect(report.scores).toBeCloseTo(1, 12);
  });

  it("returns extra_logs OpenRLHF can make tensors of, with the same keys for every sample", () => {
    expect(report.extra_logs_numeric).toBe(true);
    expect(report.extra_logs_keys).toEqual([[...REWARD_COMPONENTS].sort()]);
  });

  it("leaves no session open after the rollouts, token-budget endings included", () => {
    expect(report.rollouts).toBe(ROLLOUTS);
    expect(report.budget_ended).toBeGreaterThan(0);
    expect(report.health.sessions.active).toBe(0);
  });
});

describe("OpenRLHF --reward.remote_url", () => {
  it("answers numbers only where OpenRLHF makes tensors, and scores the replayed ground truth 1.0", () => {
    expect(report.remote.reward).toEqual([1]);
    expect(report.remote.scores).toEqual([1]);
    expect(report.remote.tensor_ready).toBe(true);
    expect(Object.keys(report.remote.extra_logs).sort()).toEqual([...REWARD_COMPONENTS, "envtune_error"].sort());
  });
});
