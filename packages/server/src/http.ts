/**
 * The Fetch-standard core: `(Request) => Promise<Response>` for every HTTP endpoint. Transports
 * (Node HTTP, the session router, tests) only convert to and from `Request`/`Response`.
 *
 * Every endpoint is an entry of the route table (routes.ts): OpenEnv's `GET /health /schema /metadata /state /openapi.json`, `POST /reset /step`
 * and MCP's `POST|GET|DELETE /mcp`; `GET /v1/health /v1/info /v1/tools`; the native session REST
 * `POST /v1/sessions`, `POST /v1/sessions/{id}/step`, `GET|DELETE /v1/sessions/{id}`,
 * `GET /v1/tasks /v1/stages /v1/splits`; the episode runner `POST /v1/rollouts` and the reward
 * service `POST /v1/reward`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ServerError, serverError, toServerError } from "./errors.ts";
import { announcesBody, checkJsonContentType, checkOriginAndHost, jsonTooDeep, tooDeepError } from "./guard.ts";
import { createRouteTable, type JsonRoute, type RouteMatch } from "./routes.ts";
import type { EnvtuneService } from "./service.ts";

export type FetchHandler = (req: Request) => Promise<Response>;

export type { JsonRoute } from "./routes.ts";

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
  return serverError(
    "PAYLOAD_TOO_LARGE",
    `The request body is over ${max} bytes.`,
    "Send a smaller body, or start the server with a larger `maxBodyBytes`.",
  );
}

/** Parses a JSON body; deeper than `maxDepth` is a `VALIDATION_ERROR` (before it can overflow a stack). */
export function parseJsonText(text: string, maxDepth = 512): unknown {
  if (text.trim() === "") return {};
  if (jsonTooDeep(text, maxDepth)) throw tooDeepError(maxDepth);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServerError(
      "INVALID_JSON",
      `[envtune] [server] The body is not valid JSON (${(e as Error).message}). Send a JSON object with content-type application/json.`,
    );
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

const NEVER_ABORTED = new AbortController().signal;

function unauthorized(): ServerError {
  return serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` with the server's token.");
}

export function createFetchHandler(service: EnvtuneService, opts: FetchHandlerOptions = {}): FetchHandler {
  const o = service.options;
  const log = service.log;
  const table = createRouteTable(opts.routes);

  const route = async (req: Request, url: URL, match: RouteMatch | undefined, signal: AbortSignal): Promise<Response> => {
    const path = url.pathname;
    const method = req.method.toUpperCase();
    // Unknown paths ask for the token too, so that they tell an anonymous caller nothing.
    if ((!match || match.route.auth) && !checkBearer(req.headers.get("authorization"), o.token)) throw unauthorized();
    if (!match)
      throw serverError(
        "NOT_FOUND",
        `No endpoint ${method} ${path.slice(0, 200)}.`,
        "See GET /metadata; session endpoints live under /v1/sessions.",
      );
    const allowed = match.route.methods;
    if (allowed !== "any" && !allowed.includes(method)) {
      throw new ServerError("METHOD_NOT_ALLOWED", `[envtune] [server] ${method} is not allowed on ${path}. Use ${allowed.join(" or ")}.`, {
        details: { allow: [...allowed] },
      });
    }
    const body = async (): Promise<{ value: unknown; text: string }> => {
      const text = await readBody(req, o.maxBodyBytes);
      return { value: parseJsonText(text, o.maxJsonDepth), text };
    };
    return match.route.handle({ req, url, method, params: match.params, service, signal, body });
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
    const match = table.match(url.pathname);
    // Only the long-running routes get an abort signal (it costs more than the request).
    const ac = match?.route.abortable ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = match?.route.timeoutMs ?? o.requestTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac?.abort();
        reject(
          serverError("REQUEST_TIMEOUT", `The request took longer than ${limit} ms.`, "Retry; for long work raise `requestTimeoutMs`."),
        );
      }, limit);
    });
    let res: Response;
    try {
      res = await Promise.race([route(req, url, match, ac?.signal ?? NEVER_ABORTED), timeout]);
    } catch (e) {
      const se = toServerError(e);
      if (se.status >= 500 && se.code !== "CAPACITY_REACHED")
        log.error("request failed", { method: req.method, path: url.pathname, code: se.code, error: e });
      res = errorResponse(se);
    } finally {
      clearTimeout(timer);
    }
    log.debug("request", {
      method: req.method,
      path: url.pathname,
      status: res.status,
      ms: Math.round((performance.now() - t0) * 1000) / 1000,
    });
    return res;
  };
}
