/**
 * OpenEnv's contract, written out against a live server: every check of its
 * `validate_running_environment`, its strict response models (`extra="forbid"` emulated by exact
 * key sets), the HTTP simulation endpoints, and the messages its own clients send over `/ws`
 * (`EnvClient`, `GenericEnvClient`, `MCPToolClient` in its default mode).
 *
 * Upstream: github.com/meta-pytorch/OpenEnv @ 685de411e5f77286b0fd94798d42c4467cf8a1bc; paths
 * below are relative to its `src/openenv/`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { resetRequestSchema, stepRequestSchema } from "@envtune/server";
import { z } from "zod";
import { call, environment, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ capacity: 32, logLevel: "warn" });
});
afterAll(() => s.close());

const get = (p: string) => call(s.url + p, "GET");
const post = (p: string, body: unknown) => call(s.url + p, "POST", body);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const keys = (v: Record<string, unknown>) => Object.keys(v).sort();

describe("validate_running_environment (cli/_validation.py:102-427)", () => {
  it("openapi_version_available: GET /openapi.json is 200 with a string info.version (_validation.py:130-156)", async () => {
    const r = await get("/openapi.json");
    expect(r.status).toBe(200);
    expect(isObj(r.body) && isObj(r.body.info) && typeof r.body.info.version).toBe("string");
    // "1.x" selects the openenv-http/1.x profile (_validation.py:70-74).
    expect(r.body.info.version).toMatch(/^1\./);
  });

  it("health_endpoint: GET /health is 200 with status 'healthy' (_validation.py:195-216)", async () => {
    const r = await get("/health");
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("healthy");
  });

  it("metadata_endpoint: GET /metadata is 200 with string name and description (_validation.py:236-261)", async () => {
    const r = await get("/metadata");
    expect(r.status).toBe(200);
    expect(typeof r.body.name).toBe("string");
    expect(typeof r.body.description).toBe("string");
  });

  it("schema_endpoint: GET /schema is 200 with object action, observation and state (_validation.py:285-311)", async () => {
    const r = await get("/schema");
    expect(r.status).toBe(200);
    expect([isObj(r.body.action), isObj(r.body.observation), isObj(r.body.state)]).toEqual([true, true, true]);
  });

  it("mcp_endpoint: POST /mcp with json={} is 200 with jsonrpc '2.0' (_validation.py:344-367)", async () => {
    const r = await post("/mcp", {});
    expect(r.status).toBe(200);
    expect(r.body.jsonrpc).toBe("2.0");
  });

  it("mode_endpoint_consistency: /reset in the OpenAPI paths means /step and /state too, 'simulation' (_validation.py:384-392)", async () => {
    const paths = (await get("/openapi.json")).body.paths as Record<string, unknown>;
    expect(["/reset", "/step", "/state"].map((p) => p in paths)).toEqual([true, true, true]);
  });
});

describe("strict response models (core/env_server/types.py)", () => {
  it("HealthResponse (types.py:239-245, BaseMessage extra='forbid' types.py:169-175): exactly {status} in HealthStatus (types.py:29-34)", async () => {
    const r = await get("/health");
    expect(keys(r.body)).toEqual(["status"]);
    expect(["healthy", "unhealthy", "degraded"]).toContain(r.body.status);
  });

  it("EnvironmentMetadata (types.py:208-222): only its six fields; optional ones string or null", async () => {
    const r = await get("/metadata");
    const allowed = ["author", "description", "documentation_url", "name", "readme_content", "version"];
    expect(keys(r.body).every((k) => allowed.includes(k))).toBe(true);
    for (const k of ["readme_content", "version", "author", "documentation_url"])
      expect(r.body[k] === null || typeof r.body[k] === "string").toBe(true);
  });

  it("SchemaResponse (types.py:225-236): exactly {action, observation, state}", async () => {
    expect(keys((await get("/schema")).body)).toEqual(["action", "observation", "state"]);
  });

  it("ResetResponse / StepResponse (types.py:110-123, 155-166): exactly {observation, reward, done}", async () => {
    const r = await post("/reset", { task_id: "multi_turn_base_0" });
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(["done", "observation", "reward"]);
    expect([isObj(r.body.observation), r.body.reward, r.body.done]).toEqual([true, null, false]);
    const id = r.body.observation.episode_id as string;
    const st = await post("/step", { episode_id: id, action: { message: "<think>x</think><answer>hi</answer>" } });
    expect(st.status).toBe(200);
    expect(keys(st.body)).toEqual(["done", "observation", "reward"]);
    expect(typeof st.body.reward).toBe("number");
    expect(typeof st.body.done).toBe("boolean");
  });

  it("State (types.py:178-197, extra='allow'): episode_id string or null, step_count integer ≥ 0", async () => {
    const r = await post("/reset", { task_id: "multi_turn_base_1" });
    const st = await call(`${s.url}/state?episode_id=${r.body.observation.episode_id}`, "GET");
    expect(st.status).toBe(200);
    expect(typeof st.body.episode_id).toBe("string");
    expect(Number.isInteger(st.body.step_count) && st.body.step_count >= 0).toBe(true);
  });
});

describe("HTTP simulation endpoints (core/env_server/http_server.py:1071-1157, 1197-1210)", () => {
  it("reset honours episode_id (ResetRequest types.py:94-107) and a second reset restarts that episode", async () => {
    const a = await post("/reset", { task_id: "multi_turn_base_0", episode_id: "contract-ep-1", seed: 3 });
    expect(a.body.observation.episode_id).toBe("contract-ep-1");
    await post("/step", {
      episode_id: "contract-ep-1",
      action: {
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "pwd", arguments: "{}" } }],
        },
      },
    });
    expect((await get("/state?episode_id=contract-ep-1")).body).toMatchObject({ episode_id: "contract-ep-1", step_count: 1 });
    await post("/reset", { task_id: "multi_turn_base_2", episode_id: "contract-ep-1" });
    expect((await get("/state?episode_id=contract-ep-1")).body).toMatchObject({
      episode_id: "contract-ep-1",
      step_count: 0,
      task_id: "multi_turn_base_2",
    });
  });

  it("an invalid action is 422 VALIDATION_ERROR (http_server.py:632-641) and costs no step or attempt", async () => {
    await post("/reset", { task_id: "multi_turn_base_0", episode_id: "contract-ep-2" });
    for (const action of [{ foo: 1 }, { message: { foo: 1 } }, { message: 7 }, {}]) {
      const r = await post("/step", { episode_id: "contract-ep-2", action });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect((await post("/step", { action: { message: "x" } })).status).toBe(422);
    expect((await get("/state?episode_id=contract-ep-2")).body).toMatchObject({ step_count: 0, attempt: 0, turn: 0 });
  });

  it("/openapi.json publishes the zod request schemas the endpoints validate with", async () => {
    const doc = (await get("/openapi.json")).body;
    const strip = (x: z.ZodType) => {
      const { $schema: _s, ...rest } = z.toJSONSchema(x, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
      return rest;
    };
    expect(doc.paths["/reset"].post.requestBody.content["application/json"].schema).toEqual(strip(resetRequestSchema));
    expect(doc.paths["/step"].post.requestBody.content["application/json"].schema).toEqual(strip(stepRequestSchema));
    expect(doc.paths["/step"].post.requestBody.content["application/json"].schema.properties.action).toEqual(
      (await get("/schema")).body.action,
    );
  });
});

interface Conn {
  ws: WebSocket;
  send(m: unknown): Promise<any>;
}

async function connect(): Promise<Conn> {
  const ws = new WebSocket(s.url.replace(/^http/, "ws") + "/ws");
  const waiters: Array<(m: any) => void> = [];
  ws.on("message", (d) => waiters.shift()?.(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, send: (m) => new Promise((resolve) => (waiters.push(resolve), ws.send(JSON.stringify(m)))) };
}

describe("EnvClient / GenericEnvClient over /ws (core/env_client.py, core/generic_client.py)", () => {
  it("reset(**kwargs) sends {type: reset, data: kwargs} (env_client.py:372-390); episode_id shows in state (env_client.py:410-419)", async () => {
    const c = await connect();
    const r = await c.send({ type: "reset", data: { task_id: "multi_turn_base_0", episode_id: "ws-episode-9" } });
    expect(r.type).toBe("observation");
    expect(r.data.observation.episode_id).toBe("ws-episode-9");
    const st = await c.send({ type: "state" });
    expect(st.data).toMatchObject({ episode_id: "ws-episode-9", step_count: 0 });
    c.ws.close();
  });

  it("step(action) sends the Action's model_dump() (generic_client.py:60-80): {message, metadata: {}} is a step; {foo: 1} is VALIDATION_ERROR and costs nothing", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_0" } });
    const bad = await c.send({ type: "step", data: { foo: 1 } });
    expect(bad).toMatchObject({ type: "error", data: { code: "VALIDATION_ERROR" } });
    const alsoBad = await c.send({ type: "step", data: { message: "x", extra: 1 } });
    expect(alsoBad.data.code).toBe("VALIDATION_ERROR");
    expect((await c.send({ type: "state" })).data).toMatchObject({ step_count: 0, attempt: 0 });
    const ok = await c.send({
      type: "step",
      data: {
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "a", type: "function", function: { name: "pwd", arguments: "{}" } }],
        },
        metadata: {},
      },
    });
    expect(ok.type).toBe("observation");
    expect((await c.send({ type: "state" })).data.step_count).toBe(1);
    c.ws.close();
  });
});

describe("MCPToolClient default mode: list_tools / call_tool steps over /ws (core/mcp_client.py)", () => {
  it("ListToolsAction is {type: list_tools} (mcp_client.py:241-244); the observation's tools carry name, description, input_schema (mcp_client.py:262-276)", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_0" } });
    const r = await c.send({ type: "step", data: { type: "list_tools" } });
    expect(r.type).toBe("observation");
    const env = await environment();
    const names = env
      .createEpisode({ taskId: "multi_turn_base_0" })
      .reset()
      .tools.map((t) => t.function.name);
    expect(r.data.observation.tools.map((t: { name: string }) => t.name)).toEqual([...names, "end_turn"]);
    expect(Object.keys(r.data.observation.tools[0]).sort()).toEqual(["description", "input_schema", "name"]);
    c.ws.close();
  });

  it("CallToolAction is {type: call_tool, tool_name, arguments} (mcp_client.py:245-251); result['data'] is what call_tool returns (mcp_client.py:278-290, 440-447)", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_0" } });
    const r = await c.send({ type: "step", data: { type: "call_tool", tool_name: "cd", arguments: { folder: "document" } } });
    expect(r.data.observation).toMatchObject({
      tool_name: "cd",
      error: null,
      result: { data: '{"current_working_directory": "document"}' },
    });
    expect(typeof r.data.reward).toBe("number");
    const end = await c.send({ type: "step", data: { type: "call_tool", tool_name: "end_turn", arguments: { answer: "ok" } } });
    expect(end.data.observation.result.data).toMatch(/^\[envtune\] Next user request: /);
    c.ws.close();
  });

  it("an unknown tool answers a ToolError (mcp_types.py:202-224) tool_not_found and costs no step", async () => {
    const c = await connect();
    await c.send({ type: "reset", data: { task_id: "multi_turn_base_0" } });
    const r = await c.send({ type: "step", data: { type: "call_tool", tool_name: "no_such_tool", arguments: {} } });
    expect(r.data.observation.error).toMatchObject({ error_type: "tool_not_found" });
    expect((await c.send({ type: "state" })).data.step_count).toBe(0);
    c.ws.close();
  });
});
