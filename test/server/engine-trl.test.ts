/**
 * TRL as its own code drives the adapter (huggingface/trl @ f2cd57710ae345ea6428ae95363267fcf38a3dc8,
 * `GRPOTrainer(environment_factory=..., reward_funcs=...)`): the replay (adapters/python/tests/engines.py)
 * probes each environment the way `GRPOTrainer.__init__` does (public bound methods are tools,
 * `get_reward` an extra reward source), pools instances across batches, calls `reset(**row)`, the
 * tools, and every reward function with `environments`, and checks each tool against the docstring
 * and type-hint rules of transformers' `get_json_schema`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startServer, type TestServer } from "./helpers.ts";
import { activeSessions, replay, trlCalls } from "./engine-replay.ts";

const TOKEN = "trl-token";
let s: TestServer;
beforeAll(async () => {
  s = await startServer({ token: TOKEN, logLevel: "warn" });
});
afterAll(async () => {
  await s.close();
});

interface TrlReplay {
  totals: number[];
  reward_sources: number;
  env_tools: Record<string, string[]>;
  row_env: Record<string, string>;
  problems: string[];
  environments: number;
}

describe("TRL: environment_factory + reward_funcs", () => {
  it("exactly the task's tools plus end_turn, schemas transformers accepts, one reward source: base_0's ground truth gives 1.0", async () => {
    const calls = await trlCalls("multi_turn_base_0");
    const r = await replay<TrlReplay>({
      engine: "trl",
      base_url: s.url,
      token: TOKEN,
      stage: "3",
      rollouts: [{ task_id: "multi_turn_base_0", calls, final_text: "" }],
    });
    expect(r.problems).toEqual([]);
    expect(r.reward_sources).toBe(1);
    expect(r.totals).toEqual([1]);
    const schema = await call(s.url + "/v1/tools?task_id=multi_turn_base_0&stage=3", "GET", undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    const taskTools = schema.body.tools.map((t: { function: { name: string } }) => t.function.name);
    expect(taskTools.length).toBeLessThan(40);
    expect(r.env_tools[r.row_env["multi_turn_base_0"]!]).toEqual([...taskTools, "end_turn"].sort());
    // Tasks are grouped by tool set: far fewer environments than tasks, none with every tool.
    expect(r.environments).toBeGreaterThan(1);
    expect(Math.max(...Object.values(r.env_tools).map((t) => t.length))).toBeLessThan(60);
    expect(await activeSessions(s.url)).toBe(0);
  });

  it("many rollouts over pooled instances, finished by the episode or by the reward function: no session left", async () => {
    const tasks = ["multi_turn_base_0", "multi_turn_miss_param_0", "multi_turn_long_context_0"];
    const rollouts = [];
    for (let i = 0; i < 48; i++) {
      const task = tasks[i % tasks.length]!;
      const calls = await trlCalls(task);
      // Every third rollout stops half-way and answers in plain text: the reward function closes it.
      rollouts.push(
        i % 3 === 2
          ? { task_id: task, calls: calls.slice(0, Math.ceil(calls.length / 2)), final_text: "Done." }
          : { task_id: task, calls, final_text: "" },
      );
    }
    const r = await replay<TrlReplay>({ engine: "trl", base_url: s.url, token: TOKEN, stage: "3", rollouts, batch: 8 });
    expect(r.totals).toHaveLength(48);
    r.totals.forEach((t, i) => (i % 3 === 2 ? expect(t).toBeLessThan(1) : expect(t).toBe(1)));
    expect(await activeSessions(s.url)).toBe(0);
  });
});
