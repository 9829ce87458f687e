import type { BfclEntry } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "../config.ts";
import type { AssistantInput, ChatMessage, OpenAITool } from "../types.ts";

/** What a policy sees before each action. */
export interface PolicyContext {
  entry: BfclEntry;
  /** The turn in progress. */
  turn: number;
  /** Counted actions already taken in this turn. */
  attempt: number;
  /** The whole conversation so far, ending with the environment's latest messages. */
  messages: readonly ChatMessage[];
  /** The tools the model currently sees. */
  tools: readonly OpenAITool[];
  signal?: AbortSignal;
}

/** Stop the episode here (e.g. a recorded output has no more turns): it is truncated. */
export interface PolicyStop {
  stop: true;
  reason: string;
}

/**
 * What an endpoint reported about one generation, for RL engines that must train on the exact
 * tokens sampled (re-tokenizing the text drifts): vLLM's `return_token_ids` and `logprobs`.
 */
export interface Generation {
  promptTokenIds?: number[];
  tokenIds?: number[];
  /** Log-probability of each generated token, aligned with `tokenIds`. */
  logprobs?: number[];
  finishReason?: string;
}

/** An action together with the generation that produced it. */
export interface GeneratedAction {
  action: AssistantInput;
  generation: Generation;
}

export type PolicyAction = AssistantInput | PolicyStop | GeneratedAction;

/** Anything that can play episodes: the oracle, recorded outputs, an LLM endpoint. */
export interface Policy {
  readonly name: string;
  /** Episode settings the policy depends on (action format, observation, prompt); user settings win. */
  readonly episodeConfig?: EpisodeConfigInput;
  act(ctx: PolicyContext): Promise<PolicyAction> | PolicyAction;
  /** Releases resources (connections, files). */
  close?(): Promise<void> | void;
}

export function isPolicyStop(a: PolicyAction): a is PolicyStop {
  return typeof a === "object" && a !== null && (a as { stop?: unknown }).stop === true;
}

export function isGeneratedAction(a: PolicyAction): a is GeneratedAction {
  return typeof a === "object" && a !== null && "action" in a && "generation" in a;
}
