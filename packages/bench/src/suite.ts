import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResult } from "./harness.ts";
import { loadFixtures } from "./fixtures.ts";
import { gitInfo, machineInfo, type GitInfo, type MachineInfo } from "./machine.ts";
import { repoRoot } from "./fixtures.ts";
import type { Benchmark, BenchContext } from "./types.ts";
import { replayBench } from "./benches/replay.ts";
import { replayCliBench } from "./benches/replay-cli.ts";
import { resetBench } from "./benches/reset.ts";
import { memoryBench } from "./benches/memory.ts";
import { checkBench } from "./benches/check.ts";
import { rolloutBench } from "./benches/rollout.ts";
import { floorBench } from "./benches/floor.ts";

/** Every benchmark, in the order the suite runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  replayBench,
  replayCliBench,
  resetBench,
  checkBench,
  memoryBench,
  rolloutBench,
  floorBench,
];

export interface SuiteOptions {
  /** Benchmark names (or prefixes of result names) to run; all when empty. */
  only?: readonly string[];
  quick?: boolean;
  runs?: number;
  /** Where the JSON results go; `false` writes nothing. */
  outDir?: string | false;
  log?: (line: string) => void;
}

export interface SuiteReport {
  machine: MachineInfo;
  git: GitInfo;
  date: string;
  quick: boolean;
  results: BenchResult[];
  files: string[];
}

export const defaultOutDir = (): string => process.env.ENVTUNE_BENCH_OUT ?? join(repoRoot, "bench/results");

export function selectBenchmarks(only: readonly string[] | undefined): Benchmark[] {
  if (!only || only.length === 0) return [...BENCHMARKS];
  const picked = BENCHMARKS.filter((b) => only.some((o) => b.name === o || o.startsWith(b.name + ".")));
  if (picked.length === 0) {
    throw new Error(`[envtune] [bench] No benchmark is called ${only.join(", ")}. Pick from: ${BENCHMARKS.map((b) => b.name).join(", ")}.`);
  }
  return picked;
}

export async function runSuite(opts: SuiteOptions = {}): Promise<SuiteReport> {
  const log = opts.log ?? (() => {});
  const benches = selectBenchmarks(opts.only);
  const fixtures = await loadFixtures();
  const ctx: BenchContext = { fixtures, quick: opts.quick ?? false, ...(opts.runs ? { runs: opts.runs } : {}), log };
  const results: BenchResult[] = [];
  for (const b of benches) {
    log(`running ${b.name}: ${b.description}`);
    const rs = await b.run(ctx);
    // `--only replay.gt.base` keeps just that result of its benchmark.
    const keep = opts.only?.filter((o) => o.startsWith(b.name + "."));
    results.push(...(keep?.length ? rs.filter((r) => keep.some((k) => r.name.startsWith(k))) : rs));
  }
  const report: SuiteReport = {
    machine: machineInfo(),
    git: gitInfo(repoRoot),
    date: new Date().toISOString(),
    quick: ctx.quick,
    results,
    files: [],
  };
  const outDir = opts.outDir === undefined ? defaultOutDir() : opts.outDir;
  if (outDir !== false) {
    mkdirSync(outDir, { recursive: true });
    for (const r of results) {
      const file = join(outDir, `${r.name}.json`);
      writeFileSync(
        file,
        JSON.stringify({ ...r, machine: report.machine, git: report.git, date: report.date, quick: report.quick }, null, 2) + "\n",
      );
      report.files.push(file);
    }
  }
  return report;
}

const fmt = (x: number): string => {
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 1e5) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
};

/** The results as an aligned text table. */
export function formatTable(report: SuiteReport): string {
  const head = ["benchmark", "median", "min", "max", "unit", "runs", "reference", "speedup", "work"];
  const rows = report.results.map((r) => [
    r.name,
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    r.unit,
    String(r.runs),
    r.reference ? fmt(r.reference.value) : "",
    r.speedup !== undefined ? `${fmt(r.speedup)}×` : "",
    r.work ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const m = report.machine;
  return [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} (V8 ${m.v8}); commit ${report.git.commit?.slice(0, 12) ?? "unknown"}${report.git.dirty ? " + local changes" : ""}${report.quick ? "; QUICK (reduced size, not a measurement)" : ""}`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}
