import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  EnvtuneError,
  PyDict,
  formatZodIssues,
  decodeEncoded,
  parsePyJson,
  parsePythonAssignments,
  type BfclFuncDoc,
  type LongContextConstants,
  type PyValue,
} from "@envtune/core";
import { BFCL_CATEGORIES, FUNC_DOC_FILES, LONG_CONTEXT_PY, type BfclCategory } from "./manifest.ts";

export interface BfclMessage {
  role: string;
  content: string;
}

/** One multi-turn entry with its ground truth, ready for an episode. */
export interface BfclEntry {
  id: string;
  category: BfclCategory;
  /** Turns of user messages; an empty turn is the miss_func turn at which withheld functions come back. */
  question: BfclMessage[][];
  /** `initial_config` with Python types (int vs float) and key order kept. Read-only. */
  initialConfig: PyDict;
  involvedClasses: string[];
  path: string[];
  excludedFunction: string[];
  /** miss_func only: turn index → function names revealed at that turn. */
  missedFunction: Record<string, string[]>;
  /** Ground-truth call strings per turn. */
  groundTruth: string[][];
  /** `"long_context" in category` (the reference's predicate). */
  longContext: boolean;
}

export interface BfclDataset {
  dir: string;
  entries: BfclEntry[];
  byId: ReadonlyMap<string, BfclEntry>;
  /** Function docs per BFCL class name. */
  funcDocs: ReadonlyMap<string, BfclFuncDoc[]>;
  longContext: LongContextConstants;
}

const entrySchema = z.object({
  id: z.string().regex(/^multi_turn_[a-z_]+_\d+$/, "must look like multi_turn_<category>_<n>"),
  question: z.array(z.array(z.object({ role: z.string(), content: z.string() }).loose())),
  initial_config: z.record(z.string(), z.unknown()),
  involved_classes: z.array(z.string()).min(1),
  path: z.array(z.string()).optional(),
  excluded_function: z.array(z.string()).optional(),
  missed_function: z.record(z.string(), z.array(z.string())).optional(),
});
const answerSchema = z.object({ id: z.string(), ground_truth: z.array(z.array(z.string())) });

function readLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
}

function dataError(what: string, hint: string, details?: string[]): EnvtuneError {
  return new EnvtuneError("BFCL_DATA_INVALID", "bfcl-data", what, hint, details ? { details } : undefined);
}

/** Category of an entry id: `multi_turn_miss_func_12` → `miss_func`. */
export function categoryOf(id: string): string {
  return id.slice(0, id.lastIndexOf("_")).replace(/^multi_turn_/, "");
}

/**
 * Parses one question file line plus its ground-truth line. Exported so user-supplied datasets in
 * the BFCL format go through the same validation.
 */
export function parseEntry(questionLine: string, answer: { id: string; ground_truth: string[][] }, where: string): BfclEntry {
  let plain: unknown;
  try {
    plain = JSON.parse(questionLine);
  } catch (e) {
    throw dataError(`${where} is not valid JSON (${(e as Error).message}).`, "Check that the file is JSON lines, one entry per line.");
  }
  const parsed = entrySchema.safeParse(plain);
  if (!parsed.success) {
    throw dataError(
      `${where} does not match the BFCL multi-turn entry format.`,
      "Each line needs `id`, `question`, `initial_config` and `involved_classes`.",
      formatZodIssues(parsed.error.issues),
    );
  }
  const e = parsed.data;
  if (answer.id !== e.id)
    throw dataError(
      `${where}: ground truth id \`${answer.id}\` does not match entry id \`${e.id}\`.`,
      "Question and answer files must list the same ids in the same order.",
    );
  // Re-parse with Python semantics: `10.0` stays a float and key order is kept.
  const py = parsePyJson(questionLine) as PyDict;
  const cfg = py.get("initial_config");
  const category = categoryOf(e.id);
  return {
    id: e.id,
    category: category as BfclCategory,
    question: e.question.map((t) => t.map((m) => ({ role: m.role, content: m.content }))),
    initialConfig: cfg instanceof PyDict ? cfg : new PyDict(),
    involvedClasses: e.involved_classes,
    path: e.path ?? [],
    excludedFunction: e.excluded_function ?? [],
    missedFunction: e.missed_function ?? {},
    groundTruth: answer.ground_truth,
    longContext: category.includes("long_context") || category.includes("composite"),
  };
}

/** Loads one category's questions and ground truth from a BFCL data directory. */
export function loadCategory(dir: string, category: BfclCategory): BfclEntry[] {
  const qFile = join(dir, `BFCL_v4_multi_turn_${category}.json`);
  const aFile = join(dir, "possible_answer", `BFCL_v4_multi_turn_${category}.json`);
  for (const f of [qFile, aFile]) {
    if (!existsSync(f))
      throw new EnvtuneError(
        "BFCL_DATA_NOT_FOUND",
        "bfcl-data",
        `Missing file \`${f}\`.`,
        "Point `--data` or `ENVTUNE_BFCL_DATA` at a BFCL data directory, or run `envtune data download`.",
      );
  }
  const questions = readLines(qFile);
  const answers = readLines(aFile).map((l, i) => {
    const r = answerSchema.safeParse(JSON.parse(l));
    if (!r.success)
      throw dataError(
        `${aFile}:${i + 1} is not a ground-truth record.`,
        "Each line needs `id` and `ground_truth` (a list of lists of call strings).",
      );
    return r.data;
  });
  if (answers.length !== questions.length)
    throw dataError(
      `${qFile} has ${questions.length} entries but its ground truth has ${answers.length}.`,
      "Use matching question and answer files.",
    );
  return questions.map((q, i) => parseEntry(q, answers[i]!, `${qFile}:${i + 1}`));
}

/** Function docs of every class found in `dir/func_doc`. */
export function loadFuncDocs(dir: string): Map<string, BfclFuncDoc[]> {
  const out = new Map<string, BfclFuncDoc[]>();
  for (const [cls, rel] of Object.entries(FUNC_DOC_FILES)) {
    const f = join(dir, rel);
    if (existsSync(f))
      out.set(
        cls,
        readLines(f).map((l) => JSON.parse(l) as BfclFuncDoc),
      );
  }
  return out;
}

let cachedConstants: { dir: string; value: LongContextConstants } | undefined;

/**
 * The long-context constants, from `long_context.json` (the lossless export) or else the upstream
 * `long_context.py` (parsed as literals, never executed). Loaded once per directory and frozen
 * in spirit: packs must not mutate them.
 */
export function loadLongContext(dir: string): LongContextConstants {
  if (cachedConstants?.dir === dir) return cachedConstants.value;
  const jsonFile = join(dir, "long_context.json");
  const pyFile = join(dir, LONG_CONTEXT_PY.local);
  const map = new Map<string, PyValue>();
  if (existsSync(jsonFile)) {
    const d = parsePyJson(readFileSync(jsonFile, "utf8"));
    if (!(d instanceof PyDict)) throw dataError(`${jsonFile} is not an object.`, "Restore the file from the dataset.");
    for (const [k, v] of d) map.set(String(k), decodeEncoded(v));
  } else if (existsSync(pyFile)) {
    for (const [k, v] of parsePythonAssignments(readFileSync(pyFile, "utf8"))) map.set(k, v);
  } else {
    throw new EnvtuneError(
      "BFCL_DATA_NOT_FOUND",
      "bfcl-data",
      `No long-context constants in \`${dir}\`.`,
      "Provide long_context.json or long_context.py (run `envtune data download`).",
    );
  }
  cachedConstants = { dir, value: map };
  return map;
}

/** Loads the whole multi-turn dataset (all four categories, docs and constants) from a directory. */
export function loadBfclDataset(dir: string, categories: readonly BfclCategory[] = BFCL_CATEGORIES): BfclDataset {
  const entries = categories.flatMap((c) => loadCategory(dir, c));
  return {
    dir,
    entries,
    byId: new Map(entries.map((e) => [e.id, e])),
    funcDocs: loadFuncDocs(dir),
    longContext: loadLongContext(dir),
  };
}
