/**
 * The environment side of the training loop: episodes per second stepped by the trainer's rollout
 * loop (`runEpisodes`: reset, observations, step, checking, rewards) with trivial policies whose own
 * cost is negligible: `always-answer` (answers every turn at once) and `random-valid-call` (a random
 * well-formed tool call, then an answer), both from the trainer. Also the engine's episode reset
 * and the memory of live engine episodes.
 *
 * The trainer and policy packages are loaded at run time (they are not dependencies of the bench
 * package): without them this benchmark reports nothing.
 */
import type { BfclEntry } from "@envtune/bfcl-data";
import { Episode, type EpisodeConfigInput } from "@envtune/engine";
import { resultFrom, settledHeap, stats, timeRuns, type BenchResult } from "../harness.ts";
import { SPLITS, subset } from "../fixtures.ts";
import type { BenchContext, Benchmark } from "../types.ts";

interface TrainerApi {
  runEpisodes(
    specs: ReadonlyArray<{ entry: BfclEntry; config: EpisodeConfigInput; group: number }>,
    world: unknown,
    actor: unknown,
    rng: unknown,
    opts?: { maxConcurrent?: number },
  ): Promise<Array<{ steps: number }>>;
  alwaysAnswerActor(): unknown;
  randomValidActor(): unknown;
}
interface PolicyApi {
  Rng: new (seed: number) => unknown;
}

/** The episode settings of a training stage (paper protocol, envelope actions, augmented messages). */
export const TRAINING_EPISODE: EpisodeConfigInput = {
  protocol: "paper",
  augmented: true,
  actionFormat: "envelope",
  reward: { kind: "progress" },
};

async function importOptional<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch {
    return undefined;
  }
}

function world(ctx: BenchContext) {
  const { packs, dataset } = ctx.fixtures;
  return { packs, constants: dataset.longContext, funcDocs: dataset.funcDocs };
}

export const rolloutBench: Benchmark = {
  name: "rollout",
  description: "Trainer rollout loop with trivial policies (episodes/s, environment side only), engine reset and live-episode memory.",
  async run(ctx) {
    const out: BenchResult[] = [];
    const entries = subset(ctx.fixtures.gt, ctx.quick ? 2 : undefined).map((r) => r.entry);
    const runs = ctx.runs ?? (ctx.quick ? 1 : 5);

    // Engine episode reset (checker worlds, system prompt, tool list), per category.
    for (const split of SPLITS) {
      const es = entries.filter((e) => e.category === split);
      if (!es.length) continue;
      const eps = es.map((entry) => new Episode({ entry, ...world(ctx), config: TRAINING_EPISODE }));
      const samples = timeRuns({ warmup: ctx.quick ? 0 : 2, runs }, () => {
        for (const ep of eps) ep.reset();
      });
      out.push(
        resultFrom(`rollout.reset.${split}`, "µs/reset", samples, eps.length, 1000, {
          work: `${eps.length} engine episodes reset (paper protocol, augmented)`,
        }),
      );
    }

    // Live engine episodes (after reset): what a rollout batch holds.
    const nonLc = entries.filter((e) => !e.longContext);
    const count = ctx.quick ? 100 : 10_000;
    const held: Episode[] = [];
    const before = settledHeap();
    for (let i = 0; i < count; i++) {
      const ep = new Episode({ entry: nonLc[i % nonLc.length]!, ...world(ctx), config: TRAINING_EPISODE });
      ep.reset();
      held.push(ep);
    }
    const bytes = settledHeap() - before;
    out.push({
      name: "rollout.memory.10k",
      unit: "MB",
      median: bytes / 1e6,
      min: bytes / 1e6,
      max: bytes / 1e6,
      runs: 1,
      work: `${count} live engine episodes after reset (non-long-context), system prompt and history included`,
      extra: { bytesPerEpisode: bytes / count },
    });
    held.length = 0;

    const trainer = await importOptional<TrainerApi>("@envtune/trainer");
    const policy = await importOptional<PolicyApi>("@envtune/policy-tfjs");
    if (!trainer || !policy) {
      ctx.log("rollout: @envtune/trainer or @envtune/policy-tfjs is not available; skipping the rollout-loop throughput.");
      return out;
    }
    const specs = entries.map((entry, i) => ({ entry, config: TRAINING_EPISODE, group: i }));
    for (const [name, actor] of [
      ["always-answer", trainer.alwaysAnswerActor()],
      ["random-valid-call", trainer.randomValidActor()],
    ] as const) {
      let steps = 0;
      const play = async () => {
        const res = await trainer.runEpisodes(specs, world(ctx), actor, new policy.Rng(7), { maxConcurrent: 256 });
        steps = res.reduce((n, r) => n + r.steps, 0);
      };
      for (let i = 0; i < (ctx.quick ? 0 : 1); i++) await play();
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await play();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      // Throughput: higher is better, so min/max swap roles against the time samples.
      const perSec = samples.map((ms) => (specs.length * 1000) / ms);
      const st = stats(perSec);
      out.push({
        name: `rollout.${name}`,
        unit: "episodes/s",
        ...st,
        work: `${specs.length} episodes per run, ${steps} steps, trainer runEpisodes (maxConcurrent 256)`,
        extra: { msPerRun: samples, stepsPerRun: steps, usPerStep: stats(samples.map((ms) => (ms * 1000) / Math.max(steps, 1))).median },
      });
    }
    return out;
  },
};
