/** @envtune/testing — the conformance kit every domain pack runs, and replay against reference traces. */
export { testDomainPack, generatedCalls } from "./conformance.ts";
export type { ConformanceOptions, ConformanceSample } from "./conformance.ts";
export { testDomainTraces } from "./trace-suite.ts";
export type { TraceSuiteOptions } from "./trace-suite.ts";
export { NON_REPRODUCED_KINDS, bfclDataDir, checkDomainTraces, readTraceFile, sharedDataset, sharedDir, traceFile } from "./traces.ts";
export type { DomainTraceReport, KindStats, Mismatch, TraceCall, TraceRecord } from "./traces.ts";
