/**
 * Dataset splits: the paper's train/val/test split (reproduced bit-exactly with CPython's
 * `random.shuffle`), a variant whose test set is every non-train entry, the split the authors'
 * `data_process.py` produces as written, and cross-domain out-of-distribution splits that hold
 * whole domains (BFCL classes) out of training.
 *
 * Every split is a pure function of the dataset and a zod-validated spec: same data and spec,
 * same ids. Ids are returned in dataset order (category, then entry number).
 */
import { BFCL_DOMAIN_PACKAGES, EnvtuneError, PyRandom, parseOrThrow } from "@envtune/core";
import { z } from "zod";
import type { BfclEntry } from "./load.ts";
import { BFCL_CATEGORIES } from "./manifest.ts";

/** What a split needs of a dataset (a `BfclDataset` has it). */
export interface SplitSource {
  entries: ReadonlyArray<Pick<BfclEntry, "id" | "category" | "involvedClasses">>;
}

const count = z.number().int().nonnegative();
const seed = z.number().int().default(42);

export const splitSpecSchema = z.discriminatedUnion("kind", [
  z
    .object({
      /**
       * One permutation of the entry numbers (`_<k>` suffixes), applied to every category, so
       * the four variants of one scenario always land in the same part (no leakage between parts).
       */
      kind: z.literal("shared-id"),
      seed,
      train: count.default(100),
      val: count.default(25),
      /** Test size; null = every remaining entry number. */
      test: count.nullable().default(75),
      /** Where the test part starts: after the validation part (disjoint), or right after train (val ⊂ test). */
      testFrom: z.enum(["after-val", "after-train"]).default("after-val"),
    })
    .strict(),
  z
    .object({
      /**
       * `data_process.py` as written: one `random.seed(seed)`, then each category's entry list
       * (dataset order) shuffled in turn, base → miss_func → miss_param → long_context, continuing
       * the same random stream. Leaks scenarios across parts (B15 in docs/authors-code-deviations.md).
       */
      kind: z.literal("per-category"),
      seed,
      train: count.default(100),
      val: count.default(25),
      test: count.nullable().default(75),
      testFrom: z.enum(["after-val", "after-train"]).default("after-val"),
    })
    .strict(),
  z
    .object({
      /**
       * Leave domains out: test = every entry of a scenario that involves a held-out class, train =
       * every other entry; a seeded `valFraction` of the training scenarios becomes validation.
       */
      kind: z.literal("ood"),
      heldOut: z.array(z.string().min(1)).min(1),
      seed,
      valFraction: z.number().min(0).max(1).default(0.1),
    })
    .strict(),
]);

export type SplitSpec = z.output<typeof splitSpecSchema>;
export type SplitSpecInput = z.input<typeof splitSpecSchema>;

export interface DatasetSplit {
  name: string;
  description: string;
  spec: SplitSpec;
  /** Entry ids, dataset order. */
  train: string[];
  val: string[];
  test: string[];
}

export interface SplitInfo {
  name: string;
  description: string;
  spec: SplitSpec;
}

const NAMED: ReadonlyArray<{ name: string; description: string; spec: SplitSpecInput }> = [
  {
    name: "paper",
    description: "The paper's split (shared-ID, seed 42): 100 train / 25 val / 75 test per category (paper §4.1, App. D.1).",
    spec: { kind: "shared-id", seed: 42, train: 100, val: 25, test: 75, testFrom: "after-val" },
  },
  {
    name: "paper-full-test",
    description:
      "Paper train (100 per category); test = all 100 non-train entries per category (the paper's 400 held-in test set); val = the paper's 25, a subset of test.",
    spec: { kind: "shared-id", seed: 42, train: 100, val: 25, test: null, testFrom: "after-train" },
  },
  {
    name: "paper-per-category",
    description:
      "The authors' data_process.py as written: per-category shuffles continuing one seed-42 stream, 100/25/75 (scenarios leak across parts).",
    spec: { kind: "per-category", seed: 42, train: 100, val: 25, test: 75, testFrom: "after-val" },
  },
];

function splitError(code: string, what: string, hint: string): EnvtuneError {
  return new EnvtuneError(code, "splits", what, hint);
}

/** CPython's `random.shuffle(x)` (3.11): `for i in reversed(range(1, len(x))): j = randbelow(i + 1); swap`. In place. */
export function pyShuffle<T>(rng: PyRandom, x: T[]): T[] {
  for (let i = x.length - 1; i >= 1; i--) {
    const j = Number(rng.randbelow(BigInt(i + 1)));
    const t = x[i]!;
    x[i] = x[j]!;
    x[j] = t;
  }
  return x;
}

function entryNumber(id: string): number {
  const k = Number(id.slice(id.lastIndexOf("_") + 1));
  if (!Number.isInteger(k) || k < 0)
    throw splitError(
      "BAD_ENTRY_ID",
      `Entry id \`${id}\` does not end in _<number>.`,
      "Splits need BFCL-style ids (multi_turn_<category>_<n>).",
    );
  return k;
}

/** Cuts a permuted list into train / val / test as the paper's data script does. */
function cut<T>(
  perm: readonly T[],
  spec: { train: number; val: number; test: number | null; testFrom: "after-val" | "after-train" },
  what: string,
): { train: T[]; val: T[]; test: T[] } {
  const n = perm.length;
  const testStart = spec.testFrom === "after-val" ? spec.train + spec.val : spec.train;
  const testEnd = spec.test === null ? n : testStart + spec.test;
  if (spec.train + spec.val > n || testEnd > n) {
    throw splitError(
      "SPLIT_TOO_LARGE",
      `${what} has ${n} entries, fewer than the split asks for (train ${spec.train}, val ${spec.val}, test ${spec.test ?? "rest"}).`,
      "Lower the part sizes or use `test: null` for the rest.",
    );
  }
  return { train: perm.slice(0, spec.train), val: perm.slice(spec.train, spec.train + spec.val), test: perm.slice(testStart, testEnd) };
}

function inDatasetOrder(source: SplitSource, keep: (e: SplitSource["entries"][number]) => boolean): string[] {
  return source.entries.filter(keep).map((e) => e.id);
}

/** Every class any entry involves, sorted. */
export function datasetClasses(source: SplitSource): string[] {
  return [...new Set(source.entries.flatMap((e) => e.involvedClasses))].sort();
}

function resolveClasses(source: SplitSource, heldOut: readonly string[]): string[] {
  const known = datasetClasses(source);
  const set = new Set(known);
  const out: string[] = [];
  for (const name of heldOut) {
    if (set.has(name)) {
      if (!out.includes(name)) out.push(name);
      continue;
    }
    const alike = known.find((k) => k.toLowerCase() === name.toLowerCase());
    throw splitError(
      "UNKNOWN_DOMAIN",
      `Unknown domain \`${name}\` in an out-of-distribution split.`,
      alike
        ? `Did you mean \`${alike}\`? Domain names are BFCL class names, case-sensitive.`
        : `Use one of the dataset's classes: ${known.join(", ")}.`,
    );
  }
  return out;
}

function buildSplit(source: SplitSource, spec: SplitSpec, name: string, description: string): DatasetSplit {
  if (spec.kind === "shared-id") {
    // The paper shuffles list(range(200)); the range is the entry numbers the dataset has.
    const size = Math.max(-1, ...source.entries.map((e) => entryNumber(e.id))) + 1;
    const perm = pyShuffle(
      new PyRandom(BigInt(spec.seed)),
      Array.from({ length: size }, (_, k) => k),
    );
    const parts = cut(perm, spec, "The entry-number range");
    const sets = { train: new Set(parts.train), val: new Set(parts.val), test: new Set(parts.test) };
    return {
      name,
      description,
      spec,
      train: inDatasetOrder(source, (e) => sets.train.has(entryNumber(e.id))),
      val: inDatasetOrder(source, (e) => sets.val.has(entryNumber(e.id))),
      test: inDatasetOrder(source, (e) => sets.test.has(entryNumber(e.id))),
    };
  }
  if (spec.kind === "per-category") {
    const rng = new PyRandom(BigInt(spec.seed));
    const sets = { train: new Set<string>(), val: new Set<string>(), test: new Set<string>() };
    const known: readonly string[] = BFCL_CATEGORIES;
    const extra = [...new Set(source.entries.map((e) => e.category as string))].filter((c) => !known.includes(c));
    for (const cat of [...BFCL_CATEGORIES, ...extra]) {
      const ids = source.entries.filter((e) => e.category === cat).map((e) => e.id);
      if (ids.length === 0) continue;
      const parts = cut(pyShuffle(rng, ids), spec, `Category ${cat}`);
      for (const k of ["train", "val", "test"] as const) for (const id of parts[k]) sets[k].add(id);
    }
    return {
      name,
      description,
      spec,
      train: inDatasetOrder(source, (e) => sets.train.has(e.id)),
      val: inDatasetOrder(source, (e) => sets.val.has(e.id)),
      test: inDatasetOrder(source, (e) => sets.test.has(e.id)),
    };
  }
  const heldOut = resolveClasses(source, spec.heldOut);
  const held = new Set(heldOut);
  // Hold out whole scenarios (entry numbers): the four variants of scenario k then never straddle
  // train and test even if one variant's class list differed.
  const testNumbers = new Set<number>();
  for (const e of source.entries) if (e.involvedClasses.some((c) => held.has(c))) testNumbers.add(entryNumber(e.id));
  const trainNumbers = [...new Set(source.entries.map((e) => entryNumber(e.id)))].filter((k) => !testNumbers.has(k)).sort((a, b) => a - b);
  if (trainNumbers.length === 0) {
    throw splitError("EMPTY_TRAIN", `Holding out ${heldOut.join(", ")} leaves no training entries.`, "Hold out fewer domains.");
  }
  const perm = pyShuffle(new PyRandom(BigInt(spec.seed)), trainNumbers);
  const valNumbers = new Set(perm.slice(0, Math.round(spec.valFraction * perm.length)));
  return {
    name,
    description,
    spec: { ...spec, heldOut },
    train: inDatasetOrder(source, (e) => !testNumbers.has(entryNumber(e.id)) && !valNumbers.has(entryNumber(e.id))),
    val: inDatasetOrder(source, (e) => valNumbers.has(entryNumber(e.id))),
    test: inDatasetOrder(source, (e) => testNumbers.has(entryNumber(e.id))),
  };
}

function parseSpec(input: unknown, where: string): SplitSpec {
  return parseOrThrow(splitSpecSchema, input, {
    code: "BAD_SPLIT_SPEC",
    scope: "splits",
    what: `${where} is not a valid split spec.`,
    hint: "Use {kind: 'shared-id' | 'per-category', seed, train, val, test, testFrom} or {kind: 'ood', heldOut: [classes], seed, valFraction}.",
  });
}

const OOD_PREFIX = "ood:";

function oodName(classes: readonly string[]): string {
  return OOD_PREFIX + classes.map((c) => `-${c}`).join(",");
}

function parseOodName(name: string): string[] {
  const items = name
    .slice(OOD_PREFIX.length)
    .split(",")
    .map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s.length < 2 || !s.startsWith("-"))) {
    throw splitError(
      "BAD_SPLIT_NAME",
      `Split name \`${name}\` is malformed.`,
      "Write held-out domains as `ood:-TravelAPI` or `ood:-TravelAPI,-VehicleControlAPI` (a minus before each BFCL class name).",
    );
  }
  return items.map((s) => s.slice(1));
}

/**
 * The named splits: `paper`, `paper-full-test`, `paper-per-category`, and one leave-one-domain-out
 * split `ood:-<Class>` per class of the dataset (any set of classes works with `getSplit`, e.g.
 * `ood:-TravelAPI,-VehicleControlAPI`).
 */
export function listSplits(source?: SplitSource): SplitInfo[] {
  const classes = source ? datasetClasses(source) : Object.keys(BFCL_DOMAIN_PACKAGES).sort();
  return [
    ...NAMED.map((n) => ({ name: n.name, description: n.description, spec: parseSpec(n.spec, n.name) })),
    ...classes.map((c) => ({
      name: oodName([c]),
      description: `Out of distribution: train on scenarios without ${c}, test on every entry involving it (10% of training scenarios as val, seed 42).`,
      spec: parseSpec({ kind: "ood", heldOut: [c] }, c),
    })),
  ];
}

/**
 * A split by name (see {@link listSplits}) or by spec. Deterministic: the same dataset and
 * name/spec always give the same ids.
 */
export function getSplit(nameOrSpec: string | SplitSpecInput, source: SplitSource): DatasetSplit {
  if (typeof nameOrSpec !== "string") {
    const spec = parseSpec(nameOrSpec, "The split spec");
    const name = spec.kind === "ood" ? oodName(spec.heldOut) : `custom:${spec.kind}:seed=${spec.seed}`;
    return buildSplit(source, spec, name, "Custom split.");
  }
  const name = nameOrSpec.trim();
  const named = NAMED.find((n) => n.name === name);
  if (named) return buildSplit(source, parseSpec(named.spec, name), name, named.description);
  if (name.startsWith(OOD_PREFIX)) {
    const heldOut = resolveClasses(source, parseOodName(name));
    const spec = parseSpec({ kind: "ood", heldOut }, name);
    return buildSplit(
      source,
      spec,
      oodName(heldOut),
      `Out of distribution: train without ${heldOut.join(", ")}, test on every entry involving ${heldOut.length > 1 ? "any of them" : "it"}.`,
    );
  }
  throw splitError(
    "UNKNOWN_SPLIT",
    `Unknown split \`${name}\`.`,
    `Use one of: ${NAMED.map((n) => n.name).join(", ")}, or ood:-<Class>[,-<Class>...] (classes: ${datasetClasses(source).join(", ")}).`,
  );
}
