/**
 * Horizontal scale: N server processes behind a router that pins every session to one process
 * by its id. The session id is the routing key (rendezvous hashing over the backend list), so the
 * trainer's own ids (verl `instance_id`, a rollout's request id) route without any shared state.
 * Creates without an id get one here, before routing. Stateless endpoints go round-robin;
 * `/v1/health` aggregates every backend (`/health` is its OpenEnv `{status}`). WebSocket connections are sessions by themselves: the router
 * picks a backend (by `?session_id=` or round-robin) and relays frames.
 *
 * Any consistent-hash proxy can replace this router as long as clients supply the session id on
 * create (all the Python adapters do) and the proxy hashes on it (see the package README).
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { serverError, toServerError } from "./errors.ts";
import { announcesBody, checkJsonContentType, checkOriginAndHost, jsonTooDeep, tooDeepError, type GuardPolicy } from "./guard.ts";
import { checkBearer, errorResponse, json, readBody, type FetchHandler } from "./http.ts";
import { createLogger, type Logger } from "./log.ts";
import { rewardAnswer, rewardRoute, type RewardDetail } from "./reward.ts";
import { createRouteTable, type Route, type RouteMatch } from "./routes.ts";
import { backpressured, refuseByGuard, refuseUpgrade, serveFetch, type RunningServer, type UpgradeHandler } from "./node-http.ts";

/** The backend a session id belongs to: highest SHA-1 score of `id \0 backend` (rendezvous hashing). */
export function routeSession(sessionId: string, backends: readonly string[]): string {
  if (backends.length === 0) throw new Error("[envtune] [router] No backends configured. Pass at least one backend URL.");
  let best = backends[0]!;
  let bestScore = -1n;
  for (const b of backends) {
    const h = createHash("sha1").update(sessionId).update("\0").update(b).digest();
    const score = h.readBigUInt64BE(0);
    if (score > bestScore) {
      bestScore = score;
      best = b;
    }
  }
  return best;
}

/** Every backend, best first, in the rendezvous order of `sessionId` (the first is `routeSession`'s). */
export function rendezvousOrder(sessionId: string, backends: readonly string[]): string[] {
  const score = (b: string) => createHash("sha1").update(sessionId).update("\0").update(b).digest().readBigUInt64BE(0);
  return [...backends]
    .map((b) => [b, score(b)] as const)
    .sort((x, y) => (x[1] > y[1] ? -1 : x[1] < y[1] ? 1 : 0))
    .map(([b]) => b);
}

export interface SessionRouterOptions {
  /** Backend base URLs (`http://127.0.0.1:8001`). */
  backends: readonly string[];
  maxBodyBytes?: number;
  /** Per forwarded request (ms). */
  timeoutMs?: number;
  log?: Logger;
  /**
   * The workers' bearer token: checked here too, so that an unauthenticated WebSocket gets 401
   * before the upgrade, as from a single server (the workers check every request anyway).
   */
  token?: string;
  /** Origins and `Host` names allowed besides loopback ones, as on a single server (`*` = any). */
  allowOrigins?: readonly string[];
  allowHosts?: readonly string[];
  /** Deepest JSON nesting of a body (default 512), as on a single server. */
  maxJsonDepth?: number;
  /** Unread reply bytes a relayed WebSocket may queue before the relay stops reading its backend (default 4 MiB). */
  wsMaxBufferedBytes?: number;
}

export interface SessionRouter {
  readonly fetch: FetchHandler;
  readonly upgrade: UpgradeHandler;
  /**
   * Points backend slot `index` at a new URL (a restarted worker listens on a new port). Sessions
   * keep hashing to the slot, whose key stays the slot's first URL, so only the sessions that lived
   * in the dead process are lost.
   */
  setBackend(index: number, url: string): void;
  listen(opts?: { port?: number; host?: string }): Promise<RunningServer>;
}

/** The server's routes (with the reward service, whose batches fan out by session): which requests carry a session id and where. */
const ROUTES = createRouteTable({ "/v1/reward": rewardRoute() });
const HOP_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "proxy-authenticate",
]);

/** What the router's parts share: the backends, where each session lives, and the limits. */
interface RouterState {
  opts: SessionRouterOptions;
  /** Routing keys, fixed for the router's life; the URL behind a key can change (worker restart). */
  keys: string[];
  backends: string[];
  /** Sessions created away from their hash's slot because it was down: id → slot (bounded, oldest out). */
  moved: Map<string, number>;
  maxBody: number;
  timeoutMs: number;
  log: Logger;
  policy: GuardPolicy;
  maxDepth: number;
  bySession(id: string): string;
  anyBackend(): string;
}

function routerState(opts: SessionRouterOptions): RouterState {
  const keys = opts.backends.map((b) => b.replace(/\/+$/, ""));
  if (keys.length === 0) throw new Error("[envtune] [router] No backends configured. Pass at least one backend URL.");
  const backends = [...keys];
  const moved = new Map<string, number>();
  let rr = 0;
  return {
    opts,
    keys,
    backends,
    moved,
    maxBody: opts.maxBodyBytes ?? 1024 * 1024,
    timeoutMs: opts.timeoutMs ?? 30_000,
    log: opts.log ?? createLogger({ level: "info" }),
    policy: { allowOrigins: opts.allowOrigins ?? [], allowHosts: opts.allowHosts ?? [] },
    maxDepth: opts.maxJsonDepth ?? 512,
    bySession: (id) => backends[moved.get(id) ?? keys.indexOf(routeSession(id, keys))]!,
    anyBackend: () => backends[rr++ % backends.length]!,
  };
}

/** Sends the request on to `backend` as it came (less hop headers), and its answer back. */
async function forward(
  st: RouterState,
  req: Request,
  url: URL,
  backend: string,
  body?: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const headers = new Headers();
  req.headers.forEach((v, k) => {
    if (!HOP_HEADERS.has(k)) headers.set(k, v);
  });
  headers.set("x-envtune-routed-by", "envtune-router");
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  // An MCP event stream (GET /mcp) lives as long as its session: no request timeout, passed through as it comes.
  const stream = req.method === "GET" && url.pathname === "/mcp";
  let res: Response;
  try {
    res = await fetch(backend + url.pathname + url.search, {
      method: req.method,
      headers,
      ...(body !== undefined && req.method !== "GET" && req.method !== "HEAD" ? { body } : {}),
      ...(stream ? {} : { signal: AbortSignal.timeout(st.timeoutMs) }),
    });
  } catch (e) {
    st.log.warn("backend unreachable", { backend, error: (e as Error).message });
    return errorResponse(
      serverError(
        "UPSTREAM_ERROR",
        `Backend ${backend} did not answer.`,
        "Check that every worker is up (GET /v1/health on the router lists them).",
      ),
    );
  }
  const out = new Headers();
  res.headers.forEach((v, k) => {
    if (!HOP_HEADERS.has(k) && k !== "content-encoding") out.set(k, v);
  });
  out.set("x-envtune-backend", backend);
  if (stream && res.ok) return new Response(res.body, { status: res.status, headers: out });
  // 204 and 304 may not carry a body, not even an empty one (the Response constructor throws).
  const empty = res.status === 204 || res.status === 304;
  return new Response(empty ? null : await res.arrayBuffer(), { status: res.status, headers: out });
}

/** `/v1/health` of every backend in one answer. */
async function aggregateHealth(st: RouterState): Promise<Response> {
  const results = await Promise.all(
    st.backends.map(async (b, slot) => {
      try {
        const r = await fetch(b + "/v1/health", { signal: AbortSignal.timeout(Math.min(st.timeoutMs, 5000)) });
        return { slot, url: b, ok: r.ok, ...((await r.json()) as Record<string, unknown>) };
      } catch (e) {
        return { slot, url: b, ok: false, status: "unreachable", error: (e as Error).message };
      }
    }),
  );
  const active = results.reduce((n, r) => n + (((r as { sessions?: { active?: number } }).sessions?.active as number | undefined) ?? 0), 0);
  const up = results.filter((r) => r.ok).length;
  const status = up === st.backends.length ? "healthy" : up > 0 ? "degraded" : "unhealthy";
  return json({ status, router: true, sessions: { active }, backends: results }, up > 0 ? 200 : 503);
}

/** The router's answer to a health route: all details on `/v1/health`, OpenEnv's exact `{status}` (extra="forbid") on `/health`. */
async function health(st: RouterState, route: Route): Promise<Response> {
  const h = await aggregateHealth(st);
  if (route.name === "v1-health") return h;
  const { status } = (await h.json()) as { status: string };
  return json({ status: status === "healthy" ? "healthy" : status === "degraded" ? "degraded" : "unhealthy" }, h.status);
}

/** A request on `/v1/sessions/{id}[/step]`: to the id's backend. */
async function toSession(st: RouterState, req: Request, url: URL, rawId: string): Promise<Response> {
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    id = rawId;
  }
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req, st.maxBody);
  return forward(st, req, url, st.bySession(id), body);
}

/** `POST /v1/sessions`: the id comes from the body, the `x-session-id` header or here. */
async function create(st: RouterState, req: Request, url: URL): Promise<Response> {
  const text = await readBody(req, st.maxBody);
  const parsed = tryJson(text, st.maxDepth);
  // Only a missing id is filled in; a malformed one goes through as sent, for the worker's 400.
  if (isObject(parsed) && (parsed.session_id === undefined || typeof parsed.session_id === "string")) {
    if (parsed.session_id === undefined) parsed.session_id = req.headers.get("x-session-id") ?? randomUUID();
    return createWithFailover(st, req, url, parsed.session_id as string, JSON.stringify(parsed));
  }
  return forward(st, req, url, st.backends[0]!, text);
}

/**
 * A create goes to its id's slot; when that backend does not answer (or is shutting down) it goes
 * to the next slot of the id's rendezvous order, and the router remembers where the id went.
 * A create is safe to repeat elsewhere: the session did not start where no answer came.
 */
async function createWithFailover(st: RouterState, req: Request, url: URL, id: string, body: string): Promise<Response> {
  const known = st.moved.get(id);
  const order = known !== undefined ? [known] : rendezvousOrder(id, st.keys).map((k) => st.keys.indexOf(k));
  let res: Response | undefined;
  for (const slot of order) {
    res = await forward(st, req, url, st.backends[slot]!, body);
    // Our own UPSTREAM_ERROR has no backend header; a draining backend answers SHUTTING_DOWN.
    const down =
      (res.status === 502 && !res.headers.has("x-envtune-backend")) ||
      (res.status === 503 &&
        (tryJson(await res.clone().text(), st.maxDepth) as { error?: { code?: string } } | undefined)?.error?.code === "SHUTTING_DOWN");
    if (down) continue;
    if (res.ok && slot !== order[0]) {
      st.moved.set(id, slot);
      if (st.moved.size > 65_536) st.moved.delete(st.moved.keys().next().value!);
      st.log.warn("session created away from its slot", { session_id: id, slot, url: st.backends[slot] });
    }
    return res;
  }
  return res!;
}

/** `POST /mcp`: by `Mcp-Session-Id`, else by the session a JSON-RPC call names (the router names new ones). */
async function mcpPost(st: RouterState, req: Request, url: URL): Promise<Response> {
  const text = await readBody(req, st.maxBody);
  const parsed = tryJson(text, st.maxDepth);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  let key: string | undefined = req.headers.get("mcp-session-id") ?? undefined;
  // An MCP `initialize` opens a session: the router names it, so its id hashes to the backend that holds it.
  if (key === undefined && items.some((it) => isObject(it) && it.method === "initialize")) {
    const id = randomUUID();
    return forward(st, req, url, st.bySession(id), text, { "x-envtune-session-id": id });
  }
  let rewritten = false;
  for (const it of items) {
    if (!isObject(it)) continue;
    const params = isObject(it.params) ? it.params : undefined;
    if (it.method === "openenv/session/create" && params === undefined) it.params = {};
    const p = isObject(it.params) ? it.params : undefined;
    if (it.method === "openenv/session/create" && p && p.session_id === undefined) {
      p.session_id = randomUUID();
      rewritten = true;
    }
    if (key === undefined && p && typeof p.session_id === "string") key = p.session_id;
  }
  return forward(st, req, url, key !== undefined ? st.bySession(key) : st.anyBackend(), rewritten ? JSON.stringify(parsed) : text);
}

/** Reward batches whose labels name sessions go to each session's backend, then merge in order. */
async function rewardByLabel(st: RouterState, req: Request, url: URL): Promise<Response> {
  const text = await readBody(req, st.maxBody);
  const parsed = tryJson(text, st.maxDepth);
  if (!isObject(parsed) || !Array.isArray(parsed.labels) || !Array.isArray(parsed.query))
    return forward(st, req, url, st.anyBackend(), text);
  const labels = parsed.labels as unknown[];
  const groups = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const sid = typeof l === "string" ? (tryJson(l, st.maxDepth) as { session_id?: unknown } | undefined)?.session_id : undefined;
    const b = typeof sid === "string" ? st.bySession(sid) : st.backends[0]!;
    groups.set(b, [...(groups.get(b) ?? []), i]);
  });
  if (groups.size <= 1) return forward(st, req, url, groups.keys().next().value ?? st.anyBackend(), text);
  const details = new Array<RewardDetail>(labels.length);
  for (const [b, idx] of groups) {
    const pick = <T>(a: unknown): T[] | undefined => (Array.isArray(a) ? idx.map((i) => a[i] as T) : undefined);
    const sub = {
      ...parsed,
      query: pick(parsed.query),
      labels: pick(parsed.labels),
      ...(Array.isArray(parsed.prompts) ? { prompts: pick(parsed.prompts) } : {}),
    };
    const res = await forward(st, req, url, b, JSON.stringify(sub));
    if (!res.ok) return res;
    const body = (await res.json()) as { rewards: number[]; details?: RewardDetail[] };
    idx.forEach((i, k) => {
      details[i] = body.details?.[k] ?? { reward: body.rewards[k] ?? 0, reward_components: {}, error: null };
    });
  }
  // Merged per sample, then laid out as one batch: `extra_logs` stays numbers only (reward.ts).
  return json(rewardAnswer(details));
}

/** Any other request: round-robin (stateless endpoints). */
async function anywhere(st: RouterState, req: Request, url: URL): Promise<Response> {
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req, st.maxBody);
  return forward(st, req, url, st.anyBackend(), body);
}

/** Places an authenticated request by its route's `routing` (the server's route table says which requests carry a session). */
function place(st: RouterState, req: Request, url: URL, match: RouteMatch | undefined): Promise<Response> {
  const post = req.method === "POST";
  switch (match?.route.routing) {
    case "session":
      return toSession(st, req, url, match.params.id!);
    case "create":
      return post ? create(st, req, url) : anywhere(st, req, url);
    case "mcp":
      if (post) return mcpPost(st, req, url);
      if (req.method === "DELETE" || req.method === "GET") {
        const sid = req.headers.get("mcp-session-id");
        return forward(st, req, url, sid ? st.bySession(sid) : st.anyBackend());
      }
      return anywhere(st, req, url);
    case "reward-labels":
      return post ? rewardByLabel(st, req, url) : anywhere(st, req, url);
    default:
      return anywhere(st, req, url);
  }
}

/** The guard's refusal, after reading (and dropping) the body: closing on unread data resets the connection before the client reads the answer. */
async function refuse(st: RouterState, req: Request, refused: ReturnType<typeof checkJsonContentType>): Promise<Response> {
  // A body too large to read is left, and the connection closed.
  const drained = req.body
    ? await readBody(req, st.maxBody).then(
        () => true,
        () => false,
      )
    : true;
  const res = errorResponse(refused!);
  if (!drained) res.headers.set("connection", "close");
  return res;
}

function routerFetch(st: RouterState): FetchHandler {
  return async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return errorResponse(serverError("VALIDATION_ERROR", "The request URL is malformed.", "Send an absolute URL."));
    }
    const h = req.headers;
    const refused =
      checkOriginAndHost(h.get("origin"), h.get("host"), st.policy) ??
      checkJsonContentType(h.get("content-type"), announcesBody(h.get("content-length"), h.get("transfer-encoding")));
    if (refused) return refuse(st, req, refused);
    try {
      const match = ROUTES.match(url.pathname);
      if (match?.route.routing === "health") return await health(st, match.route);
      if (!checkBearer(req.headers.get("authorization"), st.opts.token)) {
        return errorResponse(
          serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` with the server's token."),
        );
      }
      return await place(st, req, url, match);
    } catch (e) {
      const se = toServerError(e);
      if (se.status >= 500) st.log.error("request failed", { method: req.method, path: url.pathname, code: se.code, error: e });
      return errorResponse(se);
    }
  };
}

/** A WebSocket connection is a session by itself: relayed to the backend of `?session_id=` (else round-robin). */
function wsRelay(st: RouterState): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: st.maxBody });
  const sockets = new Set<WebSocket>();
  const wsMaxBuffered = st.opts.wsMaxBufferedBytes ?? 4 * 1024 * 1024;
  const relay = (client: WebSocket, target: string, headers: Record<string, string>) => {
    sockets.add(client);
    const upstream = new WebSocket(target, { headers, maxPayload: st.maxBody });
    const pending: Array<{ data: Buffer | string; binary: boolean }> = [];
    upstream.on("open", () => {
      for (const p of pending) upstream.send(p.data, { binary: p.binary });
      pending.length = 0;
    });
    // A client that does not read its replies stops the relay reading the backend, which then stops reading the relay.
    const toClient = backpressured(
      client,
      wsMaxBuffered,
      () => upstream.pause(),
      () => upstream.resume(),
    );
    upstream.on("message", (data, binary) => toClient(data as Buffer, binary));
    upstream.on("close", (code, reason) => client.close(validClose(code), reason.toString()));
    upstream.on("error", () => client.close(1011, "backend unreachable"));
    upstream.on("unexpected-response", (_r, res) => {
      client.close(1011, `backend refused (${res.statusCode})`);
      upstream.terminate();
    });
    client.on("message", (data, binary) => {
      if (upstream.readyState === upstream.OPEN) upstream.send(data as Buffer, { binary });
      else if (upstream.readyState === upstream.CONNECTING) pending.push({ data: data as Buffer, binary });
    });
    client.on("close", () => {
      sockets.delete(client);
      if (upstream.readyState === upstream.OPEN || upstream.readyState === upstream.CONNECTING) upstream.close();
    });
    client.on("error", () => client.terminate());
  };
  return {
    handle(req: IncomingMessage, socket: Socket, head: Buffer) {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://localhost");
      } catch {
        socket.destroy();
        return;
      }
      if (refuseByGuard(req, socket, st.policy)) return;
      const query = url.searchParams.get("access_token");
      if (!checkBearer(req.headers.authorization ?? (query ? `Bearer ${query}` : null), st.opts.token)) {
        const e = serverError(
          "UNAUTHORIZED",
          "Missing or wrong bearer token.",
          "Send `Authorization: Bearer <token>` (or `?access_token=`).",
        );
        return refuseUpgrade(socket, 401, "Unauthorized", JSON.stringify(e.toJSON()));
      }
      const sid = url.searchParams.get("session_id");
      const backend = sid ? st.bySession(sid) : st.anyBackend();
      const target = backend.replace(/^http/, "ws") + url.pathname + url.search;
      const headers: Record<string, string> = {};
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      wss.handleUpgrade(req, socket, head, (client) => relay(client, target, headers));
    },
    closeAll(code, reason) {
      for (const s of sockets) s.close(code, reason);
    },
  };
}

export function createSessionRouter(opts: SessionRouterOptions): SessionRouter {
  const st = routerState(opts);
  const fetchHandler = routerFetch(st);
  const upgrade = wsRelay(st);
  return {
    fetch: fetchHandler,
    upgrade,
    setBackend(index, url) {
      if (!Number.isInteger(index) || index < 0 || index >= st.backends.length)
        throw new Error(`[envtune] [router] No backend slot ${index}. Slots are 0..${st.backends.length - 1}.`);
      st.backends[index] = url.replace(/\/+$/, "");
      st.log.info("backend replaced", { slot: index, url: st.backends[index] });
    },
    listen: (l = {}) =>
      serveFetch(fetchHandler, {
        ...(l.port !== undefined ? { port: l.port } : {}),
        ...(l.host !== undefined ? { host: l.host } : {}),
        log: st.log,
        upgrade,
      }),
  };
}

/** Close codes a server may send on (1005/1006/1015 are reserved for local use). */
function validClose(code: number): number {
  return code === 1005 || code === 1006 || code === 1015 || code < 1000 ? 1000 : code;
}

/** Parsed JSON, or undefined when it is not JSON; too deep is a `VALIDATION_ERROR` (it would overflow the stack when re-serialized). */
function tryJson(text: string, maxDepth: number): unknown {
  if (jsonTooDeep(text, maxDepth)) throw tooDeepError(maxDepth);
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
