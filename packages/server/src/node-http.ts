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

/** Serves a Fetch handler over `node:http`; resolves once listening. */
export async function serveFetch(handler: FetchHandler, opts: NodeServeOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  // Open event streams (MCP `GET /mcp`): not requests in flight; shutdown ends them first.
  const streams = new Set<ServerResponse>();
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
      inFlight++;
      void handleNode(handler, req, res, opts.maxBodyBytes, opts.log, streams).finally(() => {
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
      socket.end(`HTTP/1.1 ${timedOut ? "408 Request Timeout" : "400 Bad Request"}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
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
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
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

async function handleNode(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, maxBody: number | undefined, log: Logger | undefined, streams: Set<ServerResponse>): Promise<void> {
  let response: Response;
  try {
    const method = req.method ?? "GET";
    let body: Buffer | undefined;
    if (maxBody !== undefined && method !== "GET" && method !== "HEAD") {
      const b = await readNodeBody(req, maxBody);
      if (b === null) {
        const e = serverError("PAYLOAD_TOO_LARGE", `The request body is over ${maxBody} bytes.`, "Send a smaller body, or start the server with a larger `maxBodyBytes`.");
        response = new Response(JSON.stringify(e.toJSON()), { status: e.status, headers: { "content-type": "application/json; charset=utf-8" } });
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
    // A body refused for its size may still be arriving; do not read it to keep the socket.
    const drop = response.status === 413 || response.status === 408;
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

function refuseUpgrade(socket: Socket, status: number, text: string, body = ""): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  else socket.destroy();
}

/** OpenEnv's WebSocket endpoints (`/ws`, `/mcp`) for an envtune service. */
export function envtuneWebSocket(service: EnvtuneService): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: service.options.maxBodyBytes });
  const sockets = new Set<WebSocket>();
  return {
    handle(req, socket, head) {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://localhost");
      } catch {
        return refuseUpgrade(socket, 400, "Bad Request");
      }
      const path = url.pathname;
      if (path !== "/ws" && path !== "/mcp") return refuseUpgrade(socket, 404, "Not Found");
      if (service.draining) return refuseUpgrade(socket, 503, "Service Unavailable", JSON.stringify(serverError("SHUTTING_DOWN", "The server is shutting down.", "Retry against another server.").toJSON()));
      const query = url.searchParams.get("access_token");
      const auth = req.headers.authorization ?? (query ? `Bearer ${query}` : null);
      if (!checkBearer(auth, service.options.token)) {
        return refuseUpgrade(socket, 401, "Unauthorized", JSON.stringify(serverError("UNAUTHORIZED", "Missing or wrong bearer token.", "Send `Authorization: Bearer <token>` (or `?access_token=`).").toJSON()));
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on("error", () => ws.terminate());
        let conn;
        try {
          conn = openWsConnection(service, { send: (t) => ws.readyState === ws.OPEN && ws.send(t), close: (c, r) => ws.close(c, r) }, path);
        } catch (e) {
          const se = e instanceof ServerError ? e : toServerError(e);
          const data = { message: se.message, code: se.code, ...(se.details && typeof se.details === "object" ? (se.details as object) : {}) };
          ws.send(path === "/mcp" ? JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: se.message, data: { code: se.code } } }) : JSON.stringify({ type: "error", data }));
          ws.close(1013, se.code);
          sockets.delete(ws);
          return;
        }
        const c = conn;
        ws.on("message", (data, isBinary) => {
          const text = isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString();
          c.onMessage(text);
        });
        ws.on("close", () => {
          sockets.delete(ws);
          c.onClose();
        });
      });
    },
    closeAll(code, reason) {
      for (const ws of sockets) ws.close(code, reason);
      for (const ws of sockets) setTimeout(() => ws.terminate(), 1000).unref();
    },
  };
}
