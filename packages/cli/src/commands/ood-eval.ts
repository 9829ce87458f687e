import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnvtuneError, resolveDomainPacks } from "@envtune/core";
import { getSplit, loadDataSource, type BfclEntry } from "@envtune/bfcl-data";
import {
  RunDir,
  alwaysAnswerActor,
  createLearner,
  evalEpisodeConfig,
  evaluate,
  parseTrainConfig,
  policyActor,
  randomValidActor,
  type Actor,
  type EvalSummary,
  type TrainConfig,
} from "@envtune/trainer";
import { EXIT, usageError, intOption, type Command } from "../cli.ts";

/** One policy's results in and out of distribution. */
export interface OodRow {
  policy: string;
  id: EvalSummary;
  ood: EvalSummary;
}

export interface OodReport {
  run: string;
  split: string;
  heldOut: string[];
  trainedOn: string[];
  entries: { id: number; ood: number };
  environment: string;
  rows: OodRow[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The side-by-side table: per policy, in-distribution vs out-of-distribution. */
export function oodMarkdown(r: OodReport): string {
  const head = [
    "policy",
    "ID turn success",
    "OOD turn success",
    "Δ (OOD − ID)",
    "ID entry acc",
    "OOD entry acc",
    "ID progress",
    "OOD progress",
  ];
  const rows = r.rows.map((x) => [
    x.policy,
    pct(x.id.turnSuccess),
    pct(x.ood.turnSuccess),
    `${((x.ood.turnSuccess - x.id.turnSuccess) * 100).toFixed(1)} pts`,
    pct(x.id.entryAccuracy),
    pct(x.ood.entryAccuracy),
    x.id.progress.toFixed(3),
    x.ood.progress.toFixed(3),
  ]);
  const table = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
    ...rows.map((c) => `| ${c.join(" | ")} |`),
  ].join("\n");
  return [
    `## Cross-domain generalisation: ${r.split}`,
    "",
    `Trained on ${r.trainedOn.join(", ")}; held out ${r.heldOut.join(", ")}.`,
    `ID = ${r.entries.id} validation entries (scenarios of the training domains that were not trained on); OOD = ${r.entries.ood} test entries (every entry involving a held-out domain).`,
    `Turn success counts turns whose ground truth has calls. ${r.environment}.`,
    "",
    table,
    "",
  ].join("\n");
}

/** The weights `envtune train` evaluated as "trained": the best-validation policy when selected, else the last one. */
function trainedWeights(run: RunDir, config: TrainConfig): string {
  const select = (config.evaluation as { select?: string }).select;
  const order = select === "best-val" ? ["best", "last", "final"] : ["last", "final", "best"];
  const dir = order.map((d) => run.path(d)).find((d) => existsSync(d));
  if (!dir)
    throw new EnvtuneError(
      "NO_TRAINED_POLICY",
      "ood-eval",
      `No trained policy in \`${run.dir}\`.`,
      "Let `envtune train` finish (or resume it with --resume) first.",
    );
  return dir;
}

export const oodEvalCommand: Command = {
  name: "ood-eval",
  summary: "Evaluate a run trained on an OOD split in distribution and out of distribution, side by side.",
  usage: "envtune ood-eval RUN_DIR [--data DIR] [--limit N] [--no-baselines] [--json]",
  options: {
    data: {
      type: "string",
      valueName: "dir",
      description: "BFCL data directory (default: the run's, else $ENVTUNE_BFCL_DATA or the download cache).",
    },
    limit: { type: "string", valueName: "n", description: "At most N entries on each side." },
    "no-baselines": {
      type: "boolean",
      description: "Only the trained policy (no untrained, random-valid-call and always-answer baselines).",
    },
    json: { type: "boolean", description: "Print the report as JSON." },
  },
  details: [
    "RUN_DIR is a finished `envtune train` run whose split leaves domains out (ood:-A,-B). The trained",
    "policy (the weights train evaluated: RUN_DIR/best or RUN_DIR/last) and the baselines play the",
    "split's validation entries (in distribution: training domains, unseen scenarios) and its test",
    "entries (out of distribution: held-out domains) in the standard environment, greedy.",
    "Writes RUN_DIR/eval/ood.json and RUN_DIR/ood-report.md.",
    "Example (six domains in, two out):",
    "  envtune train --config node_modules/envtune/experiments/ood-six-two.json --out runs/ood-6-2",
    "  envtune ood-eval runs/ood-6-2",
  ].join("\n"),
  async run({ values, positionals, stdout, stderr }) {
    if (positionals.length !== 1) throw usageError("ood-eval", "Give exactly one RUN_DIR.");
    const run = new RunDir(resolve(positionals[0]!));
    const config: TrainConfig = parseTrainConfig(run.readJson("config.json"));
    const limit = intOption("ood-eval", values.limit, "limit", { min: 1 });

    // The run's own dataset when it trained on one, else BFCL as the run found it; --data overrides both.
    const { ds } = await loadDataSource(
      values.data !== undefined ? { dataDir: values.data as string } : { dataset: config.data.dataset, dataDir: config.data.dir },
      "ood-eval",
    );
    const split = getSplit(config.data.split, ds);
    if (split.spec.kind !== "ood") {
      throw usageError(
        "ood-eval",
        `The run's split \`${split.name}\` holds no domain out.`,
        "Train with an out-of-distribution split, e.g. --split ood:-TravelAPI,-VehicleControlAPI.",
      );
    }
    const { packs } = await resolveDomainPacks(config.data.domains);
    const usable = (e: BfclEntry) => e.involvedClasses.every((c) => packs.has(c));
    const pick = (ids: readonly string[]) =>
      ids
        .map((id) => ds.byId.get(id)!)
        .filter(usable)
        .slice(0, limit);
    const idEntries = pick(split.val);
    const oodEntries = pick(split.test);
    if (idEntries.length === 0 || oodEntries.length === 0) {
      throw new EnvtuneError(
        "EMPTY_SIDE",
        "ood-eval",
        `The split leaves ${idEntries.length} in-distribution and ${oodEntries.length} out-of-distribution entries with the loaded packs.`,
        "Install the packs of the held-out domains (envtune domains list).",
      );
    }

    const world = { packs, constants: ds.longContext, funcDocs: ds.funcDocs };
    // The run's learner (by its registered name), fresh with the run's seed: the untrained
    // baseline, and the reader of the trained policy.
    const learner = await createLearner({ config, seed: config.seed, world, log: (s) => stderr(s + "\n") });
    const policy = await learner.loadPolicy(trainedWeights(run, config));
    const format = config.policy.actionFormat;
    const actors: Actor[] = [policyActor(policy, { greedy: true, format, name: "trained" })];
    if (!values["no-baselines"])
      actors.push(policyActor(learner, { greedy: true, format, name: "untrained" }), randomValidActor(), alwaysAnswerActor());

    const episode = evalEpisodeConfig(config);
    const opts = { maxConcurrent: config.runtime.maxConcurrentEpisodes, seed: config.seed };
    const rows: OodRow[] = [];
    try {
      for (const actor of actors) {
        stderr(`ood-eval: ${actor.name} on ${idEntries.length} ID + ${oodEntries.length} OOD entries\n`);
        const id = (await evaluate(actor, idEntries, world, episode, opts)).summary;
        const ood = (await evaluate(actor, oodEntries, world, episode, opts)).summary;
        rows.push({ policy: actor.name, id, ood });
      }
    } finally {
      policy.dispose();
      learner.dispose();
    }
    const heldOut = split.spec.heldOut;
    const report: OodReport = {
      run: run.dir,
      split: split.name,
      heldOut,
      trainedOn: [...packs.keys()].filter((c) => !heldOut.includes(c)).sort(),
      entries: { id: idEntries.length, ood: oodEntries.length },
      environment: "Standard environment, paper protocol, greedy decoding",
      rows,
    };
    run.writeJson("eval/ood.json", report);
    const md = oodMarkdown(report);
    writeFileSync(run.path("ood-report.md"), md);
    stdout(values.json ? JSON.stringify(report, null, 2) + "\n" : md);
    stderr(`ood-eval: wrote ${run.path("ood-report.md")} and ${run.path("eval/ood.json")}\n`);
    return EXIT.OK;
  },
};
