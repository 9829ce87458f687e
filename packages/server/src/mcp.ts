/**
 * MCP over JSON-RPC 2.0 for envtune sessions: `initialize` (version negotiation; on HTTP it opens
 * the session that `Mcp-Session-Id` names), `ping`, `tools/list`, `tools/call` (one tool call = one
 * episode step, see mcp-tools.ts), and OpenEnv's session methods `openenv/session/create|close|state`
 * (OpenEnv RFC 003). The same dispatcher serves `POST /mcp`, WebSocket `/mcp`, `{"type": "mcp"}`
 * messages on `/ws`, and stdio (`envtune mcp`).
 */
import { randomUUID } from "node:crypto";
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core";
import type { OpenAITool } from "@envtune/engine";
import { SERVER_ERROR_CODES, ServerError, serverError, toServerError } from "./errors.ts";
import { callToolStep, END_TURN_TOOL, END_TURN_TOOL_DEF, sessionTools } from "./mcp-tools.ts";
import { at, createParamsSchema, parse, VERSION, type CreateParams, type EnvtuneService } from "./service.ts";

/**
 * MCP revisions this server speaks, newest first. `initialize` answers the client's revision when
 * it is one of these, else the newest (MCP spec 2025-06-18, basic/lifecycle §Version Negotiation).
 */
export const MCP_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18"] as const;
export const MCP_PROTOCOL_VERSION: string = MCP_PROTOCOL_VERSIONS[0];

export function negotiateProtocolVersion(asked: unknown): string {
  return typeof asked === "string" && (MCP_PROTOCOL_VERSIONS as readonly string[]).includes(asked) ? asked : MCP_PROTOCOL_VERSION;
}

/** The notification that tells a client to fetch `tools/list` again. */
export const LIST_CHANGED = { jsonrpc: "2.0", method: "notifications/tools/list_changed" } as const;

/** JSON-RPC's own error codes. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
} as const;

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
  /** Called when `openenv/session/create` (or `initialize` with a task) resets a connection-bound session. */
  onBoundReset?: () => void;
  /** Task selection from the URL query of the MCP endpoint (`/mcp?task_id=...`), for `initialize`. */
  urlTask?: Record<string, unknown>;
  /** HTTP only: `initialize` opens a session and puts its id here (the `Mcp-Session-Id` response header). */
  opened?: { sessionId?: string; requestedId?: string; onEvict?: (sessionId: string) => void };
  /** Sends a server-to-client notification on the session's stream (SSE, WebSocket, stdout). */
  notify?: (sessionId: string, message: object) => void;
  /** Called once a `tools/call` finished the episode; a transport that plays a task sequence starts the next task and returns text for the host. */
  onEpisodeEnd?: (sessionId: string) => string | undefined;
}

const MAX_BATCH = 100;

/** Methods that create a session: a batch may hold at most `maxSessionsPerBatch` of them. */
const CREATING = new Set(["initialize", "openenv/session/create"]);

export function rpcError(id: RpcId, code: number, message: string, data?: unknown): RpcResponse {
  return { jsonrpc: "2.0", id, error: { code, message, ...(data !== undefined ? { data } : {}) } };
}

/** A ServerError as a JSON-RPC error; `data.code` carries the stable envtune code. */
export function rpcFromServerError(id: RpcId, e: ServerError): RpcResponse {
  return rpcError(id, SERVER_ERROR_CODES[e.code].rpc, e.message, {
    code: e.code,
    ...(e.details !== undefined ? { details: e.details } : {}),
  });
}

/** Dispatches one JSON-RPC payload (single or batch); null when nothing is to be sent back (notifications only). */
export function handleJsonRpc(service: EnvtuneService, payload: unknown, ctx: RpcContext = {}): RpcResponse | RpcResponse[] | null {
  if (Array.isArray(payload)) {
    if (payload.length === 0) return rpcError(null, RPC.INVALID_REQUEST, "Invalid Request: empty batch");
    if (payload.length > MAX_BATCH)
      return rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: a batch holds at most ${MAX_BATCH} requests`);
    // Checked before anything runs, so a refused batch creates nothing.
    const creates = payload.filter(
      (p) => typeof p === "object" && p !== null && CREATING.has((p as { method?: unknown }).method as string),
    ).length;
    const maxCreates = service.options.maxSessionsPerBatch;
    if (creates > maxCreates) {
      return rpcError(
        null,
        RPC.INVALID_REQUEST,
        `Invalid Request: a batch may create at most ${maxCreates} sessions (initialize / openenv/session/create), this one ${creates}. Send the creates in separate requests, or raise the server's \`maxSessionsPerBatch\`.`,
        { code: "VALIDATION_ERROR" },
      );
    }
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
  if (typeof req !== "object" || req === null || Array.isArray(req))
    return rpcError(null, RPC.INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object");
  const r = req as Record<string, unknown>;
  const rawId = r.id;
  const isNotification = !("id" in r);
  const id: RpcId = typeof rawId === "string" || typeof rawId === "number" ? rawId : null;
  if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || (rawId !== undefined && rawId !== null && id === null)) {
    return rpcError(id, RPC.INVALID_REQUEST, 'Invalid Request: need jsonrpc "2.0", a string method and a string/number id');
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
      return initialize(service, params, ctx);
    case "ping":
      return {};
    case "tools/list": {
      const sid = sessionOf(params, ctx);
      return { tools: sessionTools(service, sid !== undefined ? service.require(sid) : undefined).map(mcpTool) };
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
      if (typeof sid !== "string" || sid === "")
        throw serverError(
          "VALIDATION_ERROR",
          "Invalid params - 'session_id' is required.",
          "Pass the id `openenv/session/create` returned.",
        );
      if (sid === ctx.boundSession)
        throw new ServerError(
          "SESSION_ERROR",
          "[envtune] [server] Cannot close the WebSocket-managed session via MCP. Close the WebSocket instead.",
        );
      if (!service.close(sid))
        throw serverError("SESSION_NOT_FOUND", `Unknown session_id: ${sid.slice(0, 128)}.`, "It was closed or reaped already.");
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

/**
 * The task an `initialize` selects: the URL query merged with `capabilities.experimental.envtune`
 * or `_meta["envtune/task"]` of its params (both are places a standard client can fill; the
 * params win over the URL). Undefined when none names anything.
 */
export function taskSelection(
  params: Record<string, unknown>,
  urlTask: Record<string, unknown> | undefined,
): Omit<CreateParams, "session_id"> | undefined {
  const caps = params.capabilities as { experimental?: { envtune?: unknown } } | undefined;
  const meta = params._meta as Record<string, unknown> | undefined;
  const fromParams = caps?.experimental?.envtune ?? meta?.["envtune/task"];
  const merged = {
    ...(urlTask ?? {}),
    ...(typeof fromParams === "object" && fromParams !== null ? (fromParams as Record<string, unknown>) : {}),
  };
  if (Object.keys(merged).length === 0) return undefined;
  return parse(createParamsSchema.omit({ session_id: true }), merged, "MCP task selection");
}

function initialize(service: EnvtuneService, params: Record<string, unknown>, ctx: RpcContext): unknown {
  const task = taskSelection(params, ctx.urlTask);
  let sid = ctx.boundSession;
  if (sid !== undefined) {
    if (task) {
      service.reset(sid, task);
      ctx.onBoundReset?.();
    }
  } else if (ctx.opened) {
    // Streamable HTTP: every initialize opens a session of its own (MCP spec, transports §Session Management).
    const opened = ctx.opened;
    const id = opened.requestedId ?? randomUUID();
    const onEvict = () => opened.onEvict?.(id);
    if (task) service.create({ ...task, session_id: id }, "mcp", onEvict);
    else service.reserve("mcp", onEvict, id);
    opened.sessionId = sid = id;
  }
  return {
    protocolVersion: negotiateProtocolVersion(params.protocolVersion),
    capabilities: { tools: { listChanged: true } },
    serverInfo: { name: service.options.name, version: VERSION },
    instructions: instructions(service, sid),
  };
}

/** What the host's model needs before its first call: how turns work, and the first user request. */
function instructions(service: EnvtuneService, sid: string | undefined): string {
  const how =
    `BFCL multi-turn task. Do what the user asks with the tools; call \`${END_TURN_TOOL}\` (your reply as \`answer\`) when a request is done. ` +
    'Tool results carry the next request as "[envtune] Next user request: ..." and the end as "[envtune] Episode finished ...".';
  const ep = sid !== undefined ? service.sessions.peek(sid)?.value.episode : undefined;
  if (!ep)
    return `${how} No task is selected yet: connect with /mcp?task_id=... (or stage, seed, split), or pass them in capabilities.experimental.envtune.`;
  const first = ep.messages.filter((m) => m.role === "user").map((m) => m.content ?? "");
  return `${how}\n\n[envtune] Task ${ep.entry.id}. User request: ${first.join("\n")}`;
}

/** `tools/call`: one call as one episode step (mcp-tools.ts); list_changed goes out when the tool set changed. */
function callTool(service: EnvtuneService, params: Record<string, unknown>, ctx: RpcContext): unknown {
  const sid = sessionOf(params, ctx);
  if (sid === undefined)
    throw serverError(
      "VALIDATION_ERROR",
      "tools/call needs a session: send `initialize` first and then its Mcp-Session-Id header (or pass `session_id` from openenv/session/create).",
      "Start with initialize.",
    );
  const name = params.name;
  if (typeof name !== "string" || name === "") throw serverError("VALIDATION_ERROR", "Missing 'name' in params.", "Pass the tool name.");
  const args = params.arguments ?? {};
  if (typeof args !== "object" || args === null || Array.isArray(args))
    throw serverError("VALIDATION_ERROR", "`arguments` must be an object.", "Pass the tool arguments as a JSON object.");
  const answer = (args as Record<string, unknown>).answer;
  const r = callToolStep(
    service,
    sid,
    name,
    exactArguments(ctx, args as Record<string, unknown>),
    typeof answer === "string" ? answer : undefined,
  );
  let changed = r.toolsChanged;
  if (r.done && r.step) {
    const next = ctx.onEpisodeEnd?.(sid);
    if (next !== undefined) {
      r.content.push({ type: "text", text: next });
      changed = true;
    }
  }
  if (changed) ctx.notify?.(sid, LIST_CHANGED);
  return { content: r.content, isError: r.isError, ...(r.step ? { _meta: { "envtune/step": r.step } } : {}) };
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

export { END_TURN_TOOL, END_TURN_TOOL_DEF };

export function mcpTool(t: OpenAITool): { name: string; description: string; inputSchema: Record<string, unknown> } {
  return { name: t.function.name, description: t.function.description, inputSchema: t.function.parameters };
}
