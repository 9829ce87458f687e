/**
 * The engine's results in the native session REST layout (`POST /v1/sessions` and
 * `POST /v1/sessions/{id}/step`, documented in the server README): snake_case keys, `done` for "no more steps".
 * A server maps engine results through these and nothing else.
 */
import type { ChatMessage, EpisodeEvent, OpenAITool, ResetInfo, ResetResult, StepResult } from "./types.ts";

export interface WireStep {
  messages: ChatMessage[];
  reward: number;
  reward_components: Record<string, number>;
  events: EpisodeEvent[];
  /** terminated or truncated: the session takes no more steps. */
  done: boolean;
  truncated: boolean;
  info: { turn: number; attempt: number; tools_changed?: OpenAITool[] };
}

export interface WireReset {
  session_id: string;
  messages: ChatMessage[];
  tools: OpenAITool[];
  info: ResetInfo;
}

/** `POST /v1/sessions/{id}/step` response body for a step result. */
export function toWireStep(r: StepResult): WireStep {
  return {
    messages: r.messages,
    reward: r.reward,
    reward_components: r.rewardComponents,
    events: r.events,
    done: r.terminated || r.truncated,
    truncated: r.truncated,
    info: { turn: r.info.turn, attempt: r.info.attempt, ...(r.info.toolsChanged ? { tools_changed: r.info.toolsChanged } : {}) },
  };
}

/** `POST /v1/sessions` response body (201) for a reset result. */
export function toWireReset(sessionId: string, r: ResetResult): WireReset {
  return { session_id: sessionId, messages: r.messages, tools: r.tools, info: r.info };
}
