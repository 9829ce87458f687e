import { readFileSync } from "node:fs";
import type { EpisodeConfigInput } from "@envtune/engine";
import { exportSkyrlDataset, exportVerlDataset, loadBfclEnvironment, type StageSpecInput } from "@envtune/server";
import { EXIT, usageError, intOption, type Command } from "../cli.ts";

export const exportCommand: Command = {
  name: "export",
  summary: "Export training data for an RL engine (verl or SkyRL), one file per curriculum stage.",
  usage: "envtune export verl|skyrl --out DIR [--split paper] [--stages 1,2,3,4] [--stages-file FILE] [--data DIR] [--base-url URL]",
  options: {
    out: { type: "string", valueName: "dir", description: "Output directory." },
    split: { type: "string", valueName: "name", default: "paper", description: "Split the stages draw from." },
    stages: { type: "string", valueName: "ids", description: "Comma-separated stage ids to export (default: all)." },
    "stages-file": {
      type: "string",
      valueName: "file",
      description: "JSON file with custom curriculum stages (as for `envtune serve --stages`).",
    },
    config: { type: "string", valueName: "json", description: "Episode settings over each stage's, as JSON." },
    data: { type: "string", valueName: "dir", description: "BFCL data directory (else $ENVTUNE_BFCL_DATA or the download cache)." },
    "base-url": {
      type: "string",
      valueName: "url",
      description:
        "envtune server URL: verl's interaction_config.yaml (default http://127.0.0.1:8000); SkyRL rows' envtune_url (default: none, the env's registration or $ENVTUNE_URL).",
    },
    name: { type: "string", valueName: "name", default: "envtune", description: "verl interaction name (interaction_kwargs.name)." },
    "max-turns": {
      type: "string",
      valueName: "n",
      description: "verl: multi_turn.max_assistant_turns/max_user_turns repeated in interaction_config.yaml (default 32).",
    },
    json: { type: "boolean", description: "Print the written files as JSON." },
  },
  details: [
    "Writes stage<N>_train.jsonl per stage, val.jsonl, test.jsonl and manifest.json.",
    "verl records: {data_source, agent_name: tool_agent, prompt, ability, reward_model, extra_info: {split, index,",
    "interaction_kwargs: {name, task_id, stage, ...}}} plus interaction_config.yaml.",
    "skyrl records: {data_source, prompt, env_class: envtune, task_id, stage, config?, envtune_url?, extra_info}.",
    "Recipes that use them: recipes/verl, recipes/skyrl.",
    "Parquet: python -m envtune_adapters.to_parquet DIR (needs pyarrow or pandas; the adapters live in",
    "packages/server/adapters/python).",
  ].join("\n"),
  async run({ values, positionals, stdout, stderr }) {
    const target = positionals[0];
    if (target !== "verl" && target !== "skyrl")
      throw usageError(
        "export",
        target ? `Unknown export target \`${target}\`.` : "Name the export target.",
        "Use `envtune export verl --out DIR` or `envtune export skyrl --out DIR`.",
      );
    const out = values.out as string | undefined;
    if (!out) throw usageError("export", "--out is required.");
    const maxTurns = intOption("export", values["max-turns"], "max-turns", { min: 1 });
    let stages: StageSpecInput[] | undefined;
    if (values["stages-file"] !== undefined) {
      try {
        stages = JSON.parse(readFileSync(values["stages-file"] as string, "utf8")) as StageSpecInput[];
      } catch (e) {
        throw usageError("export", `--stages-file: cannot read JSON (${(e as Error).message}).`);
      }
    }
    let config: EpisodeConfigInput | undefined;
    if (values.config !== undefined) {
      try {
        config = JSON.parse(values.config as string) as EpisodeConfigInput;
      } catch (e) {
        throw usageError("export", `--config is not JSON (${(e as Error).message}).`);
      }
    }
    const { env } = await loadBfclEnvironment({
      ...(values.data ? { dataDir: values.data as string } : {}),
      split: (values.split as string | undefined) ?? "paper",
      ...(stages ? { stages } : {}),
    });
    const ids =
      values.stages !== undefined
        ? (values.stages as string)
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const baseUrl = values["base-url"] as string | undefined;
    const common = { out, ...(ids ? { stages: ids } : {}), ...(config ? { config } : {}) };
    const r =
      target === "verl"
        ? exportVerlDataset(env, {
            ...common,
            interactionName: (values.name as string | undefined) ?? "envtune",
            baseUrl: baseUrl ?? "http://127.0.0.1:8000",
            ...(maxTurns ? { maxTurns } : {}),
          })
        : exportSkyrlDataset(env, { ...common, ...(baseUrl ? { baseUrl } : {}) });
    if (values.json) stdout(JSON.stringify(r) + "\n");
    for (const f of r.files) stderr(`${f.file}: ${f.records} records${f.stage ? ` (stage ${f.stage})` : ""}\n`);
    stderr(`wrote ${r.files.length} files${"interactionConfig" in r ? ` and ${r.interactionConfig}` : ""} to ${out}\n`);
    return EXIT.OK;
  },
};
