/**
 * `envtune export verl`: the paper's verl dataset layout (AWorld-RL EnvTuning README) per
 * curriculum stage, as JSON lines (no well-kept TypeScript Parquet writer is installed;
 * `python -m envtune_adapters.to_parquet DIR` converts with pyarrow/pandas). The prompt is what the
 * server's episode shows for the stage's settings, and `interaction_kwargs` tell the verl adapter
 * which task and stage to open, so the rollout continues exactly the conversation the prompt starts.
 *
 * Each row names verl's multi-turn agent loop (`agent_name: tool_agent`): without the column verl
 * runs `actor_rollout_ref.rollout.agent.default_agent_loop`, `single_turn_agent` by default, which
 * never calls an interaction (volcengine/verl verl/experimental/agent_loop/agent_loop.py:443-445 @
 * b178a3cd56f58b2d502255daba591e92833930a7; `tool_agent` is registered in tool_agent_loop.py:95).
 * `writeStageFiles` is the per-stage file layout that `envtune export skyrl` shares.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parsePyJson, toPlainJson, type PyValue } from "@envtune/core";
import type { BfclEntry } from "@envtune/bfcl-data";
import { additionalFunctionsMessage, type EpisodeConfigInput } from "@envtune/engine";
import type { BfclEnvironment, SplitPart } from "./environment.ts";

/** verl's multi-turn agent loop, the one that drives interactions. */
export const VERL_AGENT_NAME = "tool_agent";
/** Default turn limit of the recipe: above the assistant messages a paper episode needs. */
export const VERL_MAX_TURNS = 32;

export interface StageFile {
  file: string;
  stage: string | null;
  part: string;
  records: number;
}

/** One record of task `entry` under `stage`; `index` counts within its file. */
export type RecordFn = (entry: BfclEntry, stage: string, part: SplitPart, index: number) => Record<string, unknown>;

/**
 * Writes `stage<N>_<part>.jsonl` per stage and `val.jsonl`/`test.jsonl` (with the last stage's
 * settings) into `out`; both engines' exports share this layout.
 */
export function writeStageFiles(
  env: BfclEnvironment,
  out: string,
  record: RecordFn,
  stages?: readonly string[],
  evalParts?: readonly SplitPart[],
): StageFile[] {
  const stageIds = stages ?? env.stages.map((s) => s.id);
  mkdirSync(out, { recursive: true });
  const files: StageFile[] = [];
  const write = (file: string, stage: string, part: SplitPart, tasks: string[], label: string | null) => {
    const lines = tasks.map((id, index) => JSON.stringify(record(env.task(id), stage, part, index)));
    writeFileSync(join(out, file), lines.length ? lines.join("\n") + "\n" : "");
    files.push({ file, stage: label, part, records: lines.length });
  };
  for (const id of stageIds) {
    const stage = env.stage(id);
    const tasks = env.listTasks({ stage: stage.id }).tasks.map((t) => t.task_id);
    write(`stage${stage.id}_${stage.data.part}.jsonl`, stage.id, stage.data.part, tasks, stage.id);
  }
  const last = stageIds[stageIds.length - 1];
  if (last !== undefined) {
    for (const part of evalParts ?? (["val", "test"] as const)) {
      const tasks = env.listTasks({ part }).tasks.map((t) => t.task_id);
      write(`${part}.jsonl`, last, part, tasks, null);
    }
  }
  return files;
}

/** The episode's first messages (system, first user turn) for the stage's settings: every row's prompt. */
export function episodePrompt(
  env: BfclEnvironment,
  taskId: string,
  stage: string,
  config?: EpisodeConfigInput,
): Array<{ role: string; content: string }> {
  const episode = env.createEpisode({ taskId, stage, ...(config ? { config } : {}) });
  return episode.reset().messages.map((m) => ({ role: m.role, content: m.content ?? "" }));
}

/** What every engine's export takes: where, which stages, which evaluation parts, and episode settings. */
export interface StageExportOptions {
  out: string;
  /** Stage ids to export (default: every stage). */
  stages?: readonly string[];
  /** Also write `val.jsonl` / `test.jsonl` of the split with the last exported stage's settings. */
  evalParts?: readonly SplitPart[];
  /** Episode settings over each stage's (e.g. `{ actionFormat: "envelope" }`). */
  config?: EpisodeConfigInput;
}

export interface VerlExportOptions extends StageExportOptions {
  /** verl interaction name (`interaction_kwargs.name`, the `name` in the interaction config). */
  interactionName?: string;
  /** Server URL written into the interaction config. */
  baseUrl?: string;
  /** verl's `multi_turn.max_assistant_turns`/`max_user_turns`, repeated in the interaction config. */
  maxTurns?: number;
}

export interface VerlExportResult {
  files: StageFile[];
  interactionConfig: string;
}

export function exportVerlDataset(env: BfclEnvironment, opts: VerlExportOptions): VerlExportResult {
  const name = opts.interactionName ?? "envtune";
  const files = writeStageFiles(
    env,
    opts.out,
    (entry, stage, part, index) => record(env, entry, stage, part, index, name, opts.config),
    opts.stages,
    opts.evalParts,
  );
  const interactionConfig = [
    "# verl multi_turn.interaction_config_path: the envtune server drives every episode.",
    "interaction:",
    `  - name: ${name}`,
    "    class_name: envtune_adapters.verl.EnvtuneInteraction",
    "    config:",
    `      base_url: ${opts.baseUrl ?? "http://127.0.0.1:8000"}`,
    "      token_env: ENVTUNE_TOKEN",
    "      # verl's actor_rollout_ref.rollout.multi_turn limits: the session ends at verl's last call.",
    `      max_assistant_turns: ${opts.maxTurns ?? VERL_MAX_TURNS}`,
    `      max_user_turns: ${opts.maxTurns ?? VERL_MAX_TURNS}`,
    "",
  ].join("\n");
  writeFileSync(join(opts.out, "interaction_config.yaml"), interactionConfig);
  writeFileSync(
    join(opts.out, "manifest.json"),
    JSON.stringify(
      {
        format: "verl-rl-dataset/jsonl",
        split: env.split,
        interaction: name,
        files,
        convert: "python -m envtune_adapters.to_parquet " + opts.out,
      },
      null,
      2,
    ) + "\n",
  );
  return { files, interactionConfig: join(opts.out, "interaction_config.yaml") };
}

function record(
  env: BfclEnvironment,
  entry: BfclEntry,
  stage: string,
  part: SplitPart,
  index: number,
  name: string,
  config?: EpisodeConfigInput,
): Record<string, unknown> {
  return {
    data_source: `envtune/bfcl/${entry.category}`,
    agent_name: VERL_AGENT_NAME,
    prompt: episodePrompt(env, entry.id, stage, config),
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
