/**
 * User-supplied datasets in the BFCL multi-turn format: question files (JSON lines with `id`,
 * `question`, `initial_config`, `involved_classes`, optional `excluded_function` /
 * `missed_function`) and their ground truth (`possible_answer/<same file name>`, or an inline
 * `ground_truth` field), for any installed domain packs, BFCL or not.
 *
 * Loading checks the format; {@link validateDatasetEntries} checks the entries against the packs
 * that will run them (unknown class, unknown tool in the ground truth, malformed calls, turn
 * counts, withheld functions). Executing the ground truth (does every call run?) needs the
 * executor and lives with the command that runs it (`envtune dataset validate`).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import {
  ActionParseError,
  BFCL_DOMAIN_PACKAGES,
  EnvtuneError,
  PyDict,
  decodeEncoded,
  parsePyJson,
  parsePythonCalls,
  type DomainPack,
  type LongContextConstants,
  type PyValue,
} from "@envtune/core";
import { parseEntry, type BfclDataset, type BfclEntry } from "./load.ts";
import { BFCL_CATEGORIES } from "./manifest.ts";

export interface UserDatasetOptions {
  /** Ground-truth file for a single question file (default: `possible_answer/<name>` beside it, else inline `ground_truth`). */
  answers?: string;
  /** A `long_context.json` (lossless export) for long-context entries (default: `long_context.json` in the dataset directory, if any). */
  longContext?: string;
}

/** A loaded user dataset: a {@link BfclDataset} plus where each entry came from. */
export interface UserDataset extends BfclDataset {
  /** Question files read, in order. */
  files: string[];
  /** Entry id → `file:line`. */
  sources: ReadonlyMap<string, string>;
}

function datasetError(code: string, what: string, hint: string, details?: string[]): EnvtuneError {
  return new EnvtuneError(code, "dataset", what, hint, details?.length ? { details } : undefined);
}

const QUESTION_FILE = /\.(jsonl?|JSONL?)$/;

/** Question files of a dataset directory: every `*.json`/`*.jsonl` at its top level except `long_context.json`. */
function questionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => QUESTION_FILE.test(f) && f !== "long_context.json" && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

function lines(file: string): Array<{ text: string; line: number }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw datasetError("DATASET_NOT_FOUND", `Cannot read \`${file}\` (${(e as Error).message}).`, "Check the path.");
  }
  return text
    .split("\n")
    .map((t, i) => ({ text: t, line: i + 1 }))
    .filter((l) => l.text.trim() !== "");
}

function parseJsonLine(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw datasetError(
      "DATASET_INVALID",
      `${where} is not valid JSON (${jsonErrorWithoutText(e as Error)}).`,
      "Write one JSON object per line (JSON lines).",
    );
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw datasetError("DATASET_INVALID", `${where} is not a JSON object.`, "Write one JSON object per line (JSON lines).");
  return v as Record<string, unknown>;
}

/**
 * Where JSON.parse failed, without the excerpt of the text V8 quotes: `--dataset /etc/passwd`
 * must not print the file's first line.
 */
function jsonErrorWithoutText(e: Error): string {
  const at = /position (\d+)/.exec(e.message)?.[1];
  if (/end of JSON input/.test(e.message)) return "the line ends early";
  return at !== undefined ? `syntax error at column ${Number(at) + 1}` : "syntax error";
}

function isGroundTruth(v: unknown): v is string[][] {
  return Array.isArray(v) && v.every((t) => Array.isArray(t) && t.every((c) => typeof c === "string"));
}

/** Ground truth by id, from an answer file. */
function readAnswers(file: string): Map<string, { id: string; ground_truth: string[][] }> {
  const out = new Map<string, { id: string; ground_truth: string[][] }>();
  for (const { text, line } of lines(file)) {
    const where = `${file}:${line}`;
    const rec = parseJsonLine(text, where);
    if (typeof rec.id !== "string" || !isGroundTruth(rec.ground_truth)) {
      throw datasetError(
        "DATASET_INVALID",
        `${where} is not a ground-truth record.`,
        "Each line needs `id` and `ground_truth` (a list per turn of call strings such as \"cd(folder='docs')\").",
      );
    }
    if (out.has(rec.id))
      throw datasetError(
        "DATASET_DUPLICATE_ID",
        `${where}: ground truth for \`${rec.id}\` appears twice.`,
        "Give each entry exactly one ground-truth line.",
      );
    out.set(rec.id, { id: rec.id, ground_truth: rec.ground_truth });
  }
  return out;
}

function answersFileFor(questionFile: string, explicit: string | undefined): string | undefined {
  if (explicit) return resolve(explicit);
  const beside = join(dirname(questionFile), "possible_answer", basename(questionFile));
  return existsSync(beside) ? beside : undefined;
}

function readConstants(file: string): LongContextConstants {
  const d = parsePyJson(readFileSync(file, "utf8"));
  if (!(d instanceof PyDict))
    throw datasetError(
      "DATASET_INVALID",
      `\`${file}\` is not a JSON object.`,
      "Give the long-context constants as one JSON object (the `long_context.json` layout).",
    );
  const map = new Map<string, PyValue>();
  for (const [k, v] of d) map.set(String(k), decodeEncoded(v));
  return map;
}

/**
 * Loads a dataset in the BFCL multi-turn format from a question file or a directory of them.
 *
 * - A directory: every `*.json`/`*.jsonl` file at its top level is a question file; its ground
 *   truth is `possible_answer/<same name>` (the BFCL layout) or an inline `ground_truth` field.
 * - A file: one question file; ground truth from `opts.answers`, `possible_answer/<name>` beside
 *   it, or inline `ground_truth` fields.
 *
 * Ids must read `multi_turn_<category>_<n>` with a BFCL category (base, miss_func, miss_param,
 * long_context): the checker's accuracy is per category. Ids must be unique across files.
 */
export function loadUserDataset(path: string, opts: UserDatasetOptions = {}): UserDataset {
  const abs = resolve(path);
  if (!existsSync(abs))
    throw datasetError(
      "DATASET_NOT_FOUND",
      `No dataset at \`${abs}\`.`,
      "Pass a question file (JSON lines) or a directory in the BFCL layout (question files + possible_answer/).",
    );
  const isDir = statSync(abs).isDirectory();
  const files = isDir ? questionFiles(abs) : [abs];
  if (files.length === 0)
    throw datasetError(
      "DATASET_EMPTY",
      `\`${abs}\` holds no question files.`,
      "Put JSON-lines question files (*.json or *.jsonl) in it, with their ground truth under possible_answer/.",
    );
  if (isDir && opts.answers)
    throw datasetError(
      "DATASET_USAGE",
      "An answers file only goes with a single question file.",
      "Put the ground truth of a directory under possible_answer/<same file name>.",
    );

  const entries: BfclEntry[] = [];
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const file of files) {
    const answerFile = answersFileFor(file, opts.answers);
    const answers = answerFile ? readAnswers(answerFile) : undefined;
    const seenInFile = new Set<string>();
    for (const { text, line } of lines(file)) {
      const where = `${file}:${line}`;
      const rec = parseJsonLine(text, where);
      const id = typeof rec.id === "string" ? rec.id : undefined;
      let answer: { id: string; ground_truth: string[][] } | undefined;
      if (id !== undefined) {
        seenInFile.add(id);
        answer = answers?.get(id);
        if (!answer && isGroundTruth(rec.ground_truth)) answer = { id, ground_truth: rec.ground_truth };
      }
      if (!answer) {
        problems.push(`${where}: no ground truth for \`${id ?? "(no id)"}\`${answerFile ? ` in ${answerFile}` : ""}`);
        continue;
      }
      let entry: BfclEntry;
      try {
        entry = parseEntry(text, answer, where);
      } catch (e) {
        if (!(e instanceof EnvtuneError)) throw e;
        problems.push(e.details?.length ? `${where}: ${e.details.join("; ")}` : e.message.replace(/^\[envtune\] \[[^\]]+\] /, ""));
        continue;
      }
      if (!(BFCL_CATEGORIES as readonly string[]).includes(entry.category)) {
        problems.push(
          `${where}: id \`${entry.id}\` has category \`${entry.category}\`; use multi_turn_<category>_<n> with one of ${BFCL_CATEGORIES.join(", ")}`,
        );
        continue;
      }
      if (sources.has(entry.id)) {
        problems.push(`${where}: duplicate id \`${entry.id}\` (first at ${sources.get(entry.id)})`);
        continue;
      }
      sources.set(entry.id, where);
      entries.push(entry);
    }
    if (answers) {
      const orphans = [...answers.keys()].filter((id) => !seenInFile.has(id));
      if (orphans.length)
        problems.push(
          `${answerFile}: ground truth for id(s) not in ${basename(file)}: ${orphans.slice(0, 5).join(", ")}${orphans.length > 5 ? ", ..." : ""}`,
        );
    }
  }
  if (problems.length) {
    throw datasetError(
      "DATASET_INVALID",
      `The dataset at \`${abs}\` has ${problems.length} problem(s).`,
      "Fix each listed line.",
      problems,
    );
  }
  if (entries.length === 0)
    throw datasetError("DATASET_EMPTY", `The dataset at \`${abs}\` has no entries.`, "Add entries (one JSON object per line).");

  const constantsFile = opts.longContext
    ? resolve(opts.longContext)
    : isDir && existsSync(join(abs, "long_context.json"))
      ? join(abs, "long_context.json")
      : undefined;
  return {
    dir: isDir ? abs : dirname(abs),
    entries,
    byId: new Map(entries.map((e) => [e.id, e])),
    funcDocs: new Map(),
    longContext: constantsFile ? readConstants(constantsFile) : new Map(),
    files,
    sources,
  };
}

export type DatasetProblemCode =
  | "UNKNOWN_CLASS"
  | "UNKNOWN_TOOL"
  | "BAD_GROUND_TRUTH_CALL"
  | "TURN_COUNT_MISMATCH"
  | "WITHHELD_TOOL_CALLED"
  | "BAD_MISSED_FUNCTION"
  | "UNUSED_CONFIG"
  | "GROUND_TRUTH_FAILS"
  | "GROUND_TRUTH_SOFT_ERROR";

/** One finding about an entry. Errors make the dataset unusable; warnings are worth a look. */
export interface DatasetProblem {
  id: string;
  severity: "error" | "warning";
  code: DatasetProblemCode;
  /** `turn 2, call 1` style location inside the entry, when there is one. */
  at?: string;
  message: string;
}

export interface ValidateDatasetOptions {
  /** BFCL class → package name, for "install X" hints (default: the eight BFCL packs). */
  knownPackages?: Readonly<Record<string, string>>;
}

/** Tool name → classes (among `packs`) that define it. */
function toolOwners(packs: ReadonlyMap<string, DomainPack>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [cls, pack] of packs) for (const t of pack.toolMap.keys()) out.set(t, [...(out.get(t) ?? []), cls]);
  return out;
}

/**
 * Checks entries against the packs that will run them, without executing anything: every
 * involved class has a pack, every ground-truth string parses and calls a tool of an involved
 * class, turn counts agree, withheld (`missed_function`) tools are not called before they come
 * back. Returns every problem found (empty = fine).
 */
export function validateDatasetEntries(
  entries: readonly BfclEntry[],
  packs: ReadonlyMap<string, DomainPack>,
  opts: ValidateDatasetOptions = {},
): DatasetProblem[] {
  const known = opts.knownPackages ?? BFCL_DOMAIN_PACKAGES;
  const owners = toolOwners(packs);
  const installed = [...packs.keys()].sort();
  const out: DatasetProblem[] = [];
  for (const e of entries) {
    const problem = (severity: DatasetProblem["severity"], code: DatasetProblemCode, message: string, at?: string) =>
      out.push({ id: e.id, severity, code, message, ...(at ? { at } : {}) });
    const missingClasses = e.involvedClasses.filter((c) => !packs.has(c));
    for (const c of missingClasses) {
      const pkg = known[c];
      problem(
        "error",
        "UNKNOWN_CLASS",
        pkg
          ? `involved class \`${c}\` needs the domain pack \`${pkg}\`, which is not installed (npm install ${pkg})`
          : `involved class \`${c}\` is not implemented by any loaded domain pack (loaded: ${installed.join(", ") || "none"}); install the pack that implements it and load it (--domains)`,
      );
    }
    if (missingClasses.length) continue;

    const tools = new Set(e.involvedClasses.flatMap((c) => [...packs.get(c)!.toolMap.keys()]));
    const toolHint = (name: string) => {
      const elsewhere = owners.get(name);
      if (elsewhere?.length) return `; it belongs to ${elsewhere.join(", ")}: add that class to involved_classes`;
      const near = [...tools].filter((t) => t.includes(name) || name.includes(t)).slice(0, 3);
      return near.length ? `; did you mean ${near.map((t) => `\`${t}\``).join(", ")}?` : "";
    };
    for (const cls of e.initialConfig.keys()) {
      if (typeof cls === "string" && !e.involvedClasses.includes(cls))
        problem("warning", "UNUSED_CONFIG", `initial_config has \`${cls}\`, which is not in involved_classes (it is ignored)`);
    }
    if (e.groundTruth.length !== e.question.length) {
      problem(
        "error",
        "TURN_COUNT_MISMATCH",
        `${e.question.length} question turn(s) but ${e.groundTruth.length} ground-truth turn(s); give one ground-truth list per turn (an empty list for a turn with nothing to call)`,
      );
    }
    for (const name of e.excludedFunction) {
      if (!tools.has(name))
        problem("error", "UNKNOWN_TOOL", `excluded_function names \`${name}\`, which no involved class defines${toolHint(name)}`);
    }
    // Turn at which each withheld tool comes back.
    const revealedAt = new Map<string, number>();
    for (const [turnKey, names] of Object.entries(e.missedFunction)) {
      const turn = Number(turnKey);
      if (!Number.isInteger(turn) || turn < 0 || turn >= e.question.length) {
        problem("error", "BAD_MISSED_FUNCTION", `missed_function key \`${turnKey}\` is not a turn index (0..${e.question.length - 1})`);
        continue;
      }
      if (e.question[turn]!.length !== 0)
        problem(
          "warning",
          "BAD_MISSED_FUNCTION",
          `missed_function reveals tools at turn ${turn}, but that turn has a user message (BFCL leaves it empty)`,
        );
      for (const name of names) {
        if (!tools.has(name))
          problem("error", "UNKNOWN_TOOL", `missed_function names \`${name}\`, which no involved class defines${toolHint(name)}`);
        revealedAt.set(name, Math.min(turn, revealedAt.get(name) ?? Infinity));
      }
    }
    e.groundTruth.forEach((turn, t) => {
      turn.forEach((text, s) => {
        const at = `turn ${t}, call ${s}`;
        let calls;
        try {
          calls = parsePythonCalls(text);
        } catch (err) {
          if (!(err instanceof ActionParseError)) throw err;
          problem("error", "BAD_GROUND_TRUTH_CALL", `\`${text}\` is not a Python call with literal arguments (${err.detail})`, at);
          return;
        }
        if (calls.length !== 1) {
          problem("error", "BAD_GROUND_TRUTH_CALL", `\`${text}\` holds ${calls.length} calls; write one call per string`, at);
          return;
        }
        const name = calls[0]!.name;
        if (!tools.has(name)) {
          problem("error", "UNKNOWN_TOOL", `\`${name}\` is not a tool of ${e.involvedClasses.join(", ")}${toolHint(name)}`, at);
          return;
        }
        const back = revealedAt.get(name);
        if (back !== undefined && t < back)
          problem(
            "warning",
            "WITHHELD_TOOL_CALLED",
            `\`${name}\` is withheld until turn ${back} (missed_function) but the ground truth calls it at turn ${t}, when it is not in the model's tool list`,
            at,
          );
      });
    });
  }
  return out;
}

/** One line per problem: `id (at): message [CODE]`. */
export function formatDatasetProblem(p: DatasetProblem): string {
  return `${p.severity === "error" ? "error" : "warning"} ${p.id}${p.at ? ` (${p.at})` : ""}: ${p.message} [${p.code}]`;
}

/** Throws one {@link EnvtuneError} listing every error (warnings are left to the caller to show). */
export function assertDatasetValid(problems: readonly DatasetProblem[], what = "The dataset"): void {
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length === 0) return;
  const shown = errors.slice(0, 50).map(formatDatasetProblem);
  if (errors.length > 50) shown.push(`... ${errors.length - 50} more`);
  throw datasetError(
    "DATASET_INVALID",
    `${what} has ${errors.length} error(s).`,
    "Fix the entries listed below (run `envtune dataset validate` for the full report).",
    shown,
  );
}
