/**
 * The request guard: a web page the user visits must not be able to drive a local server that has
 * no token (cross-origin WebSocket, `text/plain` POST, DNS rebinding), and hostile JSON (deep
 * nesting) gets a 400, never a 500.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createDomainMcpServer } from "@envtune/server";
import { call, environment, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ logLevel: "debug" });
});
afterAll(() => s.close());

/** A raw request with any Host header (fetch will not send a foreign one). */
function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? "GET", headers: opts.headers ?? {} },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

function wsStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode!);
      ws.terminate();
    });
    ws.on("error", (e) => (e.message.includes("Unexpected server response") ? undefined : reject(e)));
  });
}

describe("Origin and Host allow-list", () => {
  it("refuses a WebSocket from a foreign Origin before the upgrade, accepts loopback origins and no Origin", async () => {
    expect(await wsStatus(s.url + "/ws", { origin: "https://evil.example" })).toBe(403);
    expect(await wsStatus(s.url + "/mcp", { origin: "null" })).toBe(403);
    expect(await wsStatus(s.url + "/ws", { origin: "http://localhost:3000" })).toBe(101);
    expect(await wsStatus(s.url + "/ws", {})).toBe(101);
  });

  it("refuses HTTP from a foreign Origin or for a foreign Host (DNS rebinding) with 403 and a stable code", async () => {
    const o = await call(s.url + "/v1/sessions", "POST", { task_id: "multi_turn_base_0" }, { origin: "https://evil.example" });
    expect(o.status).toBe(403);
    expect(o.body.error.code).toBe("ORIGIN_NOT_ALLOWED");
    expect(o.body.error.message).toMatch(/--allow-origin/);
    const h = await raw(s.url + "/v1/tasks?limit=1", { headers: { host: "attacker.example:8000" } });
    expect(h.status).toBe(403);
    expect(h.body.error.code).toBe("HOST_NOT_ALLOWED");
    for (const host of ["localhost:8000", "127.0.0.1", "[::1]:9", "127.1.2.3:80"]) {
      expect((await raw(s.url + "/v1/tasks?limit=1", { headers: { host } })).status, host).toBe(200);
    }
    expect(await s.server.service.sessions.size).toBe(0);
  });

  it("takes extra origins and hosts from allowOrigins / allowHosts", async () => {
    const t = await startServer({ allowOrigins: ["https://app.example"], allowHosts: ["envtune.internal"] });
    try {
      expect((await call(t.url + "/v1/tasks?limit=1", "GET", undefined, { origin: "https://app.example" })).status).toBe(200);
      expect((await call(t.url + "/v1/tasks?limit=1", "GET", undefined, { origin: "https://other.example" })).status).toBe(403);
      expect((await raw(t.url + "/v1/tasks?limit=1", { headers: { host: "envtune.internal:8000" } })).status).toBe(200);
      expect(await wsStatus(t.url + "/ws", { origin: "https://app.example" })).toBe(101);
    } finally {
      await t.close();
    }
  });
});

describe("JSON bodies only", () => {
  it("refuses a text/plain (or untyped) POST with 415 UNSUPPORTED_MEDIA_TYPE and creates nothing", async () => {
    const before = s.server.service.sessions.size;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const r = await raw(s.url + "/v1/sessions", {
        method: "POST",
        headers: type ? { "content-type": type } : {},
        body: JSON.stringify({ task_id: "multi_turn_base_0" }),
      });
      expect(r.status, String(type)).toBe(415);
      expect(r.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    expect(s.server.service.sessions.size).toBe(before);
    // JSON with parameters, and an empty body, are fine.
    expect((await raw(s.url + "/v1/tasks", { headers: {} })).status).toBe(200);
    const ok = await raw(s.url + "/v1/sessions", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ task_id: "multi_turn_base_0" }),
    });
    expect(ok.status).toBe(201);
  });
});

describe("domain MCP server (envtune serve --domain)", () => {
  it("applies the same guard in the transport", async () => {
    const env = await environment();
    const running = await createDomainMcpServer({ pack: env.packs.get("TravelAPI")!, logLevel: "silent" }).listen({
      port: 0,
      host: "127.0.0.1",
    });
    try {
      const rpc = { jsonrpc: "2.0", id: 1, method: "initialize", params: {} };
      expect((await call(running.url + "/mcp", "POST", rpc)).status).toBe(200);
      expect((await call(running.url + "/mcp", "POST", rpc, { origin: "https://evil.example" })).body.error.code).toBe(
        "ORIGIN_NOT_ALLOWED",
      );
      expect(
        (await raw(running.url + "/mcp", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(rpc) })).status,
      ).toBe(415);
      expect(
        (
          await raw(running.url + "/mcp", {
            method: "POST",
            headers: { host: "attacker.example", "content-type": "application/json" },
            body: JSON.stringify(rpc),
          })
        ).status,
      ).toBe(403);
    } finally {
      await running.close(100);
    }
  });
});

describe("deep JSON", () => {
  it("answers 400 for config nested 3,000 levels deep (and deeper), and logs nothing as a failure", async () => {
    for (const n of [3000, 100_000]) {
      const deep = "[".repeat(n) + "]".repeat(n);
      const r = await call(s.url + "/v1/sessions", "POST", `{"task_id":"multi_turn_base_0","config":{"x":${deep}}}`);
      expect(r.status, String(n)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
      expect(r.body.error.message).toMatch(/nested more than 512 levels/);
    }
    expect(s.logs.filter((l) => JSON.parse(l).level === "error")).toEqual([]);
  });

  it("answers a too-deep WebSocket message with an error frame and keeps the connection", async () => {
    const ws = new WebSocket(s.url.replace(/^http/, "ws") + "/ws");
    const msgs: any[] = [];
    ws.on("message", (d) => msgs.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send(`{"type":"reset","data":{"config":${"[".repeat(5000)}${"]".repeat(5000)}}}`);
    ws.send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_0" } }));
    while (msgs.length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(msgs[0]).toMatchObject({ type: "error", data: { code: "VALIDATION_ERROR" } });
    expect(msgs[1].type).toBe("observation");
    ws.close();
  });
});
