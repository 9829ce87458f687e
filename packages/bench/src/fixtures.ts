/**
 * What every benchmark runs on: the BFCL dataset, the eight domain packs and the ground-truth call
 * strings of the reference trace, loaded once per process from the shared folder.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDomainPacks, type DomainPack, type ReplayInput } from "@envtune/core";
import { loadBfclDataset, type BfclDataset, type BfclEntry } from "@envtune/bfcl-data";
import { sharedDir } from "@envtune/testing";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `ENVTUNE_SHARED_DIR`, else `../shared` beside the repository (owned by @envtune/testing). */
export { sharedDir };

export const SPLITS = ["base", "miss_func", "miss_param", "long_context"] as const;
export type Split = (typeof SPLITS)[number];

/** One ground-truth trajectory of the reference trace, as replay consumes it. */
export interface GtRecord extends ReplayInput {
  split: Split;
  entry: BfclEntry;
  calls: number;
}

export interface Fixtures {
  dataset: BfclDataset;
  packs: Map<string, DomainPack>;
  /** The 800 records of `ground_truth.jsonl`, in file order. */
  gt: GtRecord[];
  traceFile: string;
  dataDir: string;
}

function readGtTrace(file: string, dataset: BfclDataset): GtRecord[] {
  const out: GtRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    // Only ids and call strings are needed here, so plain JSON is enough.
    const r = JSON.parse(line) as { id: string; split: Split; long_context: boolean; turns: Array<{ calls: Array<{ call: string }> }> };
    const entry = dataset.byId.get(r.id);
    if (!entry)
      throw new Error(
        `[envtune] [bench] Trace record ${r.id} is not in the dataset at ${dataset.dir}. Use traces and data of the same BFCL version.`,
      );
    const turns = r.turns.map((t) => ({ calls: t.calls.map((c) => c.call) }));
    out.push({ id: r.id, split: r.split, longContext: r.long_context, turns, entry, calls: turns.reduce((n, t) => n + t.calls.length, 0) });
  }
  return out;
}

let cached: Promise<Fixtures> | undefined;

export function loadFixtures(): Promise<Fixtures> {
  cached ??= (async () => {
    const shared = sharedDir();
    const dataDir = process.env.ENVTUNE_BFCL_DATA ?? join(shared, "bfcl/data");
    const traceFile = join(shared, "bfcl/traces/ground_truth.jsonl");
    for (const [what, p] of [
      ["BFCL data", dataDir],
      ["ground-truth trace", traceFile],
    ] as const) {
      if (!existsSync(p))
        throw new Error(
          `[envtune] [bench] The ${what} was not found at ${p}. Put the shared folder beside the repository or set ENVTUNE_SHARED_DIR.`,
        );
    }
    const dataset = loadBfclDataset(dataDir);
    const { packs, missing } = await loadDomainPacks();
    if (missing.length)
      throw new Error(
        `[envtune] [bench] Domain packs failed to load: ${missing.map((m) => `${m.specifier} (${m.reason})`).join("; ")}. Build or fix them first.`,
      );
    return { dataset, packs, gt: readGtTrace(traceFile, dataset), traceFile, dataDir };
  })();
  return cached;
}

/** Up to `perSplit` records of each split (all when undefined), keeping file order. */
export function subset(records: readonly GtRecord[], perSplit: number | undefined): GtRecord[] {
  if (perSplit === undefined) return [...records];
  const seen = new Map<string, number>();
  return records.filter((r) => {
    const n = seen.get(r.split) ?? 0;
    seen.set(r.split, n + 1);
    return n < perSplit;
  });
}
