/**
 * Where a command's, run's or server's entries come from: a dataset of one's own in the BFCL
 * format, or BFCL itself (found as everywhere: an explicit directory, `$ENVTUNE_BFCL_DATA`, the
 * download cache). One place decides, so `eval`, `train`, `ood-eval` and `serve` agree.
 */
import { EnvtuneError, type DomainPack } from "@envtune/core";
import { resolveBfclDataDir } from "./download.ts";
import { loadBfclDataset, type BfclDataset, type BfclEntry } from "./load.ts";
import { assertDatasetValid, loadUserDataset, validateDatasetEntries } from "./user-dataset.ts";

export interface DataSource {
  ds: BfclDataset;
  /** True for a dataset of one's own (to be validated against the packs before it runs). */
  user: boolean;
  /** The dataset path given, or the BFCL data directory found. */
  path: string;
}

/** Loads `dataset` if given, else BFCL from `dataDir` or the usual search; both at once is a USAGE error of `scope`. */
export async function loadDataSource(
  opts: { dataset?: string | undefined; dataDir?: string | undefined },
  scope: string,
): Promise<DataSource> {
  if (opts.dataset !== undefined) {
    if (opts.dataDir !== undefined) {
      throw new EnvtuneError(
        "USAGE",
        scope,
        `Both BFCL data (\`${opts.dataDir}\`) and a dataset of your own (\`${opts.dataset}\`) were given.`,
        "Pass either --data (BFCL) or --dataset (your own data), not both.",
      );
    }
    return { ds: loadUserDataset(opts.dataset), user: true, path: opts.dataset };
  }
  const dir = await resolveBfclDataDir(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {});
  return { ds: loadBfclDataset(dir), user: false, path: dir };
}

/**
 * Refuses a dataset of one's own whose `entries` (default: all) have errors against the loaded
 * packs, before anything runs. BFCL itself is not re-checked.
 */
export function assertDataSourceValid(
  source: DataSource,
  packs: ReadonlyMap<string, DomainPack>,
  entries: readonly BfclEntry[] = source.ds.entries,
): void {
  if (source.user) assertDatasetValid(validateDatasetEntries(entries, packs), `The dataset \`${source.path}\``);
}
