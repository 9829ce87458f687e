/**
 * report.html of `envtune experiment`: one self-contained page (inline CSS and SVG, no scripts, no
 * external assets) with the claims' verdicts, the paper-style table (Lu et al. 2025, Table 3:
 * method × in/out of distribution, mean ± std over seeds), paired differences against the
 * reference method, per-category results, mean learning curves, the per-fold table and every run.
 */
import { join } from "node:path";
import { writeFileAtomic } from "@envtune/policy-tfjs/util";
import { esc, lineChart, type Series } from "@envtune/trainer";
import {
  CLAIM_RULE,
  EVAL_SETS,
  categoryTable,
  foldTable,
  meanCurves,
  methodTable,
  referenceDifferences,
  referenceMethod,
  type Metric,
  type PairedDifference,
  type Summary,
} from "./analysis.ts";
import type { Grid } from "./grid.ts";
import type { ClaimResult, ClaimSet, EvalSet, ExperimentResult } from "./results.ts";

export interface ExperimentReportInput {
  result: ExperimentResult;
  grid: Grid;
  /** How the wall-time budget was met, in the caller's words (printed as given, escaped). */
  budget: string;
}

const DASH = "—";
const SET_LABEL: Record<ClaimSet, string> = {
  id: "in distribution",
  ood: "out of distribution",
  all: "every fold, in and out of distribution",
};
const METRIC_LABEL: Record<Metric, string> = {
  turn_success: "turn success",
  entry_accuracy: "entry accuracy",
  all_turn_success: "all-turn success",
};
const TABLE_METRICS = ["turn_success", "entry_accuracy"] as const;
const VERDICT_LABEL: Record<ClaimResult["verdict"], string> = {
  supported: "supported",
  not_supported: "not supported",
  inconclusive: "inconclusive",
};
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** A rate in percent, 2 decimals. */
export const pct = (x: number) => (x * 100).toFixed(2);
/** A difference of rates in points, signed. */
export const pts = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}`;

function summaryCell(s: Summary | null): string {
  return s ? `<td title="n = ${s.n}">${pct(s.mean)} ± ${pct(s.sd)}</td>` : `<td class="missing">${DASH}</td>`;
}

/** "+1.23 [0.40, 2.06] (n 12)", marked when the interval excludes 0. */
function diffText(mean: number | null, ci: readonly [number, number] | null, n: number): string {
  if (mean === null) return `${DASH} (n ${n})`;
  const interval = ci ? ` [${pts(ci[0])}, ${pts(ci[1])}]` : " [no interval]";
  const excludes0 = ci !== null && (ci[0] > 0 || ci[1] < 0);
  const text = `${pts(mean)}${interval} (n ${n})`;
  return excludes0 ? `<b class="sig">${text} ✱</b>` : text;
}

/** "+1.23 points (95% interval [+0.40, +2.06]), 12 pairs". */
function claimDiff(c: ClaimResult): string {
  const pairs = `${c.n} pair${c.n === 1 ? "" : "s"}`;
  if (c.mean_diff === null) return `no pairs`;
  const interval = c.ci95 ? `95% interval [${pts(c.ci95[0])}, ${pts(c.ci95[1])}]` : "no interval";
  return `<b>${pts(c.mean_diff)} points</b> (${interval}), ${pairs}`;
}

function duration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} h ` : ""}${h || m ? `${m} min ` : ""}${Math.round(s % 60)} s`;
}

function header({ result, grid, budget }: ExperimentReportInput): string {
  const r = result.runs;
  return `<h1>envtune experiment: ${esc(result.grid)}</h1>
${grid.description ? `<p>${esc(grid.description)}</p>` : ""}
<p class="note">${r.total} runs (${r.cached} cached, ${r.ran} ran in this invocation) over seeds ${esc(grid.seeds.join(", "))};
the grid ran for ${duration(result.grid_wall_s)} of wall time with ${result.workers} workers (this invocation: ${duration(result.wall_s)}); the runs' own wall times sum to ${duration(result.run_s_total)}.</p>
<h2>Budget</h2>
<p>${esc(budget)}</p>`;
}

function verdicts(result: ExperimentResult, grid: Grid): string {
  if (result.claims.length === 0) return `<h2>Verdicts</h2><p class="note">The grid declares no claims.</p>`;
  const items = result.claims.map((c) => {
    const spec = grid.claims.find((s) => s.id === c.claim);
    const scope = [
      METRIC_LABEL[c.metric as Metric] ?? c.metric,
      SET_LABEL[c.set],
      ...(spec?.categories ? [`categories ${spec.categories.join(", ")}`] : []),
      ...(spec ? [`minimum effect ${pct(spec.minEffect)} points`] : []),
    ];
    return `<li><span class="v ${c.verdict}">${VERDICT_LABEL[c.verdict]}</span> <b>${esc(c.claim)}</b>: ${esc(c.statement)}<br>
<span class="note">${esc(c.a)} − ${esc(c.b)}: ${claimDiff(c)} · ${esc(scope.join(" · "))}</span></li>`;
  });
  return `<h2>Verdicts</h2><p class="note">${esc(CLAIM_RULE)}</p><ul class="verdicts">${items.join("\n")}</ul>`;
}

/** Two header rows: the sets, then each set's metrics. */
function setHeader(first: string): string {
  const sets = EVAL_SETS.map((s) => `<th colspan="${TABLE_METRICS.length}">${SET_LABEL[s]}</th>`).join("");
  const metrics = EVAL_SETS.flatMap(() => TABLE_METRICS.map((m) => `<th>${METRIC_LABEL[m]}</th>`)).join("");
  return `<tr><th rowspan="2">${first}</th>${sets}</tr><tr>${metrics}</tr>`;
}

function methodCell(name: string, description: string, kind: string): string {
  const title = description ? ` title="${esc(description)}"` : "";
  const caption = description ? `<br><span class="note">${esc(description)}</span>` : "";
  return `<td${title}><b>${esc(name)}</b>${kind === "baseline" ? " (baseline)" : ""}${caption}</td>`;
}

function paperTable(result: ExperimentResult, grid: Grid): string {
  const rows = methodTable(grid, result.results).map(
    (row) =>
      `<tr>${methodCell(row.method, row.description, row.kind)}${EVAL_SETS.flatMap((s) => TABLE_METRICS.map((m) => summaryCell(row.sets[s][m]))).join("")}</tr>`,
  );
  return `<h2>Results (percent, mean ± std over seeds)</h2>
<p class="note">A seed's score pools its runs over folds (turns with calls for turn success, entries for entry accuracy). Turn success counts turns whose ground truth has calls; entry accuracy counts entries with every turn passed. ${DASH}: no results.</p>
<table>${setHeader("method")}${rows.join("")}</table>`;
}

function differences(result: ExperimentResult, grid: Grid): string {
  const reference = referenceMethod(grid);
  if (reference === null) return `<h2>Paired differences</h2><p class="note">The grid has no trained method to compare against.</p>`;
  const diffs = referenceDifferences(grid, result.results, TABLE_METRICS);
  const cell = (method: string, set: EvalSet, metric: Metric) => {
    const d: PairedDifference | undefined = diffs.find((x) => x.method === method && x.set === set && x.metric === metric)?.diff;
    return d ? `<td>${diffText(d.mean, d.ci95, d.n)}</td>` : `<td class="missing">${DASH}</td>`;
  };
  const rows = grid.methods
    .filter((m) => m.name !== reference)
    .map((m) => `<tr><td>${esc(m.name)}</td>${EVAL_SETS.flatMap((s) => TABLE_METRICS.map((k) => cell(m.name, s, k))).join("")}</tr>`);
  return `<h2>Paired differences: ${esc(reference)} − method</h2>
<p class="note">Points (percentage points), paired by fold and seed, with the 95% t-interval and the number of pairs; ✱ marks an interval that excludes 0.</p>
<table>${setHeader("method")}${rows.join("")}</table>`;
}

function categories(result: ExperimentResult, grid: Grid): string {
  const all = categoryTable(grid, result.results);
  const tables = EVAL_SETS.flatMap((set) => {
    const rows = all.filter((r) => r.set === set);
    if (rows.length === 0) return [];
    const cats = [...new Set(rows.map((r) => r.category))];
    const methods = [...new Set(rows.map((r) => r.method))];
    const body = methods.map((m) => {
      const cells = cats.flatMap((c) => {
        const r = rows.find((x) => x.method === m && x.category === c);
        return [summaryCell(r?.turn_success ?? null), summaryCell(r?.all_turn_success ?? null)];
      });
      return `<tr><td>${esc(m)}</td>${cells.join("")}</tr>`;
    });
    return [
      `<h3>${SET_LABEL[set]}</h3><table><tr><th rowspan="2">method</th>${cats.map((c) => `<th colspan="2">${esc(c)}</th>`).join("")}</tr>
<tr>${cats.map(() => "<th>turn success</th><th>all-turn success</th>").join("")}</tr>${body.join("")}</table>`,
    ];
  });
  return `<h2>Per category (percent, mean ± std over runs)</h2>
<p class="note">Each run's rate within the category, averaged over folds and seeds; all-turn success also counts turns without calls. The hints claim reads miss_func and miss_param.</p>
${tables.length ? tables.join("\n") : `<p class="note">No per-category results.</p>`}`;
}

/** One chart per set and curve kind, one series per trained method (its mean over runs). */
function curves(result: ExperimentResult, grid: Grid): string {
  const all = meanCurves(grid, result.results);
  const trained = grid.methods.filter((m) => m.kind === "train").map((m) => m.name);
  const kinds = [
    { key: "val", label: "Validation" },
    { key: "train", label: "Training (GRPO rollouts)" },
  ] as const;
  const charts = EVAL_SETS.flatMap((set) =>
    kinds.flatMap(({ key, label }) => {
      const series: Series[] = trained.flatMap((method, i) => {
        const points = all.find((x) => x.method === method && x.set === set)?.[key] ?? [];
        return points.length
          ? [{ name: method, color: PALETTE[i % PALETTE.length]!, points: points.map((p) => [p.update, p.mean] as const) }]
          : [];
      });
      if (series.length === 0) return [];
      const title = `${label} turn success over updates, ${SET_LABEL[set]} (mean over runs)`;
      return [lineChart({ title, xLabel: "policy update", yLabel: "turn success", yMin: 0, series })];
    }),
  );
  return `<h2>Learning curves</h2>
<p class="note">Each point averages the runs (folds and seeds) that have it; a method keeps its color across charts.</p>
${charts.length ? charts.join("\n") : `<p class="note">No learning curves (no trained runs with curve points).</p>`}`;
}

function foldRows(t: ReturnType<typeof foldTable>): string[] {
  return t.rows
    .filter((r) => t.folds.some((f) => r.cells[f]?.turn_success))
    .map((r) => {
      const cells = t.folds.map((f) => {
        const c = r.cells[f]!;
        const cov = c.coverage === null ? "" : `<br><span class="note">coverage ${pct(c.coverage)}%</span>`;
        return c.turn_success
          ? `<td title="n = ${c.turn_success.n}">${pct(c.turn_success.mean)}${cov}</td>`
          : `<td class="missing">${DASH}</td>`;
      });
      return `<tr><td>${esc(r.method)}</td>${cells.join("")}</tr>`;
    });
}

/** Method × fold for each set (the in-distribution split is one fold), with behaviour cloning's coverage. */
function folds(result: ExperimentResult, grid: Grid): string {
  const tables = EVAL_SETS.map((set) => ({ set, t: foldTable(grid, result.results, set) })).filter((x) => x.t.folds.length > 0);
  if (tables.length === 0) return `<h2>Per fold</h2><p class="note">No results.</p>`;
  const html = tables.map(
    ({ set, t }) =>
      `<h3>${SET_LABEL[set]}</h3><table><tr><th>method</th>${t.folds.map((f) => `<th>${esc(f)}</th>`).join("")}</tr>${foldRows(t).join("")}</table>`,
  );
  return `<h2>Per fold (turn success in percent, mean over seeds)</h2>
<p class="note">An out-of-distribution fold holds its domains out of training and tests on their entries. Coverage (behaviour cloning): the share of the demonstrations' argument values that were among the policy's candidates; the others cannot be imitated.</p>
${html.join("\n")}`;
}

function appendix(result: ExperimentResult): string {
  const rows = result.results.map(
    (r) =>
      `<tr><td>${esc(r.id)}</td><td>${r.set}</td><td>${pct(r.turn_success)}</td><td>${pct(r.entry_accuracy)}</td><td>${r.updates}</td><td>${r.wall_s.toFixed(1)}</td></tr>`,
  );
  return `<h2>Appendix: every run</h2>
<table class="compact"><tr><th>run</th><th>set</th><th>turn success %</th><th>entry accuracy %</th><th>updates</th><th>wall s</th></tr>${rows.join("")}</table>`;
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1080px;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:10px 0 18px;font-size:13px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f5f5f5}
table.compact{font-size:11px}table.compact td{padding:1px 6px}h1{font-size:22px}h2{font-size:17px;margin-top:28px}h3{font-size:14px}
.note{color:#555;font-size:13px}.missing{color:#999;text-align:center}.sig{color:#111}
.verdicts li{margin:8px 0}.v{font-weight:700;padding:1px 6px;border-radius:3px;color:#fff}.v.supported{background:#1a7f37}.v.not_supported{background:#c0392b}.v.inconclusive{background:#9a6700}
svg{display:block;margin:8px 0 14px;max-width:100%;height:auto}`;

/** The whole page, sections in the order a reader checks the claims: verdicts, table, evidence, raw runs. */
export function renderExperimentReport(input: ExperimentReportInput): string {
  const { result, grid } = input;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>envtune experiment: ${esc(result.grid)}</title>
<style>
${STYLE}
</style></head><body>
${header(input)}
${verdicts(result, grid)}
${paperTable(result, grid)}
${differences(result, grid)}
${categories(result, grid)}
${curves(result, grid)}
${folds(result, grid)}
${appendix(result)}
</body></html>
`;
}

/** Writes `report.html` into `dir` atomically (a reader never sees half a page); returns its path. */
export function writeExperimentReport(dir: string, input: ExperimentReportInput): string {
  const file = join(dir, "report.html");
  writeFileAtomic(file, renderExperimentReport(input));
  return file;
}
