/**
 * Production behaviour: capacity, idle TTL, size limits, timeouts, bearer auth, structured logs,
 * graceful shutdown.
 */
import { Agent, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { serveFetch } from "@envtune/server";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { call, startServer, type TestServer } from "./helpers.ts";

const open: TestServer[] = [];
async function server(opts: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(opts);
  open.push(s);
  return s;
}
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function wsOpen(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; next: () => Promise<any>; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
  const queue: any[] = [];
  const waiters: Array<(m: any) => void> = [];
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString());
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("open", () =>
      resolve({ ws, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))), closed }),
    );
    ws.once("error", reject);
  });
}

describe("capacity", () => {
  it("refuses sessions past capacity with CAPACITY_REACHED (REST and WebSocket), and frees slots on delete", async () => {
    const s = await server({ capacity: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).body.session_id);
    const w = await wsOpen(s.url + "/ws");
    const full = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" });
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe("CAPACITY_REACHED");
    expect(full.body.error.details).toEqual({ active_sessions: 3, max_sessions: 3 });
    expect(full.headers.get("retry-after")).toBe("1");
    const w2 = await wsOpen(s.url + "/ws");
    const err = await w2.next();
    expect(err).toMatchObject({ type: "error", data: { code: "CAPACITY_REACHED" } });
    expect((await w2.closed).code).toBe(1013);
    const h = await call(s.url + "/v1/health", "GET");
    expect(h.body.sessions).toMatchObject({ active: 3, capacity: 3, rejected: 2 });
    w.ws.close();
    await w.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).status).toBe(201);
    await call(s.url + `/v1/sessions/${ids[0]}`, "DELETE");
    expect((await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).status).toBe(201);
  });
});

describe("idle TTL", () => {
  it("reaps idle sessions (REST and WebSocket) while active ones live on", async () => {
    const s = await server({ sessionTtlMs: 300, reapIntervalMs: 50 });
    const idle = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).body.session_id;
    const busy = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).body.session_id;
    const w = await wsOpen(s.url + "/ws");
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
      expect((await call(s.url + `/v1/sessions/${busy}`, "GET")).status).toBe(200);
    }
    const gone = await call(s.url + `/v1/sessions/${idle}`, "GET");
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("SESSION_NOT_FOUND");
    expect((await w.closed).code).toBe(4000);
    const h = await call(s.url + "/v1/health", "GET");
    expect(h.body.sessions.reaped).toBe(2);
    expect(h.body.sessions.active).toBe(1);
    expect(s.logs.some((l) => JSON.parse(l).msg === "sessions reaped")).toBe(true);
  });
});

describe("size limits", () => {
  it("refuses bodies over maxBodyBytes (413 PAYLOAD_TOO_LARGE) and messages over maxMessageBytes (413 MESSAGE_TOO_LARGE)", async () => {
    const s = await server({ maxBodyBytes: 4096, maxMessageBytes: 1000, maxToolCalls: 4 });
    const big = await call(s.url + "/v1/sessions", "POST", JSON.stringify({ task_id: "x".repeat(10_000) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const id = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).body.session_id;
    const long = await call(s.url + `/v1/sessions/${id}/step`, "POST", { message: "y".repeat(2000) });
    expect(long.status).toBe(413);
    expect(long.body.error.code).toBe("MESSAGE_TOO_LARGE");
    const calls = Array.from({ length: 5 }, (_, i) => ({ id: String(i), type: "function", function: { name: "ls", arguments: "{}" } }));
    const many = await call(s.url + `/v1/sessions/${id}/step`, "POST", {
      message: { role: "assistant", content: null, tool_calls: calls },
    });
    expect(many.body.error.code).toBe("VALIDATION_ERROR");
    // The session is untouched by refused requests.
    expect((await call(s.url + `/v1/sessions/${id}`, "GET")).body.step_count).toBe(0);
    // A WebSocket frame over the limit closes the connection with 1009.
    const w = await wsOpen(s.url + "/ws");
    w.ws.send(JSON.stringify({ type: "step", data: { message: "z".repeat(10_000) } }));
    expect((await w.closed).code).toBe(1009);
  });

  it("refuses a huge body while it streams in, without reading it all", async () => {
    const s = await server({ maxBodyBytes: 1024 });
    const port = Number(new URL(s.url).port);
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(port, "127.0.0.1", () => {
        sock.write("POST /v1/sessions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
        const chunk = "x".repeat(4096);
        for (let i = 0; i < 16; i++) sock.write(`${(4096).toString(16)}\r\n${chunk}\r\n`);
      });
      let data = "";
      sock.on("data", (d) => (data += d.toString()));
      sock.on("close", () => resolve(data));
      sock.on("error", () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
    expect(reply).toContain("PAYLOAD_TOO_LARGE");
  });
});

describe("per-action and per-session bounds (every action format)", () => {
  it("counts Python-text, JSON-text and envelope calls against maxToolCalls before executing any", async () => {
    const s = await server({ maxToolCalls: 8 });
    for (const [format, text] of [
      ["python", "[" + "pwd(),".repeat(9) + "]"],
      ["json", JSON.stringify(Array.from({ length: 9 }, () => ({ name: "pwd", arguments: {} })))],
      [
        "envelope",
        `<think>x</think>\n<tool_call>\n${JSON.stringify(Array.from({ length: 9 }, () => ({ name: "pwd", arguments: {} })))}\n</tool_call>`,
      ],
    ] as const) {
      const id = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_3", config: { actionFormat: format } })).body
        .session_id;
      const r = await call(s.url + `/v1/sessions/${id}/step`, "POST", { message: text });
      expect(r.status, format).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.details.envtune_code).toBe("TOO_MANY_TOOL_CALLS");
      expect(r.body.error.message).toMatch(/at most 8/);
      const snap = await call(s.url + `/v1/sessions/${id}?messages=1`, "GET");
      // Nothing ran and nothing was recorded.
      expect(snap.body.step_count).toBe(0);
      expect(snap.body.messages.filter((m: { role: string }) => m.role !== "system" && m.role !== "user")).toEqual([]);
      // Exactly the limit is fine.
      const ok = await call(s.url + `/v1/sessions/${id}/step`, "POST", {
        message: text.replace("pwd(),", "").replace('{"name":"pwd","arguments":{}},', ""),
      });
      expect(ok.status, format).toBe(200);
    }
  });

  it("bounds a session's transcript: an action that would pass maxTranscriptBytes is refused, results that pass it truncate the episode", async () => {
    const s = await server({ maxTranscriptBytes: 4096 });
    const id = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_3", config: { actionFormat: "python" } })).body
      .session_id;
    const big = await call(s.url + `/v1/sessions/${id}/step`, "POST", {
      message: `[echo(content='${"a".repeat(5000)}', file_name='f.txt')]`,
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("TRANSCRIPT_TOO_LARGE");
    expect(big.body.error.message).toMatch(/limit of 4096/);
    expect((await call(s.url + `/v1/sessions/${id}`, "GET")).body.step_count).toBe(0);
    // Small actions with results keep the transcript growing until it passes the bound.
    let last: any;
    for (let i = 0; i < 200; i++) {
      last = await call(s.url + `/v1/sessions/${id}/step`, "POST", { message: "[ls(a=True), pwd()]" });
      if (last.status !== 200 || last.body.truncated || last.body.done) break;
    }
    expect(last.status).toBe(200);
    expect(last.body.truncated).toBe(true);
    const snap = await call(s.url + `/v1/sessions/${id}`, "GET");
    expect(snap.body.truncation_reason).toBe("max_transcript_bytes");
  });
});

describe("server-wide transcript budget", () => {
  it("refuses steps with CAPACITY_REACHED while all transcripts together pass maxTotalTranscriptBytes, and steps again once sessions close", async () => {
    const s = await server({ maxTranscriptBytes: 64 * 1024, maxTotalTranscriptBytes: 24 * 1024 });
    const create = async () =>
      (
        await call(s.url + "/v1/sessions", "POST", {
          task_id: "multi_turn_base_3",
          config: { actionFormat: "python", maxActionsPerTurn: 1000 },
        })
      ).body.session_id as string;
    const step = (id: string) =>
      call(s.url + `/v1/sessions/${id}/step`, "POST", { message: `[echo(content='${"b".repeat(4000)}', file_name='f.txt')]` });
    const a = await create();
    const b = await create();
    let refused: Awaited<ReturnType<typeof step>> | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      for (const id of [a, b]) {
        const r = await step(id);
        if (r.status !== 200) refused = r;
      }
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error.code).toBe("CAPACITY_REACHED");
    expect(refused?.body.error.details.max_total_transcript_bytes).toBe(24 * 1024);
    await call(s.url + `/v1/sessions/${a}`, "DELETE");
    await call(s.url + `/v1/sessions/${b}`, "DELETE");
    expect((await step(await create())).status).toBe(200);
  });
});

describe("WebSocket flow control", () => {
  it("stops reading from a client that does not read its replies, and closes it (1008) before buffering without bound", async () => {
    const s = await server({ wsMaxBufferedBytes: 64 * 1024 });
    const ws = new WebSocket(s.url.replace(/^http/, "ws") + "/ws");
    await new Promise((r) => ws.once("open", r));
    let replies = 0;
    ws.on("message", () => replies++);
    const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
    ws.send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_0" } }));
    await new Promise((r) => ws.once("message", r));
    // From here on the client reads nothing, and asks for one ~4 KB state reply after another.
    ws.pause();
    const n = 20_000;
    for (let i = 0; i < n; i++) ws.send('{"type":"state"}');
    await new Promise((r) => setTimeout(r, 1500));
    ws.resume();
    const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    expect([1008, 1006]).toContain(code);
    expect(replies).toBeLessThan(n);
    // The server is fine and the slot is free again.
    await new Promise((r) => setTimeout(r, 100));
    const h = await call(s.url + "/v1/health", "GET");
    expect(h.body.sessions.active).toBe(0);
  });

  it("closes a WebSocket that sends nothing (4408) and frees its session, while a pinging client stays", async () => {
    const s = await server({ wsIdleTimeoutMs: 300 });
    const idle = await wsOpen(s.url + "/ws");
    const live = await wsOpen(s.url + "/ws");
    const pinger = setInterval(() => live.ws.ping(), 100);
    try {
      const t0 = Date.now();
      const c = await idle.closed;
      expect(c.code).toBe(4408);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(live.ws.readyState).toBe(WebSocket.OPEN);
      live.ws.send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_0" } }));
      expect((await live.next()).type).toBe("observation");
      expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(1);
    } finally {
      clearInterval(pinger);
      live.ws.close();
    }
  });
});

describe("accept() under saturation", () => {
  it("a new connection is served while hundreds of queued requests wait (Node alone serves it after all of them)", async () => {
    const order: string[] = [];
    let freshStarted = false;
    let url = "";
    const fresh = () =>
      new Promise<void>((resolve) => {
        const req = httpRequest(url + "/health", { agent: false, headers: { connection: "close" } }, (res) => {
          res.resume();
          res.on("end", () => {
            order.push("fresh");
            resolve();
          });
        });
        req.end();
      });
    let freshDone: Promise<void> = Promise.resolve();
    const handler = async (req: Request) => {
      if (new URL(req.url).pathname === "/work") {
        // The first queued request opens a fresh connection: it is accepted on the next poll.
        if (!freshStarted) {
          freshStarted = true;
          freshDone = fresh();
        }
        const t = performance.now();
        while (performance.now() - t < 2) {
          // a step's worth of CPU
        }
      }
      return new Response("{}", { headers: { "content-type": "application/json" } });
    };
    const running = await serveFetch(handler, { port: 0, maxBodyBytes: 1024 });
    url = running.url;
    const agent = new Agent({ keepAlive: true, maxSockets: 300 });
    const get = (path: string) =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          url + path,
          { agent, method: "POST", headers: { "content-type": "application/json", "content-length": "2" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
    try {
      // 300 open keep-alive connections, then one request on each at once.
      await Promise.all(Array.from({ length: 300 }, () => get("/warm")));
      await Promise.all(Array.from({ length: 300 }, () => get("/work").then(() => void order.push("work"))));
      await freshDone;
      expect(order.indexOf("fresh")).toBeGreaterThanOrEqual(0);
      expect(order.indexOf("fresh")).toBeLessThan(150);
    } finally {
      agent.destroy();
      await running.close(100);
    }
  });
});

describe("timeouts", () => {
  it("answers 408 when a request body never completes", async () => {
    const s = await server({ requestTimeoutMs: 300 });
    const port = Number(new URL(s.url).port);
    const t0 = Date.now();
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(port, "127.0.0.1", () =>
        sock.write('POST /v1/sessions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{"task_id":'),
      );
      let data = "";
      sock.on("data", (d) => (data += d.toString()));
      sock.on("close", () => resolve(data));
      sock.on("error", () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe("bearer token", () => {
  it("guards every endpoint but /health, over HTTP, MCP and WebSocket", async () => {
    const s = await server({ token: "s3cret" });
    expect((await call(s.url + "/health", "GET")).status).toBe(200);
    for (const [m, p, b] of [
      ["GET", "/metadata", undefined],
      ["GET", "/v1/tasks", undefined],
      ["POST", "/v1/sessions", { task_id: "multi_turn_base_0" }],
      ["POST", "/mcp", { jsonrpc: "2.0", id: 1, method: "tools/list" }],
    ] as const) {
      const r = await call(s.url + p, m, b);
      expect(r.status, p).toBe(401);
      expect(r.body.error.code).toBe("UNAUTHORIZED");
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await call(s.url + p, m, b, { authorization: "Bearer wrong" })).status).toBe(401);
    }
    const ok = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" }, { authorization: "Bearer s3cret" });
    expect(ok.status).toBe(201);
    await expect(wsOpen(s.url + "/ws")).rejects.toThrow(/401/);
    const w = await wsOpen(s.url + "/ws", { authorization: "Bearer s3cret" });
    w.ws.send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_0" } }));
    expect((await w.next()).type).toBe("observation");
    w.ws.close();
    const q = await wsOpen(s.url + "/ws?access_token=s3cret");
    q.ws.close();
  });
});

describe("structured logs", () => {
  it("writes one JSON object per line with level, message and request fields", async () => {
    const s = await server({ logLevel: "debug" });
    await call(s.url + "/v1/tasks?limit=1", "GET");
    const lines = s.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === "listening")).toMatchObject({ level: "info", capacity: 4096 });
    expect(lines.find((l) => l.msg === "request" && l.path === "/v1/tasks")).toMatchObject({ level: "debug", method: "GET", status: 200 });
    for (const l of lines) expect(typeof l.ts).toBe("string");
  });
});

describe("graceful shutdown", () => {
  it("drains: the request in flight completes, new ones are refused, WebSockets close with 1001, sessions are dropped", async () => {
    const s = await startServer({});
    const id = (await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" })).body.session_id;
    const w = await wsOpen(s.url + "/ws");
    // A request whose body is still arriving when shutdown starts.
    const port = Number(new URL(s.url).port);
    const body = JSON.stringify({ message: "<think>x</think><answer>ok</answer>" });
    let inflightReply = "";
    const sock = connect(port, "127.0.0.1");
    await new Promise<void>((r) => sock.once("connect", () => r()));
    sock.on("data", (d) => (inflightReply += d.toString()));
    sock.write(
      `POST /v1/sessions/${id}/step HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.server.service.draining).toBe(true);
    sock.write(body.slice(10));
    await closing;
    expect(inflightReply).toMatch(/^HTTP\/1\.1 200/);
    expect((await w.closed).code).toBe(1001);
    expect(s.server.service.sessions.size).toBe(0);
    await expect(fetch(s.url + "/health")).rejects.toThrow();
    sock.destroy();
  });
});
