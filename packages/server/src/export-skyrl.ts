/**
 * `envtune export skyrl`: SkyRL's dataset layout per curriculum stage (the same files as `envtune
 * export verl`). SkyRL reads `prompt` and `env_class` and hands every other column to the env as
 * its `extras` (NovaSky-AI/SkyRL skyrl/train/dataset/dataset.py:86-94 @
 * a9564572eb8e91076be43c1bd5e4615e3de17265), so the columns the envtune env needs sit at the top
 * level: `task_id`, `stage`, `config` and, when given, `envtune_url` (`SkyRLGymConfig` takes no keys
 * for other envs, skyrl/train/config/config.py:1299, so the row is where a per-dataset URL can live).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BfclEnvironment } from "./environment.ts";
import { episodePrompt, writeStageFiles, type StageExportOptions, type StageFile } from "./export-verl.ts";

/** The `env_class` the rows name; `envtune_adapters.skyrl.register()` registers it. */
export const SKYRL_ENV_CLASS = "envtune";

export interface SkyrlExportOptions extends StageExportOptions {
  /** Server URL written into every row (`envtune_url`); else the env's registration or `$ENVTUNE_URL`. */
  baseUrl?: string;
  /** `env_class` of the rows (default `envtune`). */
  envClass?: string;
}

export interface SkyrlExportResult {
  files: StageFile[];
}

export function exportSkyrlDataset(env: BfclEnvironment, opts: SkyrlExportOptions): SkyrlExportResult {
  const envClass = opts.envClass ?? SKYRL_ENV_CLASS;
  const files = writeStageFiles(
    env,
    opts.out,
    (entry, stage, part, index) => ({
      data_source: `envtune/bfcl/${entry.category}`,
      prompt: episodePrompt(env, entry.id, stage, opts.config),
      env_class: envClass,
      task_id: entry.id,
      stage,
      ...(opts.config ? { config: JSON.stringify(opts.config) } : {}),
      ...(opts.baseUrl ? { envtune_url: opts.baseUrl } : {}),
      extra_info: { split: part, index, original_id: entry.id, dataset_type: entry.category },
    }),
    opts.stages,
    opts.evalParts,
  );
  writeFileSync(
    join(opts.out, "manifest.json"),
    JSON.stringify(
      {
        format: "skyrl-dataset/jsonl",
        split: env.split,
        env_class: envClass,
        files,
        convert: "python -m envtune_adapters.to_parquet " + opts.out,
      },
      null,
      2,
    ) + "\n",
  );
  return { files };
}
