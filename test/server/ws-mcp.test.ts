/**
 * OpenEnv's WebSocket protocol on /ws, MCP JSON-RPC on POST /mcp and WS /mcp, and a single domain
 * pack as a stateful MCP tool server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { PyDict } from "@envtune/core";
import { createDomainMcpServer, createLogger, type RunningServer } from "@envtune/server";
import { call, environment, oracleRun, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ capacity: 32 });
});
afterAll(() => s.close());

interface Conn {
  ws: WebSocket;
  send(m: unknown): Promise<any>;
  raw(text: string): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
}

async function connect(path = "/ws"): Promise<Conn> {
  const ws = new WebSocket(s.url.replace(/^http/, "ws") + path);
  const waiters: Array<(m: any) => void> = [];
  ws.on("message", (d) => waiters.shift()?.(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const raw = (text: string) =>
    new Promise<any>((resolve) => {
      waiters.push(resolve);
      ws.send(text);
    });
  return { ws, raw, send: (m) => raw(JSON.stringify(m)), closed };
}

describe("WebSocket /ws (OpenEnv protocol)", () => {
  it("plays a full episode with reset/step/state/close and the in-process engine's rewards", async () => {
    const plan = await oracleRun("multi_turn_long_context_3", { stage: "4", mistakes: true });
    const c = await connect();
    const r = await c.send({
      type: "reset",
      data: { task_id: "multi_turn_long_context_3", stage: 4, seed: 0, episode_id: "my-episode-7" },
    });
    expect(r.type).toBe("observation");
    expect(r.data).toMatchObject({ reward: null, done: false });
    expect(r.data.observation.messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    let total = 0;
    let last: any;
    for (const a of plan.actions) {
      last = await c.send({ type: "step", data: { message: a } });
      expect(last.type).toBe("observation");
      total += last.data.reward;
    }
    expect(last.data.done).toBe(true);
    expect(total).toBeCloseTo(plan.reward, 12);
    expect(last.data.observation.reward_components).toEqual(plan.components);
    const st = await c.send({ type: "state" });
    expect(st.type).toBe("state");
    expect(st.data).toMatchObject({ task_id: "multi_turn_long_context_3", step_count: plan.actions.length, done: true });
    // OpenEnv's reset(episode_id=...) is honoured (openenv env_client.py:372 sends it in the reset data).
    expect(st.data.episode_id).toBe("my-episode-7");
    c.ws.send(JSON.stringify({ type: "close" }));
    expect((await c.closed).code).toBe(1000);
  });

  it("takes the assistant message directly as step data, and re-resets within one connection", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_1" } });
    const s1 = await c.send({ type: "step", data: { role: "assistant", content: "<think>a</think><answer>hi</answer>" } });
    expect(s1.data.observation.events.some((e: { type: string }) => e.type === "turn_end")).toBe(true);
    const again = await c.send({ type: "reset", data: { task_id: "multi_turn_base_2" } });
    expect(again.data.observation.info.id).toBe("multi_turn_base_2");
    const st = await c.send({ type: "state" });
    expect(st.data.step_count).toBe(0);
    c.ws.close();
  });

  it("answers bad messages with OpenEnv error codes and keeps the connection", async () => {
    const c = await connect();
    expect((await c.raw("{nope")).data.code).toBe("INVALID_JSON");
    expect((await c.send({ type: "dance" })).data.code).toBe("UNKNOWN_TYPE");
    expect((await c.send({ data: {} })).data.code).toBe("UNKNOWN_TYPE");
    expect((await c.send({ type: "step", data: { message: "x" } })).data.code).toBe("SESSION_ERROR");
    expect((await c.send({ type: "reset", data: { task_id: 3 } })).data.code).toBe("VALIDATION_ERROR");
    expect((await c.send({ type: "reset", data: { task_id: "nope" } })).data.code).toBe("TASK_NOT_FOUND");
    expect((await c.send({ type: "reset", data: "x" })).data.code).toBe("VALIDATION_ERROR");
    expect((await c.send({ type: "step" })).data.code).toBe("VALIDATION_ERROR");
    const ok = await c.send({ type: "reset", data: { task_id: "multi_turn_base_1" } });
    expect(ok.type).toBe("observation");
    c.ws.close();
  });

  it("carries MCP JSON-RPC in {type: mcp} messages, bound to the connection's session", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_0", config: { actionFormat: "openai", observation: "tool" } } });
    const list = await c.send({ type: "mcp", data: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
    expect(list.type).toBe("mcp");
    const env = await environment();
    const ep = env.createEpisode({ taskId: "multi_turn_base_0" });
    expect(list.data.result.tools.map((t: { name: string }) => t.name)).toEqual([
      ...ep.reset().tools.map((t) => t.function.name),
      "end_turn",
    ]);
    const res = await c.send({ type: "mcp", data: { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ls", arguments: {} } } });
    expect(res.data.result.isError).toBe(false);
    expect(res.data.result.content[0].text).toMatch(/current_directory_content/);
    c.ws.close();
  });

  it("a closed socket frees its session", async () => {
    const before = (await call(s.url + "/v1/health", "GET")).body.sessions.active;
    const c = await connect();
    expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(before + 1);
    c.ws.terminate();
    await c.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(before);
  });
});

describe("POST /mcp (JSON-RPC 2.0)", () => {
  const rpc = (body: unknown, headers: Record<string, string> = {}) => call(s.url + "/mcp", "POST", body, headers);

  it("initialize, ping, tools/list without a session (every tool, and end_turn)", async () => {
    const init = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {} } });
    expect(init.body.result).toMatchObject({
      protocolVersion: "2025-06-18",
      serverInfo: { name: "envtune-bfcl" },
      capabilities: { tools: {} },
    });
    expect(init.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await rpc({ jsonrpc: "2.0", id: "p", method: "ping" })).body).toEqual({ jsonrpc: "2.0", id: "p", result: {} });
    const list = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(list.body.result.tools).toHaveLength(129);
    expect(list.body.result.tools.at(-1).name).toBe("end_turn");
    expect(list.body.result.tools[0]).toHaveProperty("inputSchema");
    const note = await rpc({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(note.status).toBe(202);
  });

  it("openenv/session/create, tools/call as episode steps (floats exact), openenv/session/close", async () => {
    const env = await environment();
    const entry = env.dataset.entries.find((e) => e.involvedClasses.includes("MathAPI"))!;
    const created = await rpc({
      jsonrpc: "2.0",
      id: 1,
      method: "openenv/session/create",
      params: { task_id: entry.id, config: { actionFormat: "openai", observation: "tool" } },
    });
    const sid = created.body.result.session_id;
    expect(created.body.result.messages.length).toBe(2);
    const raw = `{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"session_id": "${sid}", "name": "absolute_value", "arguments": {"number": -4.0}}}`;
    const c1 = await call(s.url + "/mcp", "POST", raw);
    expect(c1.body.result.content).toEqual([{ type: "text", text: '{"result": 4.0}' }]);
    expect(c1.body.result.isError).toBe(false);
    expect(c1.body.result._meta["envtune/step"].events[0].type).toBe("tool_ok");
    const viaHeader = await rpc(
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "no_such_tool", arguments: {} } },
      { "mcp-session-id": sid },
    );
    // An unknown tool is a protocol error (MCP spec, server/tools §Error Handling), not a penalised step.
    expect(viaHeader.body.error).toMatchObject({ code: -32602, data: { code: "VALIDATION_ERROR" } });
    expect(viaHeader.body.error.message).toMatch(/Unknown tool: no_such_tool/);
    const state = await rpc({ jsonrpc: "2.0", id: 4, method: "openenv/session/state", params: { session_id: sid } });
    expect(state.body.result.step_count).toBe(1);
    expect(state.body.result.attempt).toBe(1);
    const closed = await rpc({ jsonrpc: "2.0", id: 5, method: "openenv/session/close", params: { session_id: sid } });
    expect(closed.body.result).toEqual({ session_id: sid, closed: true });
    const again = await rpc({ jsonrpc: "2.0", id: 6, method: "openenv/session/close", params: { session_id: sid } });
    expect(again.body.error.code).toBe(-32602);
    expect(again.body.error.data.code).toBe("SESSION_NOT_FOUND");
  });

  it("negotiates the protocol revision: the client's when supported, else the newest", async () => {
    const asked = async (v: unknown) =>
      (await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: v, capabilities: {} } })).body.result
        .protocolVersion;
    expect(await asked("2025-06-18")).toBe("2025-06-18");
    expect(await asked("2025-11-25")).toBe("2025-11-25");
    expect(await asked("1999-01-01")).toBe("2025-11-25");
    expect(await asked(7)).toBe("2025-11-25");
    const bad = await rpc({ jsonrpc: "2.0", id: 2, method: "ping" }, { "mcp-protocol-version": "1999-01-01" });
    expect(bad.status).toBe(400);
  });

  it("a request naming a session that does not exist is a 404 (the client must initialize again)", async () => {
    const r = await rpc({ jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-session-id": "gone" });
    expect(r.status).toBe(404);
    expect(r.body.error.data.code).toBe("SESSION_NOT_FOUND");
    expect((await call(s.url + "/mcp", "GET", undefined, { "mcp-session-id": "gone" })).status).toBe(404);
    expect((await call(s.url + "/mcp", "GET")).status).toBe(400);
  });

  it("one batch may create at most maxSessionsPerBatch sessions; a bigger one is refused whole", async () => {
    const before = (await call(s.url + "/v1/health", "GET")).body.sessions.active;
    const creates = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        jsonrpc: "2.0",
        id: i,
        method: "openenv/session/create",
        params: { task_id: "multi_turn_base_0" },
      }));
    const refused = await rpc(creates(100));
    expect(refused.body.error).toMatchObject({ code: -32600, data: { code: "VALIDATION_ERROR" } });
    expect(refused.body.error.message).toMatch(/at most 8 sessions/);
    expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(before);
    const ok = await rpc(creates(8));
    expect(ok.body).toHaveLength(8);
    for (const r of ok.body)
      await rpc({ jsonrpc: "2.0", id: 0, method: "openenv/session/close", params: { session_id: r.result.session_id } });
  });

  it("JSON-RPC errors: parse, invalid request, unknown method, bad params, batches", async () => {
    expect((await call(s.url + "/mcp", "POST", "{oops")).body.error.code).toBe(-32700);
    expect((await rpc({ id: 1, method: "ping" })).body.error.code).toBe(-32600);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: 7 })).body.error.code).toBe(-32600);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "nope" })).body.error.code).toBe(-32601);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "tools/list", params: [1] })).body.error.code).toBe(-32602);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ls" } })).body.error.data.code).toBe(
      "VALIDATION_ERROR",
    );
    expect(
      (await rpc({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ls", session_id: "nope" } })).body.error.data.code,
    ).toBe("SESSION_NOT_FOUND");
    expect((await rpc([])).body.error.code).toBe(-32600);
    const batch = await rpc([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", method: "notifications/x" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ]);
    expect(batch.body.map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(batch.body[1].error.code).toBe(-32601);
  });

  it("WS /mcp speaks plain JSON-RPC on the connection's own session", async () => {
    const c = await connect("/mcp");
    const created = await c.send({
      jsonrpc: "2.0",
      id: 1,
      method: "openenv/session/create",
      params: { task_id: "multi_turn_base_0", config: { actionFormat: "openai", observation: "tool" } },
    });
    const sid = created.result.session_id;
    const r = await c.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "pwd", arguments: {} } });
    expect(r.result.content[0].text).toMatch(/current_working_directory/);
    const cannot = await c.send({ jsonrpc: "2.0", id: 3, method: "openenv/session/close", params: { session_id: sid } });
    expect(cannot.error.data.code).toBe("SESSION_ERROR");
    expect((await c.raw("nope")).error.code).toBe(-32700);
    c.ws.close();
  });
});

describe("a single domain pack as an MCP tool server", () => {
  let running: RunningServer;
  let url: string;
  beforeAll(async () => {
    const env = await environment();
    const entry = env.task("multi_turn_base_0");
    const cfg = new PyDict([["GorillaFileSystem", entry.initialConfig.get("GorillaFileSystem")!]]);
    const server = createDomainMcpServer({
      pack: env.packs.get("GorillaFileSystem")!,
      initialConfig: cfg,
      log: createLogger({ level: "silent" }),
      capacity: 4,
    });
    running = await server.listen({ port: 0 });
    url = running.url + "/mcp";
  });
  afterAll(() => running.close(500));

  const rpc = (body: unknown, sid?: string) => call(url, "POST", body, sid ? { "mcp-session-id": sid } : {});

  it("is stateful per MCP session and isolated between sessions", async () => {
    const a = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    const sa = a.headers.get("mcp-session-id")!;
    expect(sa).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.body.result.serverInfo.name).toBe("envtune-file-system");
    const b = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    const sb = b.headers.get("mcp-session-id")!;
    const tools = (await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, sa)).body.result.tools;
    expect(tools.map((t: { name: string }) => t.name)).toContain("mkdir");
    const mk = await rpc(
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "mkdir", arguments: { dir_name: "only_in_a" } } },
      sa,
    );
    expect(mk.body.result.isError).toBe(false);
    const lsA = await rpc({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "ls", arguments: {} } }, sa);
    const lsB = await rpc({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "ls", arguments: {} } }, sb);
    expect(lsA.body.result.content[0].text).toContain("only_in_a");
    expect(lsB.body.result.content[0].text).not.toContain("only_in_a");
    const err = await rpc({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "cd", arguments: { folder: "nowhere" } } }, sa);
    expect(err.body.result.isError).toBe(true);
    const missing = await rpc({ jsonrpc: "2.0", id: 6, method: "tools/list" });
    expect(missing.status).toBe(400);
    const unknown = await rpc({ jsonrpc: "2.0", id: 6, method: "tools/list" }, "not-a-session");
    expect(unknown.status).toBe(404);
    const badTool = await rpc({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "eval", arguments: {} } }, sa);
    // The same answer as the full server's for an unknown tool.
    expect(badTool.body.error).toMatchObject({ code: -32602, data: { code: "VALIDATION_ERROR" } });
    expect(badTool.body.error.message).toMatch(/Unknown tool: eval\./);
    const del = await call(url, "DELETE", undefined, { "mcp-session-id": sa });
    expect(del.status).toBe(204);
    expect((await rpc({ jsonrpc: "2.0", id: 8, method: "tools/list" }, sa)).status).toBe(404);
    const h = await call(running.url + "/health", "GET");
    expect(h.body.sessions.active).toBe(1);
  });
});
