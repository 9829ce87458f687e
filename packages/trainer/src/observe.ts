/**
 * Builds the policy's observation from the chat messages an episode shows (system, user turns,
 * the model's own messages, tool results or feedback), exactly the text an LLM would get. The
 * tracker is incremental: it reads only the messages added since its last call.
 */
import { parseAction, type ToolSchema } from "@envtune/core";
import { ADDITIONAL_FUNCTIONS_TEXT, paperExecutionResults, type ChatMessage } from "@envtune/engine";
import type { ObservedStep, PolicyObservation } from "@envtune/policy-tfjs";

const [RESULTS_PREFIX, RESULTS_SUFFIX] = paperExecutionResults([]).split("[]") as [string, string];

/** The result strings of the paper's user-role execution-results message, or undefined if it is not one. */
export function parsePaperResults(text: string): string[] | undefined {
  if (!text.startsWith(RESULTS_PREFIX)) return undefined;
  const end = text.endsWith(RESULTS_SUFFIX) ? text.length - RESULTS_SUFFIX.length : text.length;
  const body = text.slice(RESULTS_PREFIX.length, end);
  try {
    const v = JSON.parse(body) as unknown;
    if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  } catch {
    // fall through: show the raw text as one result
  }
  return [body];
}

/** The user text of a turn as the policy reads it: a re-listed function catalogue is reduced to its sentence (the tools arrive in the tool list). */
function turnText(content: string): string {
  const i = content.indexOf(ADDITIONAL_FUNCTIONS_TEXT);
  if (i > 0 && /^\s*[[{]/.test(content)) return content.slice(i);
  return content;
}

interface PendingCalls {
  names: string[];
  values: string[][];
  parsed: boolean;
}

function callsOf(text: string): PendingCalls {
  const r = parseAction(text, { format: "auto" });
  if (!r.ok) return { names: [], values: [], parsed: false };
  if (r.kind === "answer") return { names: [], values: [], parsed: true };
  return {
    names: r.calls.map((c) => c.name),
    values: r.calls.map((c) => [...c.args, ...c.kwargs.map(([, v]) => v)].map((v) => (typeof v === "string" ? v : String(v)))),
    parsed: true,
  };
}

export class DialogueTracker {
  private seen = 0;
  private userTexts: string[] = [];
  private current = "";
  private steps: ObservedStep[] = [];
  private earlierResults: string[] = [];
  private earlierCalls: string[] = [];
  private pending: PendingCalls | undefined;
  /** The last assistant message's tool_calls arrive as tool-role messages, one per call. */
  private toolMessages: string[] = [];

  /** Reads the messages added since the last call (the array must only grow). */
  update(messages: readonly ChatMessage[]): void {
    if (messages.length < this.seen) this.reset();
    for (let i = this.seen; i < messages.length; i++) this.consume(messages[i]!);
    this.seen = messages.length;
    this.flushToolMessages();
  }

  reset(): void {
    this.seen = 0;
    this.userTexts = [];
    this.current = "";
    this.steps = [];
    this.earlierResults = [];
    this.earlierCalls = [];
    this.pending = undefined;
    this.toolMessages = [];
    this.lastWasQuestion = false;
  }

  observation(tools: readonly ToolSchema[]): PolicyObservation {
    return {
      tools,
      userText: this.current,
      previousUserTexts: this.userTexts,
      steps: this.steps,
      earlierResults: this.earlierResults,
      earlierCalls: this.earlierCalls,
    };
  }

  private newTurn(text: string): void {
    for (const s of this.steps) {
      this.earlierResults.push(...s.results);
      this.earlierCalls.push(...s.calls.map((c) => c.name));
    }
    if (this.earlierResults.length > 16) this.earlierResults = this.earlierResults.slice(-16);
    if (this.current !== "") this.userTexts = [...this.userTexts, this.current];
    this.current = turnText(text);
    this.steps = [];
  }

  private flushToolMessages(): void {
    if (this.toolMessages.length === 0) return;
    const p = this.pending;
    this.steps = [
      ...this.steps,
      {
        kind: "calls",
        calls: (p?.names ?? []).map((name, i) => ({ name, values: p?.values[i] ?? [] })),
        results: this.toolMessages,
      },
    ];
    this.toolMessages = [];
    this.pending = undefined;
  }

  private consume(m: ChatMessage): void {
    const content = m.content ?? "";
    if (m.role === "system") return;
    const wasQuestion = this.lastWasQuestion;
    this.lastWasQuestion = false;
    if (m.role === "assistant") {
      this.flushToolMessages();
      if (m.tool_calls?.length) {
        this.pending = {
          names: m.tool_calls.map((c) => c.function.name),
          values: m.tool_calls.map(() => []),
          parsed: true,
        };
      } else this.pending = callsOf(content);
      return;
    }
    if (m.role === "tool") {
      this.toolMessages.push(content);
      return;
    }
    this.flushToolMessages();
    const results = parsePaperResults(content);
    const p = this.pending;
    if (results && p) {
      this.steps = [...this.steps, { kind: "calls", calls: p.names.map((name, i) => ({ name, values: p.values[i] ?? [] })), results }];
      this.pending = undefined;
      return;
    }
    if (p && !p.parsed && content.startsWith("Error")) {
      this.steps = [...this.steps, { kind: "parse_error", calls: [], results: [], feedback: content }];
      this.pending = undefined;
      return;
    }
    // Anything else from the user side opens a turn; consecutive user messages belong to it.
    if (wasQuestion) this.current = `${this.current}\n${turnText(content)}`;
    else this.newTurn(content);
    this.pending = undefined;
    this.lastWasQuestion = true;
  }

  private lastWasQuestion = false;
}
