/**
 * What the policy observes before one action: the tool list the model is shown (names,
 * descriptions, JSON Schemas) and the dialogue so far, in the same terms an LLM gets them. The
 * trainer builds this from the chat messages; nothing here knows about BFCL classes or tools.
 */
import type { ToolSchema } from "@envtune/core";

/** One step the model already took in the current turn. */
export interface ObservedStep {
  /** `calls`: tool calls that ran (or were refused); `parse_error`: the action did not parse. */
  kind: "calls" | "parse_error";
  /** The calls of the step (name and the argument values as text). */
  calls: Array<{ name: string; values: string[] }>;
  /** One result string per call (tool output, `{"error": ...}` or `Error during execution: ...`). */
  results: string[];
  /** Feedback text shown instead of results (parse errors, warnings). */
  feedback?: string;
}

export interface PolicyObservation {
  /** The tools the model currently sees. */
  tools: readonly ToolSchema[];
  /** The user text that opened the current turn (all of its user messages, joined). */
  userText: string;
  /** Earlier turns' user texts, oldest first. */
  previousUserTexts: readonly string[];
  /** Steps taken so far in the current turn, oldest first. */
  steps: readonly ObservedStep[];
  /** Result strings of earlier turns, oldest first (values to copy from). */
  earlierResults: readonly string[];
  /** Names of tools called in earlier turns. */
  earlierCalls: readonly string[];
}
