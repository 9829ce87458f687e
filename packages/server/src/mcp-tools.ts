/**
 * Tool calls as episode steps, the one place MCP `tools/call` (every MCP transport) and OpenEnv's
 * `call_tool` step on `/ws` share. A plain tool-calling host needs no envtune knowledge: the
 * turn flow reaches it as text blocks in the tool result, and the `end_turn` tool ends a turn.
 *
 * Result content, in order:
 *   1. the tool's own result text (BFCL's result string), unless the call was `end_turn`;
 *   2. `[envtune] Next user request: <text>` when the step moved the episode to its next turn;
 *   3. `[envtune] Episode finished (<reason>). Reward: <r>.` when the episode ended.
 */
import type { OpenAITool, WireStep } from "@envtune/engine";
import { serverError, toServerError } from "./errors.ts";
import type { EnvSession, EnvtuneService } from "./service.ts";
import type { Session } from "./sessions.ts";

/** The tool a host calls to end its turn (its optional `answer` is the reply to the user). */
export const END_TURN_TOOL = "end_turn";

export const END_TURN_TOOL_DEF: OpenAITool = {
  type: "function",
  function: {
    name: END_TURN_TOOL,
    description:
      "[envtune] Call this when you have finished the user's current request (or cannot do it). `answer` is your reply to the user. The result holds the next user request, or says that the episode is finished.",
    parameters: {
      type: "object",
      properties: { answer: { type: "string", description: "Your final reply for this request." } },
      required: [],
    },
  },
};

export interface ToolTurnResult {
  content: Array<{ type: "text"; text: string }>;
  isError: boolean;
  step?: WireStep;
  /** The tool set changed (a withheld function came back, or a new task started). */
  toolsChanged: boolean;
  done: boolean;
}

/** The tools a session's host sees: the episode's (or every tool, before a task is chosen) and `end_turn`. */
export function sessionTools(service: EnvtuneService, s: Session<EnvSession> | undefined): OpenAITool[] {
  const ep = s?.value.episode;
  return [...(ep ? ep.tools : service.env.allTools()), END_TURN_TOOL_DEF];
}

/** Thrown for a tool the session does not offer: the same `-32602` on every server (MCP spec, tools §Error Handling). */
export function unknownTool(name: string): Error {
  return serverError(
    "VALIDATION_ERROR",
    `Unknown tool: ${name.slice(0, 100)}.`,
    "Call one of the tools `tools/list` returns; the call was not run and cost no attempt.",
  );
}

let callCounter = 0;

/**
 * Runs one tool call of `sessionId` as one episode step. `argsText` is the arguments as JSON text
 * (exact: `1.0` stays a float). Unknown tools and sessions without a task throw; a call on a
 * finished episode answers an error result that says so.
 */
export function callToolStep(service: EnvtuneService, sessionId: string, name: string, argsText: string, answer?: string): ToolTurnResult {
  const s = service.require(sessionId);
  const ep = s.value.episode;
  if (!ep)
    throw serverError(
      "SESSION_ERROR",
      "This session has no task yet.",
      "Select a task when you connect (`/mcp?task_id=...`, or `capabilities.experimental.envtune` in initialize), or send an OpenEnv reset first.",
    );
  const offered = name === END_TURN_TOOL || ep.tools.some((t) => t.function.name === name);
  if (!offered) throw unknownTool(name);
  if (ep.done)
    return {
      content: [text("[envtune] Episode finished: it takes no more calls. Start a new session for another task.")],
      isError: true,
      toolsChanged: false,
      done: true,
    };
  const before = toolNames(ep.tools);
  const turnBefore = ep.turn;
  const callId = `mcp_${++callCounter}`;
  const message =
    name === END_TURN_TOOL
      ? { role: "assistant" as const, content: answerText(ep.config.actionFormat, answer ?? "") }
      : {
          role: "assistant" as const,
          content: null,
          tool_calls: [{ id: callId, type: "function", function: { name, arguments: argsText } }],
        };
  let step: WireStep;
  try {
    step = service.step(sessionId, { message });
  } catch (e) {
    throw toServerError(e);
  }
  const content: ToolTurnResult["content"] = [];
  const own = step.messages.find((m) => m.role === "tool" && m.tool_call_id === callId);
  if (own) content.push(text(own.content ?? ""));
  for (const m of step.messages) {
    if (m === own || m.role === "tool" || !m.content) continue;
    const label = m.role === "user" && step.info.turn !== turnBefore ? "Next user request" : "Environment";
    content.push(text(`[envtune] ${label}: ${m.content}`));
  }
  if (step.done) content.push(text(finishedText(step)));
  if (content.length === 0) content.push(text("[envtune] Turn ended."));
  const ev = step.events.find(
    (e) => e.type === "tool_ok" || e.type === "tool_error" || e.type === "parse_error" || e.type === "not_executed",
  );
  return {
    content,
    isError: ev !== undefined && ev.type !== "tool_ok",
    step,
    toolsChanged: toolNames(ep.tools) !== before,
    done: step.done,
  };
}

function finishedText(step: WireStep): string {
  const end = step.events.find((e) => e.type === "episode_end");
  if (!end || end.type !== "episode_end") return "[envtune] Episode finished.";
  return `[envtune] Episode finished (${end.detail.reason}). Reward: ${end.detail.reward}.`;
}

/**
 * An answer in the episode's action format: the envelope needs its `<answer>` form (a bare text
 * would be a parse error there); every other format reads plain text as the reply.
 */
export function answerText(format: string, answer: string): string {
  if (format !== "envelope" && format !== "auto") return answer;
  const clean = answer.replace(/<\/?(think|answer|tool_call)>/g, "");
  return `<think>The request is handled.</think>\n<answer>${clean}</answer>`;
}

function toolNames(tools: readonly OpenAITool[]): string {
  return tools.map((t) => t.function.name).join("\n");
}

function text(t: string): { type: "text"; text: string } {
  return { type: "text", text: t };
}
