/**
 * Packing workspace packages the way `npm publish` would (`npm pack`), and reading the tarballs,
 * for the publishing and install tests.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import ts from "typescript";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  exports?: unknown;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  envtune?: { domain?: boolean };
  keywords?: string[];
}

export interface WorkspacePackage {
  /** Directory relative to the repository root (`domains/ticket`). */
  dir: string;
  pkg: PackageJson;
}

export function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as PackageJson;
}

/** Every workspace package (`packages/*`, `domains/*`), published ones only unless asked. */
export function workspacePackages(opts: { includePrivate?: boolean } = {}): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const parent of ["packages", "domains"]) {
    for (const name of readdirSync(join(repoRoot, parent)).sort()) {
      const dir = `${parent}/${name}`;
      if (!existsSync(join(repoRoot, dir, "package.json"))) continue;
      const pkg = readPackageJson(dir);
      if (pkg.private && !opts.includePrivate) continue;
      out.push({ dir, pkg });
    }
  }
  return out;
}

export interface PackResult {
  name: string;
  version: string;
  /** Absolute path of the tarball. */
  tarball: string;
  files: string[];
}

/** `npm pack` of the given workspace directories into `dest`, in one npm run (scripts ignored). */
export function packWorkspaces(dirs: readonly string[], dest: string): PackResult[] {
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest, ...dirs.flatMap((d) => ["-w", d])], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const rows = JSON.parse(out) as Array<{ name: string; version: string; filename: string; files: Array<{ path: string }> }>;
  return rows.map((r) => ({ name: r.name, version: r.version, tarball: join(dest, r.filename), files: r.files.map((f) => f.path) }));
}

/** The files of a `.tgz` (ustar), paths without the leading `package/`. */
export function readTarball(file: string): Map<string, { data: Buffer; mode: number }> {
  const buf = gunzipSync(readFileSync(file));
  const out = new Map<string, { data: Buffer; mode: number }>();
  const str = (a: number, b: number) => buf.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
  let off = 0;
  while (off + 512 <= buf.length) {
    const name = str(off, off + 100);
    if (!name) break;
    const mode = parseInt(str(off + 100, off + 108).trim() || "0", 8);
    const size = parseInt(str(off + 124, off + 136).trim() || "0", 8);
    const type = str(off + 156, off + 157);
    const prefix = buf
      .subarray(off + 257, off + 263)
      .toString("latin1")
      .startsWith("ustar")
      ? str(off + 345, off + 500)
      : "";
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^package\//, "");
    if (type === "0" || type === "") out.set(path, { data: buf.subarray(off + 512, off + 512 + size), mode });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * Bare module specifiers a built JS file imports (static imports, re-exports, literal dynamic
 * imports), read with TypeScript's scanner so import-like text inside strings does not count.
 */
export function bareImports(js: string): string[] {
  const info = ts.preProcessFile(js, true, true);
  return [...new Set(info.importedFiles.map((f) => f.fileName).filter((f) => !f.startsWith(".") && !f.startsWith("/")))];
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageOfSpecifier(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}
