/** @envtune/bench — the benchmark suite behind `npm run bench` (replay, reset, checking, memory, rollout). */
export { BENCHMARKS, defaultOutDir, formatTable, runSuite, selectBenchmarks } from "./suite.ts";
export type { SuiteOptions, SuiteReport } from "./suite.ts";
export { collectGarbage, resultFrom, settledHeap, stats, timeRuns } from "./harness.ts";
export type { BenchResult, RepeatOptions, Stats } from "./harness.ts";
export { loadFixtures, sharedDir } from "./fixtures.ts";
export type { Fixtures, GtRecord } from "./fixtures.ts";
export type { BenchContext, Benchmark } from "./types.ts";
