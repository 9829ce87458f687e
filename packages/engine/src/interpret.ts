/**
 * Action interpretation: what one assistant message asks the episode to do (run calls, end the
 * turn, or report a parse error), under the episode's action format and parse-error rule.
 */
import { EnvtuneError, parseAction, type ToolCall } from "@envtune/core";
import type { EpisodeConfig } from "./config.ts";
import type { AssistantInput, ChatMessage, OpenAIToolCall } from "./types.ts";

export type Interpretation =
  | { kind: "parse_error"; code: string; message: string; feedback: string }
  | { kind: "turn_end"; reason: "answer" | "empty_action" | "undecodable"; text: string; undecodable?: string }
  | { kind: "calls"; calls: ToolCall[] }
  | { kind: "too_many_calls" };

/**
 * The assistant message for an action (text or `{ content, tool_calls }`). Tool calls keep their
 * ids so every one gets its tool message (the chat protocol requires it); a call without one gets
 * `syntheticId()`.
 */
export function normalizeAssistant(input: AssistantInput, syntheticId: () => string): ChatMessage {
  if (typeof input === "string") return { role: "assistant", content: input };
  if (typeof input !== "object" || input === null) {
    throw new EnvtuneError(
      "BAD_ACTION",
      "engine",
      `An action must be a string or an assistant message, got ${input === null ? "null" : typeof input}.`,
      "Pass the model's text or `{ content, tool_calls }`.",
    );
  }
  const content = typeof input.content === "string" ? input.content : null;
  const raw = Array.isArray(input.tool_calls) ? input.tool_calls : [];
  if (raw.length === 0) return { role: "assistant", content };
  const tool_calls = raw.map((tc) => {
    const r = (typeof tc === "object" && tc !== null ? tc : {}) as Record<string, unknown>;
    const id = typeof r.id === "string" && r.id !== "" ? r.id : syntheticId();
    const fn = (typeof r.function === "object" && r.function !== null ? r.function : {}) as Record<string, unknown>;
    const args = typeof fn.arguments === "string" ? fn.arguments : fn.arguments === undefined ? "" : JSON.stringify(fn.arguments);
    return {
      id,
      type: "function",
      function: { name: typeof fn.name === "string" ? fn.name : "", arguments: args },
    } satisfies OpenAIToolCall;
  });
  return { role: "assistant", content, tool_calls };
}

type InterpretConfig = Pick<EpisodeConfig, "actionFormat" | "parseErrors">;

/**
 * What a (normalized) assistant message does. With `maxCalls` the parser stops at the call past it
 * (`too_many_calls`), before the rest of the text is parsed or anything runs.
 */
export function interpretAction(msg: ChatMessage, config: InterpretConfig, maxCalls?: number): Interpretation {
  const text = msg.content ?? "";
  const limit = maxCalls !== undefined ? { maxCalls } : {};
  if (msg.tool_calls) return interpretToolCalls(msg.tool_calls, text, config, limit);
  if (config.actionFormat === "openai") return { kind: "turn_end", reason: "answer", text };
  const r = parseAction(text, { format: config.actionFormat, ...limit });
  if (!r.ok && r.error.code === "TOO_MANY_CALLS") return { kind: "too_many_calls" };
  if (r.ok) {
    // B6: an answer ends the turn; its text is never looked at for calls.
    if (r.kind === "answer") return { kind: "turn_end", reason: "answer", text: r.answer };
    return r.calls.length ? { kind: "calls", calls: r.calls } : { kind: "turn_end", reason: "empty_action", text };
  }
  // Only the envelope has an explicit answer form; elsewhere text that is not a call list is
  // the model talking to the user, which ends the turn (BFCL's decode-failure rule). Malformed
  // JSON or envelope text is reported as undecodable rather than as an answer.
  if (r.format === "envelope" && config.parseErrors === "feedback") {
    return { kind: "parse_error", code: r.error.code, message: r.error.message, feedback: r.error.feedback };
  }
  return { kind: "turn_end", reason: r.format === "python" ? "answer" : "undecodable", text, undecodable: r.error.detail };
}

function interpretToolCalls(
  toolCalls: readonly OpenAIToolCall[],
  text: string,
  config: InterpretConfig,
  limit: { maxCalls?: number },
): Interpretation {
  const r = parseAction(toolCalls, { format: "openai", ...limit });
  if (!r.ok && r.error.code === "TOO_MANY_CALLS") return { kind: "too_many_calls" };
  if (r.ok && r.kind === "tool_calls") {
    return r.calls.length ? { kind: "calls", calls: r.calls } : { kind: "turn_end", reason: "empty_action", text };
  }
  const error = r.ok ? undefined : r.error;
  if (error && config.parseErrors === "feedback")
    return { kind: "parse_error", code: error.code, message: error.message, feedback: error.feedback };
  return { kind: "turn_end", reason: "undecodable", text, ...(error ? { undecodable: error.detail } : {}) };
}
