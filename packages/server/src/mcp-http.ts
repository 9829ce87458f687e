/**
 * MCP's Streamable HTTP transport (MCP spec 2025-06-18, basic/transports) on `/mcp`:
 *   POST   JSON-RPC requests, answered as JSON; `initialize` opens a session (`Mcp-Session-Id`);
 *   GET    the session's SSE stream, which carries `notifications/tools/list_changed`;
 *   DELETE ends the session.
 * A request naming a session that does not exist (any more) gets 404, so the client starts over.
 */
import { serverError, toServerError } from "./errors.ts";
import { json, parseJsonText, readBody } from "./http.ts";
import { handleJsonRpc, MCP_PROTOCOL_VERSIONS, rpcError, RPC, type RpcContext } from "./mcp.ts";
import { parse, sessionIdSchema, type EnvtuneService } from "./service.ts";

const encoder = new TextEncoder();
/** A comment line every so often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** Open SSE streams per service and session. */
const streams = new WeakMap<EnvtuneService, Map<string, Set<ReadableStreamDefaultController<Uint8Array>>>>();

function streamsOf(service: EnvtuneService): Map<string, Set<ReadableStreamDefaultController<Uint8Array>>> {
  let m = streams.get(service);
  if (!m) streams.set(service, (m = new Map()));
  return m;
}

/** Sends one JSON-RPC message on every open stream of the session (dropped when none is open). */
export function notifySession(service: EnvtuneService, sessionId: string, message: object): void {
  const data = encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  for (const c of streamsOf(service).get(sessionId) ?? []) {
    try {
      c.enqueue(data);
    } catch {
      // A stream the client already closed.
    }
  }
}

/** Ends the session's streams (the session was deleted, reaped or the server stops). */
export function closeSessionStreams(service: EnvtuneService, sessionId: string): void {
  const set = streamsOf(service).get(sessionId);
  if (!set) return;
  streamsOf(service).delete(sessionId);
  service.mcpStreams -= set.size;
  for (const c of set) {
    try {
      c.close();
    } catch {
      // Already closed.
    }
  }
}

function openStream(service: EnvtuneService, sessionId: string): Response {
  const map = streamsOf(service);
  let ctrl: ReadableStreamDefaultController<Uint8Array>;
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
      let set = map.get(sessionId);
      if (!set) map.set(sessionId, (set = new Set()));
      set.add(c);
      service.mcpStreams++;
      // The first bytes make the client's fetch resolve before any notification exists.
      c.enqueue(encoder.encode(": envtune mcp stream\n\n"));
      timer = setInterval(() => {
        try {
          c.enqueue(encoder.encode(": keepalive\n\n"));
        } catch {
          clearInterval(timer);
        }
      }, KEEPALIVE_MS);
      timer.unref?.();
    },
    cancel() {
      clearInterval(timer);
      if (map.get(sessionId)?.delete(ctrl)) service.mcpStreams--;
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": sessionId },
  });
}

/** Session check shared by every method: a header naming no live session is a 404 (MCP spec, transports §Session Management). */
function unknownSession(sid: string): Response {
  return json(
    rpcError(null, RPC.INVALID_REQUEST, `Session not found: ${sid.slice(0, 128)}. Send initialize again (without Mcp-Session-Id).`, {
      code: "SESSION_NOT_FOUND",
    }),
    404,
  );
}

/** `/mcp` over HTTP (the caller checked auth). `url.search` may select the task (`?task_id=&stage=&seed=&split=&part=`). */
export async function handleMcpHttp(service: EnvtuneService, req: Request, url: URL): Promise<Response> {
  const method = req.method.toUpperCase();
  const sid = req.headers.get("mcp-session-id") ?? undefined;
  // The client names the revision `initialize` agreed on; one this server does not speak is a 400 (transports §Protocol Version Header).
  const version = req.headers.get("mcp-protocol-version");
  if (version !== null && !(MCP_PROTOCOL_VERSIONS as readonly string[]).includes(version)) {
    return json(
      rpcError(
        null,
        RPC.INVALID_REQUEST,
        `Unsupported MCP-Protocol-Version: ${version.slice(0, 40)}. This server speaks ${MCP_PROTOCOL_VERSIONS.join(", ")}.`,
      ),
      400,
    );
  }
  if (method === "DELETE") {
    if (!sid || !service.close(sid))
      throw serverError("SESSION_NOT_FOUND", "No such MCP session.", "Send the Mcp-Session-Id of an open session.");
    closeSessionStreams(service, sid);
    return new Response(null, { status: 204 });
  }
  if (method === "GET") {
    if (!sid)
      return json(
        rpcError(null, RPC.INVALID_REQUEST, "GET /mcp opens a session's SSE stream: send the Mcp-Session-Id that initialize returned."),
        400,
      );
    if (!service.sessions.has(sid)) return unknownSession(sid);
    return openStream(service, sid);
  }
  if (method !== "POST") {
    throw serverError(
      "METHOD_NOT_ALLOWED",
      `${method} is not allowed on /mcp.`,
      "Use POST (JSON-RPC), GET (SSE stream) or DELETE (end the session).",
      { allow: ["POST", "GET", "DELETE"] },
    );
  }
  let text: string;
  let payload: unknown;
  try {
    text = await readBody(req, service.options.maxBodyBytes);
    payload = parseJsonText(text, service.options.maxJsonDepth);
  } catch (e) {
    const se = toServerError(e);
    if (se.code === "INVALID_JSON") return json(rpcError(null, RPC.PARSE_ERROR, "Parse error"));
    throw se;
  }
  const isInit = (p: unknown) => typeof p === "object" && p !== null && (p as { method?: unknown }).method === "initialize";
  const init = Array.isArray(payload) ? payload.some(isInit) : isInit(payload);
  if (sid !== undefined && !init && !service.sessions.has(sid)) return unknownSession(sid);
  // The session router names the sessions it routes (`x-envtune-session-id`), as REST creates name theirs with `session_id`.
  const named = req.headers.get("x-envtune-session-id");
  const opened: NonNullable<RpcContext["opened"]> = {
    onEvict: (id) => closeSessionStreams(service, id),
    ...(named ? { requestedId: parse(sessionIdSchema, named, "x-envtune-session-id") } : {}),
  };
  const out = handleJsonRpc(service, payload, {
    rawText: text,
    ...(sid !== undefined && !init ? { headerSession: sid } : {}),
    ...(url.search ? { urlTask: taskQuery(url) } : {}),
    opened,
    notify: (id, msg) => notifySession(service, id, msg),
  });
  const headers: Record<string, string> = opened.sessionId ? { "mcp-session-id": opened.sessionId } : {};
  return out === null ? new Response(null, { status: 202, headers }) : json(out, 200, headers);
}

/** The task selection of the URL query: strings as given, `seed` as a number when it is one. */
function taskQuery(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["task_id", "stage", "seed", "split", "part"]) {
    const v = url.searchParams.get(k);
    if (v === null) continue;
    out[k] = k === "seed" && /^\d+$/.test(v) ? Number(v) : v;
  }
  const config = url.searchParams.get("config");
  if (config !== null) out.config = parseJsonText(config);
  return out;
}
