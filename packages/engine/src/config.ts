/**
 * Episode configuration: two presets (the paper's training protocol and BFCL's inference loop)
 * and per-field overrides, validated with zod so configs from files fail loudly.
 */
import { z } from "zod";
import { parseOrThrow } from "@envtune/core";
import { rewardSpecSchema, type RewardSpec } from "./rewards.ts";
import { OBSERVATION_KINDS, type ObservationKind } from "./observers.ts";

export const episodeConfigSchema = z
  .object({
    /** Preset the other fields default from. */
    protocol: z.enum(["paper", "bfcl"]).default("paper"),
    /** Actionable (hint) messages and argument validation instead of the reference texts. */
    augmented: z.boolean().default(false),
    /**
     * Counted actions (tool-call steps and parse errors) a turn allows. The budget means what it
     * says: the N-th action is executed and its results are shown, then the budget is spent.
     */
    maxActionsPerTurn: z.number().int().min(1).max(1000).optional(),
    /** When the budget is spent: go on with the next user turn, or end the episode (BFCL's force quit). */
    onBudgetExhausted: z.enum(["next_turn", "truncate"]).optional(),
    /**
     * Empty-ground-truth turns (a function or parameter is missing). `paper`: the first parsed
     * action ends the turn; tool calls are not executed and the next question carries the SYSTEM
     * WARNING. `bfcl`: an ordinary turn, calls are executed (the official checker's view).
     */
    emptyTurnRule: z.enum(["paper", "bfcl"]).optional(),
    /**
     * A response that does not parse in a format with an explicit answer form (the paper's
     * envelope, OpenAI `tool_calls`): `feedback` shows the error and the model retries (a counted
     * action); `end_turn` ends the turn as BFCL's loop does. Text in the Python or JSON formats
     * that is not a call list is always an answer.
     */
    parseErrors: z.enum(["feedback", "end_turn"]).optional(),
    /** How assistant text is parsed; OpenAI `tool_calls` are always accepted. */
    actionFormat: z.enum(["auto", "envelope", "python", "json", "openai"]).optional(),
    /**
     * How results come back: `tool` messages (one per call), the paper's user-role text, or BFCL
     * prompting's user-role `repr([{"role": "tool", ...}])`. Actions sent as OpenAI `tool_calls`
     * always get `tool` messages, one per id, as the chat protocol requires.
     */
    observation: z.enum(OBSERVATION_KINDS).optional(),
    systemPrompt: z.enum(["paper-a", "paper-b", "fc"]).optional(),
    /**
     * Arguments vs. the tool's JSON Schema. `hint` (default when augmented): calls run as in the
     * reference, and a failed call whose arguments break the schema gets an actionable hint
     * (a `"hint"` key in its error dict, or a `(Hint: ...)` after the exception text). `reject`:
     * such calls are not executed and get the hint as an error dict. `off` (default in the
     * standard environment): no check.
     */
    validateArguments: z.enum(["off", "hint", "reject"]).optional(),
    reward: rewardSpecSchema.default({ kind: "progress", authorsErrorCounting: false, toolUnit: "step", progressDenominator: "all_turns" }),
    /** Assistant messages an episode allows in total before it is truncated. */
    maxEpisodeSteps: z.number().int().min(1).optional(),
  })
  .strict();

export type EpisodeConfigInput = z.input<typeof episodeConfigSchema>;

/** A fully resolved configuration. */
export interface EpisodeConfig {
  protocol: "paper" | "bfcl";
  augmented: boolean;
  maxActionsPerTurn: number;
  onBudgetExhausted: "next_turn" | "truncate";
  emptyTurnRule: "paper" | "bfcl";
  parseErrors: "feedback" | "end_turn";
  actionFormat: "auto" | "envelope" | "python" | "json" | "openai";
  observation: ObservationKind;
  systemPrompt: "paper-a" | "paper-b" | "fc";
  validateArguments: "off" | "hint" | "reject";
  reward: RewardSpec;
  maxEpisodeSteps?: number;
}

type PresetFields = Omit<EpisodeConfig, "protocol" | "augmented" | "validateArguments" | "reward" | "maxEpisodeSteps">;

/**
 * `paper`: the authors' training loop (`inclusionAI/AWorld-RL` `EnvTuning/env_tuning/interaction/` @ 4aeef7b) with its bugs fixed: 5 actions per turn
 * that really are 5 (B8 in docs/authors-code-deviations.md), force-advance to the next turn, the empty-turn rule, parse-error feedback,
 * the envelope format and user-role observations.
 *
 * `bfcl`: BFCL's inference loop (`bfcl_eval/model_handler/base_handler.py` `inference_multi_turn_*` @ 6ea57973): `count > 20` after each executed step, i.e. 21
 * steps, then the whole entry stops; calls on empty-GT turns run; anything undecodable ends the
 * turn; tool-role observations.
 */
export const PROTOCOL_PRESETS: Readonly<Record<"paper" | "bfcl", Readonly<PresetFields>>> = {
  paper: {
    maxActionsPerTurn: 5,
    onBudgetExhausted: "next_turn",
    emptyTurnRule: "paper",
    parseErrors: "feedback",
    actionFormat: "envelope",
    observation: "paper",
    systemPrompt: "paper-b",
  },
  bfcl: {
    maxActionsPerTurn: 21,
    onBudgetExhausted: "truncate",
    emptyTurnRule: "bfcl",
    parseErrors: "end_turn",
    actionFormat: "auto",
    observation: "tool",
    systemPrompt: "fc",
  },
};

/** Validates a config and fills every field from its preset. */
export function resolveEpisodeConfig(input: EpisodeConfigInput = {}): EpisodeConfig {
  const c = parseOrThrow(episodeConfigSchema, input, {
    code: "INVALID_EPISODE_CONFIG",
    scope: "engine",
    what: "The episode configuration is invalid.",
    hint: "Fix the listed fields (see `episodeConfigSchema`).",
    root: "(config)",
  });
  const preset = PROTOCOL_PRESETS[c.protocol];
  const out: EpisodeConfig = {
    protocol: c.protocol,
    augmented: c.augmented,
    maxActionsPerTurn: c.maxActionsPerTurn ?? preset.maxActionsPerTurn,
    onBudgetExhausted: c.onBudgetExhausted ?? preset.onBudgetExhausted,
    emptyTurnRule: c.emptyTurnRule ?? preset.emptyTurnRule,
    parseErrors: c.parseErrors ?? preset.parseErrors,
    actionFormat: c.actionFormat ?? preset.actionFormat,
    observation: c.observation ?? preset.observation,
    systemPrompt: c.systemPrompt ?? preset.systemPrompt,
    validateArguments: c.validateArguments ?? (c.augmented ? "hint" : "off"),
    reward: c.reward,
  };
  if (c.maxEpisodeSteps !== undefined) out.maxEpisodeSteps = c.maxEpisodeSteps;
  return out;
}
