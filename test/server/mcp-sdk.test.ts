/**
 * The official MCP TypeScript SDK (@modelcontextprotocol/sdk) as the client: its `Client` over
 * Streamable HTTP, WebSocket and stdio (spawning the built `envtune mcp`) solves a multi-turn
 * task with nothing but `listTools` / `callTool`, and BFCL's checker calls the episode valid.
 */
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { WebSocket } from "ws";
import { z } from "zod";
import { checkEntry } from "@envtune/checker";
import { createLogger, serveMcpStdio } from "@envtune/server";
import type { AssistantInput } from "@envtune/engine";
import { bfclDataDir, call, environment, oracleRun, startServer, type TestServer } from "./helpers.ts";

const repo = join(fileURLToPath(new URL(".", import.meta.url)), "../..");
const TASK = "multi_turn_base_0";

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ capacity: 16, logLevel: "warn" });
});
afterAll(() => s.close());

type Text = { type: string; text: string };

/** The ground truth as standard tool calls: each OpenAI tool call, and `end_turn` where the oracle answers. */
async function groundTruthCalls(taskId: string): Promise<Array<{ name: string; arguments: Record<string, unknown> }>> {
  const { actions } = await oracleRun(taskId, { style: "openai" });
  return actions.flatMap((a: AssistantInput) => {
    const m = a as { content?: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> };
    if (m.tool_calls?.length)
      return m.tool_calls.map((tc) => ({
        name: tc.function.name,
        arguments: JSON.parse(tc.function.arguments) as Record<string, unknown>,
      }));
    return [{ name: "end_turn", arguments: { answer: m.content ?? "" } }];
  });
}

/** Plays the ground truth with `callTool` only; returns every result's text blocks. */
async function solve(client: Client, taskId: string): Promise<string[][]> {
  const list = async () => new Set((await client.listTools()).tools.map((t) => t.name));
  let offered = await list();
  expect(offered.has("end_turn")).toBe(true);
  const texts: string[][] = [];
  for (const c of await groundTruthCalls(taskId)) {
    // A host lists again after list_changed; a withheld tool (miss_func) shows up then.
    if (!offered.has(c.name)) offered = await list();
    expect(offered.has(c.name)).toBe(true);
    const r = await client.callTool(c);
    texts.push((r.content as Text[]).map((b) => b.text));
  }
  return texts;
}

/** BFCL's verdict over the checker input the server recorded for the session. */
async function verdict(decoded: unknown, taskId = TASK): Promise<{ valid: boolean }> {
  const env = await environment();
  return checkEntry(env.task(taskId), decoded, { packs: env.packs });
}

function expectTurnFlow(texts: string[][], turns: number): void {
  const flat = texts.flat();
  expect(flat.filter((t) => t.startsWith("[envtune] Next user request: ")).length).toBe(turns - 1);
  expect(texts.at(-1)!.at(-1)).toMatch(/^\[envtune\] Episode finished \(.+\)\. Reward: 1\.$/);
}

describe("Streamable HTTP", () => {
  it("initialize opens a session (Mcp-Session-Id) whose task comes from the URL; tools/call alone solves it and BFCL says valid", async () => {
    const client = new Client({ name: "sdk-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp?task_id=${TASK}`));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    expect(client.getInstructions()).toContain("User request: ");
    const env = await environment();
    const texts = await solve(client, TASK);
    expectTurnFlow(texts, env.task(TASK).groundTruth.length);
    const snap = await call(`${s.url}/v1/sessions/${transport.sessionId}`, "GET");
    expect(snap.body.done).toBe(true);
    expect((await verdict(snap.body.checker.decoded)).valid).toBe(true);
    await transport.terminateSession();
    expect((await call(`${s.url}/v1/sessions/${transport.sessionId}`, "GET")).status).toBe(404);
    await client.close();
  });

  it("takes the task from capabilities.experimental.envtune too, and unknown tools are -32602 without costing a step", async () => {
    const client = new Client(
      { name: "sdk-test", version: "1.0.0" },
      { capabilities: { experimental: { envtune: { task_id: TASK, stage: "4" } } } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`));
    await client.connect(transport);
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    const snap = await call(`${s.url}/v1/sessions/${transport.sessionId}`, "GET");
    expect(snap.body).toMatchObject({ task_id: TASK, stage: "4", step_count: 0, attempt: 0 });
    await transport.terminateSession();
    await client.close();
  });

  it("the GET /mcp SSE stream delivers notifications/tools/list_changed when a miss_func turn brings a tool back", async () => {
    const env = await environment();
    const task = "multi_turn_miss_func_0";
    void env;
    const client = new Client({ name: "sdk-test", version: "1.0.0" });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp?task_id=${task}&stage=4`));
    await client.connect(transport);
    const before = (await client.listTools()).tools.length;
    // The SDK opens its GET stream after `notifications/initialized`, without waiting; wait until the server holds it.
    for (let i = 0; i < 100 && (await call(`${s.url}/v1/health`, "GET")).body.mcp_streams === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await call(`${s.url}/v1/health`, "GET")).body.mcp_streams).toBe(1);
    await solve(client, task);
    for (let i = 0; i < 100 && changed === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(changed).toBeGreaterThan(0);
    expect((await client.listTools()).tools.length).toBeGreaterThan(before);
    await transport.terminateSession();
    await client.close();
  });
});

describe("WebSocket", () => {
  it("the SDK's WebSocketClientTransport solves the task on the connection's own session", async () => {
    // Node 20 has no global WebSocket; the SDK's transport takes any WHATWG-style one (subprotocol "mcp").
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    const client = new Client({ name: "sdk-test", version: "1.0.0" }, { capabilities: { experimental: { envtune: { task_id: TASK } } } });
    await client.connect(new WebSocketClientTransport(new URL(`${s.url.replace(/^http/, "ws")}/mcp`)));
    const env = await environment();
    expectTurnFlow(await solve(client, TASK), env.task(TASK).groundTruth.length);
    await client.close();
  });
});

describe("stdio (envtune mcp)", () => {
  const bin = join(repo, "packages/cli/bin/envtune.js");
  const start = async (tasks: string) => {
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, "mcp", "--task-id", tasks, "--data", bfclDataDir(), "--log-level", "info"],
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: "sdk-test", version: "1.0.0" });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    await client.connect(transport);
    return { client, stderr, changed: () => changed };
  };

  it("the built CLI speaks MCP on stdin/stdout and solves the task with tools/call alone; BFCL says valid", async () => {
    const { client, stderr } = await start(TASK);
    expect(client.getInstructions()).toContain(`Task ${TASK}.`);
    const env = await environment();
    expectTurnFlow(await solve(client, TASK), env.task(TASK).groundTruth.length);
    // The verdict through the session's state (an envtune method; the solving used standard calls only).
    const state = await client.request(
      { method: "openenv/session/state", params: {} },
      z.object({ task_id: z.string(), done: z.boolean(), checker: z.object({ decoded: z.unknown() }) }).loose(),
    );
    expect(state).toMatchObject({ task_id: TASK, done: true });
    expect((await verdict(state.checker.decoded)).valid).toBe(true);
    await client.close();
    expect(stderr.join("")).not.toMatch(/"level":"error"/);
  });

  it("answers bad lines with JSON-RPC errors on stdout and drops an oversized line without buffering it", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: unknown[] = [];
    let buf = "";
    output.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i !== -1; i = buf.indexOf("\n")) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    const done = serveMcpStdio(await environment(), {
      tasks: [{ task_id: TASK }],
      input,
      output,
      maxBodyBytes: 1024,
      log: createLogger({ level: "silent" }),
    });
    input.write("{nope\n");
    input.write("x".repeat(3000));
    input.write("y".repeat(3000) + "\n");
    input.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n");
    input.end();
    await done;
    expect(lines).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request: a message over 1024 bytes was dropped" } },
      { jsonrpc: "2.0", id: 1, result: {} },
    ]);
  });

  it("plays a task sequence: the finishing call's result announces the next task and tools/list_changed follows", async () => {
    const { client, changed } = await start(`${TASK},multi_turn_base_1`);
    const texts = await solve(client, TASK);
    expect(texts.at(-1)!.join("\n")).toMatch(
      /Episode finished \(.+\)\. Reward: 1\.\n\[envtune\] Next task \(2\/2\): multi_turn_base_1\. User request: /,
    );
    expect(changed()).toBe(1);
    await client.close();
  });
});
