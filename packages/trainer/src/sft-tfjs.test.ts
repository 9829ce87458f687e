import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, Rng, renderAction, selectBackend, type DecisionRecord } from "@envtune/policy-tfjs";
import { parseTrainConfig, presetConfig, stageGrpo } from "./config.ts";
import { demonstrate } from "./demonstrations.ts";
import { openEpisode } from "./rollout.ts";
import { SftTfjsLearner } from "./sft-tfjs.ts";
import type { UpdateContext } from "./learner.ts";
import type { EpisodeWorld } from "./rollout.ts";
import { bfclPacks, bfclWorld, ds } from "./__fixtures__/bfcl.ts";

let world: EpisodeWorld;

beforeAll(async () => {
  await selectBackend({});
  world = bfclWorld(await bfclPacks());
});

const env = { protocol: "paper" as const, augmented: false, maxActionsPerTurn: 50 };

/** Plays the demonstrated decisions, rendered as the policy renders its own, in a fresh episode. */
function replay(id: string, records: readonly DecisionRecord[]): boolean[] {
  const { ep } = openEpisode(ds.byId.get(id)!, world, env);
  for (const r of records) if (!ep.done) ep.step(renderAction(r, "envelope"));
  return ep.transcript().turns.map((t) => t.passed);
}

describe("behaviour cloning", () => {
  it("demonstrations are the policy's own decisions that reproduce the ground truth", () => {
    const id = "multi_turn_base_1";
    const demo = demonstrate(ds.byId.get(id)!, world, env, DEFAULT_LIMITS);
    // Every value of this entry is among the candidates, so the rendered decisions pass every turn.
    expect(demo.coverage.covered).toBe(demo.coverage.values);
    expect(demo.coverage.callsInView).toBe(demo.coverage.calls);
    const gtCalls = ds.byId.get(id)!.groundTruth.flat().length;
    expect(demo.decisions.filter((d) => d.record.choice !== 0)).toHaveLength(gtCalls);
    // One answer closes each turn.
    expect(demo.decisions.filter((d) => d.record.choice === 0)).toHaveLength(ds.byId.get(id)!.groundTruth.length);
    const passed = replay(
      id,
      demo.decisions.map((d) => d.record),
    );
    expect(passed).toHaveLength(ds.byId.get(id)!.groundTruth.length);
    expect(passed.every(Boolean)).toBe(true);
  });

  it("counts the ground-truth values the policy cannot write", () => {
    // Over the paper split's training entries, some values (e.g. computed ones) are not among the candidates.
    const entries = ds.entries.filter((e) => e.category === "base").slice(0, 40);
    let values = 0;
    let covered = 0;
    for (const e of entries) {
      const d = demonstrate(e, world, env, DEFAULT_LIMITS);
      values += d.coverage.values;
      covered += d.coverage.covered;
      for (const x of d.decisions) for (const i of x.uncovered) expect(x.record.args[i]!.filled).toBe(true);
    }
    expect(covered).toBeGreaterThan(0.5 * values);
    expect(covered).toBeLessThan(values);
  });

  it("teacher forcing lowers the loss on the demonstrations and the greedy policy then imitates them", async () => {
    const config = parseTrainConfig({ ...presetConfig("smoke"), grpo: { groupSize: 3, tasksPerUpdate: 2, lr: 0.03 } });
    const learner = new SftTfjsLearner(config, 1, undefined);
    const stage = config.stages[1]!;
    const tasks = ["multi_turn_base_0", "multi_turn_base_1"].map((id) => ds.byId.get(id)!);
    const ctx: UpdateContext<DecisionRecord> = {
      stage,
      stageIndex: 1,
      settings: stageGrpo(config, stage),
      tasks,
      rng: new Rng(3),
      world,
      episodeConfig: env,
      rollouts: () => Promise.reject(new Error("behaviour cloning must not play episodes")),
    };
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push((await learner.update(ctx)).metrics.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
    const demo = demonstrate(tasks[0]!, world, env, DEFAULT_LIMITS);
    const first = demo.decisions[0]!.record;
    const acted = learner.act([openEpisode(tasks[0]!, world, env).observe()], { greedy: true, rng: new Rng(1), format: "envelope" })[0]!;
    expect(acted.text).toBe(renderAction(first, "envelope"));
    learner.dispose();
  });
});
