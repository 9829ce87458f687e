/**
 * @envtune/experiment — Environment Tuning's claims in one command: a grid of methods (the
 * curriculum, its ablations, single-stage GRPO, behaviour cloning, baselines) × evaluation sets
 * (in distribution, leave-domain-out folds) × seeds, run with a cache and resume, and reported
 * with paired differences, 95% intervals and a verdict per claim.
 */
export { claimMetricSchema, claimSpecSchema, gridJsonSchema, gridSchema, methodSchema, parseGrid } from "./grid.ts";
export type { ClaimSpec, Grid, GridInput, Method, TrainMethod } from "./grid.ts";
export { BFCL_OOD_FOLDS, PAPER_GRID, paperGrid, quickGrid } from "./paper-grid.ts";
export {
  claimResultSchema,
  claimSetSchema,
  curvePointSchema,
  evalSetSchema,
  experimentResultSchema,
  runResultSchema,
  scoreSchema,
  verdictSchema,
} from "./results.ts";
export type { ClaimResult, ClaimSet, EvalSet, ExperimentResult, RunResult, Score, Verdict } from "./results.ts";
export {
  CATEGORY_ORDER,
  CLAIM_RULE,
  EVAL_SETS,
  averageCurves,
  categoriesOf,
  categoryTable,
  claimVerdict,
  evaluateClaims,
  foldTable,
  meanCurves,
  methodTable,
  pairedDifference,
  pooledMetric,
  referenceDifferences,
  referenceMethod,
  runMetric,
  setScoresBySeed,
  studentTCdf,
  studentTQuantile,
  summarize,
} from "./analysis.ts";
export type {
  CategoryRow,
  FoldCell,
  FoldTable,
  MeanCurve,
  MeanCurvePoint,
  Metric,
  Pair,
  PairedDifference,
  ReferenceDifference,
  SeedScore,
  Summary,
  TableRow,
} from "./analysis.ts";
export { renderExperimentReport, writeExperimentReport } from "./report.ts";
export type { ExperimentReportInput } from "./report.ts";
export { foldsOf, mergeConfig, planRuns } from "./plan.ts";
export type { PlannedRun } from "./plan.ts";
export { runGrid } from "./runner.ts";
export type { GridOutcome, RunGridOptions } from "./runner.ts";
export { RESULT_FILE, cachedResult } from "./run-one.ts";
export { budgetText, codeVersion, runExperiment } from "./experiment.ts";
export type { ExperimentOptions, ExperimentOutcome } from "./experiment.ts";
export { summaryMarkdown } from "./summary.ts";
