import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { BFCL_CATEGORIES, getSplit, type BfclDataset, type BfclEntry } from "@envtune/bfcl-data";
import { runEval, summaryMarkdown, summaryTable, type EpisodeConfigInput, type EvalProgress } from "@envtune/engine";
import { EXIT, intOption, usageError, type Command, dataOption } from "../cli.ts";
import { createEvalPolicy, datasetSourceOptions, loadDatasetSource, loadPacksFor } from "../eval-source.ts";

const PARTS = ["train", "val", "test", "all"] as const;
type Part = (typeof PARTS)[number];

const usage = (what: string, hint?: string) => usageError("eval", what, hint);

/**
 * The entries an eval runs: `--ids` (exact ids), else `--split` (`all`, a category name, or a
 * named split such as `paper` / `ood:-TravelAPI`, part `--part`, default `test`), then `--limit`.
 */
export function selectEntries(ds: BfclDataset, opts: { split?: string; part?: string; ids?: string[]; limit?: number }): BfclEntry[] {
  let entries: BfclEntry[];
  if (opts.ids?.length) {
    if (opts.split) throw usage("Pass either --split or --ids, not both.");
    const missing = opts.ids.filter((id) => !ds.byId.has(id));
    if (missing.length)
      throw usage(
        `Unknown entry id(s): ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}.`,
        "Use ids like multi_turn_base_0 from the dataset.",
      );
    entries = [...new Set(opts.ids)].map((id) => ds.byId.get(id)!);
  } else if (opts.split) {
    const part = (opts.part ?? "test") as Part;
    if (!PARTS.includes(part)) throw usage(`Unknown --part \`${opts.part}\`.`, `Use one of: ${PARTS.join(", ")}.`);
    if (opts.split === "all") entries = [...ds.entries];
    else if ((BFCL_CATEGORIES as readonly string[]).includes(opts.split)) entries = ds.entries.filter((e) => e.category === opts.split);
    else {
      const split = getSplit(opts.split, ds);
      const ids = new Set(part === "all" ? [...split.train, ...split.val, ...split.test] : split[part]);
      entries = ds.entries.filter((e) => ids.has(e.id));
    }
  } else {
    throw usage("Choose the entries with --split NAME or --ids ID[,ID...].");
  }
  if (opts.limit !== undefined) entries = entries.slice(0, opts.limit);
  return entries;
}

/** A progress reporter: one redrawn line on a terminal, a line per ~5% otherwise. */
function progressReporter(stderr: (s: string) => void, tty: boolean): (p: EvalProgress) => void {
  let lastLogged = -1;
  return (p) => {
    const frac = p.total ? p.done / p.total : 1;
    const rate = p.done - p.resumed > 0 && p.elapsedMs > 0 ? ((p.done - p.resumed) / p.elapsedMs) * 1000 : 0;
    const acc = p.done ? ((p.correct / p.done) * 100).toFixed(1) : "0.0";
    const text = `${p.done}/${p.total} entries, ${p.correct} correct (${acc}%), ${p.errors} errors${rate ? `, ${rate.toFixed(2)}/s` : ""}`;
    if (tty) {
      const width = 24;
      const filled = Math.round(frac * width);
      stderr(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}\x1b[K${p.done === p.total ? "\n" : ""}`);
      return;
    }
    const step = Math.max(1, Math.ceil(p.total / 20));
    const bucket = Math.floor(p.done / step);
    if (bucket !== lastLogged || p.done === p.total) {
      if (p.done === p.total && lastLogged === -2) return;
      lastLogged = p.done === p.total ? -2 : bucket;
      stderr(`eval: ${text}\n`);
    }
  };
}

export const evalCommand: Command = {
  name: "eval",
  summary:
    "Score a policy (oracle, recorded outputs, an OpenAI-compatible endpoint, a baseline, your own module) with the official BFCL checker.",
  usage: "envtune eval --policy NAME|FILE (--split NAME [--part test] | --ids ID,...) [--data DIR] [--out DIR] [--resume]",
  options: {
    policy: {
      type: "string",
      valueName: "name|file",
      description:
        "oracle (ground truth), replay (--input FILE), openai (--base-url, --model), the baselines random-valid-call, always-answer, untrained, or a module file whose default export is a policy factory (./my-policy.js).",
    },
    "policy-options": {
      type: "string",
      valueName: "json",
      description: "The policy's options as a JSON object (merged over the flags below).",
    },
    split: {
      type: "string",
      valueName: "name",
      description:
        "all, a category (base, miss_func, miss_param, long_context), or a named split (paper, paper-full-test, ood:-TravelAPI, ...).",
    },
    part: { type: "string", valueName: "part", default: "test", description: "Part of a named split: train, val, test or all." },
    ids: { type: "string", valueName: "ids", multiple: true, description: "Entry ids, comma-separated (repeatable)." },
    limit: { type: "string", valueName: "n", description: "Only the first N selected entries." },
    data: dataOption,
    ...datasetSourceOptions,
    out: {
      type: "string",
      valueName: "dir",
      default: "envtune-eval",
      description: "Output directory: results.jsonl, summary.json, summary.md.",
    },
    resume: { type: "boolean", description: "Continue the results file in --out, skipping entries already scored." },
    force: { type: "boolean", description: "Start over even if --out already has results." },
    concurrency: { type: "string", valueName: "n", default: "4", description: "Episodes run at once." },
    protocol: {
      type: "string",
      valueName: "name",
      default: "bfcl",
      description: "Episode rules: bfcl (BFCL's inference loop) or paper (the paper's training loop).",
    },
    augmented: { type: "boolean", description: "Augmented environment (actionable hints) instead of the standard one." },
    "max-actions": { type: "string", valueName: "n", description: "Actions per turn (default: 21 for bfcl, 5 for paper)." },
    format: {
      type: "string",
      valueName: "style",
      description: "oracle: how the ground truth is sent (python (default), envelope, openai).",
    },
    input: {
      type: "string",
      valueName: "file",
      description: "replay: JSON-lines file of {id, result: [[step responses per turn]]} (e.g. a BFCL result file).",
    },
    "keep-positional": {
      type: "boolean",
      description: "replay: keep positional arguments in Python-call text (BFCL's decoder drops them).",
    },
    "base-url": { type: "string", valueName: "url", description: "openai: API base URL, e.g. http://127.0.0.1:8000/v1." },
    model: { type: "string", valueName: "name", description: "openai: model name." },
    mode: {
      type: "string",
      valueName: "mode",
      description: "openai: fc (native tools/tool_calls, default) or prompt (the paper's prompt and envelope).",
    },
    temperature: { type: "string", valueName: "t", description: "openai: sampling temperature (default 0)." },
    "max-tokens": { type: "string", valueName: "n", description: "openai: max_tokens per response." },
    timeout: { type: "string", valueName: "seconds", description: "openai: per-request timeout (default 120)." },
    retries: { type: "string", valueName: "n", description: "openai: retries per request, exponential backoff (default 4)." },
    seed: { type: "string", valueName: "n", description: "random-valid-call, always-answer, untrained: the seed (default 1)." },
    "no-transcripts": { type: "boolean", description: "Leave the messages out of results.jsonl." },
    json: { type: "boolean", description: "Print the summary as JSON on stdout." },
  },
  details: [
    "The API key comes from OPENAI_API_KEY or ENVTUNE_API_KEY. Ctrl-C stops after writing what is scored;",
    "--resume continues. Accuracy is the official BFCL verdict (overall = unweighted mean of the categories).",
    "Examples:",
    "  envtune eval --policy oracle --split all",
    "  envtune eval --policy oracle --split all --dataset my-tasks/ --domains @acme/domain-library",
    "  envtune eval --policy replay --input BFCL_v4_multi_turn_base_result.json --split base",
    "  envtune eval --policy openai --base-url http://127.0.0.1:8000/v1 --model qwen --split paper --part test",
    "  envtune eval --policy random-valid-call --seed 3 --split paper --part test",
    "  envtune eval --policy ./my-policy.js --policy-options '{\"depth\": 2}' --split base --limit 10",
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    const policyName = values.policy as string | undefined;
    if (!policyName) throw usage("--policy is required.");
    const protocol = (values.protocol as string | undefined) ?? "bfcl";
    if (protocol !== "bfcl" && protocol !== "paper") throw usage(`Unknown --protocol \`${protocol}\`.`, "Use bfcl or paper.");
    const outDir = resolve((values.out as string | undefined) ?? "envtune-eval");
    const resultsFile = join(outDir, "results.jsonl");
    if (existsSync(resultsFile) && !values.resume && !values.force) {
      throw usage(`\`${resultsFile}\` already exists.`, "Pass --resume to continue it or --force to start over.");
    }
    const source = await loadDatasetSource(values, "eval");
    const ds = source.ds;
    const ids = ((values.ids as string[] | undefined) ?? [])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    const limit = intOption("eval", values.limit, "limit", { min: 1 });
    const entries = selectEntries(ds, {
      ...(values.split ? { split: values.split as string } : {}),
      ...(values.part ? { part: values.part as string } : {}),
      ids,
      ...(limit !== undefined ? { limit } : {}),
    });
    if (entries.length === 0) throw usage("The selection has no entries.", "Check --split/--part/--ids.");
    const packs = await loadPacksFor(entries, source, values);

    const policy = await createEvalPolicy(policyName, values, { packs, log: (line) => stderr(line + "\n") });

    const maxActions = intOption("eval", values["max-actions"], "max-actions", { min: 1 });
    const config: EpisodeConfigInput = {
      protocol,
      ...(values.augmented ? { augmented: true } : {}),
      ...(maxActions !== undefined ? { maxActionsPerTurn: maxActions } : {}),
    };
    mkdirSync(outDir, { recursive: true });
    const controller = new AbortController();
    const onSigint = () => {
      stderr("\neval: interrupted; finishing the results file (Ctrl-C again to force quit)\n");
      controller.abort(new EnvtuneError("INTERRUPTED", "eval", "Interrupted.", "Run again with --resume to continue."));
      process.removeListener("SIGINT", onSigint);
    };
    process.on("SIGINT", onSigint);
    let run;
    try {
      run = await runEval({
        policy,
        entries,
        packs,
        constants: ds.longContext,
        funcDocs: ds.funcDocs,
        config,
        concurrency: intOption("eval", values.concurrency, "concurrency", { min: 1 }) ?? 4,
        resultsFile,
        resume: values.resume === true,
        transcripts: values["no-transcripts"] !== true,
        signal: controller.signal,
        onProgress: progressReporter(stderr, process.stderr.isTTY === true && !process.env.CI),
      });
    } finally {
      process.removeListener("SIGINT", onSigint);
      await policy.close?.();
    }
    const { summary } = run;
    writeFileSync(join(outDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
    writeFileSync(join(outDir, "summary.md"), summaryMarkdown(summary));
    if (values.json) stdout(JSON.stringify(summary) + "\n");
    else stdout(summaryTable(summary));
    stderr(`eval: results in ${resultsFile}, summary in ${join(outDir, "summary.md")}\n`);
    if (summary.interrupted) return 130;
    return summary.errors > 0 ? EXIT.FAILURE : EXIT.OK;
  },
};
