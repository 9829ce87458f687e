/** @envtune/bfcl-data — the BFCL multi-turn dataset: loading, validation, pinned download with checksums. */
export { BFCL_CATEGORIES, BFCL_COMMIT, BFCL_FILES, BFCL_REPO, FUNC_DOC_FILES, LONG_CONTEXT_PY } from "./manifest.ts";
export type { BfclCategory, ManifestFile } from "./manifest.ts";
export { categoryOf, loadBfclDataset, loadCategory, loadFuncDocs, loadLongContext, parseEntry } from "./load.ts";
export type { BfclDataset, BfclEntry, BfclMessage } from "./load.ts";
export { defaultCacheDir, downloadBfclData, resolveBfclDataDir, verifyBfclData } from "./download.ts";
export type { DownloadOptions, ResolveOptions } from "./download.ts";
export { datasetClasses, getSplit, listSplits, pyShuffle, splitSpecSchema } from "./splits.ts";
export type { DatasetSplit, SplitInfo, SplitSource, SplitSpec, SplitSpecInput } from "./splits.ts";
export { assertDataSourceValid, loadDataSource } from "./source.ts";
export type { DataSource } from "./source.ts";
export { assertDatasetValid, formatDatasetProblem, loadUserDataset, validateDatasetEntries } from "./user-dataset.ts";
export type { DatasetProblem, DatasetProblemCode, UserDataset, UserDatasetOptions, ValidateDatasetOptions } from "./user-dataset.ts";
