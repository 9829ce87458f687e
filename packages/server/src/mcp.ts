/**
 * MCP over JSON-RPC 2.0 for envtune sessions (OpenEnv RFC 003 shape): `initialize`, `ping`,
 * `tools/list`, `tools/call` (one tool call = one episode step), and OpenEnv's session methods
 * `openenv/session/create` / `openenv/session/close`. The same dispatcher serves `POST /mcp`,
 * WebSocket `/mcp`, and `{"type": "mcp"}` messages on `/ws`.
 */
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core";
import type { OpenAITool, WireStep } from "@envtune/engine";
import { SERVER_ERROR_CODES, ServerError, serverError, toServerError } from "./errors.ts";
import { at, VERSION, type EnvtuneService } from "./service.ts";

export const MCP_PROTOCOL_VERSION = "2025-06-18";

/** JSON-RPC's own error codes. */
export const RPC = { PARSE_ERROR: -32700, INVALID_REQUEST: -32600, METHOD_NOT_FOUND: -32601, INVALID_PARAMS: -32602, INTERNAL_ERROR: -32603, SERVER_ERROR: -32000 } as const;

export type RpcId = string | number | null;

export interface RpcResponse {
  jsonrpc: "2.0";
  id: RpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface RpcContext {
  /** The session a WebSocket connection owns; requests without `session_id` use it. */
  boundSession?: string;
  /** `Mcp-Session-Id` request header. */
  headerSession?: string;
  /** The request text, to re-read tool arguments exactly (`1.0` stays a float). */
  rawText?: string;
  /** Where the JSON-RPC payload sits in `rawText` (e.g. `["data"]` inside a WebSocket message). */
  basePath?: ReadonlyArray<string | number>;
  /** Called when `openenv/session/create` runs on a connection-bound session. */
  onBoundReset?: () => void;
}

const MAX_BATCH = 100;

export function rpcError(id: RpcId, code: number, message: string, data?: unknown): RpcResponse {
  return { jsonrpc: "2.0", id, error: { code, message, ...(data !== undefined ? { data } : {}) } };
}

/** A ServerError as a JSON-RPC error; `data.code` carries the stable envtune code. */
export function rpcFromServerError(id: RpcId, e: ServerError): RpcResponse {
  return rpcError(id, SERVER_ERROR_CODES[e.code].rpc, e.message, { code: e.code, ...(e.details !== undefined ? { details: e.details } : {}) });
}

/** Dispatches one JSON-RPC payload (single or batch); null when nothing is to be sent back (notifications only). */
export function handleJsonRpc(service: EnvtuneService, payload: unknown, ctx: RpcContext = {}): RpcResponse | RpcResponse[] | null {
  if (Array.isArray(payload)) {
    if (payload.length === 0) return rpcError(null, RPC.INVALID_REQUEST, "Invalid Request: empty batch");
    if (payload.length > MAX_BATCH) return rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: a batch holds at most ${MAX_BATCH} requests`);
    const out: RpcResponse[] = [];
    payload.forEach((p, i) => {
      const r = handleOne(service, p, { ...ctx, basePath: [...(ctx.basePath ?? []), i] });
      if (r) out.push(r);
    });
    return out.length ? out : null;
  }
  return handleOne(service, payload, ctx);
}

function handleOne(service: EnvtuneService, req: unknown, ctx: RpcContext): RpcResponse | null {
  if (typeof req !== "object" || req === null || Array.isArray(req)) return rpcError(null, RPC.INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object");
  const r = req as Record<string, unknown>;
  const rawId = r.id;
  const isNotification = !("id" in r);
  const id: RpcId = typeof rawId === "string" || typeof rawId === "number" ? rawId : null;
  if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || (rawId !== undefined && rawId !== null && id === null)) {
    return rpcError(id, RPC.INVALID_REQUEST, "Invalid Request: need jsonrpc \"2.0\", a string method and a string/number id");
  }
  const params = r.params === undefined ? {} : r.params;
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return isNotification ? null : rpcError(id, RPC.INVALID_PARAMS, "Params must be an object");
  }
  try {
    const result = dispatch(service, r.method, params as Record<string, unknown>, ctx);
    if (isNotification) return null;
    if (result === NO_METHOD) return rpcError(id, RPC.METHOD_NOT_FOUND, `Method not found: ${r.method.slice(0, 100)}`);
    return { jsonrpc: "2.0", id, result };
  } catch (e) {
    if (isNotification) return null;
    const se = toServerError(e);
    if (se.code === "INTERNAL_ERROR") service.log.error("mcp request failed", { method: r.method, error: e });
    return rpcFromServerError(id, se);
  }
}

const NO_METHOD = Symbol("no method");

function sessionOf(params: Record<string, unknown>, ctx: RpcContext): string | undefined {
  if (typeof params.session_id === "string") return params.session_id;
  return ctx.boundSession ?? ctx.headerSession;
}

function dispatch(service: EnvtuneService, method: string, params: Record<string, unknown>, ctx: RpcContext): unknown {
  switch (method) {
    case "initialize":
      return {
        protocolVersion: typeof params.protocolVersion === "string" ? params.protocolVersion : MCP_PROTOCOL_VERSION,
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: service.options.name, version: VERSION },
        instructions: "Create an episode with `openenv/session/create` ({task_id} or {stage, seed}); every `tools/call` with its `session_id` is one episode step.",
      };
    case "ping":
      return {};
    case "tools/list": {
      const sid = sessionOf(params, ctx);
      const ep = sid !== undefined ? service.require(sid).value.episode : undefined;
      return { tools: (ep ? ep.tools : service.env.allTools()).map(mcpTool) };
    }
    case "tools/call":
      return callTool(service, params, ctx);
    case "openenv/session/create": {
      if (ctx.boundSession !== undefined) {
        const { session_id: _ignored, ...rest } = params;
        const body = service.reset(ctx.boundSession, rest);
        ctx.onBoundReset?.();
        return body;
      }
      return service.create(params, "mcp").body;
    }
    case "openenv/session/close": {
      const sid = params.session_id;
      if (typeof sid !== "string" || sid === "") throw serverError("VALIDATION_ERROR", "Invalid params - 'session_id' is required.", "Pass the id `openenv/session/create` returned.");
      if (sid === ctx.boundSession) throw new ServerError("SESSION_ERROR", "[envtune] [server] Cannot close the WebSocket-managed session via MCP. Close the WebSocket instead.");
      if (!service.close(sid)) throw serverError("SESSION_NOT_FOUND", `Unknown session_id: ${sid.slice(0, 128)}.`, "It was closed or reaped already.");
      return { session_id: sid, closed: true };
    }
    case "openenv/session/state": {
      const sid = sessionOf(params, ctx);
      if (sid === undefined) throw serverError("VALIDATION_ERROR", "Invalid params - 'session_id' is required.", "Pass the session id.");
      return service.snapshot(sid, { messages: params.messages === true });
    }
    case "envtune/step": {
      const sid = sessionOf(params, ctx);
      if (sid === undefined) throw serverError("VALIDATION_ERROR", "Invalid params - 'session_id' is required.", "Pass the session id.");
      const { session_id: _s, ...step } = params;
      return service.step(sid, step, ctx.rawText, [...(ctx.basePath ?? []), "params", "message"]);
    }
    default:
      if (method.startsWith("notifications/")) return null;
      return NO_METHOD;
  }
}

let callCounter = 0;

/** `tools/call`: one call as one episode step; the tool's result string is the text content. */
function callTool(service: EnvtuneService, params: Record<string, unknown>, ctx: RpcContext): unknown {
  const sid = sessionOf(params, ctx);
  if (sid === undefined) throw serverError("VALIDATION_ERROR", "tools/call needs a session: pass `session_id` (from openenv/session/create) or the Mcp-Session-Id header.", "Create a session first.");
  const name = params.name;
  if (typeof name !== "string" || name === "") throw serverError("VALIDATION_ERROR", "Missing 'name' in params.", "Pass the tool name.");
  const args = params.arguments ?? {};
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw serverError("VALIDATION_ERROR", "`arguments` must be an object.", "Pass the tool arguments as a JSON object.");
  const text = exactArguments(ctx, args as Record<string, unknown>);
  const callId = `mcp_${++callCounter}`;
  const step: WireStep = service.step(sid, { message: { role: "assistant", content: null, tool_calls: [{ id: callId, type: "function", function: { name, arguments: text } }] } });
  const own = step.messages.find((m) => m.role === "tool" && m.tool_call_id === callId);
  const content = own?.content ?? step.messages.map((m) => m.content ?? "").join("\n");
  const ev = step.events.find((e) => e.type === "tool_ok" || e.type === "tool_error" || e.type === "parse_error" || e.type === "not_executed");
  return {
    content: [{ type: "text", text: content }],
    isError: ev !== undefined && ev.type !== "tool_ok",
    _meta: { "envtune/step": step },
  };
}

function exactArguments(ctx: RpcContext, args: Record<string, unknown>): string {
  if (ctx.rawText !== undefined) {
    let parsed: PyValue | undefined;
    try {
      parsed = parsePyJson(ctx.rawText);
    } catch {
      parsed = undefined;
    }
    const node = at(parsed, [...(ctx.basePath ?? []), "params", "arguments"]);
    if (node instanceof PyDict) return pyJsonDumps(node);
  }
  return JSON.stringify(args);
}

export function mcpTool(t: OpenAITool): { name: string; description: string; inputSchema: Record<string, unknown> } {
  return { name: t.function.name, description: t.function.description, inputSchema: t.function.parameters };
}
