/**
 * Where a command's entries and packs come from: the BFCL data (`--data`, `$ENVTUNE_BFCL_DATA`,
 * the download cache) or a user dataset in the BFCL format (`--dataset`), run with the packs
 * named by `--domains` (default: every installed pack). Shared by `eval` (and meant for `train`)
 * so both accept the same options.
 */
import { EnvtuneError, requirePacks, type DomainPack, resolveDomainPacks } from "@envtune/core";
import { assertDataSourceValid, loadDataSource, type BfclEntry, type DataSource, type SplitSpecInput } from "@envtune/bfcl-data";
import type { OptionSpec } from "./cli.ts";

/** The options this module reads, for a command's option table. */
export const datasetSourceOptions: Record<string, OptionSpec> = {
  dataset: {
    type: "string",
    valueName: "path",
    description: "A dataset in the BFCL format instead of BFCL itself: a question file or a directory with possible_answer/ (see `envtune dataset validate`).",
  },
  domains: {
    type: "string",
    multiple: true,
    valueName: "names",
    description: "Domain packs to load: package names or paths, `installed`, `bfcl`; comma-separated. Default: every installed pack.",
  },
};

/** Loads `--dataset PATH` if given, else the BFCL data (`--data` or the usual search). */
export function loadDatasetSource(values: Record<string, unknown>, scope: string): Promise<DataSource> {
  return loadDataSource({ dataset: values.dataset as string | undefined, dataDir: values.data as string | undefined }, scope);
}

/**
 * The packs the selected entries need, loaded from `--domains` (default: installed). Fails with a
 * clear error naming the missing pack; a user dataset is also validated (unknown tools in its
 * ground truth, malformed calls, turn counts).
 */
export async function loadPacksFor(entries: readonly BfclEntry[], source: DataSource, values: Record<string, unknown>): Promise<Map<string, DomainPack>> {
  const { packs } = await resolveDomainPacks(values.domains as string[] | undefined);
  assertDataSourceValid(source, packs, entries);
  for (const e of entries) requirePacks(packs, e.involvedClasses, `Entry ${e.id}`);
  return packs;
}

/** `--split`: a split name, or a split spec as JSON (`{"kind":"shared-id","train":3,"val":1,"test":2}`). */
export function parseSplitOption(v: string, scope: string): string | SplitSpecInput {
  if (!v.trimStart().startsWith("{")) return v;
  try {
    return JSON.parse(v) as SplitSpecInput;
  } catch (e) {
    throw new EnvtuneError("USAGE", scope, `--split looks like a JSON split spec but does not parse (${(e as Error).message}).`, 'Quote it whole, e.g. --split \'{"kind":"shared-id","train":3,"val":1,"test":2}\', or pass a split name.');
  }
}
