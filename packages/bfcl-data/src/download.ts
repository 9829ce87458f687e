import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { BFCL_COMMIT, BFCL_FILES, BFCL_RAW_BASE, BFCL_REPO, LONG_CONTEXT_PY, type ManifestFile } from "./manifest.ts";

export interface DownloadOptions {
  /** Where to cache (default: `$XDG_CACHE_HOME/envtune/bfcl/<commit>` or `~/.cache/...`). */
  cacheDir?: string;
  /** Raw-file base URL; `<base>/<repo>/<commit>/<path>` is fetched (tests point it at a loopback server). */
  baseUrl?: string;
  /** Called once per file, for progress output. */
  onProgress?: (event: { file: string; index: number; total: number; cached: boolean; bytes: number }) => void;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
}

export function defaultCacheDir(commit = BFCL_COMMIT): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "envtune", "bfcl", commit);
}

const sha256 = (buf: Uint8Array) => createHash("sha256").update(buf).digest("hex");

/**
 * Fetches the pinned BFCL multi-turn files, verifies every SHA-256 and caches them; files already
 * cached with the right checksum are not fetched again. Returns the data directory.
 */
export async function downloadBfclData(opts: DownloadOptions = {}): Promise<string> {
  const dir = resolve(opts.cacheDir ?? defaultCacheDir());
  const base = (opts.baseUrl ?? BFCL_RAW_BASE).replace(/\/+$/, "");
  const files: ManifestFile[] = [...BFCL_FILES, LONG_CONTEXT_PY];
  for (const [index, f] of files.entries()) {
    const target = join(dir, f.local);
    if (existsSync(target) && sha256(readFileSync(target)) === f.sha256) {
      opts.onProgress?.({ file: f.local, index, total: files.length, cached: true, bytes: 0 });
      continue;
    }
    const url = `${base}/${BFCL_REPO}/${BFCL_COMMIT}/${f.upstream}`;
    let body: Uint8Array;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new EnvtuneError(
        "BFCL_DOWNLOAD_FAILED",
        "bfcl-data",
        `Could not fetch \`${url}\` (${(e as Error).message}).`,
        "Check the network, or download the files yourself and pass their directory with `--data` / `ENVTUNE_BFCL_DATA`.",
        { cause: e },
      );
    }
    const got = sha256(body);
    if (got !== f.sha256) {
      throw new EnvtuneError(
        "BFCL_CHECKSUM_MISMATCH",
        "bfcl-data",
        `\`${f.local}\` has SHA-256 ${got}, expected ${f.sha256}.`,
        "The download was corrupted or the upstream file changed; nothing was cached. Retry, or check the pinned commit.",
      );
    }
    mkdirSync(dirname(target), { recursive: true });
    // Write then rename so an interrupted download never leaves a half file that looks cached.
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, target);
    opts.onProgress?.({ file: f.local, index, total: files.length, cached: false, bytes: body.byteLength });
  }
  return dir;
}

/** Checks every manifest file present in `dir` against its checksum; returns the mismatches. */
export function verifyBfclData(dir: string): Array<{ file: string; problem: "missing" | "checksum" }> {
  const out: Array<{ file: string; problem: "missing" | "checksum" }> = [];
  for (const f of BFCL_FILES) {
    const p = join(dir, f.local);
    if (!existsSync(p)) out.push({ file: f.local, problem: "missing" });
    else if (sha256(readFileSync(p)) !== f.sha256) out.push({ file: f.local, problem: "checksum" });
  }
  return out;
}

export interface ResolveOptions {
  /** An explicit directory (`--data`). */
  dataDir?: string;
  /**
   * Files the command was given (a trace or fixture file): a `data/` folder beside their
   * `traces/` folder is used when nothing else is configured (the shared-folder layout).
   */
  nearFiles?: string[];
  /** Allow downloading into the cache when nothing else is configured. */
  download?: boolean;
  downloadOptions?: DownloadOptions;
}

/**
 * Where the BFCL data lives: `--data`, else `ENVTUNE_BFCL_DATA`, else the download cache (fetched
 * on demand when `download` is set).
 */
export async function resolveBfclDataDir(opts: ResolveOptions = {}): Promise<string> {
  const explicit = opts.dataDir ?? process.env.ENVTUNE_BFCL_DATA;
  if (explicit) {
    const dir = resolve(explicit);
    if (!existsSync(join(dir, "BFCL_v4_multi_turn_base.json"))) {
      throw new EnvtuneError(
        "BFCL_DATA_NOT_FOUND",
        "bfcl-data",
        `\`${dir}\` is not a BFCL data directory (no BFCL_v4_multi_turn_base.json).`,
        "Pass the folder that holds the BFCL_v4_multi_turn_*.json files.",
      );
    }
    return dir;
  }
  const cache = opts.downloadOptions?.cacheDir ?? defaultCacheDir();
  if (verifyBfclData(cache).length === 0 && existsSync(join(cache, LONG_CONTEXT_PY.local))) return cache;
  // The shared reference layout: $ENVTUNE_SHARED_DIR/bfcl/data, data/ beside a given traces/ file,
  // or ../shared/bfcl/data from the working directory (a repository checkout beside `shared/`).
  const candidates = [
    ...(process.env.ENVTUNE_SHARED_DIR ? [join(resolve(process.env.ENVTUNE_SHARED_DIR), "bfcl/data")] : []),
    ...(opts.nearFiles ?? []).map((f) => resolve(dirname(resolve(f)), "../data")),
    resolve("../shared/bfcl/data"),
  ];
  const found = candidates.find((d) => existsSync(join(d, "BFCL_v4_multi_turn_base.json")));
  if (found) return found;
  if (!opts.download) {
    throw new EnvtuneError(
      "BFCL_DATA_NOT_FOUND",
      "bfcl-data",
      "No BFCL data configured.",
      "Set `ENVTUNE_BFCL_DATA`, pass `--data DIR`, or run `envtune data download`.",
    );
  }
  return downloadBfclData({ ...opts.downloadOptions, cacheDir: cache });
}
