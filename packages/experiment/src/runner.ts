/**
 * Runs a grid: finished runs (a `result.json` with the planned key) are skipped, interrupted ones
 * resume from their checkpoint, the rest start; `workers` child processes run at a time, a run
 * that starts from another's weights waits for it. Progress covers the whole grid with an
 * estimate of the time left. Ctrl-C stops every run after its current update; starting again
 * picks up from there.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Grid } from "./grid.ts";
import { planRuns, type PlannedRun } from "./plan.ts";
import { cachedResult, type RunJob } from "./run-one.ts";
import type { RunResult } from "./results.ts";

export interface RunGridOptions {
  grid: Grid;
  outDir: string;
  dataDir?: string;
  /** Overrides the grid's `workers`. */
  workers?: number;
  /** Packages' versions (enter the run keys). */
  version: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface GridOutcome {
  runs: PlannedRun[];
  results: RunResult[];
  cached: number;
  ran: number;
  failed: Array<{ id: string; error: string }>;
  interrupted: boolean;
  wallS: number;
}

/** How the worker is started: the built JavaScript, or the TypeScript source under tsx (tests, development). */
function workerCommand(jobFile: string): string[] {
  const fromSource = import.meta.url.endsWith(".ts");
  const worker = fileURLToPath(new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url));
  return fromSource ? ["--conditions=@envtune/source", "--import", "tsx", worker, jobFile] : [worker, jobFile];
}

/** Starts one run in a child process; its output goes to the run's `log.txt`. Resolves with the exit code. */
function startRun(job: RunJob, jobFile: string): { done: Promise<number>; stop: () => void } {
  mkdirSync(job.dir, { recursive: true });
  writeFileSync(jobFile, JSON.stringify(job));
  const log = createWriteStream(join(job.dir, "log.txt"), { flags: "a" });
  const child = spawn(process.execPath, workerCommand(jobFile), { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const done = new Promise<number>((resolve) =>
    child.on("close", (code, signal) => {
      log.end();
      resolve(code ?? (signal ? 130 : 1));
    }),
  );
  return { done, stop: () => child.kill("SIGINT") };
}

/** Seconds expected for a run: the mean of finished runs of its method, else of all finished runs of its kind. */
function estimator() {
  const seen = new Map<string, { sum: number; n: number }>();
  const add = (r: PlannedRun, s: number) => {
    for (const k of [r.method.name, r.method.kind]) {
      const x = seen.get(k) ?? { sum: 0, n: 0 };
      seen.set(k, { sum: x.sum + s, n: x.n + 1 });
    }
  };
  const est = (r: PlannedRun): number => {
    const x = seen.get(r.method.name) ?? seen.get(r.method.kind);
    return x ? x.sum / x.n : r.method.kind === "train" ? 120 : 10;
  };
  return { add, remaining: (left: readonly PlannedRun[]) => left.reduce((a, r) => a + est(r), 0) };
}

const fmtTime = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.round(s / 60)}m`
      : `${Math.round(s)}s`;

/** The grid's state while it runs: what is done, waiting, running or failed. */
class Scheduler {
  readonly runs: PlannedRun[];
  readonly results = new Map<string, RunResult>();
  readonly failed: GridOutcome["failed"] = [];
  readonly cached: number;
  ran = 0;
  stopping = false;
  private readonly t0 = performance.now();

  /** Seconds since this invocation started. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
  private readonly workers: number;
  private readonly pending: PlannedRun[];
  private readonly running = new Map<string, { run: PlannedRun; stop: () => void; done: Promise<void> }>();
  private readonly byId: Map<string, PlannedRun>;
  private readonly est: ReturnType<typeof estimator>;
  private readonly o: RunGridOptions;

  constructor(o: RunGridOptions) {
    this.o = o;
    this.runs = planRuns(o.grid, o.version);
    this.workers = o.workers ?? o.grid.workers;
    this.byId = new Map(this.runs.map((r) => [r.id, r]));
    this.est = estimator();
    for (const r of this.runs) {
      const hit = cachedResult(this.dirOf(r), r.key);
      if (hit) this.results.set(r.id, hit);
      if (hit) this.est.add(r, hit.wall_s);
    }
    this.cached = this.results.size;
    this.pending = this.runs.filter((r) => !this.results.has(r.id));
    o.log(
      `[experiment] ${o.grid.name}: ${this.runs.length} runs (${this.cached} already done), ${this.workers} at a time; output ${o.outDir}`,
    );
  }

  dirOf(r: PlannedRun): string {
    return join(this.o.outDir, "runs", r.dir);
  }

  stop(): void {
    this.stopping = true;
    for (const r of this.running.values()) r.stop();
  }

  /** Until every run is done, failed or (after stop) left for the next start. */
  async run(): Promise<void> {
    while ((this.pending.length > 0 || this.running.size > 0) && !this.stopping) {
      this.fill();
      if (this.running.size === 0) break;
      await Promise.race([...this.running.values()].map((x) => x.done));
    }
    await Promise.all([...this.running.values()].map((x) => x.done));
  }

  /** Starts ready runs up to the worker count; a run whose starting point failed fails too. */
  private fill(): void {
    for (let i = 0; i < this.pending.length && this.running.size < this.workers;) {
      const r = this.pending[i]!;
      const dep = r.dependsOn;
      if (dep !== undefined && this.failed.some((f) => f.id === dep)) {
        this.failed.push({ id: r.id, error: `its starting point ${dep} failed` });
        this.pending.splice(i, 1);
      } else if (dep !== undefined && !this.results.has(dep)) i++;
      else {
        this.pending.splice(i, 1);
        this.running.set(r.id, this.launch(r));
      }
    }
  }

  private launch(r: PlannedRun) {
    const dir = this.dirOf(r);
    const dep = r.dependsOn ? this.byId.get(r.dependsOn) : undefined;
    const job: RunJob = {
      run: r,
      dir,
      ...(this.o.dataDir ? { dataDir: this.o.dataDir } : {}),
      ...(dep ? { initDir: join(this.dirOf(dep), "last") } : {}),
    };
    const started = performance.now();
    const { done, stop } = startRun(job, join(dir, "job.json"));
    const finished = done.then((code) => {
      this.running.delete(r.id);
      const result = code === 0 ? cachedResult(dir, r.key) : undefined;
      if (result) {
        this.results.set(r.id, result);
        this.est.add(r, (performance.now() - started) / 1000);
        this.ran++;
      } else if (!this.stopping) this.failed.push({ id: r.id, error: `exit code ${code}; see ${join(dir, "log.txt")}` });
      this.progress(r, result);
    });
    return { run: r, stop, done: finished };
  }

  private progress(r: PlannedRun, result: RunResult | undefined): void {
    const elapsed = this.elapsed();
    const left = this.est.remaining([...this.pending, ...[...this.running.values()].map((x) => x.run)]) / Math.max(1, this.workers);
    const what = result
      ? `${r.id}: turn success ${(result.turn_success * 100).toFixed(2)}%, entry acc ${(result.entry_accuracy * 100).toFixed(2)}% (${Math.round(result.wall_s)} s)`
      : `${r.id}: ${this.stopping ? "stopped (resumable)" : "FAILED"}`;
    this.o.log(
      `[experiment] ${this.results.size}/${this.runs.length} done · ${what} · elapsed ${fmtTime(elapsed)} · about ${fmtTime(left)} left`,
    );
  }
}

export async function runGrid(o: RunGridOptions): Promise<GridOutcome> {
  const s = new Scheduler(o);
  const onAbort = () => s.stop();
  o.signal?.addEventListener("abort", onAbort);
  try {
    await s.run();
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
  return {
    runs: s.runs,
    results: s.runs.flatMap((r) => s.results.get(r.id) ?? []),
    cached: s.cached,
    ran: s.ran,
    failed: s.failed,
    interrupted: s.stopping,
    wallS: s.elapsed(),
  };
}
