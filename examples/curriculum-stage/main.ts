/**
 * A curriculum stage added by configuration only: `stage5.json` is a stage in the trainer's
 * format (the shared curriculum stage — name, description, which tasks — plus reward, environment
 * and promotion). Nothing in envtune changes:
 *
 * 1. the trainer takes it after the paper's four stages (`selectTraining` shows what each stage
 *    draws) and trains it for a few updates through the unchanged `train()`;
 * 2. a real server on loopback serves it as stage `5` beside the paper's stages, and
 *    `GET /v1/tasks?stage=stage5-long-context` lists exactly the tasks the trainer trained on.
 *
 *   ENVTUNE_BFCL_DATA=path/to/bfcl/data npm run examples -- curriculum-stage
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks } from "@envtune/core";
import { loadDataSource } from "@envtune/bfcl-data";
import { BfclEnvironment, PAPER_STAGES, createEnvtuneServer, createLogger, type StageSpecInput } from "@envtune/server";
import {
  PRESETS,
  parseTrainConfig,
  selectTraining,
  silentProgress,
  stageSchema,
  train,
  type StageSpecInput as TrainStageInput,
} from "@envtune/trainer";

const stage5 = JSON.parse(readFileSync(new URL("./stage5.json", import.meta.url), "utf8")) as TrainStageInput;
const { name } = stageSchema.parse(stage5);

const dataset = (await loadDataSource({}, "example")).ds;
const { packs } = await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES));
const usable = (e: { involvedClasses: readonly string[] }) => e.involvedClasses.every((c) => packs.has(c));

// 1. The paper's curriculum (the quick preset) with the fifth stage appended.
const five = parseTrainConfig({ ...PRESETS.quick!(), stages: [...PRESETS.quick!().stages!, stage5] });
const { stages, stageEntries } = selectTraining(five, dataset, usable);
stages.forEach((s, i) => console.log(`trainer stage ${i + 1} ${s.name.padEnd(22)} ${stageEntries[i]!.length} tasks`));
const trainedIds = stageEntries[4]!.map((e) => e.id);

// Train the new stage alone for its 3 updates, small batches so that it takes seconds.
const out = mkdtempSync(join(tmpdir(), "envtune-curriculum-stage-"));
const config = parseTrainConfig({
  preset: "curriculum-stage-example",
  grpo: { groupSize: 4, tasksPerUpdate: 4 },
  validation: { every: 3, limit: 8 },
  evaluation: { part: "test", baselines: false, limit: 8 },
  stages: [stage5],
});
const run = await train({ config, outDir: join(out, "run"), progress: silentProgress });
console.log(`trained ${name}: ${run.status} after ${run.updates} updates`);
if (run.status !== "completed" || run.updates !== 3) throw new Error("the fifth stage did not train to its 3 updates");

// 2. Served beside the paper's stages: the server's stage adds episode settings to the same stage.
const served: StageSpecInput = {
  id: "5",
  name: stage5.name,
  description: stage5.description ?? "",
  data: stage5.data!,
  episode: {
    protocol: "paper",
    augmented: stage5.augmented,
    systemPrompt: stage5.prompt!,
    reward: stage5.reward,
    maxActionsPerTurn: stage5.limits!.maxActionsPerTurn!,
  },
};
const env = new BfclEnvironment({ dataset, packs, stages: [...PAPER_STAGES, served] });
const server = createEnvtuneServer(env, { log: createLogger({ level: "silent" }) });
const running = await server.listen({ port: 0, host: "127.0.0.1" });
try {
  const listed = (await (await fetch(`${running.url}/v1/tasks?stage=${name}`)).json()) as { tasks: Array<{ task_id: string }> };
  const servedIds = listed.tasks.map((t) => t.task_id);
  console.log(
    `served ${name}: ${servedIds.length} tasks, identical to the trainer's: ${JSON.stringify(servedIds) === JSON.stringify(trainedIds)}`,
  );
  if (JSON.stringify(servedIds) !== JSON.stringify(trainedIds)) throw new Error("training and serving picked different tasks");
  const session = (await (
    await fetch(`${running.url}/v1/sessions`, {
      method: "POST",
      body: JSON.stringify({ stage: "5", seed: 0 }),
      headers: { "content-type": "application/json" },
    })
  ).json()) as {
    session_id: string;
    info: { id: string };
  };
  console.log(`a stage-5 session plays ${session.info.id} (the stage's first task: ${session.info.id === servedIds[0]})`);
  await fetch(`${running.url}/v1/sessions/${session.session_id}`, { method: "DELETE" });
} finally {
  await running.close(1000);
  rmSync(out, { recursive: true, force: true });
}
