/**
 * The episode runner: `POST /v1/rollouts` plays whole episodes against an OpenAI-compatible
 * endpoint (a real HTTP server on loopback, answering with the ground truth) and returns them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePacks } from "@envtune/core";
import { gtCallToKeywords } from "@envtune/engine";
import { call, environment, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
let model: Server;
let modelUrl: string;
let requests = 0;

beforeAll(async () => {
  const env = await environment();
  // A chat-completions endpoint that plays the ground truth: a new user turn gets the turn's calls,
  // anything after tool results gets a plain answer.
  model = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests++;
      const r = JSON.parse(body) as {
        messages: Array<{ role: string; content: string | null }>;
        logprobs?: boolean;
        return_token_ids?: boolean;
      };
      const firstUser = r.messages.find((m) => m.role === "user")!.content;
      const entry = env.dataset.entries.find((e) => e.question[0]![0]!.content === firstUser)!;
      const turn = r.messages.filter((m) => m.role === "user").length - 1;
      const last = r.messages[r.messages.length - 1]!;
      const gt = entry.groundTruth[turn] ?? [];
      let message: Record<string, unknown>;
      if (last.role === "user" && gt.length) {
        const packs = requirePacks(env.packs, entry.involvedClasses, entry.id);
        const calls = gt.flatMap((c) => gtCallToKeywords(c, packs));
        message = {
          role: "assistant",
          content: null,
          tool_calls: calls.map((c, i) => ({
            id: `c${requests}_${i}`,
            type: "function",
            function: { name: c.name, arguments: c.arguments },
          })),
        };
      } else message = { role: "assistant", content: gt.length ? "Done." : "Something is missing; please provide it." };
      // As vLLM answers `return_token_ids` / `logprobs`: ids derived from the request number so a
      // test can tell which generation an id belongs to.
      const tokens = r.return_token_ids ? { token_ids: [requests * 10, requests * 10 + 1] } : {};
      const logprobs = r.logprobs
        ? {
            logprobs: {
              content: [
                { token: "a", logprob: -0.5, bytes: [97] },
                { token: "b", logprob: -requests, bytes: [98] },
              ],
            },
          }
        : {};
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "x",
          object: "chat.completion",
          ...(r.return_token_ids ? { prompt_token_ids: [1, 2, requests] } : {}),
          choices: [{ index: 0, message, finish_reason: "stop", ...tokens, ...logprobs }],
        }),
      );
    });
  });
  await new Promise<void>((r) => model.listen(0, "127.0.0.1", () => r()));
  modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
  s = await startServer({ enableRollouts: true, capacity: 8, logLevel: "warn" });
});
afterAll(async () => {
  await s.close();
  await new Promise((r) => model.close(r));
});

describe("POST /v1/rollouts", () => {
  it("plays n episodes of one task against the model endpoint and returns them scored", async () => {
    const r = await call(s.url + "/v1/rollouts", "POST", {
      task_id: "multi_turn_base_10",
      stage: 3,
      model: { base_url: modelUrl, model: "oracle", mode: "fc" },
      n: 3,
    });
    expect(r.status).toBe(200);
    expect(r.body.episodes).toHaveLength(3);
    for (const ep of r.body.episodes) {
      expect(ep).toMatchObject({ task_id: "multi_turn_base_10", reward: 1, terminated: true, truncated: false });
      expect(ep.turn_rewards.every((x: number) => x === 1)).toBe(true);
      expect(ep.messages[0].role).toBe("system");
      expect(ep.reward_components.progress).toBe(1);
    }
    // The episodes held capacity slots only while they ran.
    expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(0);
  });

  it("returns the sampled token ids and logprobs of every assistant action when asked (return_tokens)", async () => {
    const r = await call(s.url + "/v1/rollouts", "POST", {
      task_id: "multi_turn_base_10",
      stage: 3,
      model: { base_url: modelUrl, model: "oracle", mode: "fc", return_tokens: true },
      n: 1,
    });
    expect(r.status).toBe(200);
    const ep = r.body.episodes[0];
    const assistant = ep.messages.filter((m: { role: string }) => m.role === "assistant").length;
    expect(assistant).toBeGreaterThan(1);
    for (const k of ["prompt_token_ids", "token_ids", "logprobs", "generations"]) expect(ep[k], k).toHaveLength(assistant);
    ep.token_ids.forEach((ids: number[], i: number) => {
      const req = ids[0]! / 10;
      expect(ids).toEqual([req * 10, req * 10 + 1]);
      expect(ep.logprobs[i]).toEqual([-0.5, -req]);
      expect(ep.prompt_token_ids[i]).toEqual([1, 2, req]);
    });
    expect(ep.generations[0]).toEqual({ turn: 0, attempt: 0, finish_reason: "stop" });
    // Without the flag nothing is asked for and nothing is returned.
    const plain = await call(s.url + "/v1/rollouts", "POST", {
      task_id: "multi_turn_base_10",
      stage: 3,
      model: { base_url: modelUrl, model: "oracle", mode: "fc" },
      n: 1,
    });
    expect(plain.body.episodes[0].token_ids).toBeUndefined();
  });

  it("draws one task for the whole group from a stage and seed", async () => {
    const r = await call(s.url + "/v1/rollouts", "POST", { stage: 2, seed: 4, model: { base_url: modelUrl, model: "oracle" }, n: 2 });
    const tasks = (await call(s.url + "/v1/tasks?stage=2", "GET")).body.tasks;
    expect(r.body.episodes.map((e: { task_id: string }) => e.task_id)).toEqual([tasks[4].task_id, tasks[4].task_id]);
  });

  it("validates the request and respects capacity", async () => {
    expect((await call(s.url + "/v1/rollouts", "POST", { task_id: "multi_turn_base_0" })).body.error.code).toBe("VALIDATION_ERROR");
    expect(
      (await call(s.url + "/v1/rollouts", "POST", { task_id: "multi_turn_base_0", model: { base_url: "not a url", model: "m" } })).body
        .error.code,
    ).toBe("VALIDATION_ERROR");
    const over = await call(s.url + "/v1/rollouts", "POST", {
      task_id: "multi_turn_base_0",
      model: { base_url: modelUrl, model: "m" },
      n: 9,
    });
    expect(over.body.error.code).toBe("CAPACITY_REACHED");
    expect((await call(s.url + "/v1/health", "GET")).body.sessions.active).toBe(0);
  });

  it("answers 502 UPSTREAM_ERROR without the endpoint's body when the model endpoint fails", async () => {
    const secret = createServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("SECRET-internal-page-content");
    });
    await new Promise<void>((r) => secret.listen(0, "127.0.0.1", () => r()));
    try {
      const base = `http://127.0.0.1:${(secret.address() as AddressInfo).port}/v1`;
      const r = await call(s.url + "/v1/rollouts", "POST", { task_id: "multi_turn_base_10", model: { base_url: base, model: "m" } });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe("UPSTREAM_ERROR");
      expect(r.body.error.details).toMatchObject({ status: 404 });
      expect(JSON.stringify(r.body)).not.toContain("SECRET");
    } finally {
      await new Promise((r) => secret.close(r));
    }
  });

  it("is off unless enabled", async () => {
    const plain = await startServer({ logLevel: "warn" });
    expect((await call(plain.url + "/v1/rollouts", "POST", {})).body.error.code).toBe("NOT_FOUND");
    await plain.close();
  });
});
