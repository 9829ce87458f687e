import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { PAPER_GRID, gridJsonSchema, paperGrid, parseGrid, quickGrid, runExperiment, type Grid } from "@envtune/experiment";
import { EXIT, interruptible, intOption, type Command, dataOption, dataPathsBesideFile } from "../cli.ts";

/** A grid file: JSON validated by the grid schema; data paths in it mean what they say beside the file. */
function readGrid(file: string): Grid {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new EnvtuneError(
      "BAD_GRID_FILE",
      "experiment",
      `Cannot read ${file} as JSON (${(e as Error).message}).`,
      "Pass a JSON grid file (`envtune experiment --print-grid` prints the default one to start from).",
    );
  }
  return parseGrid(dataPathsBesideFile(input, file));
}

const pct = (x: number) => `${(x * 100).toFixed(2)}`;

/** `envtune experiment`: the paper's claims (or a grid of your own) in one command. */
export const experimentCommand: Command = {
  name: "experiment",
  summary:
    "Run a grid of methods × evaluation sets × seeds (cached, resumable) and write experiment.json and report.html with a verdict per claim.",
  usage: "envtune experiment [--grid FILE] [--quick] [--out DIR] [--workers N] [--data DIR] [--force] | --print-grid | --schema",
  options: {
    grid: { type: "string", valueName: "file", description: "A JSON grid (default: the paper grid; see --print-grid)." },
    quick: {
      type: "boolean",
      description: "A reduced grid (one seed, one fold, three methods, tiny budget): tests the machinery, not the claims.",
    },
    out: {
      type: "string",
      valueName: "dir",
      description: "Output folder (default: runs/experiment-<grid name>); rerunning with it skips finished runs.",
    },
    workers: { type: "string", valueName: "n", description: "Runs in parallel (default: the grid's, 2)." },
    data: dataOption,
    force: { type: "boolean", description: "Write into an --out folder that holds other files." },
    "print-grid": { type: "boolean", description: "Print the default (paper) grid as JSON and exit." },
    schema: { type: "boolean", description: "Print the grid's JSON Schema and exit." },
  },
  details: [
    "Methods, evaluation sets (in distribution: the paper split's test part; out of distribution:",
    "leave-domain-out folds), seeds and claims come from the grid. Each run is cached under",
    "OUT/runs/; an interrupted experiment (Ctrl-C, a crash) continues where it stopped when started",
    "again with the same --out. Progress covers the whole grid with an estimate of the time left.",
    "Examples:",
    "  envtune experiment --quick",
    "  envtune experiment --out runs/paper-claims",
    "  envtune experiment --print-grid > my-grid.json   # edit, then: envtune experiment --grid my-grid.json",
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    if (values["print-grid"]) {
      stdout(JSON.stringify(PAPER_GRID, null, 2) + "\n");
      return EXIT.OK;
    }
    if (values.schema) {
      stdout(JSON.stringify(gridJsonSchema(), null, 2) + "\n");
      return EXIT.OK;
    }
    let grid = values.grid !== undefined ? readGrid(String(values.grid)) : paperGrid();
    if (values.quick) grid = quickGrid(grid);
    const workers = intOption("experiment", values.workers, "workers", { min: 1, max: 64 });
    const outDir = resolve(String(values.out ?? `runs/experiment-${grid.name}`));
    const stop = interruptible(() =>
      stderr(
        "[experiment] Ctrl-C: every run finishes its current update and saves a checkpoint; start again with the same --out to continue (Ctrl-C again quits at once)\n",
      ),
    );
    try {
      const out = await runExperiment({
        grid,
        outDir,
        ...(values.data !== undefined ? { dataDir: resolve(String(values.data)) } : {}),
        ...(workers !== undefined ? { workers } : {}),
        ...(values.force ? { force: true } : {}),
        log: (l) => stderr(l + "\n"),
        signal: stop.signal,
      });
      for (const c of out.result.claims) {
        const ci = c.ci95 ? ` [${pct(c.ci95[0])}, ${pct(c.ci95[1])}]` : "";
        stdout(
          `${c.verdict.toUpperCase().padEnd(14)} ${c.claim}: ${c.a} − ${c.b} on ${c.set} ${c.metric} = ${c.mean_diff === null ? "n/a" : pct(c.mean_diff)} points${ci} (n=${c.n})\n`,
        );
      }
      stdout(
        `[experiment] ${out.result.runs.total} runs (${out.cached} cached, ${out.ran} run now) in ${(out.wallS / 60).toFixed(1)} min: ${outDir}/experiment.json, ${outDir}/report.html, ${outDir}/summary.md\n`,
      );
      if (out.interrupted) {
        stderr(`[experiment] interrupted: run the same command again to continue\n`);
        return 130;
      }
      if (out.failed.length > 0) {
        for (const f of out.failed) stderr(`[experiment] FAILED ${f.id}: ${f.error}\n`);
        return EXIT.FAILURE;
      }
      return EXIT.OK;
    } finally {
      stop.release();
    }
  },
};
