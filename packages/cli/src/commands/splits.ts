import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { getSplit, listSplits, type BfclDataset, type DatasetSplit, type SplitSpecInput } from "@envtune/bfcl-data";
import { EXIT, usageError, intOption, numberOption, type Command, dataOption } from "../cli.ts";
import { loadDatasetSource } from "../eval-source.ts";

const PARTS = ["train", "val", "test"] as const;

/** Entries per part and, per part, how many involve each class. */
function describeSplit(split: DatasetSplit, ds: BfclDataset) {
  const parts = Object.fromEntries(
    PARTS.map((p) => {
      const byClass: Record<string, number> = {};
      const byCategory: Record<string, number> = {};
      for (const id of split[p]) {
        const e = ds.byId.get(id)!;
        byCategory[e.category] = (byCategory[e.category] ?? 0) + 1;
        for (const c of e.involvedClasses) byClass[c] = (byClass[c] ?? 0) + 1;
      }
      return [p, { entries: split[p].length, byCategory, byClass }];
    }),
  ) as Record<(typeof PARTS)[number], { entries: number; byCategory: Record<string, number>; byClass: Record<string, number> }>;
  return { name: split.name, description: split.description, spec: split.spec, parts };
}

/** `--held-out A,B` → an OOD spec; else the positional name. */
function splitRequest(values: Record<string, unknown>, name: string | undefined): string | SplitSpecInput {
  const heldOut = ((values["held-out"] as string[] | undefined) ?? [])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  if (!heldOut.length && (values.seed !== undefined || values["val-fraction"] !== undefined))
    throw usageError("splits", "--seed and --val-fraction go with --held-out.");
  if (heldOut.length) {
    if (name) throw usageError("splits", "Give either a split NAME or --held-out, not both.");
    const seed = intOption("splits", values.seed, "seed") ?? 42;
    const valFraction = numberOption("splits", values["val-fraction"], "val-fraction", { min: 0, max: 1 }) ?? 0.1;
    return { kind: "ood", heldOut, seed, valFraction };
  }
  if (!name) throw usageError("splits", "Give a split NAME (see `envtune splits list`) or --held-out CLASS,....");
  return name;
}

export const splitsCommand: Command = {
  name: "splits",
  summary: "List, show and write dataset splits (the paper's, leave-domains-out OOD splits, custom domain sets).",
  usage: "envtune splits list | show NAME | write NAME --out FILE  [--held-out CLASS,...] [--data DIR | --dataset PATH] [--json]",
  options: {
    data: dataOption,
    dataset: { type: "string", valueName: "path", description: "A dataset in the BFCL format instead of BFCL itself." },
    "held-out": {
      type: "string",
      multiple: true,
      valueName: "classes",
      description: "Hold these classes out (a named domain set): train without them, test on every entry involving any of them.",
    },
    seed: { type: "string", valueName: "n", description: "With --held-out: seed of the validation draw (default 42)." },
    "val-fraction": {
      type: "string",
      valueName: "x",
      description: "With --held-out: share of the training scenarios kept for validation (default 0.1).",
    },
    out: { type: "string", valueName: "file", description: "write: the JSON file to write ({name, description, spec, train, val, test})." },
    json: { type: "boolean", description: "Print JSON." },
  },
  details: [
    "Split names work everywhere a split is taken (`envtune eval --split NAME --part test`):",
    "  paper, paper-full-test, paper-per-category   the paper's splits (seed 42)",
    "  ood:-TravelAPI                                 leave one domain out",
    "  ood:-TravelAPI,-VehicleControlAPI              leave a set of domains out (train on the rest)",
    "In an OOD split, val holds training-domain scenarios that are not trained on (in distribution)",
    "and test every entry involving a held-out domain (out of distribution).",
    "Examples:",
    "  envtune splits list",
    "  envtune splits show ood:-TravelAPI,-VehicleControlAPI",
    "  envtune splits write --held-out TravelAPI,VehicleControlAPI --out ood-6-2.json",
  ].join("\n"),
  async run({ values, positionals, stdout, stderr }) {
    const [sub, name, ...extra] = positionals;
    if (extra.length) throw usageError("splits", `Unexpected argument(s): ${extra.join(" ")}.`);
    const { ds } = await loadDatasetSource(values, "splits");
    if (sub === "list" || sub === undefined) {
      if (name) throw usageError("splits", "`splits list` takes no NAME.");
      const rows = listSplits(ds).map((info) => {
        try {
          const s = getSplit(info.name, ds);
          return { name: s.name, description: info.description, train: s.train.length, val: s.val.length, test: s.test.length };
        } catch (e) {
          // A split that does not fit this dataset (the paper's sizes on a small one) is listed as such.
          if (!(e instanceof EnvtuneError)) throw e;
          return {
            name: info.name,
            description: `(not available for this dataset: ${e.message.replace(/^\[envtune\] \[[^\]]+\] /, "")})`,
            train: null,
            val: null,
            test: null,
          };
        }
      });
      if (values.json) {
        stdout(JSON.stringify(rows, null, 2) + "\n");
        return EXIT.OK;
      }
      const w = Math.max(...rows.map((r) => r.name.length), 4);
      stdout(`${"name".padEnd(w)}  train    val   test  description\n`);
      const n = (x: number | null) => (x === null ? "-" : String(x)).padStart(5);
      for (const r of rows) stdout(`${r.name.padEnd(w)}  ${n(r.train)}  ${n(r.val)}  ${n(r.test)}  ${r.description}\n`);
      stdout(`Any set of domains: ood:-A,-B (classes: ${[...new Set(ds.entries.flatMap((e) => e.involvedClasses))].sort().join(", ")}).\n`);
      return EXIT.OK;
    }
    if (sub === "show" || sub === "write") {
      const split = getSplit(splitRequest(values, name), ds);
      const info = describeSplit(split, ds);
      if (sub === "write") {
        const out = values.out as string | undefined;
        if (!out) throw usageError("splits", "`splits write` needs --out FILE.");
        const file = resolve(out);
        try {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(
            file,
            JSON.stringify(
              {
                name: split.name,
                description: split.description,
                spec: split.spec,
                dataset: ds.dir,
                train: split.train,
                val: split.val,
                test: split.test,
              },
              null,
              2,
            ) + "\n",
          );
        } catch (e) {
          throw new EnvtuneError(
            "WRITE_FAILED",
            "splits",
            `Cannot write \`${file}\` (${(e as Error).message}).`,
            "Check the path and permissions.",
          );
        }
        stderr(
          `splits: wrote ${split.name} (${split.train.length} train, ${split.val.length} val, ${split.test.length} test) to ${file}\n`,
        );
      }
      if (values.json) {
        stdout(JSON.stringify(info, null, 2) + "\n");
        return EXIT.OK;
      }
      if (sub === "write") return EXIT.OK;
      stdout(`${split.name}: ${split.description}\n`);
      const classes = [...new Set(PARTS.flatMap((p) => Object.keys(info.parts[p].byClass)))].sort();
      const w = Math.max(...classes.map((c) => c.length), 7);
      stdout(`${"".padEnd(w)}  ${PARTS.map((p) => p.padStart(6)).join("  ")}\n`);
      stdout(`${"entries".padEnd(w)}  ${PARTS.map((p) => String(info.parts[p].entries).padStart(6)).join("  ")}\n`);
      for (const c of classes)
        stdout(`${c.padEnd(w)}  ${PARTS.map((p) => String(info.parts[p].byClass[c] ?? 0).padStart(6)).join("  ")}\n`);
      return EXIT.OK;
    }
    throw usageError("splits", `Unknown subcommand \`${sub}\`.`);
  },
};
