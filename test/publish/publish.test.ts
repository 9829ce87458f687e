/**
 * Every published package publishes cleanly: `npm pack` of each workspace package, then publint
 * (strict) on the tarball, then envtune's own rules on what the tarball holds: licence files
 * (NOTICE where BFCL-derived behaviour is involved), domain packs depending on `@envtune/core`
 * only, every import of the built code declared as a dependency, no test, scratch or stale build
 * files, export targets present, internal version ranges that the workspace versions satisfy.
 *
 * Needs the built `dist/` folders (`npm run build`, which `npm test` runs first).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bareImports,
  packWorkspaces,
  packageOfSpecifier,
  readTarball,
  repoRoot,
  workspacePackages,
  type PackResult,
  type PackageJson,
} from "./pack.ts";

/** Packages whose code reproduces BFCL behaviour or handles BFCL data: they carry a NOTICE. */
const BFCL_DERIVED = new Set([
  "@envtune/core",
  "@envtune/bfcl-data",
  "@envtune/checker",
  "@envtune/engine",
  "@envtune/testing",
  "@envtune/server",
  "envtune",
  "@envtune/domain-file-system",
  "@envtune/domain-math",
  "@envtune/domain-message",
  "@envtune/domain-posting",
  "@envtune/domain-ticket",
  "@envtune/domain-trading",
  "@envtune/domain-travel",
  "@envtune/domain-vehicle-control",
]);

const packages = workspacePackages();
const versions = new Map(workspacePackages({ includePrivate: true }).map((p) => [p.pkg.name, p.pkg.version]));
const tmp = mkdtempSync(join(tmpdir(), "envtune-publish-"));
let packed: Map<string, PackResult>;

beforeAll(() => {
  const missing = packages.filter((p) => !existsSync(join(repoRoot, p.dir, "dist/index.js")));
  if (missing.length)
    throw new Error(`[envtune] [publish-test] No build output in ${missing.map((p) => p.dir).join(", ")}. Run \`npm run build\` first.`);
  packed = new Map(
    packWorkspaces(
      packages.map((p) => p.dir),
      tmp,
    ).map((r) => [r.name, r]),
  );
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `^0.1.0` / `~0.1.0` / exact, enough for the ranges this repository uses. */
function satisfies(version: string, range: string): boolean {
  const v = version.split(".").map(Number);
  const m = /^([~^]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) return false;
  const r = [Number(m[2]), Number(m[3]), Number(m[4])];
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  if (cmp(v, r) < 0) return false;
  if (m[1] === "") return cmp(v, r) === 0;
  if (m[1] === "~") return v[0] === r[0] && v[1] === r[1];
  return r[0]! > 0 ? v[0] === r[0] : r[1]! > 0 ? v[0] === 0 && v[1] === r[1] : cmp(v, r) === 0;
}

/** Export targets of every condition except the workspace-only `@envtune/source`. */
function exportTargets(exp: unknown, out: string[] = []): string[] {
  if (typeof exp === "string") out.push(exp);
  else if (exp && typeof exp === "object") for (const [k, v] of Object.entries(exp)) if (k !== "@envtune/source") exportTargets(v, out);
  return out;
}

const BUILTINS = new Set(builtinModules);

function problemsOf(pkg: PackageJson, dir: string, files: Map<string, { data: Buffer; mode: number }>): string[] {
  const problems: string[] = [];
  const names = [...files.keys()];
  if (pkg.license !== "Apache-2.0") problems.push(`license is ${pkg.license ?? "missing"}, expected Apache-2.0`);
  if (!files.has("LICENSE")) problems.push("no LICENSE file in the package");
  if (BFCL_DERIVED.has(pkg.name) && !files.get("NOTICE")?.data.toString().includes("Berkeley Function Calling Leaderboard"))
    problems.push("no NOTICE crediting BFCL (the package reproduces BFCL behaviour)");
  if (pkg.type !== "module") problems.push('type is not "module"');

  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  if (pkg.envtune?.domain) {
    const deps = Object.keys(pkg.dependencies ?? {});
    if (deps.some((d) => d !== "@envtune/core")) problems.push(`a domain pack depends on @envtune/core only; found ${deps.join(", ")}`);
    if (Object.keys(pkg.peerDependencies ?? {}).length) problems.push("a domain pack has no peer dependencies");
    if (!pkg.keywords?.includes("envtune-domain")) problems.push("a domain pack has the keyword envtune-domain (discovery)");
  }
  for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })) {
    const v = versions.get(dep);
    if (v !== undefined && !satisfies(v, range)) problems.push(`${dep}@${range} is not satisfied by the workspace version ${v}`);
  }
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (versions.has(dep) && workspacePackages({ includePrivate: true }).find((p) => p.pkg.name === dep)?.pkg.private)
      problems.push(`depends on the private package ${dep}`);
  }

  // npm shows the README as the package's page; `files` silently skips one that does not exist.
  if (!files.has("README.md") || files.get("README.md")!.data.length < 200)
    problems.push("ships a README.md that says what the package is for");
  if (!files.has("LICENSE")) problems.push("ships its LICENSE");

  const imported = new Set<string>();
  for (const [path, { data }] of files) {
    if (/\.test\.|\/__fixtures__\//.test(path)) problems.push(`test file published: ${path}`);
    if (!/\.(js|mjs)$/.test(path) || !(path.startsWith("dist/") || path.startsWith("bin/"))) continue;
    // Outputs without a source are the hygiene test's business (a clean build has none).
    if (path.startsWith("dist/") && !existsSync(join(repoRoot, dir, path.replace(/^dist\//, "src/").replace(/\.js$/, ".ts")))) continue;
    for (const spec of bareImports(data.toString("utf8"))) {
      if (spec.startsWith("node:") || BUILTINS.has(spec)) continue;
      const name = packageOfSpecifier(spec);
      imported.add(name);
      if (name !== pkg.name && !declared.has(name)) problems.push(`${path} imports \`${spec}\`, which is not a dependency`);
    }
  }
  for (const dep of Object.keys(pkg.dependencies ?? {}))
    if (!imported.has(dep)) problems.push(`dependency ${dep} is never imported by the published code`);

  for (const target of [
    ...exportTargets(pkg.exports),
    ...(pkg.main ? [pkg.main] : []),
    ...(pkg.types ? [pkg.types] : []),
    ...Object.values(pkg.bin ?? {}),
  ]) {
    const rel = target.replace(/^\.\//, "");
    if (!names.includes(rel)) problems.push(`${target} (exports/main/types/bin) is not in the package`);
  }
  return problems;
}

describe("publishing", () => {
  it("finds the published packages", () => {
    expect(packages.map((p) => p.pkg.name)).toEqual(
      expect.arrayContaining([
        "@envtune/core",
        "envtune",
        "@envtune/create-domain",
        "@envtune/domain-example-library",
        "@envtune/domain-ticket",
      ]),
    );
  });

  it.each(packages.map((p) => [p.pkg.name, p] as const))("%s passes publint --strict and envtune's packaging rules", async (name, p) => {
    const result = packed.get(name)!;
    expect(result, `npm pack produced no tarball for ${name}`).toBeDefined();
    const tarball = readFileSync(result.tarball);
    const lint = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer },
      strict: true,
      level: "suggestion",
    });
    const lintMessages = lint.messages.map((m) => `publint ${m.type}: ${formatMessage(m, lint.pkg) ?? m.code}`);
    const files = readTarball(result.tarball);
    const pkg = JSON.parse(files.get("package.json")!.data.toString("utf8")) as PackageJson;
    expect([...lintMessages, ...problemsOf(pkg, p.dir, files)]).toEqual([]);
  });

  // A local dist/ collects outputs of deleted or scratch sources that a clean CI build never has;
  // publishing from such a dist/ would ship them. Release from a clean build (CONTRIBUTING.md).
  it.each(packages.map((p) => [p.pkg.name, p] as const))("%s: the build output has no stale or scratch files", (name, p) => {
    const stale: string[] = [];
    for (const path of readTarball(packed.get(name)!.tarball).keys()) {
      if (!path.startsWith("dist/") || !path.endsWith(".js")) continue;
      const src = path.replace(/^dist\//, "src/").replace(/\.js$/, ".ts");
      if (!existsSync(join(repoRoot, p.dir, src))) stale.push(`${path}: no ${src} (stale output; rebuild from a clean dist/)`);
      else if (/(^|\/)_[^/]*$/.test(path)) stale.push(`${path}: a scratch file (leading underscore) would be published`);
    }
    expect(stale).toEqual([]);
  });

  it.each(packages.filter((p) => p.pkg.envtune?.domain).map((p) => [p.pkg.name, p] as const))(
    "%s: meta.version equals the package version",
    async (_name, p) => {
      const mod = (await import(pathToFileURL(join(repoRoot, p.dir, "dist/index.js")).href)) as { default: { meta: { version: string } } };
      expect(mod.default.meta.version).toBe(p.pkg.version);
    },
  );

  it("a domain pack tarball ships only what a pack needs", () => {
    const files = readTarball(packed.get("@envtune/domain-ticket")!.tarball);
    const top = new Set([...files.keys()].map((f) => f.split("/")[0]));
    expect([...top].sort()).toEqual(["LICENSE", "NOTICE", "README.md", "dist", "package.json"]);
  });
});
