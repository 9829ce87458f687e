/**
 * Trains the tabular learner of `tabular-learner.ts` through the unchanged envtune trainer: a
 * two-stage curriculum, stopped after a few updates (a checkpoint is on disk), resumed to the end,
 * evaluated against the baselines, with report.html.
 *
 *   ENVTUNE_BFCL_DATA=path/to/bfcl/data npm run examples
 *   node --conditions=@envtune/source --import tsx examples/second-learner/main.ts [OUT_DIR]
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  learnerNames,
  parseTrainConfig,
  registerLearner,
  silentProgress,
  stderrProgress,
  train,
  type ProgressSink,
  type TrainConfigInput,
  type TrainResult,
} from "@envtune/trainer";
import { tabularLearner } from "./tabular-learner.ts";

/** A small curriculum of two stages: the syntax reward on easy Base tasks, then the progress reward. */
export const exampleConfig: TrainConfigInput = {
  preset: "second-learner-example",
  seed: 3,
  learner: { name: "tabular-bandit", options: { lr: 10 } },
  grpo: { groupSize: 4, tasksPerUpdate: 6 },
  validation: { every: 2, limit: 12 },
  evaluation: { part: "test", baselines: true, limit: 16 },
  stages: [
    {
      name: "syntax",
      data: { part: "train", categories: ["base"], limit: 20, order: "easiest" },
      reward: { kind: "stage1" },
      augmented: false,
      limits: { maxActionsPerTurn: 2 },
      promotion: { metric: "val_reward", window: 2, minDelta: 0.01, minUpdates: 4, maxUpdates: 6 },
    },
    {
      name: "progress",
      data: { part: "train", categories: ["base"], limit: 40 },
      reward: { kind: "progress" },
      augmented: true,
      limits: { maxActionsPerTurn: 2 },
      promotion: { metric: "val_turn_success", window: 2, minDelta: 0.01, minUpdates: 4, maxUpdates: 4 },
    },
  ],
};

export interface ExampleResult {
  /** The first process: stopped after `stopAfter` updates, checkpoint written. */
  stopped: TrainResult;
  /** The resumed process that finished the run. */
  finished: TrainResult;
}

/** Makes `learner: { name: "tabular-bandit" }` known to the trainer (once per process). */
export function registerExampleLearner(): void {
  if (!learnerNames().includes(tabularLearner.name)) registerLearner(tabularLearner);
}

/** Registers the learner and trains it: stop after `stopAfter` updates, then resume to the end. */
export async function runExample(
  outDir: string,
  opts: { dataDir?: string; stopAfter?: number; progress?: ProgressSink } = {},
): Promise<ExampleResult> {
  registerExampleLearner();
  const common = { outDir, progress: opts.progress ?? silentProgress, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) };
  const stopped = await train({ ...common, config: parseTrainConfig(exampleConfig), stopAfterUpdates: opts.stopAfter ?? 3 });
  const finished = await train({ ...common, resume: true });
  return { stopped, finished };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = resolve(process.argv[2] ?? join(mkdtempSync(join(tmpdir(), "envtune-second-learner-")), "run"));
  const { stopped, finished } = await runExample(out, { progress: stderrProgress((s) => process.stderr.write(s)) });
  console.log(
    `second-learner: first process ${stopped.status} after ${stopped.updates} updates (checkpoint: ${existsSync(join(out, "checkpoint"))})`,
  );
  console.log(`second-learner: resumed and ${finished.status} after ${finished.updates} updates`);
  for (const p of finished.evaluation?.policies ?? [])
    console.log(`  ${p.policy.padEnd(18)} turn success ${(p.turnSuccess * 100).toFixed(2)}%  progress ${p.progress.toFixed(4)}`);
  console.log(`second-learner: report ${join(out, "report.html")}`);
}
