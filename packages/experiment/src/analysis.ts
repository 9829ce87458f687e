/**
 * The statistics of an experiment, as pure functions over its run results: set scores pooled per
 * seed, the mean ± std table, paired differences with Student-t 95% intervals, the claims'
 * verdicts, per-category scores and mean learning curves. The report renders these; the runner
 * stores `evaluateClaims`' output in `experiment.json`.
 */
import { EnvtuneError } from "@envtune/core";
import { mean, sampleVariance } from "@envtune/trainer";
import type { ClaimSpec, Grid } from "./grid.ts";
import type { ClaimResult, ClaimSet, EvalSet, RunResult, Score } from "./results.ts";

/** A per-run or pooled rate a table or a claim compares. */
export type Metric = ClaimSpec["metric"];
export const EVAL_SETS: readonly EvalSet[] = ["id", "ood"];
/** The paper's BFCL categories first, in its order; others follow alphabetically. */
export const CATEGORY_ORDER: readonly string[] = ["base", "miss_func", "miss_param", "long_context"];

/**
 * Pools scores (a run's totals, or some of its categories, or several runs) as if their entries
 * had been evaluated together: turn success over the summed turns with calls; entry accuracy and
 * all-turn success weighted by entries (a score does not record its total turn count, so entries
 * is the only weight available for the all-turn rate). `null` where the denominator is 0.
 */
export function pooledMetric(scores: readonly Score[], metric: Metric): number | null {
  if (metric === "turn_success") {
    const turns = scores.reduce((a, s) => a + s.non_empty_turns, 0);
    return turns > 0 ? scores.reduce((a, s) => a + s.non_empty_passed, 0) / turns : null;
  }
  const entries = scores.reduce((a, s) => a + s.entries, 0);
  return entries > 0 ? scores.reduce((a, s) => a + s[metric] * s.entries, 0) / entries : null;
}

/** The scores a metric pools for one run: its totals, or the given categories it has. */
function runScores(run: RunResult, categories?: readonly string[]): Score[] {
  if (!categories) return [run];
  return categories.flatMap((c) => (run.per_category[c] ? [run.per_category[c]] : []));
}

export function runMetric(run: RunResult, metric: Metric, categories?: readonly string[]): number | null {
  return pooledMetric(runScores(run, categories), metric);
}

const runsOf = (results: readonly RunResult[], method: string, set: ClaimSet) =>
  results.filter((r) => r.method === method && (set === "all" || r.set === set));

/** Seeds present, ascending. */
const seedsOf = (runs: readonly RunResult[]) => [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);

export interface SeedScore {
  seed: number;
  /** Folds pooled into this seed's score. */
  runs: number;
  turn_success: number | null;
  entry_accuracy: number | null;
  all_turn_success: number | null;
}

/**
 * A method's score on a set for each seed: that seed's runs pooled over folds (a micro-average,
 * so a fold weighs by its size), or over `categories` of those runs when given.
 */
export function setScoresBySeed(results: readonly RunResult[], method: string, set: EvalSet, categories?: readonly string[]): SeedScore[] {
  // Through runsByCell: a duplicated (fold, seed) would silently count twice in the pool.
  const runs = [...runsByCell(results, method, set).values()];
  return seedsOf(runs).map((seed) => {
    const scores = runs.filter((r) => r.seed === seed).flatMap((r) => runScores(r, categories));
    return {
      seed,
      runs: runs.filter((r) => r.seed === seed).length,
      turn_success: pooledMetric(scores, "turn_success"),
      entry_accuracy: pooledMetric(scores, "entry_accuracy"),
      all_turn_success: pooledMetric(scores, "all_turn_success"),
    };
  });
}

/** Mean ± sample standard deviation of n values (sd 0 for one value). */
export interface Summary {
  mean: number;
  sd: number;
  n: number;
}

export function summarize(xs: readonly number[]): Summary | null {
  return xs.length ? { mean: mean(xs), sd: Math.sqrt(sampleVariance(xs)), n: xs.length } : null;
}

export interface TableRow {
  method: string;
  kind: Grid["methods"][number]["kind"];
  description: string;
  /** Over seeds, of the per-seed set scores; `null` where the method has no results on the set. */
  sets: Record<EvalSet, { turn_success: Summary | null; entry_accuracy: Summary | null }>;
}

/** The paper-style table: one row per method in grid order, mean ± std over seeds per set and metric. */
export function methodTable(grid: Grid, results: readonly RunResult[]): TableRow[] {
  return grid.methods.map((m) => {
    const cell = (set: EvalSet) => {
      const seeds = setScoresBySeed(results, m.name, set);
      const of = (k: "turn_success" | "entry_accuracy") => summarize(seeds.flatMap((s) => (s[k] === null ? [] : [s[k]])));
      return { turn_success: of("turn_success"), entry_accuracy: of("entry_accuracy") };
    };
    return { method: m.name, kind: m.kind, description: m.description, sets: { id: cell("id"), ood: cell("ood") } };
  });
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x ≥ ½ (Lanczos, g = 7: about 15 significant digits). */
function lnGamma(x: number): number {
  const z = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom, by bisection on the exact CDF. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0) || !Number.isFinite(df))
    throw new EnvtuneError(
      "INVALID_ARGUMENT",
      "experiment",
      `studentTQuantile needs 0 < p < 1 and a finite df > 0 (got p = ${p}, df = ${df}).`,
      "Pass a probability strictly between 0 and 1 and positive degrees of freedom.",
    );
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** One (fold, seed) present for both methods: each side's run-level metric and a − b. */
export interface Pair {
  fold: string;
  seed: number;
  a: number;
  b: number;
  diff: number;
}

export interface PairedDifference {
  n: number;
  /** Mean of the differences; `null` without pairs. */
  mean: number | null;
  /** Sample standard deviation of the differences; `null` below two pairs. */
  sd: number | null;
  /** mean ± t(0.975, n − 1)·sd/√n; `null` below two pairs. */
  ci95: [number, number] | null;
  pairs: Pair[];
}

/** A method's runs on a set by (fold, seed); two results for one cell are a runner bug, not data to average. */
function runsByCell(results: readonly RunResult[], method: string, set: ClaimSet): Map<string, RunResult> {
  const out = new Map<string, RunResult>();
  for (const r of runsOf(results, method, set)) {
    const key = JSON.stringify([r.fold, r.seed]);
    const prev = out.get(key);
    if (prev)
      throw new EnvtuneError(
        "DUPLICATE_RUN_RESULT",
        "experiment",
        `Two results for method \`${method}\`, set \`${set}\`, fold \`${r.fold}\`, seed ${r.seed} (\`${prev.id}\` and \`${r.id}\`).`,
        "Keep one result per (method, set, fold, seed): remove the stale one from the results (or its run folder) and rerun the analysis.",
      );
    out.set(key, r);
  }
  return out;
}

/**
 * a − b paired by (fold, seed): the pairs are the cells both methods have (with a defined metric);
 * each pair's difference is of the run-level metric, pooled over `categories` when given.
 */
export function pairedDifference(
  results: readonly RunResult[],
  a: string,
  b: string,
  set: ClaimSet,
  metric: Metric,
  categories?: readonly string[],
): PairedDifference {
  const ra = runsByCell(results, a, set);
  const rb = runsByCell(results, b, set);
  const pairs: Pair[] = [];
  for (const [key, runA] of ra) {
    const runB = rb.get(key);
    const va = runMetric(runA, metric, categories);
    const vb = runB ? runMetric(runB, metric, categories) : null;
    if (va !== null && vb !== null) pairs.push({ fold: runA.fold, seed: runA.seed, a: va, b: vb, diff: va - vb });
  }
  pairs.sort((x, y) => (x.fold < y.fold ? -1 : x.fold > y.fold ? 1 : x.seed - y.seed));
  const n = pairs.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null, pairs };
  const diffs = pairs.map((p) => p.diff);
  const m = mean(diffs);
  if (n < 2) return { n, mean: m, sd: null, ci95: null, pairs };
  const sd = Math.sqrt(sampleVariance(diffs));
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, ci95: [m - half, m + half], pairs };
}

/** The verdict rule, stated once (the report prints it above the verdicts). */
export const CLAIM_RULE =
  "Each claim is “a beats b” on one metric and evaluation set. The runs are paired by fold and seed; per pair, " +
  "a's run-level score (pooled over the claim's categories when it names some) minus b's. The 95% interval is " +
  "mean ± t(0.975, n − 1)·sd/√n over the n pairs. Supported: the interval's lower bound is above 0. Not supported: " +
  "its upper bound is below the claim's minimum effect, so the data rule out an effect that large (a significant " +
  "reversal included). Inconclusive: anything else, and always with fewer than 2 pairs.";

const pts = (x: number) => `${(x * 100).toFixed(2)}`;

/** The verdict of one claim's paired difference, and the branch of the rule that gave it. */
export function claimVerdict(d: PairedDifference, minEffect: number): Pick<ClaimResult, "verdict" | "rule"> {
  const min = `the minimum effect (${pts(minEffect)} points)`;
  if (!d.ci95)
    return { verdict: "inconclusive", rule: `inconclusive: ${d.n} pair${d.n === 1 ? "" : "s"}, fewer than the 2 an interval needs.` };
  const [lo, hi] = d.ci95;
  const span = `95% interval [${pts(lo)}, ${pts(hi)}] points over ${d.n} pairs`;
  if (lo > 0)
    return {
      verdict: "supported",
      rule: `supported: ${span}; its lower bound is above 0${hi < minEffect ? `, though the whole interval is below ${min}` : ""}.`,
    };
  if (hi < minEffect) return { verdict: "not_supported", rule: `not supported: ${span}; its upper bound is below ${min}.` };
  return { verdict: "inconclusive", rule: `inconclusive: ${span} contains 0 and reaches ${min}.` };
}

/** Every claim of the grid, tested on the results. */
export function evaluateClaims(grid: Grid, results: readonly RunResult[]): ClaimResult[] {
  return grid.claims.map((c) => {
    const d = pairedDifference(results, c.a, c.b, c.set, c.metric, c.categories);
    const over = c.categories ? ` on ${c.categories.join(" + ")}` : "";
    const { verdict, rule } = claimVerdict(d, c.minEffect);
    return {
      claim: c.id,
      statement: c.statement,
      a: c.a,
      b: c.b,
      set: c.set,
      metric: c.metric,
      n: d.n,
      mean_diff: d.mean,
      ci95: d.ci95,
      verdict,
      rule: `${c.a} − ${c.b}, ${c.metric}${over}, ${c.set}: ${rule}`,
    };
  });
}

/** The reference (the grid's first trained method) against every other method. */
export interface ReferenceDifference {
  reference: string;
  method: string;
  set: EvalSet;
  metric: Metric;
  diff: PairedDifference;
}

export function referenceMethod(grid: Grid): string | null {
  return grid.methods.find((m) => m.kind === "train")?.name ?? null;
}

/** reference − method for every other method, on each set the reference has results on and each metric. */
export function referenceDifferences(
  grid: Grid,
  results: readonly RunResult[],
  metrics: readonly Metric[] = ["turn_success", "entry_accuracy"],
): ReferenceDifference[] {
  const reference = referenceMethod(grid);
  if (reference === null) return [];
  const sets = EVAL_SETS.filter((s) => runsOf(results, reference, s).length > 0);
  return grid.methods
    .filter((m) => m.name !== reference)
    .flatMap((m) =>
      sets.flatMap((set) =>
        metrics.map((metric) => ({
          reference,
          method: m.name,
          set,
          metric,
          diff: pairedDifference(results, reference, m.name, set, metric),
        })),
      ),
    );
}

/** Categories present in the runs, the paper's first. */
export function categoriesOf(results: readonly RunResult[]): string[] {
  const cats = [...new Set(results.flatMap((r) => Object.keys(r.per_category)))];
  const rank = (c: string) => (CATEGORY_ORDER.includes(c) ? CATEGORY_ORDER.indexOf(c) : CATEGORY_ORDER.length);
  return cats.sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
}

export interface CategoryRow {
  method: string;
  set: EvalSet;
  category: string;
  /** Runs (fold, seed) with entries in the category, and their summed counts. */
  runs: number;
  entries: number;
  non_empty_turns: number;
  non_empty_passed: number;
  /** Over those runs, of each run's rate in the category. */
  turn_success: Summary | null;
  all_turn_success: Summary | null;
}

/** Per method × set × category: the mean over (fold, seed) runs of the category's rates, with counts. */
export function categoryTable(grid: Grid, results: readonly RunResult[]): CategoryRow[] {
  return grid.methods.flatMap((m) =>
    EVAL_SETS.flatMap((set) => {
      const runs = runsOf(results, m.name, set);
      return categoriesOf(runs).flatMap((category) => {
        const scores = runs.flatMap((r) => (r.per_category[category]?.entries ? [r.per_category[category]] : []));
        if (scores.length === 0) return [];
        const sum = (k: "entries" | "non_empty_turns" | "non_empty_passed") => scores.reduce((a, s) => a + s[k], 0);
        return [
          {
            method: m.name,
            set,
            category,
            runs: scores.length,
            entries: sum("entries"),
            non_empty_turns: sum("non_empty_turns"),
            non_empty_passed: sum("non_empty_passed"),
            turn_success: summarize(scores.filter((s) => s.non_empty_turns > 0).map((s) => s.turn_success)),
            all_turn_success: summarize(scores.map((s) => s.all_turn_success)),
          },
        ];
      });
    }),
  );
}

/** One point of a mean curve: the mean over the `n` runs that have a point at this update. */
export interface MeanCurvePoint {
  update: number;
  mean: number;
  n: number;
}

export interface MeanCurve {
  method: string;
  set: EvalSet;
  runs: number;
  val: MeanCurvePoint[];
  train: MeanCurvePoint[];
}

/**
 * Averages curves at equal update numbers. Runs of one method share the validation schedule, but
 * a resumed or early-stopped run may lack points: each update averages the runs that have it.
 */
export function averageCurves(curves: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): MeanCurvePoint[] {
  const at = new Map<number, number[]>();
  for (const curve of curves)
    for (const [update, y] of curve) {
      if (!Number.isFinite(y)) continue;
      const ys = at.get(update) ?? [];
      ys.push(y);
      at.set(update, ys);
    }
  return [...at.entries()].sort((x, y) => x[0] - y[0]).map(([update, ys]) => ({ update, mean: mean(ys), n: ys.length }));
}

/** Mean validation and training curves per method × set (only where some run has a curve). */
export function meanCurves(grid: Grid, results: readonly RunResult[]): MeanCurve[] {
  return grid.methods.flatMap((m) =>
    EVAL_SETS.flatMap((set) => {
      const runs = runsOf(results, m.name, set);
      const val = averageCurves(runs.map((r) => r.val_curve));
      const train = averageCurves(runs.map((r) => r.train_curve));
      return val.length || train.length ? [{ method: m.name, set, runs: runs.length, val, train }] : [];
    }),
  );
}

export interface FoldCell {
  /** Over seeds, of the run's turn success. */
  turn_success: Summary | null;
  /** Behaviour cloning: Σ covered / Σ values over the cell's runs; `null` where no run reports coverage. */
  coverage: number | null;
}

export interface FoldTable {
  /** Folds in the order the results list them (the runner's grid order). */
  folds: string[];
  rows: Array<{ method: string; cells: Record<string, FoldCell> }>;
}

/** Method × fold on one set (normally `ood`): turn success over seeds, and behaviour cloning's coverage. */
export function foldTable(grid: Grid, results: readonly RunResult[], set: EvalSet = "ood"): FoldTable {
  const folds = [...new Set(results.filter((r) => r.set === set).map((r) => r.fold))];
  const rows = grid.methods.map((m) => {
    const runs = runsOf(results, m.name, set);
    const cells: Record<string, FoldCell> = {};
    for (const fold of folds) {
      const inFold = runs.filter((r) => r.fold === fold);
      const cov = inFold.flatMap((r) => (r.coverage ? [r.coverage] : []));
      const values = cov.reduce((a, c) => a + c.values, 0);
      cells[fold] = {
        turn_success: summarize(inFold.map((r) => r.turn_success)),
        coverage: values > 0 ? cov.reduce((a, c) => a + c.covered, 0) / values : null,
      };
    }
    return { method: m.name, cells };
  });
  return { folds, rows };
}
