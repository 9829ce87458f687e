/**
 * `summary.md`: the report's table and verdicts as Markdown, to paste into a README, a pull
 * request or a paper draft (the numbers are the same functions' as report.html's).
 */
import { methodTable, type Summary } from "./analysis.ts";
import type { Grid } from "./grid.ts";
import { pct, pts } from "./report.ts";
import type { ExperimentResult } from "./results.ts";

const cell = (s: Summary | null) => (s ? `${pct(s.mean)} ± ${pct(s.sd)}` : "—");

function table(result: ExperimentResult, grid: Grid): string[] {
  const rows = methodTable(grid, result.results).map(
    (r) =>
      `| ${r.method}${r.kind === "baseline" ? " (baseline)" : ""} | ${cell(r.sets.id.turn_success)} | ${cell(r.sets.id.entry_accuracy)} | ${cell(r.sets.ood.turn_success)} | ${cell(r.sets.ood.entry_accuracy)} |`,
  );
  return ["| method | ID turn success | ID entry accuracy | OOD turn success | OOD entry accuracy |", "|---|---:|---:|---:|---:|", ...rows];
}

function verdicts(result: ExperimentResult, grid: Grid): string[] {
  return result.claims.map((c) => {
    const d = c.mean_diff === null ? "no pairs" : `${pts(c.mean_diff)} points`;
    const ci = c.ci95 ? `, 95% interval [${pts(c.ci95[0])}, ${pts(c.ci95[1])}]` : "";
    const cats = grid.claims.find((x) => x.id === c.claim)?.categories;
    const scope = `${c.metric}${cats ? ` on ${cats.join(" + ")}` : ""}, ${c.set === "all" ? "every fold" : c.set}`;
    return `- **${c.verdict.replace("_", " ")}** — ${c.claim}: ${c.statement} (${c.a} − ${c.b}, ${scope}: ${d}${ci}, n = ${c.n})`;
  });
}

export function summaryMarkdown(result: ExperimentResult, grid: Grid, budget: string): string {
  const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
  return [
    `## envtune experiment: ${result.grid}`,
    "",
    `${result.runs.total} runs over seeds ${grid.seeds.join(", ")}; the grid ran for ${minutes(result.grid_wall_s)} of wall time with ${result.workers} workers (the runs' own wall times sum to ${minutes(result.run_s_total)}).`,
    "Percent, mean ± std over seeds; a seed's out-of-distribution score pools its folds. Turn success counts turns whose ground truth has calls.",
    "",
    ...table(result, grid),
    "",
    ...verdicts(result, grid),
    "",
    budget,
    "",
  ].join("\n");
}
