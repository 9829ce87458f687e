/**
 * What an experiment produces, as zod schemas (the single source of the types, of the validation
 * of cached run results read back on resume, and of `experiment.json`'s JSON Schema).
 */
import { z } from "zod";

/** `id`: the paper split's test part; `ood`: a leave-domain-out fold's held-out domains. */
export const evalSetSchema = z.enum(["id", "ood"]);
export type EvalSet = z.output<typeof evalSetSchema>;

/** What a claim pairs over: one evaluation set, or every fold of both (`all`). */
export const claimSetSchema = z.enum(["id", "ood", "all"]);
export type ClaimSet = z.output<typeof claimSetSchema>;

/** Counts and rates over a group of evaluated entries (the whole test part or one category). */
export const scoreSchema = z.object({
  entries: z.number().int().min(0),
  /** Turns whose ground truth has calls, and how many of them passed. */
  non_empty_turns: z.number().int().min(0),
  non_empty_passed: z.number().int().min(0),
  /** non_empty_passed / non_empty_turns: the paper's per-turn success on turns with calls. */
  turn_success: z.number().min(0).max(1),
  /** Every turn, including empty-ground-truth turns (which pass by answering). */
  all_turn_success: z.number().min(0).max(1),
  /** Entries with every turn passed. */
  entry_accuracy: z.number().min(0).max(1),
  /** Mean progress reward. */
  progress: z.number(),
});
export type Score = z.output<typeof scoreSchema>;

/** One point of a learning curve: validation turn success after `update` updates. */
export const curvePointSchema = z.tuple([z.number().int().min(0), z.number()]);

/** The result of one (method, set, fold, seed): a trained run's final evaluation, or a baseline's. */
export const runResultSchema = scoreSchema.extend({
  /** `method/fold/seedN`, also the run's folder under `runs/`. */
  id: z.string().min(1),
  method: z.string().min(1),
  set: evalSetSchema,
  /** `paper` for the in-distribution set; the fold's name (e.g. `ood:-MathAPI,-TravelAPI`) otherwise. */
  fold: z.string().min(1),
  seed: z.number().int().min(0),
  per_category: z.record(z.string(), scoreSchema),
  /** Policy updates the run made (0 for baselines). */
  updates: z.number().int().min(0),
  /** Wall time of the run in this process, seconds (summed over resumed pieces). */
  wall_s: z.number().min(0),
  /** Validation turn success over updates (empty for baselines). */
  val_curve: z.array(curvePointSchema),
  /** Training turn success per update (GRPO rollouts; empty for learners without rollouts). */
  train_curve: z.array(curvePointSchema),
  /**
   * Behaviour cloning only: ground-truth argument values given in the demonstrations and how many
   * of them were among the policy's candidates (the others cannot be imitated).
   */
  coverage: z.object({ values: z.number().int().min(0), covered: z.number().int().min(0) }).optional(),
  /** Hash of everything that determines the run (its resolved configuration, data and code version). */
  key: z.string().min(1),
});
export type RunResult = z.output<typeof runResultSchema>;

export const verdictSchema = z.enum(["supported", "not_supported", "inconclusive"]);
export type Verdict = z.output<typeof verdictSchema>;

/** One claim's test: a paired difference (method a − method b) with its 95% interval and verdict. */
export const claimResultSchema = z.object({
  claim: z.string().min(1),
  statement: z.string(),
  a: z.string(),
  b: z.string(),
  set: claimSetSchema,
  metric: z.string(),
  /** Pairs (fold, seed) present for both methods. */
  n: z.number().int().min(0),
  mean_diff: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  verdict: verdictSchema,
  /** The rule that gave the verdict, in words. */
  rule: z.string(),
});
export type ClaimResult = z.output<typeof claimResultSchema>;

export const experimentResultSchema = z.object({
  grid: z.string(),
  /** Runs in the grid, and how many of them this invocation found already done (cache). */
  runs: z.object({ total: z.number().int(), cached: z.number().int(), ran: z.number().int() }),
  /** Wall time of this invocation, seconds; `run_s_total` sums every run's own wall time. */
  wall_s: z.number(),
  run_s_total: z.number(),
  /**
   * Wall time of the whole grid over every invocation that ran part of it: the union of the runs'
   * start-to-finish intervals (time between invocations, when nothing ran, is not counted).
   */
  grid_wall_s: z.number(),
  workers: z.number().int(),
  results: z.array(runResultSchema),
  claims: z.array(claimResultSchema),
});
export type ExperimentResult = z.output<typeof experimentResultSchema>;
