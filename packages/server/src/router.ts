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
import { rewardAnswer, type RewardDetail } from "./reward.ts";
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
  return [...backends].map((b) => [b, score(b)] as const).sort((x, y) => (x[1] > y[1] ? -1 : x[1] < y[1] ? 1 : 0)).map(([b]) => b);
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

const SESSION_PATH = /^\/v1\/sessions\/([^/]+)(?:\/step)?\/?$/;
const HOP_HEADERS = new Set(["host", "connection", "content-length", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-authorization", "proxy-authenticate"]);

export function createSessionRouter(opts: SessionRouterOptions): SessionRouter {
  // Routing keys are fixed for the router's life; the URL behind a key can change (worker restart).
  const keys = opts.backends.map((b) => b.replace(/\/+$/, ""));
  if (keys.length === 0) throw new Error("[envtune] [router] No backends configured. Pass at least one backend URL.");
  const backends = [...keys];
  // Sessions created away from their hash's slot because it was down: id → slot (bounded, oldest out).
  const moved = new Map<string, number>();
  const bySession = (id: string): string => backends[moved.get(id) ?? keys.indexOf(routeSession(id, keys))]!;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const log = opts.log ?? createLogger({ level: "info" });
  const policy: GuardPolicy = { allowOrigins: opts.allowOrigins ?? [], allowHosts: opts.allowHosts ?? [] };
  const maxDepth = opts.maxJsonDepth ?? 512;
  const wsMaxBuffered = opts.wsMaxBufferedBytes ?? 4 * 1024 * 1024;
  let rr = 0;
  const anyBackend = () => backends[rr++ % backends.length]!;

  const forward = async (req: Request, url: URL, backend: string, body?: string, extra: Record<string, string> = {}): Promise<Response> => {
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
        ...(stream ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
      });
    } catch (e) {
      log.warn("backend unreachable", { backend, error: (e as Error).message });
      return errorResponse(serverError("UPSTREAM_ERROR", `Backend ${backend} did not answer.`, "Check that every worker is up (GET /v1/health on the router lists them)."));
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
  };

  const health = async (): Promise<Response> => {
    const results = await Promise.all(
      backends.map(async (b, slot) => {
        try {
          const r = await fetch(b + "/v1/health", { signal: AbortSignal.timeout(Math.min(timeoutMs, 5000)) });
          return { slot, url: b, ok: r.ok, ...((await r.json()) as Record<string, unknown>) };
        } catch (e) {
          return { slot, url: b, ok: false, status: "unreachable", error: (e as Error).message };
        }
      }),
    );
    const active = results.reduce((n, r) => n + (((r as { sessions?: { active?: number } }).sessions?.active as number | undefined) ?? 0), 0);
    const up = results.filter((r) => r.ok).length;
    return json({ status: up === backends.length ? "healthy" : up > 0 ? "degraded" : "unhealthy", router: true, sessions: { active }, backends: results }, up > 0 ? 200 : 503);
  };

  const fetchHandler: FetchHandler = async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return errorResponse(serverError("VALIDATION_ERROR", "The request URL is malformed.", "Send an absolute URL."));
    }
    const h = req.headers;
    const refused = checkOriginAndHost(h.get("origin"), h.get("host"), policy) ?? checkJsonContentType(h.get("content-type"), announcesBody(h.get("content-length"), h.get("transfer-encoding")));
    if (refused) {
      // Read (and drop) the body first: closing on unread data resets the connection before the
      // client reads the answer. A body too large to read is left, and the connection closed.
      const drained = req.body ? await readBody(req, maxBody).then(() => true, () => false) : true;
      const res = errorResponse(refused);
      if (!drained) res.headers.set("connection", "close");
      return res;
    }
    try {
      const path = url.pathname;
      if (path === "/v1/health") return await health();
      // OpenEnv's HealthResponse is exactly `{status}` (extra="forbid").
      if (path === "/health") {
        const h = await health();
        const { status } = (await h.json()) as { status: string };
        return json({ status: status === "healthy" ? "healthy" : status === "degraded" ? "degraded" : "unhealthy" }, h.status);
      }
      if (!checkBearer(req.headers.get("authorization"), opts.token)) {
        return errorResponse(serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` with the server's token."));
      }
      const m = SESSION_PATH.exec(path);
      if (m) {
        let id: string;
        try {
          id = decodeURIComponent(m[1]!);
        } catch {
          id = m[1]!;
        }
        const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req, maxBody);
        return await forward(req, url, bySession(id), body);
      }
      if ((path === "/v1/sessions" || path === "/v1/sessions/") && req.method === "POST") {
        const text = await readBody(req, maxBody);
        const parsed = tryJson(text, maxDepth);
        // Only a missing id is filled in; a malformed one goes through as sent, for the worker's 400.
        if (isObject(parsed) && (parsed.session_id === undefined || typeof parsed.session_id === "string")) {
          if (parsed.session_id === undefined) parsed.session_id = req.headers.get("x-session-id") ?? randomUUID();
          return await createWithFailover(req, url, parsed.session_id as string, JSON.stringify(parsed));
        }
        return await forward(req, url, backends[0]!, text);
      }
      if (path === "/mcp" && req.method === "POST") {
        const text = await readBody(req, maxBody);
        const parsed = tryJson(text, maxDepth);
        const items = Array.isArray(parsed) ? parsed : [parsed];
        let key: string | undefined = req.headers.get("mcp-session-id") ?? undefined;
        // An MCP `initialize` opens a session: the router names it, so its id hashes to the backend that holds it.
        if (key === undefined && items.some((it) => isObject(it) && it.method === "initialize")) {
          const id = randomUUID();
          return await forward(req, url, bySession(id), text, { "x-envtune-session-id": id });
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
        return await forward(req, url, key !== undefined ? bySession(key) : anyBackend(), rewritten ? JSON.stringify(parsed) : text);
      }
      if (path === "/mcp" && (req.method === "DELETE" || req.method === "GET")) {
        const sid = req.headers.get("mcp-session-id");
        return await forward(req, url, sid ? bySession(sid) : anyBackend());
      }
      if (path === "/v1/reward" && req.method === "POST") return await rewardByLabel(req, url, await readBody(req, maxBody));
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req, maxBody);
      return await forward(req, url, anyBackend(), body);
    } catch (e) {
      const se = toServerError(e);
      if (se.status >= 500) log.error("request failed", { method: req.method, path: url.pathname, code: se.code, error: e });
      return errorResponse(se);
    }
  };

  /**
   * A create goes to its id's slot; when that backend does not answer (or is shutting down) it goes
   * to the next slot of the id's rendezvous order, and the router remembers where the id went.
   * A create is safe to repeat elsewhere: the session did not start where no answer came.
   */
  const createWithFailover = async (req: Request, url: URL, id: string, body: string): Promise<Response> => {
    const known = moved.get(id);
    const order = known !== undefined ? [known] : rendezvousOrder(id, keys).map((k) => keys.indexOf(k));
    let res: Response | undefined;
    for (const slot of order) {
      res = await forward(req, url, backends[slot]!, body);
      // Our own UPSTREAM_ERROR has no backend header; a draining backend answers SHUTTING_DOWN.
      const down = (res.status === 502 && !res.headers.has("x-envtune-backend")) || (res.status === 503 && (tryJson(await res.clone().text(), maxDepth) as { error?: { code?: string } } | undefined)?.error?.code === "SHUTTING_DOWN");
      if (down) continue;
      if (res.ok && slot !== order[0]) {
        moved.set(id, slot);
        if (moved.size > 65_536) moved.delete(moved.keys().next().value!);
        log.warn("session created away from its slot", { session_id: id, slot, url: backends[slot] });
      }
      return res;
    }
    return res!;
  };

  /** Reward batches whose labels name sessions go to each session's backend, then merge in order. */
  const rewardByLabel = async (req: Request, url: URL, text: string): Promise<Response> => {
    const parsed = tryJson(text, maxDepth);
    if (!isObject(parsed) || !Array.isArray(parsed.labels) || !Array.isArray(parsed.query)) return forward(req, url, anyBackend(), text);
    const labels = parsed.labels as unknown[];
    const groups = new Map<string, number[]>();
    labels.forEach((l, i) => {
      const sid = typeof l === "string" ? (tryJson(l, maxDepth) as { session_id?: unknown } | undefined)?.session_id : undefined;
      const b = typeof sid === "string" ? bySession(sid) : backends[0]!;
      groups.set(b, [...(groups.get(b) ?? []), i]);
    });
    if (groups.size <= 1) return forward(req, url, groups.keys().next().value ?? anyBackend(), text);
    const details = new Array<RewardDetail>(labels.length);
    for (const [b, idx] of groups) {
      const pick = <T>(a: unknown): T[] | undefined => (Array.isArray(a) ? idx.map((i) => a[i] as T) : undefined);
      const sub = { ...parsed, query: pick(parsed.query), labels: pick(parsed.labels), ...(Array.isArray(parsed.prompts) ? { prompts: pick(parsed.prompts) } : {}) };
      const res = await forward(req, url, b, JSON.stringify(sub));
      if (!res.ok) return res;
      const body = (await res.json()) as { rewards: number[]; details?: RewardDetail[] };
      idx.forEach((i, k) => {
        details[i] = body.details?.[k] ?? { reward: body.rewards[k] ?? 0, reward_components: {}, error: null };
      });
    }
    // Merged per sample, then laid out as one batch: `extra_logs` stays numbers only (reward.ts).
    return json(rewardAnswer(details));
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  const sockets = new Set<WebSocket>();
  const upgrade: UpgradeHandler = {
    handle(req: IncomingMessage, socket: Socket, head: Buffer) {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://localhost");
      } catch {
        socket.destroy();
        return;
      }
      if (refuseByGuard(req, socket, policy)) return;
      const query = url.searchParams.get("access_token");
      if (!checkBearer(req.headers.authorization ?? (query ? `Bearer ${query}` : null), opts.token)) {
        const e = serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` (or `?access_token=`).");
        return refuseUpgrade(socket, 401, "Unauthorized", JSON.stringify(e.toJSON()));
      }
      const sid = url.searchParams.get("session_id");
      const backend = sid ? bySession(sid) : anyBackend();
      const target = backend.replace(/^http/, "ws") + url.pathname + url.search;
      const headers: Record<string, string> = {};
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        const upstream = new WebSocket(target, { headers, maxPayload: maxBody });
        const pending: Array<{ data: Buffer | string; binary: boolean }> = [];
        upstream.on("open", () => {
          for (const p of pending) upstream.send(p.data, { binary: p.binary });
          pending.length = 0;
        });
        // A client that does not read its replies stops the relay reading the backend, which then stops reading the relay.
        const toClient = backpressured(client, wsMaxBuffered, () => upstream.pause(), () => upstream.resume());
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
      });
    },
    closeAll(code, reason) {
      for (const s of sockets) s.close(code, reason);
    },
  };

  return {
    fetch: fetchHandler,
    upgrade,
    setBackend(index, url) {
      if (!Number.isInteger(index) || index < 0 || index >= backends.length) throw new Error(`[envtune] [router] No backend slot ${index}. Slots are 0..${backends.length - 1}.`);
      backends[index] = url.replace(/\/+$/, "");
      log.info("backend replaced", { slot: index, url: backends[index] });
    },
    listen: (l = {}) =>
      serveFetch(fetchHandler, {
        ...(l.port !== undefined ? { port: l.port } : {}),
        ...(l.host !== undefined ? { host: l.host } : {}),
        log,
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
