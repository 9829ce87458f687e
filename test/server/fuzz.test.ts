/**
 * Nothing a client sends crashes the server: bounded random requests (malformed JSON, huge bodies,
 * wrong types, unknown sessions, random paths and methods, random assistant messages, random
 * WebSocket and JSON-RPC payloads, parallel steps on one session) all get a 2xx/4xx answer with a
 * stable error code, and the server stays healthy.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SERVER_ERROR_CODES, createLogger, createSessionRouter, type RunningServer } from "@envtune/server";
import { call, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
let session: string;
const CODES = new Set(Object.keys(SERVER_ERROR_CODES));

beforeAll(async () => {
  s = await startServer({ capacity: 200, maxBodyBytes: 64 * 1024, maxMessageBytes: 16 * 1024, logLevel: "warn" });
  session = (await call(s.url + "/v1/sessions", "POST", { session_id: "fuzz-main", task_id: "multi_turn_base_0" })).body.session_id;
});
afterAll(() => s.close());

function expectStable(r: { status: number; body: any }, what: string): void {
  expect(r.status, what).toBeLessThan(500);
  if (r.status >= 400 && r.body && typeof r.body === "object" && "error" in r.body) expect(CODES.has(r.body.error.code), what).toBe(true);
}

const noInternalErrors = () => s.logs.filter((l) => JSON.parse(l).level === "error");

const assistantish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => `<think>x</think><tool_call>${JSON.stringify(v)}</tool_call>`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => `<tool_call>[{"name": "cd", "arguments": ${JSON.stringify(v)}}]</tool_call>`),
  fc.string({ maxLength: 50 }).map((t) => `<think>${t}</think><answer>${t}</answer>`),
  fc.string({ maxLength: 80 }).map((t) => `[${t}]`),
  fc.record({
    role: fc.constant("assistant"),
    content: fc.option(fc.string({ maxLength: 40 })),
    tool_calls: fc.array(
      fc.record({
        id: fc.string({ maxLength: 8 }),
        type: fc.constant("function"),
        function: fc.record({
          name: fc.constantFrom("ls", "cd", "mkdir", "", "eval", "__proto__"),
          arguments: fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
          ),
        }),
      }),
      { maxLength: 3 },
    ),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

describe("fuzzed inputs", () => {
  it("random methods, paths and bodies never produce a 5xx", async () => {
    const paths = [
      "/health",
      "/schema",
      "/metadata",
      "/mcp",
      "/v1/tasks",
      "/v1/stages",
      "/v1/splits",
      "/v1/sessions",
      `/v1/sessions/${session}`,
      `/v1/sessions/${session}/step`,
      "/v1/sessions/nope/step",
      "/v1/reward",
      "/v1/rollouts",
      "/",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
        fc.oneof(
          fc.constantFrom(...paths),
          fc.string({ maxLength: 40 }).map((x) => "/" + encodeURIComponent(x)),
          fc
            .constantFrom(...paths)
            .chain((p) => fc.string({ maxLength: 20 }).map((q) => `${p}?${encodeURIComponent(q)}=${encodeURIComponent(q)}`)),
        ),
        fc.oneof(
          fc.constant(undefined),
          fc.string({ maxLength: 300 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        async (method, path, body) => {
          // Deleting the shared session would only make later cases less interesting.
          if (method === "DELETE" && path.startsWith(`/v1/sessions/${session}`)) return;
          const r = await call(s.url + path, method, method === "GET" || method === "OPTIONS" ? undefined : body);
          expectStable(r, `${method} ${path} ${String(body).slice(0, 80)}`);
        },
      ),
      { numRuns: 250, seed: 42 },
    );
  });

  it("wrong types in every create and step field never produce a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom("session_id", "task_id", "split", "part", "seed", "stage", "config", "x"),
          fc.jsonValue({ maxDepth: 3 }),
          { maxKeys: 5 },
        ),
        async (body) => {
          const r = await call(s.url + "/v1/sessions", "POST", body);
          expectStable(r, JSON.stringify(body));
          if (r.status === 201) await call(s.url + `/v1/sessions/${r.body.session_id}`, "DELETE");
        },
      ),
      { numRuns: 150, seed: 7 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom("message", "action", "request_id", "x"), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
        async (body) => {
          const c = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_1" });
          const r = await call(s.url + `/v1/sessions/${c.body.session_id}/step`, "POST", body);
          expectStable(r, JSON.stringify(body));
          await call(s.url + `/v1/sessions/${c.body.session_id}`, "DELETE");
        },
      ),
      { numRuns: 150, seed: 8 },
    );
  });

  it("random assistant messages are episode steps (200) or refused with a stable code, never a crash", async () => {
    const c = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_2", config: { maxActionsPerTurn: 1000 } });
    await fc.assert(
      fc.asyncProperty(assistantish, async (msg) => {
        const r = await call(s.url + `/v1/sessions/${c.body.session_id}/step`, "POST", { message: msg });
        expectStable(r, JSON.stringify(msg).slice(0, 200));
        if (r.status === 200) expect(Array.isArray(r.body.events)).toBe(true);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("huge and deeply nested bodies are refused cleanly", async () => {
    const huge = await call(s.url + "/v1/sessions", "POST", "[".repeat(200_000));
    expect(huge.status).toBe(413);
    const deep = await call(s.url + "/v1/sessions", "POST", "[".repeat(5000) + "]".repeat(5000));
    expectStable(deep, "deep");
    const deepMsg = await call(s.url + `/v1/sessions/${session}/step`, "POST", `{"message": ${"[".repeat(3000)}${"]".repeat(3000)}}`);
    expectStable(deepMsg, "deep message");
    const nul = await call(s.url + `/v1/sessions/${session}/step`, "POST", { message: "\u0000\uffff\ud800" });
    expectStable(nul, "odd unicode");
  });

  it("parallel steps on one session are serialized: each is a 200 or EPISODE_DONE, and the count adds up", async () => {
    const c = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_3" });
    const id = c.body.session_id;
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(s.url + `/v1/sessions/${id}/step`, "POST", { message: i % 2 ? "<think>a</think><answer>x</answer>" : "garbage" }),
      ),
    );
    const ok = replies.filter((r) => r.status === 200).length;
    for (const r of replies) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.error.code).toBe("EPISODE_DONE");
    }
    const snap = await call(s.url + `/v1/sessions/${id}`, "GET");
    expect(snap.body.step_count).toBe(ok);
    expect(snap.body.done).toBe(true);
  });

  it("random WebSocket frames get observation/state/error replies with stable codes", async () => {
    const ws = new WebSocket(s.url.replace(/^http/, "ws") + "/ws");
    const replies: any[] = [];
    const waiters: Array<() => void> = [];
    ws.on("message", (d) => {
      replies.push(JSON.parse(d.toString()));
      waiters.shift()?.();
    });
    await new Promise((r) => ws.once("open", r));
    const send = (t: string) =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        ws.send(t);
      });
    await send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_4" } }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc
            .record({ type: fc.constantFrom("reset", "step", "state", "mcp", "nope"), data: fc.jsonValue({ maxDepth: 3 }) })
            .map((m) => JSON.stringify(m)),
          assistantish.map((a) => JSON.stringify({ type: "step", data: { message: a } })),
        ),
        async (text) => {
          await send(text);
          const r = replies[replies.length - 1];
          expect(["observation", "state", "error", "mcp"]).toContain(r.type);
          if (r.type === "error") expect(CODES.has(r.data.code)).toBe(true);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
  });

  it("random JSON-RPC payloads on /mcp always get JSON-RPC answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({
            jsonrpc: fc.constantFrom("2.0", "1.0"),
            id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
            method: fc.constantFrom(
              "tools/list",
              "tools/call",
              "openenv/session/create",
              "openenv/session/close",
              "openenv/session/state",
              "envtune/step",
              "initialize",
              "x",
            ),
            params: fc.jsonValue({ maxDepth: 3 }),
          }),
        ),
        async (payload) => {
          const r = await call(s.url + "/mcp", "POST", payload);
          expect(r.status).toBeLessThan(500);
          if (r.status === 200) {
            const items = Array.isArray(r.body) ? r.body : [r.body];
            for (const it of items) {
              expect(it.jsonrpc).toBe("2.0");
              expect("result" in it || "error" in it).toBe(true);
              if (it.error?.data?.code) expect(CODES.has(it.error.data.code)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 250, seed: 5 },
    );
    // Sessions the fuzzer created through MCP must not pile up past capacity unnoticed.
    const h = await call(s.url + "/v1/health", "GET");
    expect(h.body.sessions.active).toBeLessThanOrEqual(200);
  });

  it("hostile traffic to every route, direct and through the router (deep, huge, malformed, floods, foreign origins, WebSocket frames), leaves the process up and its heap bounded", async () => {
    const routerLogs: string[] = [];
    const router: RunningServer = await createSessionRouter({
      backends: [s.url],
      maxBodyBytes: 64 * 1024,
      log: createLogger({ level: "warn", sink: (l) => routerLogs.push(l) }),
    }).listen({ port: 0 });
    const heap0 = process.memoryUsage().heapUsed;
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const bodies = fc.oneof(
      fc.integer({ min: 600, max: 20_000 }).map((n) => `{"task_id":"multi_turn_base_0","config":{"x":${deep(n)}}}`),
      fc.integer({ min: 600, max: 20_000 }).map((n) => `{"message":${deep(n)}}`),
      fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((n) => JSON.stringify({ message: "x".repeat(n) })),
      fc.constant(JSON.stringify({ message: "[" + "pwd(),".repeat(2600) + "]" })),
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constant(JSON.stringify({ session_id: 123, task_id: "multi_turn_base_0" })),
      fc.constant('{"jsonrpc":"2.0","id":1,"method":"tools/list"'),
    );
    const paths = [
      "/v1/sessions",
      `/v1/sessions/${session}/step`,
      "/mcp",
      "/v1/reward",
      "/v1/tasks?split=ood:-TravelAPI,%20-TravelAPI",
      "/schema?task_id=" + "x".repeat(300),
      "/nope",
    ];
    const headers = fc.oneof(
      fc.constant<Record<string, string>>({}),
      fc.constant<Record<string, string>>({ "content-type": "text/plain" }),
      fc.constant<Record<string, string>>({ origin: "https://evil.example" }),
      fc.constant<Record<string, string>>({ "content-type": "application/json; charset=utf-8" }),
    );
    const wsFrames = fc.array(
      fc.oneof(bodies, fc.constant('{"type":"state"}'), fc.constant('{"type":"reset","data":{"task_id":"multi_turn_base_0"}}')),
      { minLength: 1, maxLength: 4 },
    );
    const internal: string[] = [];
    const wsSession = (base: string, frames: string[]) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(base.replace(/^http/, "ws") + (frames.length % 2 ? "/ws" : "/mcp"), { maxPayload: 1 << 20 });
        const done = () => {
          ws.terminate();
          resolve();
        };
        const timer = setTimeout(done, 2000);
        ws.on("error", () => undefined);
        ws.on("message", (d) => {
          const text = d.toString();
          if (text.includes("INTERNAL_ERROR") || text.includes("-32603")) internal.push(text.slice(0, 200));
        });
        ws.on("close", () => {
          clearTimeout(timer);
          resolve();
        });
        ws.on("open", () => {
          for (const f of frames) ws.send(f);
          setTimeout(() => ws.close(), 50);
        });
      });
    const httpCase = fc
      .tuple(fc.boolean(), fc.constantFrom(...paths), bodies, headers)
      .map(([viaRouter, path, body, h]) => ({ kind: "http" as const, viaRouter, path, body, h }));
    const wsCase = fc.tuple(fc.boolean(), wsFrames).map(([viaRouter, frames]) => ({ kind: "ws" as const, viaRouter, frames }));
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: httpCase, weight: 3 }, { arbitrary: wsCase, weight: 1 }), async (c) => {
        const base = c.viaRouter ? router.url : s.url;
        if (c.kind === "ws") return wsSession(base, c.frames);
        const get = c.path.startsWith("/v1/tasks") || c.path.startsWith("/schema");
        let res: Response;
        let text: string;
        try {
          res = await fetch(base + c.path, {
            method: get ? "GET" : "POST",
            headers: { "content-type": "application/json", ...c.h },
            ...(get ? {} : { body: c.body }),
          });
          text = await res.text();
        } catch (e) {
          // A body over maxBodyBytes is refused while it streams in: the server may close first.
          if (!get && c.body.length > 64 * 1024) return;
          throw e;
        }
        expect(res.status, `${c.viaRouter ? "router" : "direct"} ${c.path} ${c.body.slice(0, 60)}`).toBeLessThan(500);
        if (res.status >= 400 && text.startsWith('{"error"')) expect(CODES.has(JSON.parse(text).error.code)).toBe(true);
      }),
      { numRuns: 160, seed: 1717 },
    );
    // Every case with a deep config, each way in, at least once (random draws may miss them).
    for (const base of [s.url, router.url]) {
      const r = await call(base + "/v1/sessions", "POST", `{"task_id":"multi_turn_base_0","config":{"x":${deep(3000)}}}`);
      expect(r.status, base).toBe(400);
      await wsSession(base, [`{"type":"reset","data":{"task_id":"multi_turn_base_0","config":{"x":${deep(3000)}}}}`]);
    }
    expect(internal).toEqual([]);
    expect(noInternalErrors()).toEqual([]);
    for (const base of [s.url, router.url]) expect((await call(base + "/health", "GET")).status).toBe(200);
    // The documented bound for this server: its capacity (200) times the per-session worst case
    // (README, "Limits") on top of the process's baseline; the fuzzer stays far below it.
    const grown = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    expect(grown).toBeLessThan(200 * 3);
    expect(routerLogs.filter((l) => JSON.parse(l).level === "error")).toEqual([]);
    await router.close(100);
  });

  it("stays healthy and logged no internal error", async () => {
    const h = await call(s.url + "/v1/health", "GET");
    expect(h.status).toBe(200);
    expect(h.body.status).toBe("healthy");
    expect(noInternalErrors()).toEqual([]);
  });
});
