/**
 * `envtune export verl`: the paper's verl dataset layout (AWorld-RL EnvTuning README) per
 * curriculum stage, as JSON lines (no well-kept TypeScript Parquet writer is installed;
 * `python -m envtune_adapters.to_parquet DIR` converts with pyarrow/pandas). The prompt is what the
 * server's episode shows for the stage's settings, and `interaction_kwargs` tell the verl adapter
 * which task and stage to open, so the rollout continues exactly the conversation the prompt starts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parsePyJson, toPlainJson, type PyValue } from "@envtune/core";
import type { BfclEntry } from "@envtune/bfcl-data";
import { additionalFunctionsMessage, type EpisodeConfigInput } from "@envtune/engine";
import type { BfclEnvironment, SplitPart } from "./environment.ts";

export interface VerlExportOptions {
  out: string;
  /** Stage ids to export (default: every stage). */
  stages?: readonly string[];
  /** Also write `val.jsonl` / `test.jsonl` of the split with the last exported stage's settings. */
  evalParts?: readonly SplitPart[];
  /** verl interaction name (`interaction_kwargs.name`, the `name` in the interaction config). */
  interactionName?: string;
  /** Server URL written into the interaction config. */
  baseUrl?: string;
  /** Episode settings over each stage's (e.g. `{ actionFormat: "envelope" }`). */
  config?: EpisodeConfigInput;
}

export interface VerlExportResult {
  files: Array<{ file: string; stage: string | null; part: string; records: number }>;
  interactionConfig: string;
}

export function exportVerlDataset(env: BfclEnvironment, opts: VerlExportOptions): VerlExportResult {
  const name = opts.interactionName ?? "envtune";
  const stageIds = opts.stages ?? env.stages.map((s) => s.id);
  mkdirSync(opts.out, { recursive: true });
  const files: VerlExportResult["files"] = [];
  const write = (file: string, stage: string, part: SplitPart, tasks: string[], label: string | null) => {
    const lines = tasks.map((id, index) => JSON.stringify(record(env, env.task(id), stage, part, index, name, opts.config)));
    writeFileSync(join(opts.out, file), lines.length ? lines.join("\n") + "\n" : "");
    files.push({ file, stage: label, part, records: lines.length });
  };
  for (const id of stageIds) {
    const stage = env.stage(id);
    const tasks = env.listTasks({ stage: stage.id }).tasks.map((t) => t.task_id);
    write(`stage${stage.id}_${stage.data.part}.jsonl`, stage.id, stage.data.part, tasks, stage.id);
  }
  const last = stageIds[stageIds.length - 1];
  if (last !== undefined) {
    for (const part of opts.evalParts ?? (["val", "test"] as const)) {
      const tasks = env.listTasks({ part }).tasks.map((t) => t.task_id);
      write(`${part}.jsonl`, last, part, tasks, null);
    }
  }
  const interactionConfig = [
    "# verl multi_turn.interaction_config_path: the envtune server drives every episode.",
    "interaction:",
    `  - name: ${name}`,
    "    class_name: envtune_adapters.verl.EnvtuneInteraction",
    "    config:",
    `      base_url: ${opts.baseUrl ?? "http://127.0.0.1:8000"}`,
    "      token_env: ENVTUNE_TOKEN",
    "",
  ].join("\n");
  writeFileSync(join(opts.out, "interaction_config.yaml"), interactionConfig);
  writeFileSync(
    join(opts.out, "manifest.json"),
    JSON.stringify({ format: "verl-rl-dataset/jsonl", split: env.split, interaction: name, files, convert: "python -m envtune_adapters.to_parquet " + opts.out }, null, 2) + "\n",
  );
  return { files, interactionConfig: join(opts.out, "interaction_config.yaml") };
}

function record(env: BfclEnvironment, entry: BfclEntry, stage: string, part: SplitPart, index: number, name: string, config?: EpisodeConfigInput): Record<string, unknown> {
  const episode = env.createEpisode({ taskId: entry.id, stage, ...(config ? { config } : {}) });
  const reset = episode.reset();
  const prompt = reset.messages.map((m) => ({ role: m.role, content: m.content ?? "" }));
  return {
    data_source: `envtune/bfcl/${entry.category}`,
    prompt,
    ability: "multi_turn_function_calling",
    reward_model: { style: "interaction", ground_truth: entry.groundTruth },
    extra_info: {
      split: part,
      index,
      original_id: entry.id,
      dataset_type: entry.category,
      stage,
      interaction_kwargs: {
        name,
        task_id: entry.id,
        stage,
        ...(config ? { config: JSON.stringify(config) } : {}),
        id: entry.id,
        initial_config: JSON.stringify(toPlainJson(entry.initialConfig)),
        involved_classes: entry.involvedClasses,
        ground_truth: entry.groundTruth,
        processed_question: processedQuestions(env, entry),
        question: entry.question,
      },
    },
  };
}

/** User texts of turns 1..N-1, with the withheld-function docs where miss_func reveals them (paper data builder). */
function processedQuestions(env: BfclEnvironment, entry: BfclEntry): string[] {
  const out: string[] = [];
  for (let t = 1; t < entry.question.length; t++) {
    const revealed = entry.missedFunction[String(t)];
    if (revealed?.length) {
      const docs: PyValue[] = [];
      for (const cls of entry.involvedClasses) {
        for (const d of env.dataset.funcDocs.get(cls) ?? []) if (revealed.includes(d.name)) docs.push(parsePyJson(JSON.stringify(d)));
      }
      out.push(additionalFunctionsMessage("paper", docs));
    } else out.push(entry.question[t]!.map((m) => m.content).join("\n"));
  }
  return out;
}
