/**
 * Observation rendering: how executed calls' results come back to the model, one renderer per
 * observation kind (`EpisodeConfig.observation`). A new kind is one more renderer here.
 */
import type { CallOutcome } from "@envtune/core";
import { bfclExecutionResults, paperExecutionResults } from "./prompts.ts";
import type { ChatMessage } from "./types.ts";

/** One call of an action as executed (or rejected) by the episode. */
export interface Executed {
  call: string;
  name: string;
  result: string;
  status: CallOutcome["status"] | "rejected";
  pyType?: string;
}

/** Renders executed calls; `idOf(i)` is the tool-call id of the i-th call. */
export type ObservationRenderer = (executed: readonly Executed[], idOf: (i: number) => string) => ChatMessage[];

// The keys are the observation kinds: `episodeConfigSchema.observation` is derived from them.
export const OBSERVATION_RENDERERS = {
  /** One `tool` message per call. */
  tool: (executed, idOf) => executed.map((e, i) => ({ role: "tool", tool_call_id: idOf(i), name: e.name, content: e.result })),
  /** The paper's user-role text of the results. */
  paper: (executed) => [{ role: "user", content: paperExecutionResults(executed.map((e) => e.result)) }],
  /** BFCL prompting's user-role `repr([{"role": "tool", ...}])`. */
  bfcl: (executed) => [{ role: "user", content: bfclExecutionResults(executed.map((e) => ({ call: e.call, result: e.result }))) }],
} as const satisfies Readonly<Record<string, ObservationRenderer>>;

export type ObservationKind = keyof typeof OBSERVATION_RENDERERS;

/** The observation kinds, in the renderers' order. */
export const OBSERVATION_KINDS = Object.keys(OBSERVATION_RENDERERS) as [ObservationKind, ...ObservationKind[]];

/**
 * The observation of an action's results. Actions sent as OpenAI `tool_calls` (`ids`) always get
 * `tool` messages, one per id, as the chat protocol requires; a call without an id gets
 * `syntheticId()`.
 */
export function renderObservation(
  kind: ObservationKind,
  executed: readonly Executed[],
  ids: readonly string[] | undefined,
  syntheticId: () => string,
): ChatMessage[] {
  return OBSERVATION_RENDERERS[ids ? "tool" : kind](executed, (i) => ids?.[i] ?? syntheticId());
}
