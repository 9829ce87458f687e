/**
 * Any single domain pack as an MCP tool server (streamable-HTTP transport, JSON responses), for
 * agents outside RL. Stateful per MCP session: `initialize` opens a session (the `Mcp-Session-Id`
 * response header) with its own world of the pack's class, loaded from a fixed initial state;
 * `tools/call` runs one call against that world with the reference's result strings; `DELETE /mcp`
 * ends it. Same limits, capacity, TTL, auth and logs as the environment server.
 */
import { randomUUID } from "node:crypto";
import { PyDict, World, parsePyJson, type DomainPack, type LongContextConstants, type PyValue } from "@envtune/core";
import { serverError, toServerError, type ServerError } from "./errors.ts";
import { checkBearer, errorResponse, json, parseJsonText, readBody, type FetchHandler } from "./http.ts";
import { createLogger, type Logger } from "./log.ts";
import { negotiateProtocolVersion, RPC, rpcError, rpcFromServerError, type RpcId, type RpcResponse } from "./mcp.ts";
import { unknownTool } from "./mcp-tools.ts";
import { serveFetch, type RunningServer } from "./node-http.ts";
import { reapInterval, resolveServerOptions, type ServerOptions, type ServerOptionsInput } from "./options.ts";
import { at, VERSION } from "./service.ts";
import { SessionStore } from "./sessions.ts";

export interface DomainMcpOptions extends ServerOptionsInput {
  pack: DomainPack;
  /** `initial_config` in BFCL layout (`{ClassName: {...}}`); default an empty config. */
  initialConfig?: PyDict;
  /** Actionable (augmented) messages instead of the reference texts. */
  augmented?: boolean;
  longContext?: boolean;
  constants?: LongContextConstants;
  log?: Logger;
}

export interface DomainMcpServer {
  readonly fetch: FetchHandler;
  readonly sessions: SessionStore<World>;
  readonly options: ServerOptions;
  listen(opts?: { port?: number; host?: string }): Promise<RunningServer>;
}

export function createDomainMcpServer(opts: DomainMcpOptions): DomainMcpServer {
  const { pack, initialConfig, augmented, longContext, constants, log: logger, ...rest } = opts;
  const options = resolveServerOptions({ name: `envtune-${pack.meta.name}`, ...rest });
  const log = logger ?? createLogger({ level: options.logLevel });
  const sessions = new SessionStore<World>({ capacity: options.capacity, ttlMs: options.sessionTtlMs, intervalMs: reapInterval(options) });
  const config = initialConfig ?? new PyDict();
  let draining = false;
  const tools = pack.openaiTools.map((t) => ({
    name: t.function.name,
    description: t.function.description,
    inputSchema: t.function.parameters,
  }));

  const newWorld = () =>
    new World({
      packs: [pack],
      initialConfig: config,
      longContext: longContext ?? false,
      ...(constants ? { constants } : {}),
      augmented: augmented ?? false,
    });

  const dispatch = (
    req: Record<string, unknown>,
    sid: string | undefined,
    ctx: { rawText: string; basePath: Array<string | number> },
    headers: Record<string, string>,
  ): unknown => {
    const method = req.method as string;
    const params = (req.params ?? {}) as Record<string, unknown>;
    if (method === "initialize") {
      const id = randomUUID();
      sessions.add(id, "domain-mcp", newWorld());
      headers["mcp-session-id"] = id;
      return {
        protocolVersion: negotiateProtocolVersion(params.protocolVersion),
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: options.name, version: VERSION },
        instructions: `The ${pack.meta.className} tools of BFCL (${pack.meta.description}). State persists for this MCP session.`,
      };
    }
    if (method === "ping") return {};
    if (method.startsWith("notifications/")) return null;
    if (method === "tools/list") return { tools };
    if (method === "tools/call") {
      if (sid === undefined)
        throw serverError(
          "VALIDATION_ERROR",
          "No MCP session: send `initialize` first and then the Mcp-Session-Id header.",
          "Start with initialize.",
        );
      const world = sessions.get(sid);
      if (!world) throw serverError("SESSION_NOT_FOUND", "The MCP session expired or was closed.", "Send `initialize` again.");
      const name = params.name;
      if (typeof name !== "string" || !pack.toolMap.has(name)) throw unknownTool(String(name));
      const args = params.arguments ?? {};
      if (typeof args !== "object" || args === null || Array.isArray(args))
        throw serverError("VALIDATION_ERROR", "`arguments` must be an object.", "Pass the tool arguments as a JSON object.");
      let exact: PyValue | undefined;
      try {
        exact = at(parsePyJson(ctx.rawText), [...ctx.basePath, "params", "arguments"]);
      } catch {
        exact = undefined;
      }
      const kw = exact instanceof PyDict ? [...exact.entries()] : [];
      const kwargs = kw.filter((e): e is [string, PyValue] => typeof e[0] === "string");
      world.steps++;
      const out = world.value.call({ name, args: [], kwargs });
      return { content: [{ type: "text", text: out.result }], isError: out.status !== "ok" };
    }
    return NO_METHOD;
  };

  const one = (
    req: unknown,
    sid: string | undefined,
    rawText: string,
    basePath: Array<string | number>,
    headers: Record<string, string>,
  ): RpcResponse | null => {
    if (typeof req !== "object" || req === null || Array.isArray(req)) return rpcError(null, RPC.INVALID_REQUEST, "Invalid Request");
    const r = req as Record<string, unknown>;
    const id: RpcId = typeof r.id === "string" || typeof r.id === "number" ? r.id : null;
    const notification = !("id" in r);
    if (r.jsonrpc !== "2.0" || typeof r.method !== "string")
      return rpcError(id, RPC.INVALID_REQUEST, 'Invalid Request: need jsonrpc "2.0" and a string method');
    if (r.params !== undefined && (typeof r.params !== "object" || r.params === null || Array.isArray(r.params)))
      return notification ? null : rpcError(id, RPC.INVALID_PARAMS, "Params must be an object");
    try {
      const result = dispatch(r, sid, { rawText, basePath }, headers);
      if (notification) return null;
      if (result === NO_METHOD) return rpcError(id, RPC.METHOD_NOT_FOUND, `Method not found: ${r.method.slice(0, 100)}`);
      return { jsonrpc: "2.0", id, result };
    } catch (e) {
      return notification ? null : rpcFromServerError(id, toServerError(e));
    }
  };

  const fetch: FetchHandler = async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return errorResponse(serverError("VALIDATION_ERROR", "The request URL is malformed.", "Send an absolute URL."));
    }
    try {
      if (url.pathname === "/health") {
        return json(
          {
            status: draining ? "draining" : "healthy",
            version: VERSION,
            domain: pack.meta.name,
            sessions: sessions.stats(),
            memory: process.memoryUsage(),
          },
          draining ? 503 : 200,
        );
      }
      if (!checkBearer(req.headers.get("authorization"), options.token))
        throw serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>`.");
      if (url.pathname !== "/mcp")
        throw serverError("NOT_FOUND", `No endpoint ${url.pathname.slice(0, 200)}.`, "The MCP endpoint is POST /mcp.");
      const sid = req.headers.get("mcp-session-id") ?? undefined;
      if (req.method === "DELETE") {
        if (!sid || !sessions.delete(sid))
          throw serverError("SESSION_NOT_FOUND", "No such MCP session.", "Send the Mcp-Session-Id of an open session.");
        return new Response(null, { status: 204 });
      }
      if (req.method !== "POST")
        throw serverError(
          "METHOD_NOT_ALLOWED",
          `${req.method} is not allowed on /mcp.`,
          "Use POST (or DELETE to end a session); this server sends no SSE streams.",
        );
      const text = await readBody(req, options.maxBodyBytes);
      let payload: unknown;
      try {
        payload = parseJsonText(text);
      } catch {
        return json(rpcError(null, RPC.PARSE_ERROR, "Parse error"), 400);
      }
      const headers: Record<string, string> = {};
      const isInit = (p: unknown) => typeof p === "object" && p !== null && (p as { method?: unknown }).method === "initialize";
      const batch = Array.isArray(payload);
      const items = batch ? (payload as unknown[]) : [payload];
      if (items.length === 0 || items.length > 100) return json(rpcError(null, RPC.INVALID_REQUEST, "Invalid Request: batch size"), 400);
      // Streamable HTTP: only `initialize` may come without a session id; an unknown id is a 404.
      if (!items.some(isInit)) {
        if (sid === undefined) return json(rpcError(null, RPC.INVALID_REQUEST, "Bad Request: No valid session ID provided"), 400);
        if (!sessions.has(sid)) return json(rpcError(null, RPC.INVALID_REQUEST, "Session not found"), 404);
      }
      const out = items.map((it, i) => one(it, sid, text, batch ? [i] : [], headers)).filter((x): x is RpcResponse => x !== null);
      if (out.length === 0) return new Response(null, { status: 202, headers });
      return json(batch ? out : out[0], 200, headers);
    } catch (e) {
      const se: ServerError = toServerError(e);
      if (se.status >= 500) log.error("domain mcp request failed", { error: e });
      return errorResponse(se);
    }
  };

  return {
    fetch,
    sessions,
    options,
    async listen(l = {}) {
      sessions.start();
      const running = await serveFetch(fetch, {
        ...(l.port !== undefined ? { port: l.port } : {}),
        ...(l.host !== undefined ? { host: l.host } : {}),
        requestTimeoutMs: options.requestTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        shutdownGraceMs: options.shutdownGraceMs,
        guard: options,
        log,
        onDrain: () => {
          draining = true;
        },
        onClosed: () => {
          sessions.stop();
          sessions.clear();
        },
      });
      log.info("domain MCP server listening", { url: running.url, domain: pack.meta.name });
      return running;
    },
  };
}

const NO_METHOD = Symbol("no method");
