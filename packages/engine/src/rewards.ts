/**
 * Episode rewards of Environment Tuning (paper §5) as pure functions of an episode's record.
 * Specs are plain data validated with zod, so a trainer config can carry them.
 *
 * Every component is computed from {@link RewardInput}; the engine never encodes outcomes as
 * magic step scores (the authors' −3/−2/−1/0/1 codes), it records what happened and the formulas
 * below turn that into numbers.
 */
import { z } from "zod";
import { EnvtuneError } from "@envtune/core";

/** What one assistant message amounted to, as far as rewards are concerned. */
export type StepRecord =
  /** The response could not be parsed (counts in C_format). */
  | { kind: "parse_error" }
  /** A final answer, question or refusal: ends the turn. */
  | { kind: "answer" }
  /**
   * Tool calls. `executed` is false when the engine refused to run them (a call on an
   * empty-ground-truth turn under the paper's rule). `errorResults` counts calls that returned an
   * `{"error": ...}` dict, `exceptions` calls whose result reads `Error during execution: ...`.
   */
  | { kind: "tool_calls"; executed: boolean; calls: number; errorResults: number; exceptions: number };

/** Everything the reward functions read: the episode's steps and the outcome of each finished turn. */
export interface RewardInput {
  /** T, the number of user turns of the entry (all of them, finished or not). */
  turnCount: number;
  /** Outcome of every turn that ended, in order (`passed` = r_t = r_state · r_exec, or the empty-turn rule). */
  turns: ReadonlyArray<{ passed: boolean }>;
  /** One record per assistant message, in order. */
  steps: readonly StepRecord[];
}

/** Names of the components every evaluation reports. */
export const REWARD_COMPONENTS = ["progress", "binary", "format", "tool", "is_tool_call", "stage1"] as const;
export type RewardComponent = (typeof REWARD_COMPONENTS)[number];

const countingOptions = {
  /**
   * Count only raised exceptions (`Error during execution: ...`) as tool errors, as the authors'
   * code does (paper doc §11 B2). Default false: returned `{"error": ...}` results are errors too.
   */
  authorsErrorCounting: z.boolean().default(false),
  /** C_correct / C_error per assistant step (the authors' code, default) or per call (the paper's wording). */
  toolUnit: z.enum(["step", "call"]).default("step"),
  /**
   * Denominator of the progress reward: every turn of the entry (default; unfinished turns count as
   * failed) or only the turns that ended, as the authors' code does (paper doc §11 B1).
   */
  progressDenominator: z.enum(["all_turns", "finished_turns"]).default("all_turns"),
};

/**
 * A reward specification. `kind` picks the episode reward; the counting options change how the
 * components are computed (defaults: envtune's corrected counting).
 */
export const rewardSpecSchema = z.discriminatedUnion("kind", [
  /** R_P: fraction of turns passed (paper §3.4). */
  z.object({ kind: z.literal("progress"), ...countingOptions }).strict(),
  /** 1 iff every turn passed (the ablation's "standard binary reward"). */
  z.object({ kind: z.literal("binary"), ...countingOptions }).strict(),
  /** R_format = (N − C_format) / N. */
  z.object({ kind: z.literal("format"), ...countingOptions }).strict(),
  /** R_tool = C_correct / (C_correct + C_error). */
  z.object({ kind: z.literal("tool"), ...countingOptions }).strict(),
  /** Stage 1: I_tool · (R_format + R_tool), range [0, 2] (paper Eq. 1–2). */
  z.object({ kind: z.literal("stage1"), ...countingOptions }).strict(),
  /** Direct-GRPO baseline of Table 3: `progressWeight`·R_P + `formatWeight`·R_format (0.9 / 0.1). */
  z
    .object({
      kind: z.literal("mixed"),
      progressWeight: z.number().finite().default(0.9),
      formatWeight: z.number().finite().default(0.1),
      ...countingOptions,
    })
    .strict(),
  /** Any linear combination of the named components. */
  z
    .object({
      kind: z.literal("weighted"),
      weights: z.partialRecord(z.enum(REWARD_COMPONENTS), z.number().finite()),
      ...countingOptions,
    })
    .strict(),
]);

/** A reward spec as written in a config (defaults may be omitted). */
export type RewardSpecInput = z.input<typeof rewardSpecSchema>;
/** A validated reward spec (defaults filled in). */
export type RewardSpec = z.output<typeof rewardSpecSchema>;

/** The configured reward and every component, for one episode (or one episode so far). */
export interface RewardBreakdown {
  reward: number;
  components: Record<RewardComponent, number>;
}

/** Validates a reward spec; throws an {@link EnvtuneError} naming every problem. */
export function parseRewardSpec(spec: unknown): RewardSpec {
  const r = rewardSpecSchema.safeParse(spec);
  if (r.success) return r.data;
  throw new EnvtuneError(
    "INVALID_REWARD_SPEC",
    "engine",
    "The reward spec is invalid.",
    'Use e.g. {"kind": "progress"}, {"kind": "stage1"}, {"kind": "mixed", "progressWeight": 0.9, "formatWeight": 0.1}.',
    { details: r.error.issues.map((i) => `${i.path.join(".") || "(spec)"}: ${i.message}`) },
  );
}

type Counting = Pick<RewardSpec, "authorsErrorCounting" | "toolUnit" | "progressDenominator">;

const DEFAULT_COUNTING: Counting = { authorsErrorCounting: false, toolUnit: "step", progressDenominator: "all_turns" };

/** C_correct and C_error: executed tool steps (or calls) without and with errors. */
export function toolCounts(steps: readonly StepRecord[], opts: Partial<Counting> = {}): { correct: number; error: number } {
  const { authorsErrorCounting, toolUnit } = { ...DEFAULT_COUNTING, ...opts };
  let correct = 0;
  let error = 0;
  for (const s of steps) {
    if (s.kind !== "tool_calls" || !s.executed) continue;
    const bad = authorsErrorCounting ? s.exceptions : s.exceptions + s.errorResults;
    if (toolUnit === "call") {
      correct += s.calls - bad;
      error += bad;
    } else if (bad > 0) error++;
    else correct++;
  }
  return { correct, error };
}

/** R_format = (N − C_format) / N over all assistant messages; 0 when there are none. */
export function formatReward(steps: readonly StepRecord[]): number {
  if (steps.length === 0) return 0;
  const bad = steps.filter((s) => s.kind === "parse_error").length;
  return (steps.length - bad) / steps.length;
}

/** R_tool = C_correct / (C_correct + C_error); 0 when no tool call was executed. */
export function toolReward(steps: readonly StepRecord[], opts: Partial<Counting> = {}): number {
  const { correct, error } = toolCounts(steps, opts);
  return correct + error === 0 ? 0 : correct / (correct + error);
}

/** I_tool: 1 when at least one tool call was executed. */
export function isToolCall(steps: readonly StepRecord[]): number {
  return steps.some((s) => s.kind === "tool_calls" && s.executed) ? 1 : 0;
}

/** R_Stage1 = I_tool · (R_format + R_tool). */
export function stage1Reward(steps: readonly StepRecord[], opts: Partial<Counting> = {}): number {
  return isToolCall(steps) * (formatReward(steps) + toolReward(steps, opts));
}

/**
 * R_P = (1/T) Σ r_t. Turns that never ended (episode cut short) count as failed: T is the entry's
 * turn count, not the number of turns evaluated (the authors' denominator is available as
 * `progressDenominator: "finished_turns"`).
 */
export function progressReward(input: Pick<RewardInput, "turnCount" | "turns">, opts: Partial<Counting> = {}): number {
  const { progressDenominator } = { ...DEFAULT_COUNTING, ...opts };
  const passed = input.turns.filter((t) => t.passed).length;
  const denominator = progressDenominator === "finished_turns" ? input.turns.length : input.turnCount;
  return denominator === 0 ? 0 : passed / denominator;
}

/** 1 iff every one of the T turns ended and passed. */
export function binaryReward(input: Pick<RewardInput, "turnCount" | "turns">): number {
  return input.turnCount > 0 && input.turns.length === input.turnCount && input.turns.every((t) => t.passed) ? 1 : 0;
}

/** Every component for an episode record, under the spec's counting options. */
export function rewardComponents(input: RewardInput, opts: Partial<Counting> = {}): Record<RewardComponent, number> {
  return {
    progress: progressReward(input, opts),
    binary: binaryReward(input),
    format: formatReward(input.steps),
    tool: toolReward(input.steps, opts),
    is_tool_call: isToolCall(input.steps),
    stage1: stage1Reward(input.steps, opts),
  };
}

/** The spec's reward and all components. Accepts an unvalidated spec (validated here). */
export function computeReward(spec: RewardSpec | RewardSpecInput, input: RewardInput): RewardBreakdown {
  return evaluateReward(parseRewardSpec(spec), input);
}

/** {@link computeReward} for an already validated spec (no re-validation on the hot path). */
export function evaluateReward(s: RewardSpec, input: RewardInput): RewardBreakdown {
  const components = rewardComponents(input, s);
  let reward: number;
  switch (s.kind) {
    case "progress":
    case "binary":
    case "format":
    case "tool":
    case "stage1":
      reward = components[s.kind];
      break;
    case "mixed":
      reward = s.progressWeight * components.progress + s.formatWeight * components.format;
      break;
    case "weighted":
      reward = 0;
      for (const c of REWARD_COMPONENTS) reward += (s.weights[c] ?? 0) * components[c];
      break;
  }
  return { reward, components };
}
