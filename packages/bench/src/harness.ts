/**
 * Measurement primitives: warm-up, repeated timed runs, summary statistics, and a forced-GC heap
 * reading for the memory benchmarks. Benchmarks are not tests: nothing here asserts a timing.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** One reported number. `median`/`min`/`max` are over `runs` repetitions, in `unit`. */
export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  /** What one repetition did (e.g. "800 episodes, 4625 calls"). */
  work?: string;
  /** The reference's number for the same task, same unit, when the issue states one. */
  reference?: { value: number; source: string };
  /** `reference.value / median` for time units (how many times faster than the reference). */
  speedup?: number;
  /** Anything else worth keeping in the JSON (per-category breakdowns, counts). */
  extra?: Record<string, unknown>;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error("[envtune] [bench] No samples were taken. Run at least one repetition.");
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

export interface RepeatOptions {
  /** Untimed repetitions first (JIT warm-up, caches of immutable data). */
  warmup: number;
  runs: number;
}

/**
 * Runs `fn` `warmup` times untimed, then `runs` times timed; returns each timed run's wall time in
 * milliseconds. No forced GC between runs: a full collection shrinks V8's young generation and
 * makes the next run several times slower than steady state (measured: 3x on replay), which no
 * real workload sees; each run pays for its own garbage through the ordinary scavenges.
 */
export function timeRuns(opts: RepeatOptions, fn: () => void): number[] {
  for (let i = 0; i < opts.warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

/** Builds a result from per-run totals scaled to a per-item unit (`factor` converts ms → unit, per item). */
export function resultFrom(
  name: string,
  unit: string,
  samplesMs: readonly number[],
  perRunItems: number,
  msToUnit: number,
  more: Partial<BenchResult> = {},
): BenchResult {
  const st = stats(samplesMs.map((ms) => (ms * msToUnit) / perRunItems));
  const r: BenchResult = { name, unit, ...st, ...more };
  if (r.reference) r.speedup = r.reference.value / r.median;
  return r;
}

let gcFn: (() => void) | undefined;

/** A full, synchronous garbage collection (enables `--expose-gc` at run time when needed). */
export function collectGarbage(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === "function") gcFn = g;
    else {
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    }
  }
  gcFn();
  gcFn();
}

/** Heap in use after a full GC, in bytes. */
export function settledHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
