/**
 * Observation rendering: how executed calls' results come back to the model, one renderer per
 * observation kind (`EpisodeConfig.observation`).
 */
import type { CallOutcome } from "@envtune/core";
import type { EpisodeConfig } from "./config.ts";
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

export type ObservationKind = EpisodeConfig["observation"];

/** Renders executed calls; `idOf(i)` is the tool-call id of the i-th call. */
export type ObservationRenderer = (executed: readonly Executed[], idOf: (i: number) => string) => ChatMessage[];

export const OBSERVATION_RENDERERS: Readonly<Record<ObservationKind, ObservationRenderer>> = {
  /** One `tool` message per call. */
  tool: (executed, idOf) => executed.map((e, i) => ({ role: "tool", tool_call_id: idOf(i), name: e.name, content: e.result })),
  /** The paper's user-role text of the results. */
  paper: (executed) => [{ role: "user", content: paperExecutionResults(executed.map((e) => e.result)) }],
  /** BFCL prompting's user-role `repr([{"role": "tool", ...}])`. */
  bfcl: (executed) => [{ role: "user", content: bfclExecutionResults(executed.map((e) => ({ call: e.call, result: e.result }))) }],
};

/**
 * The observation of an action's results. Actions sent as OpenAI `tool_calls` (`ids`) always get
 * `tool` messages, one per id, as the chat protocol requires; a call without an id gets
 * `syntheticId()`.
 */
export function renderObservation(kind: ObservationKind, executed: readonly Executed[], ids: readonly string[] | undefined, syntheticId: () => string): ChatMessage[] {
  return OBSERVATION_RENDERERS[ids ? "tool" : kind](executed, (i) => ids?.[i] ?? syntheticId());
}
