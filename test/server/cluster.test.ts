/**
 * Horizontal scale: `envtune serve --workers 3` (three server processes behind the session router)
 * pins every session to one process by its id; the routing key is the session id.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { routeSession } from "@envtune/server";
import { bfclDataDir, call, oracleRun } from "./helpers.ts";

const entry = fileURLToPath(new URL("./serve-entry.ts", import.meta.url));
let proc: ChildProcess;
let url: string;
let backends: string[];
let stderr = "";

/** Starts `envtune serve` (from sources) and resolves with the URL it announces. */
export function startCli(args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const p = spawn(
    process.execPath,
    [
      "--conditions=@envtune/source",
      "--import",
      "tsx",
      entry,
      "--port",
      "0",
      "--announce",
      "--data",
      bfclDataDir(),
      "--log-level",
      "warn",
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  p.stderr!.on("data", (d) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    p.once("exit", (code) => reject(new Error(`envtune serve exited with ${code}: ${stderr.slice(-2000)}`)));
    createInterface({ input: p.stdout! }).on("line", (line) => {
      try {
        const m = JSON.parse(line) as { listening?: string };
        if (m.listening) resolve({ proc: p, url: m.listening });
      } catch {
        // not the announcement
      }
    });
  });
}

beforeAll(async () => {
  ({ proc, url } = await startCli(["--workers", "3", "--capacity", "100"]));
  const h = await call(url + "/v1/health", "GET");
  backends = h.body.backends.map((b: { url: string }) => b.url);
}, 120_000);

afterAll(async () => {
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  }
});

describe("N server processes behind the session router", () => {
  it("reports every backend on /v1/health", async () => {
    const h = await call(url + "/v1/health", "GET");
    expect(h.body).toMatchObject({ status: "healthy", router: true });
    expect(backends).toHaveLength(3);
    expect(new Set(h.body.backends.map((b: { pid: number }) => b.pid)).size).toBe(3);
  });

  it("pins each session to the backend its id hashes to, with or without a caller-chosen id", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const body = i % 2 ? { session_id: `trainer-${i}`, task_id: "multi_turn_base_0" } : { task_id: "multi_turn_base_0" };
      const c = await call(url + "/v1/sessions", "POST", body);
      expect(c.status).toBe(201);
      const id = c.body.session_id as string;
      ids.push(id);
      expect(c.headers.get("x-envtune-backend")).toBe(routeSession(id, backends));
      const st = await call(url + `/v1/sessions/${id}/step`, "POST", { message: "<think>a</think><answer>b</answer>" });
      expect(st.status).toBe(200);
      expect(st.headers.get("x-envtune-backend")).toBe(routeSession(id, backends));
    }
    const counts = await Promise.all(backends.map(async (b) => (await call(b + "/v1/health", "GET")).body.sessions.active as number));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    for (const b of backends) expect(counts[backends.indexOf(b)]).toBe(ids.filter((id) => routeSession(id, backends) === b).length);
    expect(counts.every((n) => n > 0)).toBe(true);
    // The owner has it; the others do not (state never crosses processes).
    const id = ids[0]!;
    const owner = routeSession(id, backends);
    for (const b of backends) expect((await call(b + `/v1/sessions/${id}`, "GET")).status).toBe(b === owner ? 200 : 404);
    for (const id2 of ids) expect((await call(url + `/v1/sessions/${id2}`, "DELETE")).status).toBe(200);
  });

  it("plays a full episode through the router with the in-process engine's rewards", async () => {
    const plan = await oracleRun("multi_turn_miss_param_9", { stage: "3", mistakes: true });
    const c = await call(url + "/v1/sessions", "POST", { session_id: "ep-1", task_id: "multi_turn_miss_param_9", stage: 3 });
    let total = 0;
    for (const a of plan.actions) total += (await call(url + "/v1/sessions/ep-1/step", "POST", { message: a })).body.reward;
    expect(total).toBeCloseTo(plan.reward, 12);
    expect(c.status).toBe(201);
    await call(url + "/v1/sessions/ep-1", "DELETE");
  });

  it("names MCP initialize sessions so that every later request (and the GET event stream) reaches their backend", async () => {
    for (let i = 0; i < 6; i++) {
      const init = await call(url + "/mcp?task_id=multi_turn_base_0", "POST", {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {} },
      });
      const sid = init.headers.get("mcp-session-id")!;
      expect(init.headers.get("x-envtune-backend")).toBe(routeSession(sid, backends));
      const r = await call(
        url + "/mcp",
        "POST",
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "pwd", arguments: {} } },
        { "mcp-session-id": sid },
      );
      expect(r.body.result.content[0].text).toMatch(/current_working_directory/);
      const ac = new AbortController();
      const stream = await fetch(url + "/mcp", { headers: { "mcp-session-id": sid, accept: "text/event-stream" }, signal: ac.signal });
      expect([stream.status, stream.headers.get("content-type")]).toEqual([200, "text/event-stream"]);
      ac.abort();
      expect((await call(url + "/mcp", "DELETE", undefined, { "mcp-session-id": sid })).status).toBe(204);
    }
  });

  it("routes MCP session creates and calls, and relays WebSockets", async () => {
    const created = await call(url + "/mcp", "POST", {
      jsonrpc: "2.0",
      id: 1,
      method: "openenv/session/create",
      params: { task_id: "multi_turn_base_0", config: { actionFormat: "openai", observation: "tool" } },
    });
    const sid = created.body.result.session_id;
    expect(created.headers.get("x-envtune-backend")).toBe(routeSession(sid, backends));
    const r = await call(url + "/mcp", "POST", {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { session_id: sid, name: "pwd", arguments: {} },
    });
    expect(r.body.result.content[0].text).toMatch(/current_working_directory/);
    await call(url + "/mcp", "POST", { jsonrpc: "2.0", id: 3, method: "openenv/session/close", params: { session_id: sid } });

    const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws?session_id=pinned");
    const msgs: any[] = [];
    const next = () => new Promise<any>((resolve) => ws.once("message", (d) => resolve(JSON.parse(d.toString()))));
    ws.once("open", () => ws.send(JSON.stringify({ type: "reset", data: { task_id: "multi_turn_base_1" } })));
    msgs.push(await next());
    ws.send(JSON.stringify({ type: "step", data: { message: "<think>a</think><answer>b</answer>" } }));
    msgs.push(await next());
    expect(msgs.map((m) => m.type)).toEqual(["observation", "observation"]);
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send(JSON.stringify({ type: "close" }));
    expect(await closed).toBe(1000);
  });

  it("restarts a worker killed outright; its slot serves again and only its sessions are lost", async () => {
    // Two sessions on different slots; the first slot's worker is then killed with SIGKILL.
    const ids = Array.from({ length: 40 }, (_, i) => `crash-${i}`);
    const victimKey = routeSession(ids[0]!, backends);
    const survivor = ids.find((id) => routeSession(id, backends) !== victimKey)!;
    for (const id of [ids[0]!, survivor])
      expect((await call(url + "/v1/sessions", "POST", { session_id: id, task_id: "multi_turn_base_0" })).status).toBe(201);
    const slot = backends.indexOf(victimKey);
    const before = (await call(url + "/v1/health", "GET")).body.backends[slot] as { pid: number };
    process.kill(before.pid, "SIGKILL");

    let after: { pid?: number; ok: boolean; url: string } | undefined;
    for (let i = 0; i < 300; i++) {
      const h = (await call(url + "/v1/health", "GET")).body;
      after = h.backends[slot];
      if (h.status === "healthy" && after!.pid !== before.pid) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after!.ok).toBe(true);
    expect(after!.pid).not.toBe(before.pid);
    expect(stderr).toMatch(/worker exited, restarting/);

    // The dead process's session is gone, with a clear error; the other slot's session is intact.
    const lost = await call(url + `/v1/sessions/${ids[0]}/step`, "POST", { message: "<think>a</think><answer>b</answer>" });
    expect(lost.status).toBe(404);
    expect(lost.body.error.code).toBe("SESSION_NOT_FOUND");
    expect((await call(url + `/v1/sessions/${survivor}/step`, "POST", { message: "<think>a</think><answer>b</answer>" })).status).toBe(200);
    // The same id routes to the same slot, now served by the new process.
    const again = await call(url + "/v1/sessions", "POST", { session_id: ids[0], task_id: "multi_turn_base_0" });
    expect(again.status).toBe(201);
    expect(again.headers.get("x-envtune-backend")).toBe(after!.url);
    for (const id of [ids[0]!, survivor]) await call(url + `/v1/sessions/${id}`, "DELETE");
  });

  it("shuts down on SIGTERM: router and workers exit", async () => {
    const pids = (await call(url + "/v1/health", "GET")).body.backends.map((b: { pid: number }) => b.pid as number);
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of pids) {
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          alive = false;
        }
      }
      expect(alive).toBe(false);
    }
  });
});

describe("router and single process agree; the token stays out of `ps`", () => {
  it("gives the same 400s, 401 before a WebSocket upgrade, 403 for foreign origins, and passes the token to workers only through their environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "envtune-token-"));
    const tokenFile = join(dir, "token");
    const token = "tok-" + "7".repeat(24);
    writeFileSync(tokenFile, token + "\n", { mode: 0o600 });
    const { proc: p, url: u } = await startCli(["--workers", "2", "--token-file", tokenFile, "--log-level", "debug"]);
    try {
      const auth = { authorization: `Bearer ${token}` };
      const h = await call(u + "/v1/health", "GET");
      const pids = [p.pid!, ...h.body.backends.map((b: { pid: number }) => b.pid)];
      for (const pid of pids) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8"), `pid ${pid}`).not.toContain(token);
      expect((await call(u + "/v1/tasks?limit=1", "GET")).status).toBe(401);
      expect((await call(u + "/v1/tasks?limit=1", "GET", undefined, auth)).status).toBe(200);
      // A session id that is not a string is the client's mistake, not a reason to invent one.
      const bad = await call(u + "/v1/sessions", "POST", { session_id: 123, task_id: "multi_turn_base_0" }, auth);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("VALIDATION_ERROR");
      // Deep JSON: 400 whether or not the key is used, never a 500.
      for (const key of ["config", "unused"]) {
        const deep = "[".repeat(3000) + "]".repeat(3000);
        const r = await call(u + "/v1/sessions", "POST", `{"task_id":"multi_turn_base_0","${key}":{"x":${deep}}}`, auth);
        expect(r.status, key).toBe(400);
        expect(r.body.error.code).toBe("VALIDATION_ERROR");
      }
      const status = (headers: Record<string, string>) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(u.replace(/^http/, "ws") + "/ws", { headers });
          ws.on("open", () => {
            ws.close();
            resolve(101);
          });
          ws.on("unexpected-response", (_q, res) => {
            resolve(res.statusCode!);
            ws.terminate();
          });
          ws.on("error", () => undefined);
        });
      expect(await status({})).toBe(401);
      expect(await status({ ...auth, origin: "https://evil.example" })).toBe(403);
      expect(await status(auth)).toBe(101);
      expect((await call(u + "/v1/tasks?limit=1", "GET", undefined, { ...auth, origin: "https://evil.example" })).status).toBe(403);
    } finally {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("envtune serve --domain", () => {
  it("serves one pack as a stateful MCP tool server loaded from a task's initial state", async () => {
    const { proc: p, url: u } = await startCli(["--domain", "@envtune/domain-travel", "--scenario", "multi_turn_base_12"]);
    try {
      const init = await call(u + "/mcp", "POST", { jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
      const sid = init.headers.get("mcp-session-id")!;
      expect(init.body.result.serverInfo.name).toBe("envtune-travel");
      const tools = await call(u + "/mcp", "POST", { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sid });
      expect(tools.body.result.tools.map((t: { name: string }) => t.name)).toContain("list_all_airports");
      const r = await call(
        u + "/mcp",
        "POST",
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_all_airports", arguments: {} } },
        { "mcp-session-id": sid },
      );
      expect(r.body.result.content[0].text).toContain("SFO");
    } finally {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;
    }
  });
});

describe("worker lifetime", () => {
  it("workers exit when their parent is killed outright (SIGKILL)", async () => {
    const { proc: p, url: u } = await startCli(["--workers", "2"]);
    const pids = (await call(u + "/v1/health", "GET")).body.backends.map((b: { pid: number }) => b.pid as number);
    expect(pids).toHaveLength(2);
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
    for (const pid of pids) {
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          alive = false;
        }
      }
      expect(alive, `worker ${pid}`).toBe(false);
    }
  });
});
