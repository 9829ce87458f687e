/**
 * Summary over finished runs (e.g. the same config with 3 seeds): mean ± std of the final
 * evaluation of every policy, the trained policy's margin over the best baseline, and wall time
 * and throughput.
 */
import { existsSync } from "node:fs";
import { EnvtuneError } from "@envtune/core";
import { effectiveStages, parseTrainConfig } from "./config.ts";
import { formatStageCurve, stageCurves, verdictOverRuns, type StageCurve } from "./curves.ts";
import type { FinalEvaluation } from "./evaluate.ts";
import { RunDir } from "./run-dir.ts";
import { mean, sampleVariance } from "./stats.ts";

export interface AggregateRow {
  policy: string;
  turnSuccess: { mean: number; std: number; values: number[] };
  entryAccuracy: { mean: number; std: number; values: number[] };
  progress: { mean: number; std: number; values: number[] };
}

export interface Aggregate {
  json: {
    runs: string[];
    rows: AggregateRow[];
    /** Per run: trained turn success minus the best baseline's (points). */
    margins: number[];
    margin: { mean: number; std: number };
    trainSeconds: number[];
    updates: number[];
    episodesPerSecond: number[];
    updatesPerSecond: number[];
    /** Per run, per stage: the learning-curve rule (see curves.ts). */
    curves: StageCurve[][];
    /** Per stage (by position): the rise over runs, and in how many runs the curve rises. */
    stageRise: Array<{
      stage: number;
      name: string;
      rewardKind: string;
      /** Per-seed rises of the reward curve (last minus first quarter), mean ± std, and their SE (std/√n). */
      rise: { mean: number; std: number; se: number; values: number[] };
      /** The same for the training turn success. */
      turnSuccessRise: { mean: number; std: number; se: number; values: number[] };
      rises: number;
      clearly: number;
      runs: number;
      /** Over the runs: `rises clearly` (mean rise > 2 SE), `rises` (mean rise > 0 and the curve rises in at least two thirds of the runs) or `does not rise`. */
      verdict: string;
    }>;
  };
  text: string;
}

function stats(values: number[]): { mean: number; std: number; values: number[] } {
  return { mean: mean(values), std: Math.sqrt(sampleVariance(values)), values };
}

export function aggregateRuns(dirs: readonly string[]): Aggregate {
  if (dirs.length === 0)
    throw new EnvtuneError(
      "USAGE",
      "trainer",
      "No run directories to aggregate.",
      "Pass finished run directories, e.g. --aggregate runs/s1,runs/s2,runs/s3.",
    );
  const evals: FinalEvaluation[] = [];
  const trainSeconds: number[] = [];
  const updates: number[] = [];
  const eps: number[] = [];
  const ups: number[] = [];
  const curves: StageCurve[][] = [];
  for (const d of dirs) {
    const run = new RunDir(d);
    if (!existsSync(run.path("eval", "results.json"))) {
      throw new EnvtuneError(
        "RUN_NOT_FINISHED",
        "trainer",
        `${d} has no eval/results.json.`,
        "Aggregate finished runs only (resume unfinished ones with --resume).",
      );
    }
    evals.push(run.readJson<FinalEvaluation>("eval/results.json"));
    const us = run.readMetrics().filter((m) => m.type === "update");
    const secs = us.length ? Number(us[us.length - 1]!.elapsed_s) : 0;
    trainSeconds.push(secs);
    updates.push(us.length);
    eps.push(secs > 0 ? us.reduce((a, m) => a + Number(m.episodes), 0) / secs : 0);
    ups.push(secs > 0 ? us.length / secs : 0);
    const config = parseTrainConfig(run.readJson<unknown>("config.json"));
    curves.push(stageCurves(run.readMetrics(), effectiveStages(config)));
  }
  const nStages = Math.max(0, ...curves.map((c) => c.length));
  const stageRise = Array.from({ length: nStages }, (_, i) => {
    const cs = curves.map((c) => c[i]).filter((c) => c !== undefined);
    const withSe = (xs: number[]) => {
      const st = stats(xs);
      return { ...st, se: xs.length ? st.std / Math.sqrt(xs.length) : 0 };
    };
    const rise = withSe(cs.map((c) => c.train.rise));
    const rises = cs.filter((c) => c.train.rises).length;
    return {
      stage: i + 1,
      name: cs[0]?.name ?? "",
      rewardKind: cs[0]?.rewardKind ?? "",
      rise,
      turnSuccessRise: withSe(cs.map((c) => c.turnSuccess.rise)),
      rises,
      clearly: cs.filter((c) => c.train.clearly).length,
      runs: cs.length,
      verdict: verdictOverRuns(rise.mean, rise.se, rises, cs.length),
    };
  });
  const names = [...new Set(evals.flatMap((e) => e.policies.map((p) => p.policy)))];
  const rows: AggregateRow[] = names.map((policy) => {
    const ps = evals.map((e) => e.policies.find((p) => p.policy === policy)).filter((p) => p !== undefined);
    return {
      policy,
      turnSuccess: stats(ps.map((p) => p.turnSuccess)),
      entryAccuracy: stats(ps.map((p) => p.entryAccuracy)),
      progress: stats(ps.map((p) => p.progress)),
    };
  });
  const margins = evals.map((e) => {
    const t = e.policies.find((p) => p.policy === "trained");
    const best = Math.max(...e.policies.filter((p) => !p.policy.startsWith("trained")).map((p) => p.turnSuccess));
    return t && Number.isFinite(best) ? (t.turnSuccess - best) * 100 : Number.NaN;
  });
  const m = stats(margins);
  const pct = (s: { mean: number; std: number }) => `${(s.mean * 100).toFixed(2)} ± ${(s.std * 100).toFixed(2)}%`;
  const lines = [
    `runs: ${dirs.join(", ")}`,
    `${"policy".padEnd(18)} ${"turn success (non-empty GT)".padEnd(28)} ${"entry accuracy".padEnd(18)} progress`,
    ...rows.map(
      (r) =>
        `${r.policy.padEnd(18)} ${pct(r.turnSuccess).padEnd(28)} ${pct(r.entryAccuracy).padEnd(18)} ${r.progress.mean.toFixed(4)} ± ${r.progress.std.toFixed(4)}`,
    ),
    `trained − best baseline: ${m.mean.toFixed(2)} ± ${m.std.toFixed(2)} points (per run: ${margins.map((x) => x.toFixed(2)).join(", ")})`,
    "learning curves (rule: per stage and run, the last-quarter mean of the stage's training reward minus the first-quarter mean, with a positive slope; over runs: the mean rise ± SE is positive and the curve rises in at least 2/3 of the runs; clearly: mean > 2 SE):",
    ...stageRise.map(
      (r) =>
        `  stage ${r.stage} ${r.name}: reward (${r.rewardKind}) rise ${r.rise.mean.toFixed(4)} ± ${r.rise.se.toFixed(4)} (${r.verdict}; rises in ${r.rises}/${r.runs} runs, clearly in ${r.clearly}); turn success rise ${(r.turnSuccessRise.mean * 100).toFixed(2)} ± ${(r.turnSuccessRise.se * 100).toFixed(2)} points`,
    ),
    ...curves.flatMap((cs, i) => [`  ${dirs[i]}:`, ...cs.map((c) => `    ${formatStageCurve(c)}`)]),
    `training time: ${trainSeconds.map((s) => s.toFixed(0)).join(", ")} s; updates: ${updates.join(", ")}; episodes/s: ${eps.map((x) => x.toFixed(1)).join(", ")}; updates/s: ${ups.map((x) => x.toFixed(3)).join(", ")}`,
  ];
  return {
    json: {
      runs: [...dirs],
      rows,
      margins,
      margin: { mean: m.mean, std: m.std },
      trainSeconds,
      updates,
      episodesPerSecond: eps,
      updatesPerSecond: ups,
      curves,
      stageRise,
    },
    text: lines.join("\n"),
  };
}
