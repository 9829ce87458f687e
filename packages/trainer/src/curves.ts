/**
 * "Does the learning curve rise in this stage?" as a stated, computed rule (issue 5's acceptance
 * point), so that the README, the end-of-run log, `--aggregate` and report.html show the same
 * numbers.
 *
 * The rule, per stage, on the stage's per-update training reward (the reward the stage optimizes:
 * R_Stage1 in the syntax stage, the progress reward R_P after it; every update's rollouts are 128
 * episodes on fresh tasks):
 *   first = mean of the first quarter of the stage's updates, last = mean of the last quarter,
 *   rise = last − first, with its standard error from the two quarters' variances;
 *   slope = least-squares slope over the whole stage, with its standard error.
 *   The curve *rises* when rise > 0 and slope > 0; it rises *clearly* when also rise > 2·SE.
 * Over seeds, a stage rises when the mean of its per-seed rises is positive (reported with its
 * standard error, std/√n) and it rises in at least two thirds of the seeds ({@link verdictOverRuns}).
 * The same numbers are given for the training turn success on turns with non-empty ground truth
 * (the acceptance metric of the final evaluation; the progress reward also pays for answering the
 * turns without calls) and, as quarters of its validations, for the stage's greedy validation curve.
 * Per-update points are treated as independent for the standard errors (they are not quite: the
 * policy changes slowly), so the SEs are a guide to signal vs noise, not a test.
 */
import { mean, sampleVariance } from "./stats.ts";

export interface CurveStats {
  /** Points in the curve. */
  n: number;
  first: number;
  last: number;
  rise: number;
  riseSe: number;
  /** Least-squares slope per 100 updates, and its standard error. */
  slopePer100: number;
  slopeSe: number;
  rises: boolean;
  clearly: boolean;
}

export interface StageCurve {
  stage: number;
  name: string;
  /** The per-update metric the rule reads: `reward`, the stage's own reward. */
  metric: string;
  /** Which reward that is (`stage1`, `progress`, …). */
  rewardKind: string;
  updates: number;
  /** The rule on the training reward curve. */
  train: CurveStats;
  /** The same on the training turn success (turns with non-empty ground truth). */
  turnSuccess: CurveStats;
  /** The stage's greedy validation curve (its promotion metric), when it has ≥ 2 validations. */
  validation?: CurveStats & { metric: string };
}

/** What the rule needs of a stage (a `StageSpec` has it). */
export interface CurveStage {
  name: string;
  reward: { kind: string };
  promotion: { metric: string };
}

/** The rule on one curve of (x, y) points in order. */
export function curveStats(points: ReadonlyArray<readonly [number, number]>): CurveStats {
  const n = points.length;
  const ys = points.map((p) => p[1]);
  const q = Math.max(1, Math.floor(n / 4));
  const a = ys.slice(0, q);
  const b = ys.slice(Math.max(0, n - q));
  const first = mean(a, Number.NaN);
  const last = mean(b, Number.NaN);
  const rise = last - first;
  const riseSe = Math.sqrt(sampleVariance(a) / a.length + sampleVariance(b) / b.length);
  let slope = 0;
  let slopeSe = 0;
  if (n >= 2) {
    const xs = points.map((p) => p[0]);
    const mx = mean(xs, Number.NaN);
    const my = mean(ys, Number.NaN);
    const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    if (sxx > 0) {
      slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / sxx;
      const rss = xs.reduce((s, x, i) => s + (ys[i]! - (my + slope * (x - mx))) ** 2, 0);
      slopeSe = n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : 0;
    }
  }
  const rises = n >= 2 && rise > 0 && slope > 0;
  return { n, first, last, rise, riseSe, slopePer100: slope * 100, slopeSe: slopeSe * 100, rises, clearly: rises && rise > 2 * riseSe };
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);

/** Applies the rule to every stage of a run's metrics (`metrics.jsonl` records, in order). */
export function stageCurves(metrics: ReadonlyArray<Record<string, unknown>>, stages: readonly CurveStage[]): StageCurve[] {
  const out: StageCurve[] = [];
  const names: string[] = [];
  for (const m of metrics) if (m.type === "update" && !names.includes(String(m.stage_name))) names.push(String(m.stage_name));
  names.forEach((name, i) => {
    const spec = stages.find((s) => s.name === name);
    const ups = metrics.filter((m) => m.type === "update" && m.stage_name === name);
    const curve = (key: string) => curveStats(ups.map((m) => [num(m.update), num(m[key])] as const).filter((p) => Number.isFinite(p[1])));
    const valMetric = spec?.promotion.metric ?? "val_turn_success";
    const vals = metrics
      .filter((m) => m.stage_name === name && (m.type === "validation" || (m.type === "update" && m[valMetric] !== undefined)))
      .map((m) => [num(m.update), num(m[valMetric])] as const)
      .filter((p) => Number.isFinite(p[1]));
    const stageNo = ups.length ? num(ups[0]!.stage) : i + 1;
    out.push({
      stage: stageNo,
      name,
      metric: "reward",
      rewardKind: spec?.reward.kind ?? "reward",
      updates: ups.length,
      train: curve("reward"),
      turnSuccess: curve("train_turn_success"),
      ...(vals.length >= 2 ? { validation: { ...curveStats(vals), metric: valMetric } } : {}),
    });
  });
  return out;
}

/** The verdict of the rule on one curve. */
export function verdict(c: CurveStats): string {
  return c.clearly ? "rises clearly" : c.rises ? "rises" : "does not rise";
}

/**
 * The rule over runs (seeds) for one stage: `rises` when the mean of the per-run rises is positive
 * and the curve rises in at least two thirds of the runs; `rises clearly` when the mean also
 * exceeds 2 SE (std/√n) over more than one run.
 */
export function verdictOverRuns(meanRise: number, se: number, runsRising: number, runs: number): string {
  if (!(meanRise > 0) || runsRising * 3 < runs * 2) return "does not rise";
  return runs > 1 && meanRise > 2 * se ? "rises clearly" : "rises";
}

/** One line per stage, for logs and `--aggregate`. */
export function formatStageCurve(c: StageCurve): string {
  const r = (x: number) => x.toFixed(3);
  const p = (x: number) => (x * 100).toFixed(2);
  const t = c.train;
  const ts = c.turnSuccess;
  let s = `stage ${c.stage} ${c.name} (${c.updates} updates): `;
  // A learner without rollouts (behaviour cloning) has no training reward to follow.
  if (!Number.isFinite(t.first)) s += "no training rollouts";
  else {
    s += `reward (${c.rewardKind}) ${r(t.first)} → ${r(t.last)}, rise ${r(t.rise)} ± ${r(t.riseSe)}, slope ${r(t.slopePer100)} ± ${r(t.slopeSe)} per 100 updates: ${verdict(t)}`;
    s += `; turn success ${p(ts.first)}% → ${p(ts.last)}% (rise ${p(ts.rise)} ± ${p(ts.riseSe)} points: ${verdict(ts)})`;
  }
  if (c.validation) {
    const v = c.validation;
    const vf = (x: number) => (v.metric !== "val_reward" ? `${p(x)}%` : r(x));
    s += `; validation ${v.metric} ${vf(v.first)} → ${vf(v.last)} (${v.n} points)`;
  }
  return s;
}
