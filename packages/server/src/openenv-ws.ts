/**
 * OpenEnv's WebSocket protocol, independent of any WebSocket library: one connection = one
 * session (its capacity slot is taken at connect), messages `reset` / `step` / `state` / `close` /
 * `mcp`, replies `observation` / `state` / `mcp` / `error`. On `/mcp` the connection speaks plain
 * JSON-RPC bound to its own session.
 */
import type { WireReset, WireStep } from "@envtune/engine";
import { ServerError, toServerError } from "./errors.ts";
import { handleJsonRpc, RPC, rpcError } from "./mcp.ts";
import type { EnvtuneService } from "./service.ts";
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
        const out = handleJsonRpc(service, msg, { boundSession: sessionId, rawText: text });
        if (out) peer.send(JSON.stringify(out));
        return;
      }
      const m = (typeof msg === "object" && msg !== null && !Array.isArray(msg) ? msg : {}) as Record<string, unknown>;
      const type = typeof m.type === "string" ? m.type : "";
      switch (type) {
        case "reset": {
          const data = dataOf(m, {});
          const { episode_id: _e, ...rest } = data;
          reply("observation", resetObservation(service.reset(sessionId, rest)));
          return;
        }
        case "step": {
          const data = dataOf(m, undefined);
          const wrapped = "message" in data || "action" in data;
          const step = service.step(sessionId, wrapped ? data : { message: data }, text, wrapped ? undefined : ["data"]);
          reply("observation", stepObservation(step));
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
          const out = handleJsonRpc(service, m.data, { boundSession: sessionId, rawText: text, basePath: ["data"] });
          if (out) reply("mcp", out);
          return;
        }
        default:
          throw new ServerError("UNKNOWN_TYPE", `Unknown message type: ${type.slice(0, 64) || "(none)"}. Use reset, step, state, close or mcp.`);
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
  if (typeof d !== "object" || d === null || Array.isArray(d)) throw new ServerError("VALIDATION_ERROR", "[envtune] [server] `data` must be an object. Send {\"type\": ..., \"data\": {...}}.");
  return d as Record<string, unknown>;
}

/** OpenEnv observation layout of a reset: `{observation, reward: null, done: false}`. */
export function resetObservation(r: WireReset): Record<string, unknown> {
  return { observation: { session_id: r.session_id, messages: r.messages, tools: r.tools, info: r.info }, reward: null, done: false };
}

/** OpenEnv observation layout of a step. */
export function stepObservation(s: WireStep): Record<string, unknown> {
  return {
    observation: { messages: s.messages, reward_components: s.reward_components, events: s.events, truncated: s.truncated, info: s.info },
    reward: s.reward,
    done: s.done,
  };
}
