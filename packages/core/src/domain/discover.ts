/**
 * Which domain packs a command, the trainer or the server loads: the packs installed beside
 * envtune (found by their package metadata, `"envtune": { "domain": true }` or the
 * `envtune-domain` keyword), the eight BFCL pack names, or an explicit list. Only package names
 * and paths from configuration are ever imported, never a name chosen by a model.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EnvtuneError } from "../errors.ts";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks, type LoadedPacks } from "./load.ts";
import type { DomainPack } from "./types.ts";

export interface InstalledDomainPackage {
  /** npm package name. */
  name: string;
  version: string;
  /** Package directory (symlinks kept as found). */
  dir: string;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  keywords?: unknown;
  envtune?: { domain?: unknown };
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return undefined;
  }
}

/** A package declares itself a domain pack through its metadata. */
export function isDomainPackage(pkg: PackageJson): boolean {
  return pkg.envtune?.domain === true || (Array.isArray(pkg.keywords) && pkg.keywords.includes("envtune-domain"));
}

function packageDirs(nodeModules: string): string[] {
  let names: string[];
  try {
    names = readdirSync(nodeModules);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (n.startsWith(".")) continue;
    if (n.startsWith("@")) {
      try {
        for (const m of readdirSync(join(nodeModules, n))) out.push(join(nodeModules, n, m));
      } catch {
        // an unreadable scope folder hides nothing we could load anyway
      }
    } else out.push(join(nodeModules, n));
  }
  return out;
}

function nodeModulesChain(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (;;) {
    out.push(join(dir, "node_modules"));
    const up = dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/**
 * Domain packs installed in the `node_modules` folders visible from `from` (default: the working
 * directory and envtune's own location), nearest first; one row per package name.
 */
export function discoverDomainPackages(
  from: readonly string[] = [process.cwd(), dirname(fileURLToPath(import.meta.url))],
): InstalledDomainPackage[] {
  const seen = new Map<string, InstalledDomainPackage>();
  const scanned = new Set<string>();
  for (const start of from) {
    for (const nm of nodeModulesChain(start)) {
      if (scanned.has(nm) || !existsSync(nm)) continue;
      scanned.add(nm);
      for (const dir of packageDirs(nm)) {
        const pkg = readPackageJson(dir);
        if (!pkg || typeof pkg.name !== "string" || seen.has(pkg.name) || !isDomainPackage(pkg)) continue;
        seen.set(pkg.name, { name: pkg.name, version: typeof pkg.version === "string" ? pkg.version : "0.0.0", dir });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A pack given by path: a package directory resolves to its entry through its own `exports`
 * (Node's self-reference, so the built `dist/` is loaded), a file is imported as is.
 */
function pathSpecifier(item: string): string {
  const abs = resolve(item);
  const pkg = existsSync(join(abs, "package.json")) ? readPackageJson(abs) : undefined;
  if (typeof pkg?.name === "string") {
    try {
      return pathToFileURL(createRequire(join(abs, "package.json")).resolve(pkg.name)).href;
    } catch {
      // unbuilt or without exports: the import below fails and reports why
    }
  }
  return pathToFileURL(abs).href;
}

/**
 * What `--domains` may say: package names or paths, `installed` (the discovered packs) and `bfcl`
 * (the eight BFCL pack names). `explicit` = the items named one by one (a failure to load one of
 * them is an error; the groups load what they can).
 */
export function domainSpecifiers(
  domains: readonly string[] | undefined,
  discovered: readonly InstalledDomainPackage[],
): { specs: string[]; explicit: Set<string> } {
  const items = (domains ?? [])
    .flatMap((d) => d.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const bfcl = Object.values(BFCL_DOMAIN_PACKAGES);
  const installed = discovered.map((d) => d.name);
  if (items.length === 0) return { specs: [...new Set([...installed, ...bfcl])], explicit: new Set() };
  const out: string[] = [];
  const explicit = new Set<string>();
  for (const item of items) {
    if (item === "installed") out.push(...installed);
    else if (item === "bfcl") out.push(...bfcl);
    else {
      const spec = item.startsWith(".") || isAbsolute(item) ? pathSpecifier(item) : item;
      out.push(spec);
      explicit.add(spec);
    }
  }
  return { specs: [...new Set(out)], explicit };
}

export interface ResolvedDomainPacks extends LoadedPacks {
  /** Installed domain packages found by their metadata. */
  discovered: InstalledDomainPackage[];
  /** Class name → the specifier (package name, path or URL) it was loaded from. */
  sources: Map<string, string>;
}

/**
 * Loads the packs a command, run or server needs. `domains` absent or empty: every discovered
 * pack plus the BFCL pack names (those not installed are simply missing). Items may be package
 * names, paths, `installed` or `bfcl`, each possibly comma-separated. A discovered pack that
 * cannot be resolved by name from here (envtune run from a global install) is imported from where
 * it was found. An explicitly named pack that does not load is an error (`DOMAIN_NOT_INSTALLED`).
 */
export async function resolveDomainPacks(
  domains?: readonly string[],
  opts: { from?: readonly string[] } = {},
): Promise<ResolvedDomainPacks> {
  const discovered = discoverDomainPackages(opts.from);
  const { specs, explicit } = domainSpecifiers(domains, discovered);
  const packs = new Map<string, DomainPack>();
  const sources = new Map<string, string>();
  const missing: LoadedPacks["missing"] = [];
  for (const spec of specs) {
    let loaded = await loadDomainPacks([spec]);
    const found = discovered.find((d) => d.name === spec);
    if (loaded.missing.length && found) {
      let entry: string | undefined;
      try {
        entry = createRequire(join(found.dir, "package.json")).resolve(found.name);
      } catch {
        entry = undefined;
      }
      if (entry) loaded = await loadDomainPacks([pathToFileURL(entry).href]);
    }
    for (const [cls, pack] of loaded.packs) {
      mergePack(packs, cls, pack);
      sources.set(cls, spec);
    }
    for (const m of loaded.missing) missing.push({ specifier: spec, reason: m.reason });
  }
  const failed = missing.filter((m) => explicit.has(m.specifier));
  if (failed.length) {
    throw new EnvtuneError(
      "DOMAIN_NOT_INSTALLED",
      "domains",
      `Cannot load the domain pack(s) ${failed.map((m) => `\`${m.specifier}\``).join(", ")}.`,
      "Install them (npm install <package>), build a pack given by path (npm run build), or fix the --domains list.",
      { details: failed.map((m) => `${m.specifier}: ${m.reason}`) },
    );
  }
  return { packs, missing, discovered, sources };
}

function mergePack(packs: Map<string, DomainPack>, cls: string, pack: DomainPack): void {
  const prev = packs.get(cls);
  if (prev && prev !== pack) {
    throw new EnvtuneError(
      "DUPLICATE_DOMAIN",
      "domains",
      `Two packs implement \`${cls}\`: \`${prev.meta.name}\` and \`${pack.meta.name}\`.`,
      "Load only one pack per class (--domains).",
    );
  }
  packs.set(cls, pack);
}
