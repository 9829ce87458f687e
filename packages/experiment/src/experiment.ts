/**
 * `envtune experiment`: run a grid (cached, resumable), then write `experiment.json` (every run's
 * result and every claim's verdict), `report.html` and `summary.md` (the table and verdicts).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { writeFileAtomic } from "@envtune/policy-tfjs/util";
import { assertCreatableDir, runDirFault } from "@envtune/trainer";
import { evaluateClaims } from "./analysis.ts";
import type { Grid } from "./grid.ts";
import { writeExperimentReport } from "./report.ts";
import { summaryMarkdown } from "./summary.ts";
import { experimentResultSchema, type ExperimentResult } from "./results.ts";
import { runGrid, type GridOutcome } from "./runner.ts";
import { RESULT_FILE } from "./run-one.ts";

export interface ExperimentOptions {
  grid: Grid;
  outDir: string;
  dataDir?: string;
  workers?: number;
  /** Start in a folder that holds files the experiment did not write. */
  force?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ExperimentOutcome extends GridOutcome {
  result: ExperimentResult;
}

/** The files an experiment writes at its top level; anything else there is someone else's. */
const OWN = new Set(["grid.json", "experiment.json", "report.html", "summary.md", "runs"]);

/** The packages whose code decides a run's result: their versions enter every run's key. */
export function codeVersion(): string {
  const require = createRequire(import.meta.url);
  const v = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return ["@envtune/trainer", "@envtune/policy-tfjs", "@envtune/engine"].map((n) => `${n}@${v(n)}`).join(" ");
}

function checkOutDir(dir: string, force: boolean): void {
  if (!existsSync(dir) || force) return;
  const foreign = readdirSync(dir).filter((f) => !OWN.has(f));
  if (foreign.length > 0)
    throw new EnvtuneError(
      "EXPERIMENT_DIR_NOT_EMPTY",
      "experiment",
      `${dir} holds files an experiment did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}).`,
      "Choose a new or empty --out folder, or the folder of an earlier run of this experiment; --force writes beside them.",
    );
}

/**
 * Seconds during which at least one of the runs in `dirs` was running, over every invocation: a
 * run's last (re)start is its `job.json`, its end its `result.json` (earlier pieces of a resumed
 * run overlap other runs and are not counted).
 */
export function gridWallSeconds(dirs: readonly string[]): number {
  const spans = dirs
    .filter((d) => existsSync(join(d, RESULT_FILE)) && existsSync(join(d, "job.json")))
    .map((d) => [statSync(join(d, "job.json")).mtimeMs, statSync(join(d, RESULT_FILE)).mtimeMs] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of spans) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total / 1000;
}

/** How the default budget meets the two-hour target, for the report. */
export function budgetText(grid: Grid, outcome: GridOutcome, gridSeconds: number): string {
  const trainedRuns = outcome.runs.filter((r) => r.method.kind === "train");
  const runSeconds = outcome.results.reduce((a, r) => a + r.wall_s, 0);
  const stages = trainedRuns[0]?.config.stages.map((s) => `${s.name} ${s.promotion.minUpdates}–${s.promotion.maxUpdates}`).join(", ");
  return [
    `${outcome.runs.length} runs (${trainedRuns.length} trained), ${grid.workers} in parallel (one process each; the embedded policy uses one core).`,
    trainedRuns[0]
      ? `Each trained run uses the trainer preset \`${trainedRuns[0].config.preset}\`: ${trainedRuns[0].config.grpo.tasksPerUpdate} tasks × ${trainedRuns[0].config.grpo.groupSize} rollouts per update, updates per stage ${stages}; a method with the single-stage ablation (single-stage GRPO, behaviour cloning) trains one stage for the sum of the stages' maxima.`
      : "",
    `The runs' own wall time sums to ${(runSeconds / 60).toFixed(1)} min; the grid ran for ${(gridSeconds / 60).toFixed(1)} min of wall time over all invocations (this one: ${(outcome.wallS / 60).toFixed(1)} min, ${outcome.cached} runs from the cache).`,
  ]
    .filter(Boolean)
    .join(" ");
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentOutcome> {
  const log = o.log ?? (() => {});
  checkOutDir(o.outDir, o.force ?? false);
  assertCreatableDir(o.outDir, "The experiment's --out folder");
  try {
    mkdirSync(o.outDir, { recursive: true });
    writeFileAtomic(join(o.outDir, "grid.json"), JSON.stringify(o.grid, null, 2) + "\n");
  } catch (e) {
    throw runDirFault(e, o.outDir) ?? e;
  }
  const outcome = await runGrid({
    grid: o.grid,
    outDir: o.outDir,
    version: codeVersion(),
    log,
    ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const result = experimentResultSchema.parse({
    grid: o.grid.name,
    runs: { total: outcome.runs.length, cached: outcome.cached, ran: outcome.ran },
    wall_s: Math.round(outcome.wallS),
    run_s_total: Math.round(outcome.results.reduce((a, r) => a + r.wall_s, 0)),
    grid_wall_s: Math.round(gridWallSeconds(outcome.runs.map((r) => join(o.outDir, "runs", r.dir)))),
    workers: o.workers ?? o.grid.workers,
    results: outcome.results,
    claims: evaluateClaims(o.grid, outcome.results),
  });
  writeFileAtomic(join(o.outDir, "experiment.json"), JSON.stringify(result, null, 2) + "\n");
  const budget = budgetText(o.grid, outcome, result.grid_wall_s);
  writeExperimentReport(o.outDir, { result, grid: o.grid, budget });
  writeFileAtomic(join(o.outDir, "summary.md"), summaryMarkdown(result, o.grid, budget));
  return { ...outcome, result };
}
