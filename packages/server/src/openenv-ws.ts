/**
 * OpenEnv's WebSocket protocol, independent of any WebSocket library: one connection = one
 * session (its capacity slot is taken at connect), messages `reset` / `step` / `state` / `close` /
 * `mcp`, replies `observation` / `state` / `mcp` / `error`. On `/mcp` the connection speaks plain
 * JSON-RPC bound to its own session.
 */
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core";
import type { WireReset, WireStep } from "@envtune/engine";
import { ServerError, toServerError } from "./errors.ts";
import { handleJsonRpc, RPC, rpcError } from "./mcp.ts";
import { callToolStep, sessionTools, type ToolTurnResult } from "./mcp-tools.ts";
import { actionSchema, at, episodeIdSchema, parse, type EnvtuneService } from "./service.ts";
import type { EvictReason } from "./sessions.ts";

/** What a transport gives the protocol: send text, close the socket. */
export interface WsPeer {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface WsConnection {
  readonly sessionId: string;
  onMessage(text: string): void;
  /** The socket closed (by either side). */
  onClose(): void;
}

/** WebSocket close codes used when the server ends a connection's session. */
export const WS_CLOSE = { normal: 1000, goingAway: 1001, tooBig: 1009, reaped: 4000, deleted: 4001 } as const;

/**
 * Opens a connection's session. Throws a ServerError (`CAPACITY_REACHED`, `SHUTTING_DOWN`) that
 * the transport sends as an error message before closing.
 */
export function openWsConnection(service: EnvtuneService, peer: WsPeer, path: "/ws" | "/mcp"): WsConnection {
  let closed = false;
  const onEvict = (reason: EvictReason) => {
    if (reason === "closed" || closed) return;
    closed = true;
    const code = reason === "shutdown" ? WS_CLOSE.goingAway : reason === "reaped" ? WS_CLOSE.reaped : WS_CLOSE.deleted;
    peer.close(code, `session ${reason}`);
  };
  const sessionId = service.reserve(path === "/mcp" ? "mcp" : "ws", onEvict);
  const reply = (type: string, data: unknown) => {
    if (!closed) peer.send(JSON.stringify({ type, data }));
  };
  const fail = (e: unknown) => {
    const se = toServerError(e);
    if (se.code === "INTERNAL_ERROR") service.log.error("websocket message failed", { session_id: sessionId, error: e });
    reply("error", { message: se.message, code: se.code, ...(se.details !== undefined ? { details: se.details } : {}) });
  };

  const onMessage = (text: string) => {
    if (closed) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      if (path === "/mcp") peer.send(JSON.stringify(rpcError(null, RPC.PARSE_ERROR, `Parse error: ${(e as Error).message}`)));
      else fail(new ServerError("INVALID_JSON", `Invalid JSON: ${(e as Error).message}`));
      return;
    }
    try {
      if (path === "/mcp") {
        service.require(sessionId);
        const out = handleJsonRpc(service, msg, {
          boundSession: sessionId,
          rawText: text,
          notify: (_s, note) => !closed && peer.send(JSON.stringify(note)),
        });
        if (out) peer.send(JSON.stringify(out));
        return;
      }
      const m = (typeof msg === "object" && msg !== null && !Array.isArray(msg) ? msg : {}) as Record<string, unknown>;
      const type = typeof m.type === "string" ? m.type : "";
      switch (type) {
        case "reset": {
          const { episode_id, ...rest } = dataOf(m, {});
          const episodeId =
            episode_id === undefined || episode_id === null ? undefined : parse(episodeIdSchema, episode_id, "reset episode_id");
          reply("observation", resetObservation(service.reset(sessionId, rest, episodeId), episodeId ?? sessionId));
          return;
        }
        case "step": {
          const data = dataOf(m, undefined);
          if (data.type === "list_tools" || data.type === "call_tool") {
            reply("observation", mcpToolAction(service, sessionId, data, text));
            return;
          }
          reply("observation", stepObservation(wsStep(service, sessionId, data, text)));
          return;
        }
        case "state":
          reply("state", service.snapshot(sessionId, { messages: dataOf(m, {}).messages === true }));
          return;
        case "close":
          closed = true;
          service.close(sessionId, "closed");
          peer.close(WS_CLOSE.normal, "closed");
          return;
        case "mcp": {
          service.require(sessionId);
          const out = handleJsonRpc(service, m.data, {
            boundSession: sessionId,
            rawText: text,
            basePath: ["data"],
            notify: (_s, msg) => reply("mcp", msg),
          });
          if (out) reply("mcp", out);
          return;
        }
        default:
          throw new ServerError(
            "UNKNOWN_TYPE",
            `Unknown message type: ${type.slice(0, 64) || "(none)"}. Use reset, step, state, close or mcp.`,
          );
      }
    } catch (e) {
      fail(e);
    }
  };

  return {
    sessionId,
    onMessage,
    onClose() {
      closed = true;
      service.close(sessionId, "closed");
    },
  };
}

function dataOf(m: Record<string, unknown>, dflt: Record<string, unknown> | undefined): Record<string, unknown> {
  const d = m.data;
  if (d === undefined && dflt !== undefined) return dflt;
  if (typeof d !== "object" || d === null || Array.isArray(d))
    throw new ServerError("VALIDATION_ERROR", '[envtune] [server] `data` must be an object. Send {"type": ..., "data": {...}}.');
  return d as Record<string, unknown>;
}

/**
 * A `/ws` step's data: OpenEnv's action `{message, metadata?}` (what `EnvClient.step` sends, the
 * Action's `model_dump()`), the legacy `{action}` wrapper, or a bare assistant message. Anything
 * else is a `VALIDATION_ERROR` that costs no attempt.
 */
function wsStep(service: EnvtuneService, sessionId: string, data: Record<string, unknown>, text: string): WireStep {
  if ("message" in data) {
    const a = parse(actionSchema, data, "step action");
    return service.step(sessionId, { message: a.message }, text, ["data", "message"]);
  }
  if ("action" in data) return service.step(sessionId, data, text, ["data", "action"]);
  return service.step(sessionId, { message: data }, text, ["data"]);
}

/**
 * OpenEnv's MCP actions as steps (`ListToolsAction` / `CallToolAction` of
 * openenv/core/env_server/mcp_types.py), answered as the observations `MCPToolClient._parse_result`
 * reads: `{tools: [{name, description, input_schema}]}` and `{tool_name, result, error}`. This
 * mode has no notifications: a changed tool list shows in the next `list_tools`.
 */
function mcpToolAction(service: EnvtuneService, sessionId: string, data: Record<string, unknown>, text: string): Record<string, unknown> {
  const s = service.require(sessionId);
  if (data.type === "list_tools") {
    const tools = sessionTools(service, s).map((t) => ({
      name: t.function.name,
      description: t.function.description,
      input_schema: t.function.parameters,
    }));
    return { observation: { tools, metadata: {} }, reward: null, done: s.value.episode?.done ?? false };
  }
  const name = typeof data.tool_name === "string" ? data.tool_name : "";
  const args = data.arguments ?? {};
  if (name === "" || typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new ServerError(
      "VALIDATION_ERROR",
      "[envtune] [server] call_tool needs `tool_name` (a string) and `arguments` (an object). Send CallToolAction(tool_name=..., arguments={...}).",
    );
  }
  let r: ToolTurnResult;
  try {
    const exact = at(safePyJson(text), ["data", "arguments"]);
    const answer = (args as Record<string, unknown>).answer;
    r = callToolStep(
      service,
      sessionId,
      name,
      exact instanceof PyDict ? pyJsonDumps(exact) : JSON.stringify(args),
      typeof answer === "string" ? answer : undefined,
    );
  } catch (e) {
    const se = toServerError(e);
    if (se.code !== "VALIDATION_ERROR" || !/Unknown tool/.test(se.message)) throw se;
    return {
      observation: { tool_name: name, result: null, error: { error_type: "tool_not_found", message: se.message }, metadata: {} },
      reward: null,
      done: false,
    };
  }
  const resultText = r.content.map((c) => c.text).join("\n");
  const observation = {
    tool_name: name,
    // `MCPToolClient.call_tool` returns `result["data"]`: the text the host would see.
    result: { data: resultText, content: r.content, is_error: r.isError },
    error: null,
    metadata: r.step ? { "envtune/step": r.step } : {},
  };
  return { observation, reward: r.step?.reward ?? null, done: r.done };
}

/** OpenEnv observation layout of a reset: `{observation, reward: null, done: false}`. */
export function resetObservation(r: WireReset, episodeId: string = r.session_id): Record<string, unknown> {
  return {
    observation: { session_id: r.session_id, episode_id: episodeId, messages: r.messages, tools: r.tools, info: r.info },
    reward: null,
    done: false,
  };
}

/** OpenEnv observation layout of a step. */
export function stepObservation(s: WireStep): Record<string, unknown> {
  return {
    observation: { messages: s.messages, reward_components: s.reward_components, events: s.events, truncated: s.truncated, info: s.info },
    reward: s.reward,
    done: s.done,
  };
}

function safePyJson(text: string): PyValue | undefined {
  try {
    return parsePyJson(text);
  } catch {
    return undefined;
  }
}
