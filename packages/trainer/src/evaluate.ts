/**
 * Evaluation of any actor on a set of entries: per-turn success on turns whose ground truth has
 * calls (the acceptance metric), entry accuracy (every turn passed), the progress reward, and the
 * same per category.
 */
import type { BfclEntry } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "@envtune/engine";
import { Rng } from "@envtune/policy-tfjs/util";
import { runEpisodes, type Actor, type EpisodeResult, type EpisodeWorld, type RolloutOptions } from "./rollout.ts";

export interface EvalGroup {
  entries: number;
  /** Turns with non-empty ground truth. */
  nonEmptyTurns: number;
  nonEmptyPassed: number;
  /** nonEmptyPassed / nonEmptyTurns. */
  turnSuccess: number;
  /** All turns (empty-ground-truth turns pass by answering). */
  allTurnSuccess: number;
  /** Entries with every turn passed. */
  entryAccuracy: number;
  /** Mean progress reward. */
  progress: number;
  /** Mean of the episode config's reward. */
  reward: number;
}

/** The final evaluation of a run (RUN/eval/results.json): the trained policy and the baselines. */
export interface FinalEvaluation {
  split: string;
  part: string;
  entries: number;
  environment: string;
  policies: EvalSummary[];
}

export interface EvalSummary extends EvalGroup {
  policy: string;
  /** What this row is (e.g. which checkpoint). */
  note?: string;
  perCategory: Record<string, EvalGroup>;
  steps: number;
  wallMs: number;
}

function summarize(results: readonly EpisodeResult[]): EvalGroup {
  let ne = 0;
  let nep = 0;
  let all = 0;
  let allp = 0;
  let acc = 0;
  let prog = 0;
  let rew = 0;
  for (const r of results) {
    r.gtNonEmpty.forEach((g, t) => {
      all++;
      if (r.passed[t]) allp++;
      if (!g) return;
      ne++;
      if (r.passed[t]) nep++;
    });
    if (r.passed.every(Boolean)) acc++;
    prog += r.rewards.components.progress;
    rew += r.rewards.reward;
  }
  const n = results.length || 1;
  return {
    entries: results.length,
    nonEmptyTurns: ne,
    nonEmptyPassed: nep,
    turnSuccess: ne ? nep / ne : 0,
    allTurnSuccess: all ? allp / all : 0,
    entryAccuracy: acc / n,
    progress: prog / n,
    reward: rew / n,
  };
}

export function summarizeResults(policy: string, results: readonly EpisodeResult[], wallMs: number): EvalSummary {
  const byCat = new Map<string, EpisodeResult[]>();
  for (const r of results) {
    const c = r.spec.entry.category;
    let l = byCat.get(c);
    if (!l) byCat.set(c, (l = []));
    l.push(r);
  }
  return {
    policy,
    ...summarize(results),
    perCategory: Object.fromEntries([...byCat].map(([c, rs]) => [c, summarize(rs)])),
    steps: results.reduce((a, r) => a + r.steps, 0),
    wallMs,
  };
}

/** Plays every entry once with the actor and summarizes. */
export async function evaluate(
  actor: Actor<unknown>,
  entries: readonly BfclEntry[],
  world: EpisodeWorld,
  config: EpisodeConfigInput,
  opts: RolloutOptions & { seed?: number } = {},
): Promise<{ summary: EvalSummary; results: EpisodeResult[] }> {
  const t0 = performance.now();
  const results = await runEpisodes(
    entries.map((entry, i) => ({ entry, config, group: i })),
    world,
    actor,
    new Rng(opts.seed ?? 12345),
    opts,
  );
  return { summary: summarizeResults(actor.name, results, performance.now() - t0), results };
}
