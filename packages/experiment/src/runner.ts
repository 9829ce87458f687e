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
  const child = spawn(process.execPath, workerCommand(jobFile), { stdio: ["ignore", "pipe", "pipe"], detached: false });
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
function estimator(runs: readonly PlannedRun[]) {
  const seen = new Map<string, number[]>();
  const add = (r: PlannedRun, s: number) => {
    for (const k of [r.method.name, r.method.kind]) seen.set(k, [...(seen.get(k) ?? []), s]);
  };
  const est = (r: PlannedRun): number => {
    const xs = seen.get(r.method.name) ?? seen.get(r.method.kind);
    if (xs?.length) return xs.reduce((a, b) => a + b, 0) / xs.length;
    return r.method.kind === "train" ? 120 : 10;
  };
  return { add, remaining: (left: readonly PlannedRun[]) => left.reduce((a, r) => a + est(r), 0), count: runs.length };
}

const fmtTime = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.round(s / 60)}m`
      : `${Math.round(s)}s`;

export async function runGrid(o: RunGridOptions): Promise<GridOutcome> {
  const t0 = performance.now();
  const runs = planRuns(o.grid, o.version);
  const workers = o.workers ?? o.grid.workers;
  const dirOf = (r: PlannedRun) => join(o.outDir, "runs", r.dir);
  const results = new Map<string, RunResult>();
  for (const r of runs) {
    const hit = cachedResult(dirOf(r), r.key);
    if (hit) results.set(r.id, hit);
  }
  const cached = results.size;
  const est = estimator(runs);
  for (const r of runs) if (results.has(r.id)) est.add(r, results.get(r.id)!.wall_s);
  const failed: GridOutcome["failed"] = [];
  const pending = runs.filter((r) => !results.has(r.id));
  const running = new Map<string, { run: PlannedRun; stop: () => void; done: Promise<void> }>();
  o.log(`[experiment] ${o.grid.name}: ${runs.length} runs (${cached} already done), ${workers} at a time; output ${o.outDir}`);
  let stopping = false;
  const onAbort = () => {
    stopping = true;
    for (const r of running.values()) r.stop();
  };
  o.signal?.addEventListener("abort", onAbort);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const blocked = (r: PlannedRun) => r.dependsOn !== undefined && !results.has(r.dependsOn);
  const depFailed = (r: PlannedRun) => r.dependsOn !== undefined && failed.some((f) => f.id === r.dependsOn);
  let ran = 0;
  try {
    while ((pending.length > 0 || running.size > 0) && !stopping) {
      for (let i = 0; i < pending.length && running.size < workers;) {
        const r = pending[i]!;
        if (depFailed(r)) {
          failed.push({ id: r.id, error: `its starting point ${r.dependsOn} failed` });
          pending.splice(i, 1);
        } else if (blocked(r)) i++;
        else {
          pending.splice(i, 1);
          running.set(r.id, launch(r));
        }
      }
      if (running.size === 0) break;
      await Promise.race([...running.values()].map((x) => x.done));
    }
    await Promise.all([...running.values()].map((x) => x.done));
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
  return {
    runs,
    results: runs.flatMap((r) => results.get(r.id) ?? []),
    cached,
    ran,
    failed,
    interrupted: stopping,
    wallS: (performance.now() - t0) / 1000,
  };

  function launch(r: PlannedRun) {
    const dir = dirOf(r);
    const dep = r.dependsOn ? byId.get(r.dependsOn) : undefined;
    const job: RunJob = {
      run: r,
      dir,
      ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      ...(dep ? { initDir: join(dirOf(dep), "last") } : {}),
    };
    const started = performance.now();
    const { done, stop } = startRun(job, join(dir, "job.json"));
    const finished = done.then((code) => {
      running.delete(r.id);
      const result = code === 0 ? cachedResult(dir, r.key) : undefined;
      if (result) {
        results.set(r.id, result);
        est.add(r, (performance.now() - started) / 1000);
        ran++;
      } else if (!stopping) failed.push({ id: r.id, error: `exit code ${code}; see ${join(dir, "log.txt")}` });
      progress(r, result);
    });
    return { run: r, stop, done: finished };
  }

  function progress(r: PlannedRun, result: RunResult | undefined): void {
    const done = results.size;
    const elapsed = (performance.now() - t0) / 1000;
    const left = est.remaining([...pending, ...[...running.values()].map((x) => x.run)]) / Math.max(1, workers);
    const what = result
      ? `${r.id}: turn success ${(result.turn_success * 100).toFixed(2)}%, entry acc ${(result.entry_accuracy * 100).toFixed(2)}% (${Math.round(result.wall_s)} s)`
      : `${r.id}: ${stopping ? "stopped (resumable)" : "FAILED"}`;
    o.log(`[experiment] ${done}/${runs.length} done · ${what} · elapsed ${fmtTime(elapsed)} · about ${fmtTime(left)} left`);
  }
}
