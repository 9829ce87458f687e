import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import {
  PRESETS,
  aggregateRuns,
  importLearner,
  learnerNames,
  parseTrainConfig,
  stderrProgress,
  train,
  type TrainConfigInput,
} from "@envtune/trainer";
import { EXIT, interruptible, usageError, intOption, type Command, dataOption, dataPathsBesideFile } from "../cli.ts";
import { parseSplitOption } from "../eval-source.ts";

function readConfigFile(file: string): TrainConfigInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new EnvtuneError(
      "FILE_NOT_FOUND",
      "train",
      `Cannot read \`${file}\` (${(e as Error).message}).`,
      "Pass a JSON config file to --config.",
    );
  }
  let input: TrainConfigInput;
  try {
    input = JSON.parse(text) as TrainConfigInput;
  } catch (e) {
    throw new EnvtuneError(
      "BAD_CONFIG",
      "train",
      `${file} is not valid JSON (${(e as Error).message}).`,
      "Write the config as JSON (see `trainConfigSchema`).",
    );
  }
  return dataPathsBesideFile(input, file);
}

/**
 * `--learner NAME|FILE` and `--learner-options JSON`. A file is imported (it registers its
 * learner) and recorded by absolute path, so that `--resume` and `ood-eval` import it again.
 */
async function learnerOption(
  learner: unknown,
  options: unknown,
  current: TrainConfigInput["learner"],
): Promise<NonNullable<TrainConfigInput["learner"]>> {
  let parsed: Record<string, unknown> | undefined;
  if (options !== undefined) {
    try {
      parsed = JSON.parse(String(options)) as Record<string, unknown>;
    } catch (e) {
      throw usageError(
        "train",
        `--learner-options is not valid JSON (${(e as Error).message}).`,
        `Pass a JSON object, e.g. --learner-options '{"lr": 0.5}'.`,
      );
    }
  }
  const next = { ...(current ?? {}), ...(parsed !== undefined ? { options: parsed } : {}) };
  if (learner === undefined) return next;
  const value = String(learner);
  // Learner names have no slashes (registerLearner); anything path-like is a module to import.
  if (!/[/\\]|\.[cm]?[jt]s$/.test(value)) {
    if (!learnerNames().includes(value))
      throw usageError(
        "train",
        `Unknown learner \`${value}\`.`,
        `Use one of: ${learnerNames().join(", ")}, or pass a module file (--learner ./my-learner.js).`,
      );
    return { ...next, name: value, module: undefined };
  }
  const file = resolve(value);
  const factory = await importLearner(file);
  return { ...next, name: factory.name, module: file };
}

/** `envtune train`: the four-stage curriculum with GRPO on the embedded policy. */
export const trainCommand: Command = {
  name: "train",
  summary: "Environment-tune the embedded TensorFlow.js policy on BFCL (curriculum + GRPO), then evaluate it.",
  usage:
    "envtune train [--quick | --preset NAME | --config FILE] [--out DIR] [--seed N] [--data DIR] | --resume DIR | --aggregate DIR,DIR,...",
  options: {
    quick: { type: "boolean", description: "The CI preset (about 2 minutes on 2 cores)." },
    preset: { type: "string", valueName: "name", description: `Config preset: ${Object.keys(PRESETS).join(", ")} (default: default).` },
    config: {
      type: "string",
      valueName: "file",
      description: "JSON config (fields of trainConfigSchema; a `preset` field fills the rest).",
    },
    out: {
      type: "string",
      valueName: "dir",
      description: "Run directory (default: runs/train-<preset>-seed<N>); must be new, empty or an envtune run's.",
    },
    force: {
      type: "boolean",
      description: "Start the run in a --out folder that holds other files (envtune's own file names there are overwritten).",
    },
    resume: {
      type: "string",
      valueName: "dir",
      description: "Continue the run in DIR from its last checkpoint (after a crash, kill -9 or Ctrl-C).",
    },
    seed: { type: "string", valueName: "n", description: "Random seed (weights, rollouts, data order)." },
    data: dataOption,
    dataset: {
      type: "string",
      valueName: "path",
      description: "Train on a dataset of your own in the BFCL format instead of BFCL (validated against the packs first).",
    },
    domains: {
      type: "string",
      valueName: "list",
      description: "Comma-separated domain packs to load dynamically: package names, paths, `installed`, `bfcl` (default: installed,bfcl).",
    },
    split: {
      type: "string",
      valueName: "name|json",
      description: "Dataset split: a name (paper, paper-full-test, ood:-TravelAPI, ...) or a JSON split spec.",
    },
    backend: { type: "string", valueName: "name", description: "TensorFlow.js backend: auto, tensorflow, wasm, cpu (also $TF_BACKEND)." },
    learner: {
      type: "string",
      valueName: "name|file",
      description: "The learner: a registered name (default grpo-tfjs) or a JavaScript module whose default export is a LearnerFactory.",
    },
    "learner-options": {
      type: "string",
      valueName: "json",
      description: "The learner's options as JSON (validated by its options schema).",
    },
    "single-stage": { type: "boolean", description: "Ablation: single-stage GRPO with 0.9·R_P + 0.1·R_format on all data." },
    "no-augmentation": { type: "boolean", description: "Ablation: standard environment in every stage." },
    "binary-reward": { type: "boolean", description: "Ablation: binary instead of progress reward." },
    aggregate: {
      type: "string",
      valueName: "dirs",
      description: "Summarize finished runs (e.g. 3 seeds): mean ± std of the final evaluation.",
    },
    json: { type: "boolean", description: "Print the final evaluation (or the aggregate) as JSON on stdout." },
  },
  details: [
    "Progress goes to stderr; Ctrl-C saves a checkpoint and exits (resume with --resume DIR).",
    "Examples:",
    "  envtune train --quick --out runs/ci",
    "  envtune train --seed 2 --out runs/seed2",
    "  envtune train --resume runs/seed2",
    "  envtune train --learner ./my-learner.js --learner-options '{\"lr\": 0.5}' --out runs/mine   # a learner of your own",
    "  envtune train --aggregate runs/seed1,runs/seed2,runs/seed3",
    "  envtune train --config node_modules/@envtune/domain-example-library/train.config.json   # your own domain and data",
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    if (values.aggregate) {
      const dirs = String(values.aggregate)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const agg = aggregateRuns(dirs);
      stdout(values.json ? JSON.stringify(agg.json, null, 2) + "\n" : agg.text + "\n");
      return EXIT.OK;
    }
    const progress = stderrProgress(stderr);
    const stop = interruptible(() =>
      progress.line("[envtune] Ctrl-C: finishing the current update, saving a checkpoint and exiting (press Ctrl-C again to quit at once)"),
    );
    try {
      if (values.resume) {
        if (values.config || values.preset || values.quick || values.learner || values["learner-options"]) {
          throw usageError(
            "train",
            "--resume continues a run with its own config (and learner); do not pass --config, --preset, --quick, --learner or --learner-options with it.",
          );
        }
        const dir = resolve(String(values.resume));
        const r = await train({
          outDir: dir,
          resume: true,
          progress,
          signal: stop.signal,
          ...(values.data ? { dataDir: String(values.data) } : {}),
        });
        return report(r, values.json === true, stdout, stderr);
      }
      if ([values.quick, values.preset, values.config].filter(Boolean).length > 1)
        throw usageError("train", "Pass only one of --quick, --preset and --config.");
      let input: TrainConfigInput;
      if (values.config) {
        const file = readConfigFile(String(values.config));
        const base = file.preset && PRESETS[file.preset] ? PRESETS[file.preset]!() : {};
        input = { ...base, ...file };
      } else {
        const name = values.quick ? "quick" : String(values.preset ?? "default");
        const make = PRESETS[name];
        if (!make) throw usageError("train", `Unknown preset \`${name}\`.`, `Use one of: ${Object.keys(PRESETS).join(", ")}.`);
        input = make();
      }
      const seed = intOption("train", values.seed, "seed", { min: 0 });
      if (seed !== undefined) input = { ...input, seed };
      if (values.data && values.dataset) throw usageError("train", "Pass either --data (BFCL) or --dataset (your own data), not both.");
      if (values.data || values.dataset || values.domains || values.split) {
        const { dir: _dir, dataset: _dataset, ...keep } = input.data ?? {};
        input = {
          ...input,
          data: {
            ...(values.data || values.dataset ? keep : (input.data ?? {})),
            ...(values.data ? { dir: resolve(String(values.data)) } : {}),
            ...(values.dataset ? { dataset: resolve(String(values.dataset)) } : {}),
            ...(values.domains
              ? {
                  domains: String(values.domains)
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(values.split ? { split: parseSplitOption(String(values.split), "train") } : {}),
          },
        };
      }
      if (values.backend) input = { ...input, runtime: { ...(input.runtime ?? {}), backend: String(values.backend) as "auto" } };
      if (values["single-stage"] || values["no-augmentation"] || values["binary-reward"]) {
        input = {
          ...input,
          ablation: {
            ...(input.ablation ?? {}),
            ...(values["single-stage"] ? { singleStage: true } : {}),
            ...(values["no-augmentation"] ? { noAugmentation: true } : {}),
            ...(values["binary-reward"] ? { binaryReward: true } : {}),
          },
        };
      }
      if (values.learner || values["learner-options"])
        input = { ...input, learner: await learnerOption(values.learner, values["learner-options"], input.learner) };
      const config = parseTrainConfig(input);
      const ablations = Object.entries(config.ablation)
        .filter(([, v]) => v)
        .map(([k]) => k);
      const outDir = resolve(
        String(values.out ?? `runs/train-${config.preset}${ablations.length ? `-${ablations.join("-")}` : ""}-seed${config.seed}`),
      );
      const r = await train({ config, outDir, progress, signal: stop.signal, ...(values.force ? { force: true } : {}) });
      return report(r, values.json === true, stdout, stderr);
    } finally {
      stop.release();
    }
  },
};

function report(r: Awaited<ReturnType<typeof train>>, json: boolean, stdout: (s: string) => void, stderr: (s: string) => void): number {
  if (r.status !== "completed") {
    stderr(`[envtune] stopped after update ${r.updates}; checkpoint saved. Continue with: envtune train --resume ${r.runDir}\n`);
    return r.status === "interrupted" ? 130 : EXIT.OK;
  }
  if (json) stdout(JSON.stringify({ runDir: r.runDir, updates: r.updates, evaluation: r.evaluation }, null, 2) + "\n");
  return EXIT.OK;
}
