/**
 * Changesets in use for real: `changeset version` on a copy of this repository's package.json
 * files and changesets config bumps only the packages a changeset names plus the packages that
 * depend on them (never a major bump from a minor one, never a package that merely has it as a
 * dev dependency), rewrites the dependents' ranges and writes the changelogs.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, workspacePackages, type PackageJson } from "./pack.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-versioning-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const all = workspacePackages({ includePrivate: true });

/** A copy of the repository's manifests with one changeset, after `changeset version`: name → package.json. */
function versionWith(name: string, releases: Record<string, "patch" | "minor" | "major">): Map<string, PackageJson & { dir: string }> {
  const root = join(tmp, name);
  mkdirSync(join(root, ".changeset"), { recursive: true });
  copyFileSync(join(repoRoot, "package.json"), join(root, "package.json"));
  copyFileSync(join(repoRoot, ".changeset/config.json"), join(root, ".changeset/config.json"));
  for (const p of [...all.map((x) => x.dir), "test"]) {
    mkdirSync(join(root, p), { recursive: true });
    copyFileSync(join(repoRoot, p, "package.json"), join(root, p, "package.json"));
  }
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  const header = Object.entries(releases)
    .map(([pkg, bump]) => `"${pkg}": ${bump}`)
    .join("\n");
  writeFileSync(join(root, ".changeset/test-change.md"), `---\n${header}\n---\n\nA change for the versioning test.\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(process.execPath, [join(repoRoot, "node_modules/@changesets/cli/bin.js"), "version"], {
    cwd: root,
    encoding: "utf8",
    env,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`changeset version failed:\n${r.stdout}\n${r.stderr}`);
  const out = new Map<string, PackageJson & { dir: string }>();
  for (const p of all)
    out.set(p.pkg.name, {
      ...(JSON.parse(readFileSync(join(root, p.dir, "package.json"), "utf8")) as PackageJson),
      dir: join(root, p.dir),
    });
  return out;
}

const bumped = (after: Map<string, PackageJson>) =>
  Object.fromEntries(
    all
      .filter((p) => after.get(p.pkg.name)!.version !== p.pkg.version)
      .map((p) => [p.pkg.name, `${p.pkg.version} → ${after.get(p.pkg.name)!.version}`]),
  );

/** Packages that list `name` in dependencies (not dev dependencies). */
const dependentsOf = (name: string) => all.filter((p) => p.pkg.dependencies?.[name] !== undefined).map((p) => p.pkg.name);

describe("changeset version", () => {
  it("a patch to one domain pack releases that pack only", () => {
    const after = versionWith("ticket-patch", { "@envtune/domain-ticket": "patch" });
    expect(bumped(after)).toEqual({ "@envtune/domain-ticket": "0.1.0 → 0.1.1" });
    expect(readFileSync(join(after.get("@envtune/domain-ticket")!.dir, "CHANGELOG.md"), "utf8")).toContain(
      "A change for the versioning test.",
    );
  });

  it("a minor release of a domain pack bumps its dependents only, not the CLI, which loads packs dynamically", () => {
    const after = versionWith("travel-minor", { "@envtune/domain-travel": "minor" });
    expect(bumped(after)).toEqual(
      Object.fromEntries([
        ["@envtune/domain-travel", "0.1.0 → 0.2.0"],
        ...dependentsOf("@envtune/domain-travel").map((n) => [n, "0.1.0 → 0.1.1"]),
      ]),
    );
    expect(dependentsOf("@envtune/domain-travel")).toEqual(["@envtune/bench"]);
    expect(after.get("envtune")!.version).toBe("0.1.0");
  });

  it("a minor release of the core bumps the core and exactly its dependents (patch), with updated ranges", () => {
    const after = versionWith("core-minor", { "@envtune/core": "minor" });
    const expected = Object.fromEntries([
      ["@envtune/core", "0.1.0 → 0.2.0"],
      ...dependentsOf("@envtune/core").map((n) => [n, "0.1.0 → 0.1.1"]),
    ]);
    expect(bumped(after)).toEqual(expected);
    expect(Object.keys(expected)).not.toContain("@envtune/create-domain");
    expect(Object.keys(expected)).toContain("@envtune/domain-example-library");
    for (const n of dependentsOf("@envtune/core")) expect(after.get(n)!.dependencies!["@envtune/core"], n).toBe("^0.2.0");
  });
});
