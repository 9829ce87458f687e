import type { CallStatus, ToolSchema } from "@envtune/core";
import type { CheckerErrorType } from "@envtune/checker";
import type { RewardBreakdown, StepRecord } from "./rewards.ts";

/** An OpenAI chat-completions tool definition. */
export interface OpenAITool {
  type: "function";
  function: ToolSchema;
}

/** An OpenAI `tool_calls` item. */
export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** A chat message in OpenAI chat-completions layout (what an episode shows and records). */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
  name?: string;
}

/** What a policy sends: the assistant's text, or an assistant message with optional `tool_calls`. */
export type AssistantInput =
  | string
  | {
      role?: "assistant";
      content?: string | null;
      tool_calls?: ReadonlyArray<OpenAIToolCall | Record<string, unknown>> | null;
    };

/** Why a turn ended. */
export type TurnEndReason =
  /** The model answered (asked, refused or summarised): an `<answer>`, or text that is not a call list. */
  | "answer"
  /** The model sent a tool-call list with no calls (BFCL: an empty decoded step ends the turn). */
  | "empty_action"
  /** Malformed JSON, envelope or `tool_calls`, and the protocol ends the turn on that (BFCL). */
  | "undecodable"
  /** The model called tools on an empty-ground-truth turn under the paper's rule. */
  | "called_in_empty_turn"
  /** The per-turn action budget ran out. */
  | "budget"
  /** The episode was cut short (external truncation or the episode step limit). */
  | "truncated";

/** The per-turn check, as the BFCL checker sees the turn, plus the engine's own turn outcome. */
export interface TurnEndDetail {
  reason: TurnEndReason;
  /** r_t: the turn counts as passed for rewards (see `Episode` for the empty-turn rule). */
  passed: boolean;
  /** The official checker's verdict for the turn (empty-GT turns always pass there). */
  checkerPassed: boolean;
  gtEmpty: boolean;
  /** State check: null when not checked. */
  stateOk: boolean | null;
  /** Response check: null when not checked. */
  responseOk: boolean | null;
  errorType: CheckerErrorType | null;
  modelSteps: number;
  className?: string;
  differingAttrs?: string[];
  missingItems?: string[];
}

/** One executed (or rejected) call. */
export interface ToolEventDetail {
  /** The call as executed, in Python syntax. */
  call: string;
  /** Exactly the string the model is shown. */
  result: string;
  /** `error`: a returned `{"error": ...}`; `exception`: `Error during execution: ...`; `rejected`: not run (argument validation). */
  status: CallStatus | "rejected";
  pyType?: string;
}

/** A typed event of one step. */
export type EpisodeEvent =
  | { type: "parse_error"; turn: number; detail: { code: string; message: string; feedback: string } }
  | { type: "tool_ok"; turn: number; detail: ToolEventDetail }
  | { type: "tool_error"; turn: number; detail: ToolEventDetail }
  | { type: "not_executed"; turn: number; detail: { calls: string[]; reason: "empty_ground_truth_turn" } }
  | { type: "answer"; turn: number; detail: { text: string; undecodable?: string } }
  | { type: "budget_exhausted"; turn: number; detail: { actions: number; budget: number; then: "next_turn" | "truncate" } }
  | { type: "turn_end"; turn: number; detail: TurnEndDetail }
  | { type: "tools_changed"; turn: number; detail: { added: string[] } }
  | {
      type: "episode_end";
      turn: number;
      detail: { terminated: boolean; truncated: boolean; reason: string; reward: number; components: Record<string, number> };
    };

export type EpisodeEventType = EpisodeEvent["type"];

export interface StepInfo {
  /** The turn in progress after this step (equals the turn count once the episode is over). */
  turn: number;
  /** Counted actions (tool-call steps and parse errors) in the turn in progress. */
  attempt: number;
  /** The complete new tool list, when withheld functions were revealed by this step. */
  toolsChanged?: OpenAITool[];
}

/** Gymnasium-style step result; maps 1:1 onto `POST /v1/sessions/{id}/step` (see {@link toWireStep}). */
export interface StepResult {
  /** New messages from the environment (tool results, feedback, the next user turn). */
  messages: ChatMessage[];
  /** Increment of the configured episode reward; the rewards of all steps sum to the episode reward. */
  reward: number;
  /** Every named reward component for the episode so far (unfinished turns count as failed). */
  rewardComponents: Record<string, number>;
  events: EpisodeEvent[];
  /** The episode reached its end (every turn ended). */
  terminated: boolean;
  /** The episode was cut short (budget force-quit under BFCL rules, step limit, or `truncate()`). */
  truncated: boolean;
  info: StepInfo;
}

export interface ResetInfo {
  id: string;
  category: string;
  turn: number;
  turnCount: number;
  attempt: number;
  involvedClasses: string[];
  augmented: boolean;
  maxActionsPerTurn: number;
  /** Functions withheld at the start, by the turn that reveals them. */
  withheld: Record<string, string[]>;
}

export interface ResetResult {
  messages: ChatMessage[];
  tools: OpenAITool[];
  info: ResetInfo;
}

/** One ended turn of an episode. */
export interface TurnRecord extends TurnEndDetail {
  turn: number;
}

/** Everything an episode recorded: enough to re-score it or to write a results line. */
export interface EpisodeTranscript {
  id: string;
  messages: ChatMessage[];
  /** Executed call strings per started turn, per step (`[turn][step][call]`): the checker's input. */
  decoded: string[][][];
  turns: TurnRecord[];
  steps: StepRecord[];
  rewards: RewardBreakdown;
  terminated: boolean;
  truncated: boolean;
  truncationReason?: string;
  /** One per assistant action, when the policy reported its generations (token ids, logprobs). */
  generations?: StepGeneration[];
}

/** A policy's generation for the action taken at `turn`/`attempt` (see `Generation`). */
export interface StepGeneration {
  turn: number;
  attempt: number;
  promptTokenIds?: number[];
  tokenIds?: number[];
  logprobs?: number[];
  finishReason?: string;
}
