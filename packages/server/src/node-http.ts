/**
 * Node transports over the Fetch core: HTTP/1.1 with keep-alive (`node:http` ⇄ `Request`/`Response`)
 * and WebSocket upgrades on `/ws` and `/mcp` (the `ws` package). Adds what only a socket layer can
 * do: body and header timeouts, closing connections that sent too much, and graceful shutdown
 * (stop accepting, drain in-flight requests, close sockets, drop sessions).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ServerError, serverError, toServerError } from "./errors.ts";
import { announcesBody, checkJsonContentType, checkOriginAndHost, jsonTooDeep, tooDeepError, type GuardPolicy } from "./guard.ts";
import { BODY_TEXT, RESPONSE_TEXT, checkBearer, type FetchHandler } from "./http.ts";
import type { Logger } from "./log.ts";
import { openWsConnection, WS_CLOSE } from "./openenv-ws.ts";
import type { EnvtuneService } from "./service.ts";

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  server: Server;
  /** Graceful shutdown: stop accepting, wait for requests in flight (up to `graceMs`), close every socket. */
  close(graceMs?: number): Promise<void>;
}

export interface NodeServeOptions {
  port?: number;
  host?: string;
  /**
   * Bodies over this many bytes are refused (413) while they arrive, before any `Request` exists;
   * unset = the handler reads (and limits) the stream itself.
   */
  maxBodyBytes?: number;
  /** Per-request socket limit (ms); default 30 s. */
  requestTimeoutMs?: number;
  /** Default wait for requests in flight on `close()` (ms). */
  shutdownGraceMs?: number;
  /**
   * Handler work per event-loop iteration (ms) before the loop polls (and accepts) again; see
   * {@link fairScheduler}. Default 5; 0 runs every handler at once (Node's default behaviour).
   */
  turnBudgetMs?: number;
  /**
   * Checks `Origin`, `Host` and the body's content type here, before the handler (for handlers
   * that do not do it themselves, like the domain MCP server; `createFetchHandler` does).
   */
  guard?: GuardPolicy;
  log?: Logger;
  /**
   * Upgrade handler for WebSocket paths; `attachEnvtuneWebSocket` gives OpenEnv `/ws` and `/mcp`.
   * Without one, upgrades are refused with 404.
   */
  upgrade?: UpgradeHandler;
  /** Called when shutdown starts (e.g. mark the service draining) and when sockets are closed. */
  onDrain?: () => void;
  onClosed?: () => void;
}

export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /** Closes every WebSocket (shutdown). */
  closeAll(code: number, reason: string): void;
}

/**
 * Runs jobs (request handlers) in turns of about `budgetMs` per event-loop iteration.
 *
 * Under saturation libuv accepts few new connections per loop iteration (measured: one), and Node
 * runs every request that became readable in an iteration before polling again, so with a thousand
 * busy keep-alive clients an iteration lasts seconds, the listen queue grows, and a liveness probe
 * or a reconnecting trainer waits for tens of seconds (a bare `node:http` server with the same work
 * per request behaves the same; see `npm run bench`). Bounding the work per iteration keeps the
 * loop polling, and so accepting, many times a second. `priority` jobs (liveness probes) go first.
 */
export function fairScheduler(budgetMs = 5): { run<T>(job: () => Promise<T>, priority?: boolean): Promise<T> } {
  const queue: Array<() => Promise<unknown>> = [];
  let active = false;
  const turn = async () => {
    const t0 = performance.now();
    // Resolves in the next iteration: a job waiting for I/O is left to finish on its own then.
    const nextIteration = new Promise<void>((r) => setImmediate(r));
    while (queue.length && performance.now() - t0 < budgetMs) {
      const job = queue.shift()!;
      await Promise.race([job().then(noop, noop), nextIteration]);
    }
    if (queue.length) setImmediate(() => void turn());
    else active = false;
  };
  return {
    run(job, priority = false) {
      return new Promise((resolve, reject) => {
        const wrapped = () => job().then(resolve, reject);
        if (priority) queue.unshift(wrapped);
        else queue.push(wrapped);
        if (!active) {
          active = true;
          setImmediate(() => void turn());
        }
      });
    },
  };
}

function noop(): void {}

/** Serves a Fetch handler over `node:http`; resolves once listening. */
export async function serveFetch(handler: FetchHandler, opts: NodeServeOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  // Open event streams (MCP `GET /mcp`): not requests in flight; shutdown ends them first.
  const streams = new Set<ServerResponse>();
  const turns = opts.turnBudgetMs === 0 ? undefined : fairScheduler(opts.turnBudgetMs ?? 5);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 60_000),
      keepAliveTimeout: 30_000,
      // Node only looks for timed-out requests this often; make it a fraction of the limit.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))),
    },
    (req, res) => {
      // Requests that arrive once shutdown began are refused; those already in flight finish.
      if (draining && !(req.url ?? "").startsWith("/health")) {
        const e = serverError("SHUTTING_DOWN", "The server is shutting down.", "Retry against another server.");
        res.writeHead(503, { "content-type": "application/json; charset=utf-8", connection: "close", "retry-after": "1" });
        res.end(JSON.stringify(e.toJSON()));
        return;
      }
      const refused = opts.guard
        ? (checkOriginAndHost(req.headers.origin, req.headers.host, opts.guard) ??
          checkJsonContentType(req.headers["content-type"], announcesBody(req.headers["content-length"], req.headers["transfer-encoding"])))
        : undefined;
      if (refused) {
        const answer = () => {
          res.writeHead(refused.status, { "content-type": "application/json; charset=utf-8", connection: "close" });
          res.end(JSON.stringify(refused.toJSON()));
          res.once("finish", () => req.destroy());
        };
        // Read (and drop) the body first: closing on unread data resets the connection before the client reads the answer.
        void readNodeBody(req, opts.maxBodyBytes ?? 1024 * 1024).then(answer, answer);
        return;
      }
      inFlight++;
      // Everything but HTTP parsing waits for its turn, body reading and Request building included.
      const work = () => handleNode(handler, req, res, opts.maxBodyBytes, opts.log, streams);
      void (turns ? turns.run(work, (req.url ?? "").startsWith("/health")) : work()).finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
    },
  );
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    // Malformed or too slow HTTP never reaches the handler; answer 400 / 408 and drop the socket.
    const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const e = timedOut
      ? serverError("REQUEST_TIMEOUT", `The request was not received within ${requestTimeout} ms.`, "Send the whole request promptly.")
      : serverError("VALIDATION_ERROR", "Malformed HTTP request.", "Send valid HTTP/1.1.");
    const body = JSON.stringify(e.toJSON());
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${timedOut ? "408 Request Timeout" : "400 Bad Request"}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else socket.destroy();
    opts.log?.debug("client error", { error: (err as Error).message });
  });
  if (opts.upgrade) {
    const up = opts.upgrade;
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => up.handle(req, socket, head));
  } else {
    server.on("upgrade", (_req, socket: Socket) => refuseUpgrade(socket, 404, "Not Found"));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A deep accept queue: a trainer opening a thousand connections at once should not see SYN drops.
    server.listen({ port: opts.port ?? 0, host, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = (graceMs = opts.shutdownGraceMs ?? 10_000) => {
    closing ??= (async () => {
      draining = true;
      opts.onDrain?.();
      for (const r of streams) r.end();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      opts.upgrade?.closeAll(WS_CLOSE.goingAway, "server shutting down");
      server.closeAllConnections();
      await stopped;
      opts.onClosed?.();
    })();
    return closing;
  };
  return { url, port, server, close };
}

async function handleNode(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  maxBody: number | undefined,
  log: Logger | undefined,
  streams: Set<ServerResponse>,
): Promise<void> {
  let response: Response;
  try {
    const method = req.method ?? "GET";
    let body: Buffer | undefined;
    if (maxBody !== undefined && method !== "GET" && method !== "HEAD") {
      const b = await readNodeBody(req, maxBody);
      if (b === null) {
        const e = serverError(
          "PAYLOAD_TOO_LARGE",
          `The request body is over ${maxBody} bytes.`,
          "Send a smaller body, or start the server with a larger `maxBodyBytes`.",
        );
        response = new Response(JSON.stringify(e.toJSON()), {
          status: e.status,
          headers: { "content-type": "application/json; charset=utf-8" },
        });
        return await writeResponse(req, res, response, log);
      }
      body = b;
    }
    const request = toRequest(req, body);
    if (body !== undefined) BODY_TEXT.set(request, body.toString("utf8"));
    response = await handler(request);
    if (response.body && (response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      void pipeStream(req, res, response, streams);
      return;
    }
  } catch (e) {
    const se = toServerError(e);
    log?.error("transport failure", { error: e });
    response = new Response(JSON.stringify(se.toJSON()), { status: se.status, headers: { "content-type": "application/json" } });
  }
  await writeResponse(req, res, response, log);
}

async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response, log?: Logger): Promise<void> {
  try {
    const text = RESPONSE_TEXT.get(response);
    const body = text !== undefined ? Buffer.from(text, "utf8") : Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    // A body refused for its size (or left unread) may still be arriving; do not read it to keep the socket.
    const drop = response.status === 413 || response.status === 408 || headers.connection === "close";
    if (drop) headers.connection = "close";
    headers["content-length"] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
    if (drop) res.once("finish", () => req.destroy());
  } catch (e) {
    log?.error("response write failed", { error: e });
    res.destroy();
  }
}

/** Writes an event stream as it comes (no content-length), until either side ends it. */
async function pipeStream(req: IncomingMessage, res: ServerResponse, response: Response, streams: Set<ServerResponse>): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  res.writeHead(response.status, headers);
  res.flushHeaders();
  streams.add(res);
  const reader = response.body!.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  res.once("close", stop);
  req.socket.setTimeout(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.writableEnded) break;
      res.write(value);
    }
  } catch {
    // The stream was cancelled.
  } finally {
    streams.delete(res);
    if (!res.writableEnded) res.end();
  }
}

/** Reads a request body into memory, stopping (null) once it is over `max` bytes. */
function readNodeBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "NaN");
    if (Number.isFinite(declared) && declared > max) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete && !over) reject(new Error("request aborted"));
    });
  });
}

function toRequest(req: IncomingMessage, body?: Buffer): Request {
  const host = req.headers.host ?? "localhost";
  let url: string;
  try {
    url = new URL(req.url ?? "/", `http://${host}`).href;
  } catch {
    url = new URL(req.url?.startsWith("/") ? "/__invalid__" : "/", "http://localhost").href;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k.startsWith(":")) continue;
    try {
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, v);
    } catch {
      // A header value fetch rejects (e.g. bare CR) is dropped rather than failing the request.
    }
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // A body read up front (the common case) avoids a web-stream pipeline per request.
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (hasBody) {
    if (body !== undefined) init.body = body;
    else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
  }
  return new Request(url, init);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Socket, status: number, text: string, body = ""): void {
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  else socket.destroy();
}

/** WebSocket close codes of the transport's own limits. */
export const WS_LIMIT_CLOSE = { policy: 1008, idle: 4408 } as const;

/**
 * Flow control for one socket: `send` queues a frame and, once more than `max` bytes wait for the
 * peer to read them, calls `pause` (stop taking work that makes replies) until the queue is half
 * drained. A peer that lets twice `max` pile up anyway is closed with 1008, so a client that never
 * reads costs at most that much memory.
 */
export function backpressured(
  ws: WebSocket,
  max: number,
  pause: () => void,
  resume: () => void,
): (data: string | Buffer, binary?: boolean) => void {
  let paused = false;
  const written = () => {
    if (paused && ws.bufferedAmount <= max / 2) {
      paused = false;
      resume();
    }
  };
  return (data, binary = false) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data, { binary }, written);
    const queued = ws.bufferedAmount;
    if (queued > 2 * max) {
      ws.close(WS_LIMIT_CLOSE.policy, "client is not reading its replies");
      setTimeout(() => ws.terminate(), 1000).unref();
    } else if (queued > max && !paused) {
      paused = true;
      pause();
    }
  };
}

/**
 * Closes sockets whose peer has sent nothing (no message, no ping) for `idleMs`: an idle socket
 * holds a session slot that the reaper would only free after the session TTL. Clients that keep a
 * connection open between steps send pings (OpenEnv's Python client does every 20 s).
 */
export function idleSweeper(idleMs: number): { watch(ws: WebSocket): void; stop(): void } {
  const last = new Map<WebSocket, number>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [ws, t] of last) {
      if (now - t <= idleMs) continue;
      last.delete(ws);
      ws.close(WS_LIMIT_CLOSE.idle, `idle for ${idleMs} ms`);
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  };
  return {
    watch(ws) {
      if (idleMs <= 0) return;
      const touch = () => last.set(ws, Date.now());
      touch();
      ws.on("message", touch);
      ws.on("ping", touch);
      ws.on("pong", touch);
      ws.on("close", () => last.delete(ws));
      timer ??= setInterval(sweep, Math.max(10, Math.min(5000, Math.floor(idleMs / 4))));
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** Refuses an upgrade whose `Origin`/`Host` the guard rejects; true when it did. */
export function refuseByGuard(req: IncomingMessage, socket: Socket, policy: GuardPolicy): boolean {
  const refused = checkOriginAndHost(req.headers.origin, req.headers.host, policy);
  if (!refused) return false;
  refuseUpgrade(socket, 403, "Forbidden", JSON.stringify(refused.toJSON()));
  return true;
}

/** An error as the WebSocket protocol of `path` carries it (JSON-RPC on `/mcp`, OpenEnv `error` on `/ws`). */
function wsErrorFrame(path: string, se: ServerError): string {
  if (path === "/mcp")
    return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: se.message, data: { code: se.code } } });
  const data = { message: se.message, code: se.code, ...(se.details && typeof se.details === "object" ? (se.details as object) : {}) };
  return JSON.stringify({ type: "error", data });
}

/** OpenEnv's WebSocket endpoints (`/ws`, `/mcp`) for an envtune service. */
export function envtuneWebSocket(service: EnvtuneService): UpgradeHandler {
  const o = service.options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxBodyBytes });
  const sockets = new Set<WebSocket>();
  const idle = idleSweeper(o.wsIdleTimeoutMs);
  return {
    handle(req, socket, head) {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://localhost");
      } catch {
        return refuseUpgrade(socket, 400, "Bad Request");
      }
      const path = url.pathname;
      if (refuseByGuard(req, socket, o)) return;
      if (path !== "/ws" && path !== "/mcp") return refuseUpgrade(socket, 404, "Not Found");
      if (service.draining)
        return refuseUpgrade(
          socket,
          503,
          "Service Unavailable",
          JSON.stringify(serverError("SHUTTING_DOWN", "The server is shutting down.", "Retry against another server.").toJSON()),
        );
      const query = url.searchParams.get("access_token");
      const auth = req.headers.authorization ?? (query ? `Bearer ${query}` : null);
      if (!checkBearer(auth, service.options.token)) {
        return refuseUpgrade(
          socket,
          401,
          "Unauthorized",
          JSON.stringify(
            serverError(
              "UNAUTHORIZED",
              "Missing or wrong bearer token.",
              "Send `Authorization: Bearer <token>` (or `?access_token=`).",
            ).toJSON(),
          ),
        );
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on("error", () => ws.terminate());
        // Replies are made by this client's own requests: while it does not read them, do not read its requests either.
        const send = backpressured(
          ws,
          o.wsMaxBufferedBytes,
          () => ws.pause(),
          () => ws.resume(),
        );
        let conn;
        try {
          conn = openWsConnection(service, { send: (t) => send(t), close: (c, r) => ws.close(c, r) }, path);
        } catch (e) {
          const se = e instanceof ServerError ? e : toServerError(e);
          ws.send(wsErrorFrame(path, se));
          ws.close(1013, se.code);
          sockets.delete(ws);
          return;
        }
        idle.watch(ws);
        const c = conn;
        ws.on("message", (data, isBinary) => {
          const text = isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString();
          if (jsonTooDeep(text, o.maxJsonDepth)) return send(wsErrorFrame(path, tooDeepError(o.maxJsonDepth)));
          c.onMessage(text);
        });
        ws.on("close", () => {
          sockets.delete(ws);
          c.onClose();
        });
      });
    },
    closeAll(code, reason) {
      idle.stop();
      for (const ws of sockets) ws.close(code, reason);
      for (const ws of sockets) setTimeout(() => ws.terminate(), 1000).unref();
    },
  };
}
