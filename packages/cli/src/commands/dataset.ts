import { resolveDomainPacks } from "@envtune/core";
import {
  BFCL_CATEGORIES,
  formatDatasetProblem,
  loadUserDataset,
  validateDatasetEntries,
  type DatasetProblem,
  type UserDataset,
} from "@envtune/bfcl-data";
import { EXIT, usageError, type Command } from "../cli.ts";
import { replayGroundTruth } from "../dataset-replay.ts";

export const datasetCommand: Command = {
  name: "dataset",
  summary: "Validate a dataset in the BFCL format (entries + ground truth) against the installed domain packs.",
  usage: "envtune dataset validate PATH [--answers FILE] [--domains NAME,...] [--no-replay] [--json]",
  options: {
    answers: {
      type: "string",
      valueName: "file",
      description: "Ground truth for a single question file (default: possible_answer/<name> beside it, else inline `ground_truth`).",
    },
    "long-context": {
      type: "string",
      valueName: "file",
      description: "long_context.json with the constants long-context entries need (default: the one in the dataset directory).",
    },
    domains: {
      type: "string",
      multiple: true,
      valueName: "names",
      description: "Packs to load: package names or paths, `installed`, `bfcl`; comma-separated. Default: every installed pack.",
    },
    "no-replay": { type: "boolean", description: "Only check the format and names; do not execute the ground truth." },
    strict: { type: "boolean", description: "Fail on warnings too." },
    json: { type: "boolean", description: "Print the report as JSON." },
  },
  details: [
    "PATH is a question file (JSON lines) or a directory in the BFCL layout: question files (*.json,",
    "*.jsonl) with their ground truth in possible_answer/<same name>. Ids read multi_turn_<category>_<n>",
    "(category: base, miss_func, miss_param, long_context). Checks: the format, an installed pack for",
    "every involved class, every ground-truth call names a tool of an involved class, one ground-truth",
    "list per turn, and (unless --no-replay) that the ground truth runs without raising.",
    "The same dataset then runs with `envtune eval --dataset PATH`.",
    "Example: envtune dataset validate node_modules/@envtune/domain-example-library/data",
  ].join("\n"),
  async run({ values, positionals, stdout, stderr }) {
    const [sub, path, ...extra] = positionals;
    if (sub !== "validate") throw usageError("dataset", sub ? `Unknown subcommand \`${sub}\`.` : "Missing subcommand.");
    if (!path || extra.length) throw usageError("dataset", "Give exactly one dataset PATH.");
    const ds: UserDataset = loadUserDataset(path, {
      ...(values.answers ? { answers: values.answers as string } : {}),
      ...(values["long-context"] ? { longContext: values["long-context"] as string } : {}),
    });
    const { packs } = await resolveDomainPacks(values.domains as string[] | undefined);
    const problems: DatasetProblem[] = validateDatasetEntries(ds.entries, packs);
    if (!values["no-replay"]) {
      // An entry that already failed the static checks would only repeat them on replay.
      const broken = new Set(problems.filter((p) => p.severity === "error").map((p) => p.id));
      problems.push(
        ...replayGroundTruth(
          ds.entries.filter((e) => !broken.has(e.id)),
          packs,
          { constants: ds.longContext },
        ),
      );
    }
    const order = new Map(ds.entries.map((e, i) => [e.id, i]));
    problems.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const errors = problems.filter((p) => p.severity === "error");
    const warnings = problems.length - errors.length;
    const classes = [...new Set(ds.entries.flatMap((e) => e.involvedClasses))].sort();
    const categories: Record<string, number> = {};
    for (const c of BFCL_CATEGORIES) {
      const n = ds.entries.filter((e) => e.category === c).length;
      if (n) categories[c] = n;
    }
    const failed = errors.length > 0 || (values.strict === true && warnings > 0);
    if (values.json) {
      stdout(
        JSON.stringify(
          {
            path: ds.dir,
            files: ds.files,
            entries: ds.entries.length,
            categories,
            classes,
            errors: errors.length,
            warnings,
            problems,
            ok: !failed,
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      for (const p of problems) (p.severity === "error" ? stderr : stdout)(formatDatasetProblem(p) + "\n");
      stdout(
        `${ds.entries.length} entries (${Object.entries(categories)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}), classes ${classes.join(", ")}: ` +
          `${errors.length} error(s), ${warnings} warning(s)${values["no-replay"] ? " (ground truth not replayed)" : ""}\n`,
      );
    }
    return failed ? EXIT.FAILURE : EXIT.OK;
  },
};
