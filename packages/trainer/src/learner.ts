/**
 * What the trainer trains: a `Learner` acts on batches of observations, updates itself from the
 * experience of one update, saves and restores everything a resume needs, and hands out frozen
 * copies of its policy (the best-validation checkpoint, the final weights). The trainer owns the
 * curriculum, the task order, validation, promotion, checkpoint timing, resume and the report;
 * it knows a learner only through this interface, picked by name from the registry
 * (`learner-registry.ts`).
 */
import type { BfclEntry } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "@envtune/engine";
import type { PolicyObservation, Rng } from "@envtune/policy-tfjs";
import type { z } from "zod";
import type { GrpoConfig, StageSpec, TrainConfig } from "./config.ts";
import type { EpisodeResult, EpisodeWorld } from "./rollout.ts";

export type { PolicyObservation, Rng };

/** How actions are written: the paper's envelope, or a bare Python call list (`policy.actionFormat`). */
export type ActionFormat = TrainConfig["policy"]["actionFormat"];

export interface ActOptions {
  /** Greedy (validation, evaluation) instead of sampling (rollouts). */
  greedy: boolean;
  /** The trainer's random stream: every random choice must come from it (determinism, resume). */
  rng: Rng;
  format: ActionFormat;
}

/** One chosen action: the assistant text for the environment, and what the learner wants to remember about it. */
export interface LearnerAction<R = unknown> {
  text: string;
  /** Kept with the episode (`EpisodeResult.decisions`) for the learner's update. */
  record?: R;
}

/** Anything that picks one action per observation, batched. */
export interface ActingPolicy<R = unknown> {
  act(observations: readonly PolicyObservation[], opts: ActOptions): Array<LearnerAction<R>>;
}

/** A frozen policy: it acts, saves and must be disposed. */
export interface FrozenPolicy<R = unknown> extends ActingPolicy<R> {
  /** Writes the policy alone (no optimizer state) into the existing directory `dir`, e.g. RUN/last or RUN/best. */
  save(dir: string, metadata: Record<string, unknown>): Promise<void>;
  dispose(): void;
}

/**
 * What one update reports, written to `metrics.jsonl` as is (numbers only, snake_case keys). The
 * trainer reads `loss`, `grad_norm` (the promotion's gradient-stability check) and, when given,
 * `entropy` (progress line); a learner adds its own numbers (GRPO: `kl`, `clip_frac`, …).
 */
export interface UpdateMetrics {
  loss: number;
  /** Gradient norm before clipping; 0 for a learner without gradients. */
  grad_norm: number;
  entropy?: number;
}

/** Everything a learner may use during one update. */
export interface UpdateContext<R = unknown> {
  stage: StageSpec;
  /** Zero-based index of the stage in the curriculum. */
  stageIndex: number;
  /** The batch settings in force for this stage (the run's `grpo` block with the stage's overrides). */
  settings: GrpoConfig;
  /** The update's tasks, drawn by the trainer from the stage's data (`settings.tasksPerUpdate`). */
  tasks: readonly BfclEntry[];
  rng: Rng;
  world: EpisodeWorld;
  /** The stage's environment (protocol, hints, reward, actions per turn). */
  episodeConfig: EpisodeConfigInput;
  /**
   * Plays `perTask` episodes of every task with the learner's sampling policy (episodes of one task
   * share a group id). Throws when the run is interrupted: the trainer then discards the update,
   * so a learner must not change its weights before its last call of this.
   */
  rollouts(perTask: number): Promise<Array<EpisodeResult<R>>>;
}

export interface UpdateOutcome<M extends UpdateMetrics = UpdateMetrics, R = unknown> {
  /** The episodes the update played (the record's reward and turn success come from them); may be empty. */
  episodes: ReadonlyArray<EpisodeResult<R>>;
  metrics: M;
}

/** A trainable policy. `R` is its per-decision record, `M` its update metrics. */
export interface Learner<R = unknown, M extends UpdateMetrics = UpdateMetrics> extends FrozenPolicy<R> {
  /** One update from fresh experience. */
  update(ctx: UpdateContext<R>): Promise<UpdateOutcome<M, R>>;
  /**
   * Starts from the policy saved in `dir` (by {@link FrozenPolicy.save}, e.g. another run's
   * `last/`) instead of the seed's initialization; called once, before the first update of a new
   * run (`learner.init` of the config).
   */
  initFrom?(dir: string): Promise<void>;
  /** Called when the curriculum moves to stage `index` (not for the first stage). */
  beginStage?(stage: StageSpec, index: number): void;
  /** A frozen copy of the current policy (the trainer keeps the best-validation one). */
  snapshot(): FrozenPolicy<R>;
  /** Writes everything a resume needs (policy, optimizer, reference, …) into the fresh, existing directory `dir`. */
  saveState(dir: string, metadata: Record<string, unknown>): Promise<void>;
  /** Restores what {@link saveState} wrote. */
  loadState(dir: string): Promise<void>;
  /** Reads a policy written by {@link FrozenPolicy.save}. */
  loadPolicy(dir: string): Promise<FrozenPolicy<R>>;
  /** Size and a one-line description, for the log and the report. */
  describe(): LearnerInfo;
}

export interface LearnerInfo {
  parameters: number;
  summary: string;
}

/** What a factory gets besides its own options. */
export interface LearnerContext {
  /** The run's resolved configuration (a learner may read its own blocks, e.g. `grpo` and `policy`). */
  config: TrainConfig;
  /** The run's seed: a learner's initialization must depend on nothing else. */
  seed: number;
  /** Where a learner that needs data of its own (e.g. demonstrations) finds it. */
  world: EpisodeWorld;
  log: (line: string) => void;
}

/** A named learner: its options schema (zod) and how to make one. */
export interface LearnerFactory<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Validates `learner.options` of the training config. */
  options: S;
  create(options: z.output<S>, ctx: LearnerContext): Learner | Promise<Learner>;
}
