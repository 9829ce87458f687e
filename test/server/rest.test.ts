/**
 * The native session REST API and OpenEnv's HTTP endpoints, over a real server and real fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_ERROR_CODES } from "@envtune/server";
import { call, environment, oracleRun, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ capacity: 64 });
});
afterAll(() => s.close());

const post = (p: string, b?: unknown) => call(s.url + p, "POST", b);
const get = (p: string) => call(s.url + p, "GET");
const del = (p: string) => call(s.url + p, "DELETE");

describe("OpenEnv endpoints", () => {
  it("GET /health is exactly OpenEnv's HealthResponse; GET /v1/health reports live sessions and memory", async () => {
    const r = await get("/health");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "healthy" });
    const d = await get("/v1/health");
    expect(d.body.status).toBe("healthy");
    expect(d.body.sessions).toMatchObject({ capacity: 64 });
    expect(typeof d.body.sessions.active).toBe("number");
    expect(d.body.memory.rss).toBeGreaterThan(0);
    expect(d.body.memory.heap_used).toBeGreaterThan(0);
  });

  it("GET /metadata is exactly OpenEnv's EnvironmentMetadata; GET /v1/info names domains, stages and splits", async () => {
    const r = await get("/metadata");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["author", "description", "documentation_url", "name", "readme_content", "version"]);
    expect(r.body.name).toBe("envtune-bfcl");
    const i = await get("/v1/info");
    expect(i.body.domains.map((d: { class_name: string }) => d.class_name).sort()).toEqual(
      ["GorillaFileSystem", "MathAPI", "MessageAPI", "TicketAPI", "TradingBot", "TravelAPI", "TwitterAPI", "VehicleControlAPI"].sort(),
    );
    expect(i.body.stages.map((x: { id: string }) => x.id)).toEqual(["1", "2", "3", "4"]);
    expect(i.body.task_count).toBe(800);
  });

  it("GET /schema is exactly action, observation and state; GET /v1/tools gives the tools (all, or one task's)", async () => {
    const schema = await get("/schema");
    expect(Object.keys(schema.body)).toEqual(["action", "observation", "state"]);
    const all = await get("/v1/tools");
    expect(all.body.tools).toHaveLength(128);
    const one = await get("/v1/tools?task_id=multi_turn_base_0");
    const env = await environment();
    const ep = env.createEpisode({ taskId: "multi_turn_base_0" });
    expect(one.body.tools).toEqual(ep.reset().tools);
    const missing = await get("/v1/tools?task_id=nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("TASK_NOT_FOUND");
  });
});

describe("tasks, stages, splits", () => {
  it("lists tasks by split, part, stage and category, with paging", async () => {
    const train = await get("/v1/tasks?split=paper&part=train");
    expect(train.body.total).toBe(400);
    const stage2 = await get("/v1/tasks?stage=2");
    expect(stage2.body.total).toBe(100);
    expect(stage2.body.tasks.every((t: { category: string }) => t.category === "base")).toBe(true);
    const stage1 = await get("/v1/tasks?stage=1");
    expect(stage1.body.total).toBe(75);
    const env = await environment();
    // Easiest first: fewest calls per non-empty turn (the curriculum's order; test/server/curriculum.test.ts has the details).
    const perTurn = stage1.body.tasks.map((t: { task_id: string }) => {
      const gt = env.task(t.task_id).groundTruth.filter((g) => g.length > 0);
      return gt.reduce((n, g) => n + g.length, 0) / gt.length;
    });
    expect([...perTurn].sort((a, b) => a - b)).toEqual(perTurn);
    const page = await get("/v1/tasks?stage=3&offset=10&limit=5");
    expect(page.body.tasks).toHaveLength(5);
    expect(page.body.tasks[0].task_id).toBe((await get("/v1/tasks?stage=3")).body.tasks[10].task_id);
    const cat = await get("/v1/tasks?split=all&category=miss_func");
    expect(cat.body.total).toBe(200);
    const test = await get("/v1/tasks?split=paper&part=test");
    const trainIds = new Set(train.body.tasks.map((t: { task_id: string }) => t.task_id));
    expect(test.body.tasks.some((t: { task_id: string }) => trainIds.has(t.task_id))).toBe(false);
  });

  it("rejects bad task queries with stable codes", async () => {
    expect((await get("/v1/tasks?part=nope")).body.error.code).toBe("VALIDATION_ERROR");
    expect((await get("/v1/tasks?limit=-1")).body.error.code).toBe("VALIDATION_ERROR");
    expect((await get("/v1/tasks?stage=9")).body.error.code).toBe("FACTORY_ERROR");
    expect((await get("/v1/tasks?split=nope")).body.error.code).toBe("FACTORY_ERROR");
  });

  it("GET /v1/stages and /v1/splits describe the curriculum and the splits", async () => {
    const st = await get("/v1/stages");
    expect(st.body.stages[0].episode).toMatchObject({ augmented: false, reward: { kind: "stage1" } });
    expect(st.body.stages[1].episode).toMatchObject({ augmented: true, reward: { kind: "progress" } });
    expect(st.body.stages[3].episode).toMatchObject({ augmented: false });
    const sp = await get("/v1/splits");
    expect(sp.body.default).toBe("paper");
    expect(sp.body.splits.map((x: { name: string }) => x.name)).toContain("ood:-TravelAPI");
  });
});

describe("sessions", () => {
  it("creates with a generated or caller-given id; a repeated create is safe, a different one conflicts", async () => {
    const a = await post("/v1/sessions", { task_id: "multi_turn_base_3" });
    expect(a.status).toBe(201);
    expect(a.body.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.body.messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    expect(a.body.tools.length).toBeGreaterThan(0);
    expect(a.body.info).toMatchObject({ id: "multi_turn_base_3", turn: 0 });

    const b1 = await post("/v1/sessions", { session_id: "trainer-req-1", task_id: "multi_turn_base_3", stage: 2 });
    expect(b1.status).toBe(201);
    expect(b1.body.info.augmented).toBe(true);
    await post("/v1/sessions/trainer-req-1/step", { message: "<think>x</think><answer>ok</answer>" });
    const b2 = await post("/v1/sessions", { session_id: "trainer-req-1", task_id: "multi_turn_base_3", stage: "2" });
    expect(b2.status).toBe(200);
    expect(b2.body).toEqual(b1.body);
    expect((await get("/v1/sessions/trainer-req-1")).body.step_count).toBe(1);
    const b3 = await post("/v1/sessions", { session_id: "trainer-req-1", task_id: "multi_turn_base_4" });
    expect(b3.status).toBe(409);
    expect(b3.body.error.code).toBe("SESSION_CONFLICT");
    await del("/v1/sessions/trainer-req-1");
    await del(`/v1/sessions/${a.body.session_id}`);
  });

  it("picks a task by seed from a stage, and takes the stage's settings", async () => {
    const tasks = (await get("/v1/tasks?stage=1")).body.tasks;
    const r = await post("/v1/sessions", { stage: 1, seed: 7 });
    expect(r.body.info.id).toBe(tasks[7].task_id);
    const snap = await get(`/v1/sessions/${r.body.session_id}`);
    expect(snap.body.config).toMatchObject({ augmented: false, systemPrompt: "paper-a", reward: { kind: "stage1" }, maxActionsPerTurn: 5 });
    const r4 = await post("/v1/sessions", { stage: 4, seed: 0, config: { maxActionsPerTurn: 3, observation: "tool" } });
    const snap4 = await get(`/v1/sessions/${r4.body.session_id}`);
    expect(snap4.body.config).toMatchObject({ augmented: false, systemPrompt: "paper-b", maxActionsPerTurn: 3, observation: "tool" });
    await del(`/v1/sessions/${r.body.session_id}`);
    await del(`/v1/sessions/${r4.body.session_id}`);
  });

  it("rejects bad creates with stable codes", async () => {
    const cases: Array<[unknown, string]> = [
      [{ task_id: "multi_turn_base_999" }, "TASK_NOT_FOUND"],
      [{ task_id: 5 }, "VALIDATION_ERROR"],
      [{ task_id: "multi_turn_base_0", bogus: 1 }, "VALIDATION_ERROR"],
      [{ session_id: "has space", task_id: "multi_turn_base_0" }, "VALIDATION_ERROR"],
      [{ task_id: "multi_turn_base_0", stage: "nope" }, "FACTORY_ERROR"],
      [{ task_id: "multi_turn_base_0", config: { maxActionsPerTurn: 0 } }, "FACTORY_ERROR"],
      [{ task_id: "multi_turn_base_0", config: { notAField: true } }, "FACTORY_ERROR"],
      [[1, 2], "VALIDATION_ERROR"],
    ];
    for (const [body, code] of cases) {
      const r = await post("/v1/sessions", body);
      expect(r.body.error?.code, JSON.stringify(body)).toBe(code);
      expect(r.status).toBe(SERVER_ERROR_CODES[code as keyof typeof SERVER_ERROR_CODES].http);
    }
    const bad = await call(s.url + "/v1/sessions", "POST", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_JSON");
  });

  it("plays a full episode in the paper envelope with the in-process engine's rewards", async () => {
    const plan = await oracleRun("multi_turn_miss_func_5", { stage: "3", mistakes: true });
    const c = await post("/v1/sessions", { task_id: "multi_turn_miss_func_5", stage: 3 });
    let total = 0;
    let last: any;
    let toolsChanged = false;
    for (const a of plan.actions) {
      last = await post(`/v1/sessions/${c.body.session_id}/step`, { message: a });
      expect(last.status).toBe(200);
      total += last.body.reward;
      if (last.body.info.tools_changed) toolsChanged = true;
      expect(Object.keys(last.body)).toEqual(["messages", "reward", "reward_components", "events", "done", "truncated", "info"]);
    }
    expect(toolsChanged).toBe(true);
    expect(last.body.done).toBe(true);
    expect(total).toBeCloseTo(plan.reward, 12);
    expect(last.body.reward_components).toEqual(plan.components);
    expect(plan.reward).toBeGreaterThan(0);
    expect(plan.reward).toBeLessThan(1);
    const after = await post(`/v1/sessions/${c.body.session_id}/step`, { message: "<answer>more</answer>" });
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe("EPISODE_DONE");
    const snap = await get(`/v1/sessions/${c.body.session_id}?messages=1`);
    expect(snap.body).toMatchObject({
      done: true,
      terminated: true,
      task_id: "multi_turn_miss_func_5",
      stage: "3",
      step_count: plan.actions.length,
    });
    expect(snap.body.checker.rewards.reward).toBeCloseTo(plan.reward, 12);
    expect(snap.body.checker.turns.length).toBeGreaterThan(0);
    expect(Object.keys(snap.body.state).sort()).toEqual([...(await environment()).task("multi_turn_miss_func_5").involvedClasses].sort());
    expect(snap.body.messages.length).toBeGreaterThan(plan.actions.length);
  });

  it("accepts OpenAI tool_calls, with arguments as text or as an object (floats stay floats)", async () => {
    const plan = await oracleRun("multi_turn_base_12", { style: "openai" });
    const c = await post("/v1/sessions", { task_id: "multi_turn_base_12", config: { actionFormat: "openai", observation: "tool" } });
    let total = 0;
    for (const a of plan.actions) {
      // The object form, written as raw JSON text that keeps `65.0` floats (as a Python client's json.dumps does).
      const raw =
        typeof a === "object" && a.tool_calls
          ? `{"message": {"role": "assistant", "content": null, "tool_calls": [${a.tool_calls
              .map(
                (t: any) =>
                  `{"id": ${JSON.stringify(t.id)}, "type": "function", "function": {"name": ${JSON.stringify(t.function.name)}, "arguments": ${t.function.arguments}}}`,
              )
              .join(", ")}]}}`
          : JSON.stringify({ message: a });
      const r = await call(`${s.url}/v1/sessions/${c.body.session_id}/step`, "POST", raw);
      expect(r.status).toBe(200);
      total += r.body.reward;
      if (typeof a === "object" && a.tool_calls)
        expect(r.body.messages.filter((m: { role: string }) => m.role === "tool")).toHaveLength(a.tool_calls.length);
    }
    expect(total).toBeCloseTo(plan.reward, 12);
    expect(plan.reward).toBe(1);
  });

  it("keeps 65.0 a float when tool-call arguments arrive as a JSON object", async () => {
    const env = await environment();
    const id = env.dataset.entries.find((e) => e.involvedClasses.includes("MathAPI"))!.id;
    const c = await post("/v1/sessions", { task_id: id, config: { actionFormat: "openai", observation: "tool" } });
    const raw = `{"message": {"role": "assistant", "content": null, "tool_calls": [{"id": "a", "type": "function", "function": {"name": "absolute_value", "arguments": {"number": -65.0}}}, {"id": "b", "type": "function", "function": {"name": "absolute_value", "arguments": {"number": -65}}}]}}`;
    const r = await call(`${s.url}/v1/sessions/${c.body.session_id}/step`, "POST", raw);
    const [f, i] = r.body.messages.map((m: { content: string }) => m.content);
    expect(f).toBe('{"result": 65.0}');
    expect(i).toBe('{"result": 65}');
  });

  it("GET and DELETE: delete is idempotent with 404 SESSION_NOT_FOUND after", async () => {
    const c = await post("/v1/sessions", { task_id: "multi_turn_base_0" });
    const id = c.body.session_id;
    const g = await get(`/v1/sessions/${id}`);
    expect(g.body).toMatchObject({ session_id: id, started: true, done: false, turn: 0, step_count: 0 });
    expect((await del(`/v1/sessions/${id}`)).body).toEqual({ session_id: id, deleted: true });
    const again = await del(`/v1/sessions/${id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("SESSION_NOT_FOUND");
    expect((await get(`/v1/sessions/${id}`)).status).toBe(404);
    expect((await post(`/v1/sessions/${id}/step`, { message: "x" })).body.error.code).toBe("SESSION_NOT_FOUND");
  });

  it("keeps sessions apart: stepping one never changes another's state", async () => {
    const a = await post("/v1/sessions", { task_id: "multi_turn_base_0", config: { actionFormat: "python" } });
    const b = await post("/v1/sessions", { task_id: "multi_turn_base_0", config: { actionFormat: "python" } });
    const before = (await get(`/v1/sessions/${b.body.session_id}`)).body.state;
    const gt = (await environment()).task("multi_turn_base_0").groundTruth[0]!;
    await post(`/v1/sessions/${a.body.session_id}/step`, { message: `[${gt.join(", ")}]` });
    const aState = (await get(`/v1/sessions/${a.body.session_id}`)).body.state;
    const bState = (await get(`/v1/sessions/${b.body.session_id}`)).body.state;
    expect(bState).toEqual(before);
    expect(aState).not.toEqual(before);
    // Path tricks never reach another session or route.
    for (const p of [
      `/v1/sessions/${b.body.session_id}%2F..%2Fx`,
      "/v1/sessions/..%2F..%2Fhealth",
      `/v1/sessions/${b.body.session_id}%00`,
    ]) {
      const r = await get(p);
      expect([404, 405]).toContain(r.status);
    }
  });

  it("answers unknown routes and wrong methods with NOT_FOUND and METHOD_NOT_ALLOWED", async () => {
    expect((await get("/nope")).body.error.code).toBe("NOT_FOUND");
    const m = await call(s.url + "/v1/sessions", "GET");
    expect(m.status).toBe(405);
    expect(m.body.error.code).toBe("METHOD_NOT_ALLOWED");
    expect((await call(s.url + "/health", "POST", {})).status).toBe(405);
  });
});

describe("reward service", () => {
  it("scores a session by id and a replayed envelope response by task", async () => {
    const plan = await oracleRun("multi_turn_base_7", { stage: "2", mistakes: true });
    const c = await post("/v1/sessions", { task_id: "multi_turn_base_7", stage: 2 });
    for (const a of plan.actions) await post(`/v1/sessions/${c.body.session_id}/step`, { message: a });
    const env = await environment();
    const prompt = "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n";
    // The response interleaves the model's blocks with environment text, as a chat transcript would.
    const response = (plan.actions as string[])
      .map(
        (a) =>
          a +
          "<|im_end|>\n<|im_start|>user\nHere are the function's execution results. Execution results:[]\n If you believe you have already fulfilled the user's request, please first outline your thought process in a <think></think>pair, and then give a brief summary of the result in an <answer></answer> pair. Otherwise, you should continue to call until fulfilling user's request.<|im_end|>\n<|im_start|>assistant\n",
      )
      .join("");
    const r = await post("/v1/reward", {
      query: [prompt + response, "x", "y"],
      prompts: [prompt, "x", "y"],
      labels: [
        JSON.stringify({ task_id: "multi_turn_base_7", stage: "2" }),
        JSON.stringify({ session_id: c.body.session_id }),
        "nope_task",
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.details[0].error).toBeNull();
    expect(r.body.rewards[0]).toBeCloseTo(plan.reward, 12);
    expect(r.body.rewards[1]).toBeCloseTo(plan.reward, 12);
    expect(r.body.rewards[2]).toBe(0);
    expect(r.body.details[2].error).toMatch(/Unknown task/);
    expect(env).toBeDefined();
    const bad = await post("/v1/reward", { query: ["a"], labels: [] });
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
  });
});
