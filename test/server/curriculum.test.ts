/**
 * One curriculum: a stage trains and serves the same tasks. The trainer's real selection (from its
 * presets, through `selectTraining`) and the server's `GET /v1/tasks?stage=` over a live server
 * must list identical ids, in the same order, for every stage; both come from
 * `selectStageEntries` of `@envtune/engine`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAPER_CURRICULUM, selectStageEntries } from "@envtune/engine";
import { BfclEnvironment, PAPER_STAGES, parseStages } from "@envtune/server";
import { presetConfig, selectTraining } from "@envtune/trainer";
import { call, environment, startServer, type TestServer } from "./helpers.ts";

let s: TestServer;
let env: BfclEnvironment;
beforeAll(async () => {
  env = await environment();
  s = await startServer();
});
afterAll(() => s.close());

const servedIds = async (stage: string): Promise<string[]> => {
  const r = await call(`${s.url}/v1/tasks?stage=${encodeURIComponent(stage)}`, "GET");
  expect(r.status).toBe(200);
  return r.body.tasks.map((t: { task_id: string }) => t.task_id);
};

const playable = (e: { involvedClasses: readonly string[] }) => e.involvedClasses.every((c) => env.packs.has(c));

describe("one curriculum for training and serving", () => {
  it("the trainer's stages and the server's stages carry the same names, data and settings", () => {
    const trainer = presetConfig("default").stages;
    expect(env.stages.map((x) => x.name)).toEqual(trainer.map((x) => x.name));
    expect(env.stages.map((x) => x.data)).toEqual(trainer.map((x) => x.data));
    env.stages.forEach((x, i) => {
      expect(x.episode).toMatchObject({
        augmented: trainer[i]!.augmented,
        systemPrompt: trainer[i]!.prompt,
        reward: { kind: trainer[i]!.reward.kind },
      });
    });
  });

  for (const preset of ["default", "quick"]) {
    it(`every stage of the ${preset} preset serves exactly the tasks the trainer trains on`, async () => {
      const config = presetConfig(preset);
      const { stages, stageEntries } = selectTraining(config, env.dataset, playable);
      for (const [i, stage] of stages.entries()) {
        const trained = stageEntries[i]!.map((e) => e.id);
        expect(trained.length).toBeGreaterThan(0);
        expect(await servedIds(stage.name)).toEqual(trained);
        expect(await servedIds(String(i + 1))).toEqual(trained);
      }
    });
  }

  it("the same function on the same input gives the same ids (Stage 1: the 75 easiest Base training tasks)", async () => {
    const split = env.listTasks({ split: "paper", part: "train" }).tasks.map((t) => t.task_id);
    const direct = selectStageEntries(env.stage("1").data, split, env.dataset.byId, playable).map((e) => e.id);
    expect(direct).toHaveLength(75);
    expect(await servedIds("1")).toEqual(direct);
    // Easiest first means fewest calls per non-empty turn, then fewest turns (the trainer's order).
    const perTurn = (id: string) => {
      const gt = env.task(id).groundTruth.filter((t) => t.length > 0);
      return gt.reduce((n, t) => n + t.length, 0) / gt.length;
    };
    const keys = direct.map(perTurn);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it("the server's former stage names are aliases of the canonical ones", async () => {
    PAPER_CURRICULUM.forEach((p, i) => expect(PAPER_STAGES[i]).toMatchObject({ id: String(i + 1), name: p.name, aliases: [...p.aliases] }));
    const [format, syntax, one] = await Promise.all([servedIds("format"), servedIds("stage1-syntax"), servedIds("1")]);
    expect(format).toEqual(one);
    expect(syntax).toEqual(one);
    expect(await servedIds("all-standard")).toEqual(await servedIds("4"));
    const created = await call(`${s.url}/v1/sessions`, "POST", { stage: "format", seed: 3 });
    expect(created.status).toBe(201);
    expect(created.body.info.id).toBe(one[3]);
    await call(`${s.url}/v1/sessions/${created.body.session_id}`, "DELETE");
    const unknown = await call(`${s.url}/v1/tasks?stage=stage9`, "GET");
    expect(unknown.body.error.code).toBe("FACTORY_ERROR");
    expect(JSON.stringify(unknown.body.error)).toContain("1|stage1-syntax|format");
  });

  it("a stage list whose ids, names or aliases collide is refused with every collision named", () => {
    const twice = [PAPER_STAGES[0]!, { ...PAPER_STAGES[1]!, aliases: ["format"] }];
    expect(() => parseStages(twice)).toThrow(
      expect.objectContaining({ code: "INVALID_STAGES", details: ["stages: `format` names both stage `1` and stage `2`"] }),
    );
    expect(() => parseStages([{ id: "x", name: "x", data: { limit: 0 } }])).toThrow(
      expect.objectContaining({ details: [expect.stringMatching(/^stages\.0\.data\.limit: /)] }),
    );
  });
});
