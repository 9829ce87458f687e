import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureGrid, fixtureResults } from "./__fixtures__/experiment.ts";
import { CLAIM_RULE, evaluateClaims } from "./analysis.ts";
import type { Grid } from "./grid.ts";
import { renderExperimentReport, writeExperimentReport, type ExperimentReportInput } from "./report.ts";
import { experimentResultSchema, type RunResult } from "./results.ts";
import { esc } from "@envtune/trainer";
import { summaryMarkdown } from "./summary.ts";

function input(grid: Grid = fixtureGrid(), results: RunResult[] = fixtureResults()): ExperimentReportInput {
  const result = experimentResultSchema.parse({
    grid: grid.name,
    runs: { total: results.length, cached: 4, ran: results.length - 4 },
    wall_s: 3725,
    run_s_total: 7000,
    grid_wall_s: 4000,
    workers: 2,
    results,
    claims: evaluateClaims(grid, results),
  });
  return { result, grid, budget: "Two workers, 40 updates per run <i>and</i> a 5-minute cap." };
}

/** The paper-style table's row of a method (the first place its name appears in bold). */
function row(html: string, method: string): string {
  const at = html.indexOf(`<b>${method}</b>`);
  expect(at).toBeGreaterThanOrEqual(0);
  return html.slice(html.lastIndexOf("<tr>", at), html.indexOf("</tr>", at));
}

describe("renderExperimentReport", () => {
  const html = renderExperimentReport(input());

  it("is one self-contained page: no scripts, no external assets", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(html).toContain("<svg");
  });
  it("states the header: runs, cached and ran, wall time, workers and the escaped budget", () => {
    expect(html).toContain("25 runs (4 cached, 21 ran in this invocation)");
    expect(html).toContain("the grid ran for 1 h 6 min 40 s of wall time with 2 workers (this invocation: 1 h 2 min 5 s)");
    expect(html).toContain("Two workers, 40 updates per run &lt;i&gt;and&lt;/i&gt; a 5-minute cap.");
  });
  it("prints the rule once and a colored verdict line per claim with its difference and interval", () => {
    expect(html.split(esc(CLAIM_RULE)).length - 1).toBe(1);
    expect(html).toContain('<span class="v supported">supported</span> <b>learns</b>: et beats random calls out of distribution.');
    expect(html).toContain('<span class="v not_supported">not supported</span> <b>reversal</b>');
    expect(html).toContain('<span class="v inconclusive">inconclusive</span> <b>noisy</b>');
    expect(html).toContain('<span class="v inconclusive">inconclusive</span> <b>one-pair</b>');
    // learns: mean .43, half-width 2.5706·√(.0736/5)/√6 = .1273 → [30.27, 55.73] points over 6 pairs.
    expect(html).toContain("<b>+43.00 points</b> (95% interval [+30.27, +55.73]), 6 pairs · turn success · out of distribution");
    expect(html).toContain("categories miss_func");
    // et's seed-1 run passes 371 of 1150 turns, sft's 45 of 100: 32.26 − 45.00 points, one pair.
    expect(html).toContain("et − sft: <b>−12.74 points</b> (no interval), 1 pair ·");
  });
  it("fills the paper-style table with mean ± std in percent, and — for a set without results", () => {
    // et out of distribution: seeds pool to 72, 74 and 76 of 150 turns.
    expect(row(html, "et")).toContain('<td title="n = 3">49.33 ± 1.33</td>');
    const sft = row(html, "sft");
    expect(sft).toContain("45.00 ± 0.00");
    expect(sft.match(/<td class="missing">—<\/td>/g)).toHaveLength(2);
  });
  it("escapes a method description containing markup", () => {
    expect(html).toContain("Single stage &lt;b&gt;bold&lt;/b&gt; &amp; co.");
    expect(html).not.toContain("<b>bold</b>");
  });
  it("marks the reference differences whose interval excludes 0", () => {
    expect(html).toContain("Paired differences: et − method");
    expect(html).toContain('<b class="sig">+43.00 [+30.27, +55.73] (n 6) ✱</b>');
  });
  it("shows the per-category, per-fold and per-run tables", () => {
    expect(html).toMatch(/<th colspan="2">base<\/th><th colspan="2">miss_func<\/th><th colspan="2">miss_param<\/th>/);
    // et's miss_func turn success over its three runs: 30.1, 30.2, 30.3 %.
    expect(html).toContain("30.20 ± 0.10");
    expect(html).toContain("<th>ood:A</th><th>ood:B</th>");
    expect(html).toContain("<td>et/ood:B/seed3</td><td>ood</td><td>66.00</td>");
  });
  it("renders — for every out-of-distribution cell when the grid has no such set", () => {
    const grid = fixtureGrid({ sets: { id: { split: "paper" }, ood: null }, claims: [] });
    const page = renderExperimentReport(
      input(
        grid,
        fixtureResults().filter((r) => r.set === "id"),
      ),
    );
    expect(row(page, "random-valid-call").match(/<td class="missing">—<\/td>/g)).toHaveLength(4);
    // The per-fold section shows the in-distribution fold only.
    expect(page).toContain("<h3>in distribution</h3>");
    expect(page).not.toContain("<h3>out of distribution</h3>");
    expect(page).toContain("The grid declares no claims.");
  });
});

describe("writeExperimentReport", () => {
  const dir = mkdtempSync(join(tmpdir(), "envtune-exp-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes report.html (and nothing else) into the folder", () => {
    const file = writeExperimentReport(dir, input());
    expect(file).toBe(join(dir, "report.html"));
    expect(readdirSync(dir)).toEqual(["report.html"]);
    expect(readFileSync(file, "utf8")).toBe(renderExperimentReport(input()));
  });
});

describe("summary.md", () => {
  it("has the table's cells and one verdict line per claim", () => {
    const { result, grid } = input();
    const md = summaryMarkdown(result, grid, "Budget words.");
    expect(md).toContain("| method | ID turn success | ID entry accuracy | OOD turn success | OOD entry accuracy |");
    expect(md).toContain("49.33 ± 1.33");
    expect(md.match(/^- \*\*/gm)).toHaveLength(result.claims.length);
    expect(md).toContain("Budget words.");
  });
});
