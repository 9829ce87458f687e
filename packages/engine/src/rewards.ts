/**
 * Episode rewards of Environment Tuning (paper §3.4, Eq. 1–2) as pure functions of an episode's record.
 * Specs are plain data validated with zod, so a trainer config can carry them.
 *
 * Every component is computed from {@link RewardInput}; the engine never encodes outcomes as
 * magic step scores (the authors' −3/−2/−1/0/1 codes), it records what happened and the formulas
 * below turn that into numbers.
 */
import { z } from "zod";
import { EnvtuneError, formatZodIssues } from "@envtune/core";
import { rewardRuleNames, rewardRules, type RewardFactory, type RewardFn } from "./reward-registry.ts";

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
   * code does. Default false: returned `{"error": ...}` results are errors too.
   */
  authorsErrorCounting: z.boolean().default(false),
  /** C_correct / C_error per assistant step (the authors' code, default) or per call (the paper's wording). */
  toolUnit: z.enum(["step", "call"]).default("step"),
  /**
   * Denominator of the progress reward: every turn of the entry (default; unfinished turns count as
   * failed) or only the turns that ended, as the authors' code does.
   */
  progressDenominator: z.enum(["all_turns", "finished_turns"]).default("all_turns"),
};

/** The counting options as data (every spec accepts them, whatever its rule). */
type CountingOptions = { [K in keyof typeof countingOptions]: z.output<(typeof countingOptions)[K]> };

/**
 * A validated reward spec: `kind` names a registered rule, the counting options change how the
 * components are computed (defaults: envtune's corrected counting), the other fields are the
 * rule's options.
 */
export type RewardSpec = CountingOptions & { kind: string; [option: string]: unknown };
/** A reward spec as written in a config (defaults may be omitted). */
export type RewardSpecInput = Partial<CountingOptions> & { kind: string; [option: string]: unknown };

/** The configured reward and every component, for one episode (or one episode so far). */
export interface RewardBreakdown {
  reward: number;
  components: Record<RewardComponent, number>;
}

/** The strict schema of specs of one rule: `kind`, the counting options, the rule's options. */
const specSchemas = new WeakMap<RewardFactory, z.ZodType<RewardSpec>>();
function specSchema(f: RewardFactory): z.ZodType<RewardSpec> {
  let s = specSchemas.get(f);
  if (!s)
    specSchemas.set(
      f,
      (s = z.object({ kind: z.literal(f.name), ...countingOptions, ...f.options.shape }).strict() as unknown as z.ZodType<RewardSpec>),
    );
  return s;
}

/**
 * A reward spec, derived from the registry when it is parsed: `kind` must name a registered rule
 * (built in or registered by user code before the config is read), and the rest must fit that
 * rule's options plus the counting options.
 */
export const rewardSpecSchema = z
  .object({ kind: z.string() })
  .loose()
  .transform((spec, ctx): RewardSpec => {
    if (!rewardRules.has(spec.kind)) {
      ctx.addIssue({
        code: "custom",
        path: ["kind"],
        message: `unknown reward rule \`${spec.kind}\` (known: ${rewardRuleNames().join(", ")})`,
      });
      return z.NEVER;
    }
    const r = specSchema(rewardRules.get(spec.kind)).safeParse(spec);
    if (r.success) return r.data;
    for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
    return z.NEVER;
  });

/** Validates a reward spec; throws an {@link EnvtuneError} naming every problem. */
export function parseRewardSpec(spec: unknown): RewardSpec {
  const r = rewardSpecSchema.safeParse(spec);
  if (r.success) return r.data;
  throw new EnvtuneError(
    "INVALID_REWARD_SPEC",
    "engine",
    "The reward spec is invalid.",
    'Use e.g. {"kind": "progress"}, {"kind": "stage1"}, {"kind": "mixed", "progressWeight": 0.9, "formatWeight": 0.1}, or a rule registered with registerRewardRule.',
    { details: formatZodIssues(r.error.issues, { root: "(spec)" }) },
  );
}

type Counting = CountingOptions;

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

/** The rule's reward function for a validated spec, made once per spec object (the hot path reuses it). */
const rewardFns = new WeakMap<RewardSpec, RewardFn>();
function rewardFn(s: RewardSpec): RewardFn {
  let fn = rewardFns.get(s);
  if (!fn) {
    const { kind, authorsErrorCounting: _a, toolUnit: _t, progressDenominator: _p, ...options } = s;
    rewardFns.set(s, (fn = rewardRules.get(kind).create(options)));
  }
  return fn;
}

/** {@link computeReward} for an already validated spec (no re-validation on the hot path). */
export function evaluateReward(s: RewardSpec, input: RewardInput): RewardBreakdown {
  const components = rewardComponents(input, s);
  return { reward: rewardFn(s)(input, components), components };
}

/** A rule whose reward is one component, with no options of its own. */
function componentRule(name: RewardComponent, description: string): RewardFactory {
  return { name, description, options: z.object({}), create: () => (_input, c) => c[name] };
}

/** The paper's rewards, registered exactly as a user's rule is. */
const BUILT_IN_RULES: RewardFactory[] = [
  componentRule("progress", "R_P: fraction of turns passed (paper §3.4)."),
  componentRule("binary", '1 iff every turn passed (the ablation\'s "standard binary reward").'),
  componentRule("format", "R_format = (N − C_format) / N."),
  componentRule("tool", "R_tool = C_correct / (C_correct + C_error)."),
  componentRule("stage1", "Stage 1: I_tool · (R_format + R_tool), range [0, 2] (paper Eq. 1–2)."),
  {
    name: "mixed",
    description: "Direct-GRPO baseline of Table 3: progressWeight·R_P + formatWeight·R_format (0.9 / 0.1).",
    options: z.object({ progressWeight: z.number().finite().default(0.9), formatWeight: z.number().finite().default(0.1) }),
    create: (o: { progressWeight: number; formatWeight: number }) => (_input, c) =>
      o.progressWeight * c.progress + o.formatWeight * c.format,
  },
  {
    name: "weighted",
    description: "Any linear combination of the named components.",
    options: z.object({ weights: z.partialRecord(z.enum(REWARD_COMPONENTS), z.number().finite()) }),
    create: (o: { weights: Partial<Record<RewardComponent, number>> }) => (_input, c) => {
      let reward = 0;
      for (const k of REWARD_COMPONENTS) reward += (o.weights[k] ?? 0) * c[k];
      return reward;
    },
  },
];
for (const rule of BUILT_IN_RULES) rewardRules.register(rule);
