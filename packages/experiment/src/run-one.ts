/**
 * One run of the grid, in its own folder: a trained method trains (or resumes) through the
 * trainer and is scored by the trainer's final evaluation; a baseline is evaluated on the same
 * entries. The outcome is `result.json` beside the run's own files, written last, so that its
 * presence (with the planned key) means the run is done.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@envtune/policy-tfjs/util";
import { RunDir, evaluateBaseline, stderrProgress, train, type EvalGroup, type FinalEvaluation, type TrainConfig } from "@envtune/trainer";
import type { PlannedRun } from "./plan.ts";
import { runResultSchema, type RunResult, type Score } from "./results.ts";

export const RESULT_FILE = "result.json";
/** Seconds each process spent on the run, one line per process (a resumed run sums them). */
const WALL_FILE = "wall.log";

export interface RunJob {
  run: PlannedRun;
  /** The run's folder. */
  dir: string;
  dataDir?: string;
  /** `last/` of the run this one starts from (`initFrom`). */
  initDir?: string;
}

export function score(g: EvalGroup): Score {
  return {
    entries: g.entries,
    non_empty_turns: g.nonEmptyTurns,
    non_empty_passed: g.nonEmptyPassed,
    turn_success: g.turnSuccess,
    all_turn_success: g.allTurnSuccess,
    entry_accuracy: g.entryAccuracy,
    progress: g.progress,
  };
}

/** The validation and training curves, and behaviour cloning's coverage, from a run's metrics.jsonl. */
function curves(dir: string): Pick<RunResult, "val_curve" | "train_curve" | "updates"> & { coverage?: RunResult["coverage"] } {
  const metrics = new RunDir(dir).readMetrics();
  const num = (r: Record<string, unknown>, k: string) => (typeof r[k] === "number" ? (r[k] as number) : undefined);
  const val: Array<[number, number]> = [];
  const tr: Array<[number, number]> = [];
  let updates = 0;
  let values = 0;
  let covered = 0;
  for (const r of metrics) {
    const u = num(r, "update") ?? 0;
    const v = num(r, "val_turn_success");
    if (v !== undefined && (val.length === 0 || val.at(-1)![0] !== u)) val.push([u, v]);
    if (r.type !== "update") continue;
    updates = Math.max(updates, u);
    const t = num(r, "train_turn_success");
    if (t !== undefined) tr.push([u, t]);
    values += num(r, "gt_values") ?? 0;
    covered += num(r, "gt_values_covered") ?? 0;
  }
  return { val_curve: val, train_curve: tr, updates, ...(values > 0 ? { coverage: { values, covered } } : {}) };
}

/** Appends this process's seconds to the run's wall.log and returns the run's total over every process. */
function recordWall(dir: string, seconds: number): number {
  const file = join(dir, WALL_FILE);
  appendFileSync(file, `${seconds.toFixed(3)}\n`);
  return readFileSync(file, "utf8")
    .split("\n")
    .reduce((a, l) => a + (Number(l) || 0), 0);
}

async function trained(job: RunJob, signal: AbortSignal): Promise<FinalEvaluation | undefined> {
  const config: TrainConfig = job.initDir
    ? { ...job.run.config, learner: { ...job.run.config.learner, init: job.initDir } }
    : job.run.config;
  // A folder with a config.json holds this run, interrupted: it resumes from its last checkpoint.
  const resume = existsSync(join(job.dir, "config.json"));
  const out = await train({
    // The folder is the experiment's own (it may hold wall.log from an interrupted start).
    ...(resume ? { resume: true } : { config, force: true }),
    outDir: job.dir,
    ...(job.dataDir ? { dataDir: job.dataDir } : {}),
    progress: stderrProgress(undefined, false),
    signal,
  });
  return out.status === "completed" ? out.evaluation : undefined;
}

/** Runs (or finishes) one planned run; returns its result, or undefined when interrupted. */
export async function runOne(job: RunJob, signal: AbortSignal): Promise<RunResult | undefined> {
  const t0 = performance.now();
  const m = job.run.method;
  mkdirSync(job.dir, { recursive: true });
  const evaluation = m.kind === "train" ? await trained(job, signal) : await evaluateBaseline(job.run.config, m.policy, job.dataDir);
  const wall = recordWall(job.dir, (performance.now() - t0) / 1000);
  if (!evaluation) return undefined;
  const p = evaluation.policies[0]!;
  const result = runResultSchema.parse({
    id: job.run.id,
    method: m.name,
    set: job.run.set,
    fold: job.run.fold,
    seed: job.run.seed,
    ...score(p),
    per_category: Object.fromEntries(Object.entries(p.perCategory).map(([c, g]) => [c, score(g)])),
    wall_s: Math.round(wall * 10) / 10,
    ...(m.kind === "train" ? curves(job.dir) : { val_curve: [], train_curve: [], updates: 0 }),
    key: job.run.key,
  });
  writeFileAtomic(join(job.dir, RESULT_FILE), JSON.stringify(result, null, 2) + "\n");
  return result;
}

/** A run's cached result, when it is complete and belongs to this very run (same key). */
export function cachedResult(dir: string, key: string): RunResult | undefined {
  const file = join(dir, RESULT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const r = runResultSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return r.success && r.data.key === key ? r.data : undefined;
  } catch {
    return undefined;
  }
}
