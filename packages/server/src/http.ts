/**
 * The Fetch-standard core: `(Request) => Promise<Response>` for every HTTP endpoint. Transports
 * (Node HTTP, the session router, tests) only convert to and from `Request`/`Response`.
 *
 * Endpoints: OpenEnv's `GET /health /schema /metadata /state /openapi.json`, `POST /reset /step`
 * and MCP's `POST|GET|DELETE /mcp`; `GET /v1/health /v1/info /v1/tools`; the native session REST
 * `POST /v1/sessions`, `POST /v1/sessions/{id}/step`, `GET|DELETE /v1/sessions/{id}`,
 * `GET /v1/tasks /v1/stages /v1/splits`; the episode runner `POST /v1/rollouts` and the reward
 * service `POST /v1/reward`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ServerError, serverError, toServerError } from "./errors.ts";
import { handleMcpHttp } from "./mcp-http.ts";
import { openapiDocument } from "./openapi.ts";
import { httpReset, httpState, httpStep } from "./openenv-http.ts";
import { announcesBody, checkJsonContentType, checkOriginAndHost, jsonTooDeep, tooDeepError } from "./guard.ts";
import type { EnvtuneService } from "./service.ts";

export type FetchHandler = (req: Request) => Promise<Response>;

/** An extra POST endpoint (episode runner, reward service) with the core's auth, limits and errors. */
export interface JsonRoute {
  handler: (body: unknown, ctx: { rawText: string; signal: AbortSignal; service: EnvtuneService }) => Promise<unknown> | unknown;
  /** Its own time limit (ms) instead of `requestTimeoutMs` (an LLM episode takes minutes). */
  timeoutMs?: number;
}

export interface FetchHandlerOptions {
  /** Extra `POST` routes by path (e.g. `/v1/rollouts`). */
  routes?: Record<string, JsonRoute>;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/**
 * Fast paths between this core and the Node transport, invisible to anyone else: the text of a
 * body the transport already read, and the text of a JSON response, so that neither is pushed
 * through a web stream again. Requests and responses stay complete Fetch objects.
 * @internal
 */
export const BODY_TEXT = new WeakMap<Request, string>();
/** @internal */
export const RESPONSE_TEXT = new WeakMap<Response, string>();

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const res = new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } });
  RESPONSE_TEXT.set(res, text);
  return res;
}

export function errorResponse(e: ServerError): Response {
  const headers: Record<string, string> = {};
  if (e.code === "CAPACITY_REACHED" || e.code === "SHUTTING_DOWN") headers["retry-after"] = "1";
  if (e.code === "UNAUTHORIZED") headers["www-authenticate"] = 'Bearer realm="envtune"';
  return json(e.toJSON(), e.status, headers);
}

/** Reads a request body as text, refusing more than `max` bytes without buffering them. */
export async function readBody(req: Request, max: number): Promise<string> {
  const pre = BODY_TEXT.get(req);
  if (pre !== undefined) {
    if (Buffer.byteLength(pre) > max) throw tooLargeBody(max);
    return pre;
  }
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) throw tooLargeBody(max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLargeBody(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLargeBody(max: number): ServerError {
  return serverError("PAYLOAD_TOO_LARGE", `The request body is over ${max} bytes.`, "Send a smaller body, or start the server with a larger `maxBodyBytes`.");
}

/** Parses a JSON body; deeper than `maxDepth` is a `VALIDATION_ERROR` (before it can overflow a stack). */
export function parseJsonText(text: string, maxDepth = 512): unknown {
  if (text.trim() === "") return {};
  if (jsonTooDeep(text, maxDepth)) throw tooDeepError(maxDepth);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServerError("INVALID_JSON", `[envtune] [server] The body is not valid JSON (${(e as Error).message}). Send a JSON object with content-type application/json.`);
  }
}

/** Constant-time bearer check (hashing first makes the lengths equal). */
export function checkBearer(header: string | null, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = createHash("sha256").update(m[1]!.trim()).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** Whether a request carries a non-empty body (the transport's pre-read text, else the stream and its length). */
function hasBody(req: Request): boolean {
  const pre = BODY_TEXT.get(req);
  if (pre !== undefined) return pre.length > 0;
  return req.body !== null && announcesBody(req.headers.get("content-length"), req.headers.get("transfer-encoding"));
}

const SESSION_PATH = /^\/v1\/sessions\/([^/]+)(\/step)?\/?$/;
const NEVER_ABORTED = new AbortController().signal;

export function createFetchHandler(service: EnvtuneService, opts: FetchHandlerOptions = {}): FetchHandler {
  const o = service.options;
  const log = service.log;
  const extra = opts.routes ?? {};

  const route = async (req: Request, url: URL, signal: AbortSignal): Promise<Response> => {
    const path = url.pathname;
    const method = req.method.toUpperCase();
    const body = async (): Promise<{ value: unknown; text: string }> => {
      const text = await readBody(req, o.maxBodyBytes);
      return { value: parseJsonText(text, o.maxJsonDepth), text };
    };
    const only = (...allowed: string[]) => {
      if (!allowed.includes(method)) throw new ServerError("METHOD_NOT_ALLOWED", `[envtune] [server] ${method} is not allowed on ${path}. Use ${allowed.join(" or ")}.`, { details: { allow: allowed } });
    };

    if (path === "/health") {
      only("GET", "HEAD");
      return json(service.health(), service.draining ? 503 : 200);
    }
    if (path === "/v1/health") {
      only("GET", "HEAD");
      return json(service.healthDetails(), service.draining ? 503 : 200);
    }
    if (!checkBearer(req.headers.get("authorization"), o.token)) {
      throw serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` with the server's token.");
    }
    if (path === "/metadata") {
      only("GET");
      return json(service.metadata());
    }
    if (path === "/v1/info") {
      only("GET");
      return json(service.info());
    }
    if (path === "/schema") {
      only("GET");
      return json(service.schema());
    }
    if (path === "/v1/tools") {
      only("GET");
      return json(service.tools(url.searchParams.get("task_id") ?? undefined, url.searchParams.get("stage") ?? undefined));
    }
    if (path === "/openapi.json") {
      only("GET");
      return json(openapiDocument(service));
    }
    if (path === "/mcp") return handleMcpHttp(service, req, url);
    if (path === "/reset") {
      only("POST");
      return httpReset(service, (await body()).value);
    }
    if (path === "/step") {
      only("POST");
      const { value, text } = await body();
      return httpStep(service, value, text);
    }
    if (path === "/state") {
      only("GET");
      return httpState(service, url);
    }
    if (path === "/v1/tasks") {
      only("GET");
      const q = url.searchParams;
      const num = (k: string) => {
        const v = q.get(k);
        if (v === null) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw serverError("VALIDATION_ERROR", `\`${k}\` must be a non-negative integer, got \`${v.slice(0, 32)}\`.`, "Fix the query string.");
        return n;
      };
      const part = q.get("part");
      if (part !== null && part !== "train" && part !== "val" && part !== "test") throw serverError("VALIDATION_ERROR", `\`part\` must be train, val or test, got \`${part.slice(0, 32)}\`.`, "Fix the query string.");
      const offset = num("offset");
      const limit = num("limit");
      return json(
        service.tasks({
          ...(q.get("split") !== null ? { split: q.get("split")! } : {}),
          ...(part !== null ? { part } : {}),
          ...(q.get("stage") !== null ? { stage: q.get("stage")! } : {}),
          ...(q.get("category") !== null ? { category: q.get("category")! } : {}),
          ...(offset !== undefined ? { offset } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }),
      );
    }
    if (path === "/v1/stages") {
      only("GET");
      return json({ stages: service.stagesView() });
    }
    if (path === "/v1/splits") {
      only("GET");
      return json({ default: service.env.split, splits: service.env.splitNames() });
    }
    if (path === "/v1/sessions" || path === "/v1/sessions/") {
      only("POST");
      const { value } = await body();
      const r = service.create(value, "rest");
      return json(r.body, r.status);
    }
    const m = SESSION_PATH.exec(path);
    if (m) {
      let id: string;
      try {
        id = decodeURIComponent(m[1]!);
      } catch {
        throw serverError("VALIDATION_ERROR", "The session id in the path is not valid percent-encoding.", "Use the id the create returned.");
      }
      if (m[2]) {
        only("POST");
        const { value, text } = await body();
        return json(service.step(id, value, text));
      }
      only("GET", "DELETE");
      if (method === "DELETE") {
        if (!service.close(id)) service.require(id);
        return json({ session_id: id, deleted: true });
      }
      const messages = url.searchParams.get("messages");
      return json(service.snapshot(id, { messages: messages === "1" || messages === "true" }));
    }
    const extraRoute = extra[path];
    if (extraRoute) {
      only("POST");
      const { value, text } = await body();
      return json(await extraRoute.handler(value, { rawText: text, signal, service }));
    }
    throw serverError("NOT_FOUND", `No endpoint ${method} ${path.slice(0, 200)}.`, "See GET /metadata; session endpoints live under /v1/sessions.");
  };

  return async (req: Request): Promise<Response> => {
    const t0 = performance.now();
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return errorResponse(serverError("VALIDATION_ERROR", "The request URL is malformed.", "Send an absolute URL."));
    }
    const h = req.headers;
    const refused = checkOriginAndHost(h.get("origin"), h.get("host"), o) ?? checkJsonContentType(h.get("content-type"), hasBody(req));
    if (refused) {
      log.debug("request refused", { method: req.method, path: url.pathname, code: refused.code });
      return errorResponse(refused);
    }
    // Only the long-running extra routes get an abort signal (it costs more than the request).
    const ac = extra[url.pathname] ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = extra[url.pathname]?.timeoutMs ?? o.requestTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac?.abort();
        reject(serverError("REQUEST_TIMEOUT", `The request took longer than ${limit} ms.`, "Retry; for long work raise `requestTimeoutMs`."));
      }, limit);
    });
    let res: Response;
    try {
      res = await Promise.race([route(req, url, ac?.signal ?? NEVER_ABORTED), timeout]);
    } catch (e) {
      const se = toServerError(e);
      if (se.status >= 500 && se.code !== "CAPACITY_REACHED") log.error("request failed", { method: req.method, path: url.pathname, code: se.code, error: e });
      res = errorResponse(se);
    } finally {
      clearTimeout(timer);
    }
    log.debug("request", { method: req.method, path: url.pathname, status: res.status, ms: Math.round((performance.now() - t0) * 1000) / 1000 });
    return res;
  };
}
