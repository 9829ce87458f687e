import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ScaffoldError, VERSION_RANGES, defaultClassName, findMonorepo, runCreateDomain, scaffoldDomain } from "./scaffold.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const tmp = mkdtempSync(join(tmpdir(), "envtune-create-domain-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (...p: string[]) => readFileSync(join(...p), "utf8");
const json = (...p: string[]) => JSON.parse(read(...p)) as Record<string, any>;

/** Runs a tool of the repository's node_modules in `cwd` (no npm, no network). */
function runBin(cwd: string, bin: string, args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|NODE_OPTIONS)/i.test(k)));
  return spawnSync(process.execPath, [join(repoRoot, "node_modules", bin), ...args], {
    cwd,
    encoding: "utf8",
    timeout: 110_000,
    env: { ...env, CI: "1", NO_COLOR: "1" },
  });
}

describe("scaffoldDomain", () => {
  it("derives names and validates them", () => {
    expect(defaultClassName("library")).toBe("LibraryAPI");
    expect(defaultClassName("smart-home")).toBe("SmartHomeAPI");
    expect(() => scaffoldDomain({ name: "Smart_Home", cwd: tmp })).toThrow(/is not kebab-case\. Use lower-case words joined by dashes/);
    expect(() => scaffoldDomain({ name: "ok", className: "9Lives", cwd: tmp })).toThrow(ScaffoldError);
    expect(() => scaffoldDomain({ name: "ok", packageName: "Bad Name", cwd: tmp })).toThrow(/not a valid npm package name/);
  });

  it("writes a standalone pack outside the envtune repository and refuses to overwrite", () => {
    const r = scaffoldDomain({ name: "smart-home", cwd: tmp });
    expect(r).toMatchObject({
      dir: join(tmp, "smart-home"),
      mode: "standalone",
      packageName: "envtune-domain-smart-home",
      className: "SmartHomeAPI",
    });
    expect(r.files.sort()).toEqual(
      [
        ".changeset/config.json",
        ".changeset/initial-release.md",
        ".gitignore",
        "README.md",
        "data/possible_answer/tasks.jsonl",
        "data/tasks.jsonl",
        "package.json",
        "src/index.ts",
        "src/messages.ts",
        "src/smart-home.test.ts",
        "src/state.ts",
        "src/tools.ts",
        "tsconfig.json",
        "vitest.config.ts",
      ].sort(),
    );
    const pkg = json(r.dir, "package.json");
    expect(pkg.dependencies).toEqual({ "@envtune/core": VERSION_RANGES.core });
    expect(pkg.envtune).toEqual({ domain: true });
    expect(pkg.keywords).toContain("envtune-domain");
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(read(r.dir, "src/index.ts")).toContain('className: "SmartHomeAPI"');
    expect(read(r.dir, ".changeset/initial-release.md")).toContain('"envtune-domain-smart-home": minor');
    expect(() => scaffoldDomain({ name: "smart-home", cwd: tmp })).toThrow(/exists and is not empty/);
  });

  it("recognises the envtune monorepo and writes a workspace package with a changeset", () => {
    const root = join(tmp, "fake-repo");
    mkdirSync(join(root, "domains"), { recursive: true });
    mkdirSync(join(root, ".changeset"));
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "x", private: true, workspaces: ["packages/*", "domains/*", "test"] }),
    );
    writeFileSync(join(root, "tsconfig.base.json"), "{}");
    writeFileSync(join(root, "vitest.shared.ts"), "");
    expect(findMonorepo(join(root, "domains"))).toEqual({ root, packageParents: ["packages", "domains"] });
    const r = scaffoldDomain({ name: "library", cwd: join(root, "domains"), className: "LibraryAPI" });
    expect(r).toMatchObject({ dir: join(root, "domains/library"), mode: "workspace", packageName: "@envtune/domain-library" });
    expect(r.files).toContain(".changeset/library-domain-initial.md");
    expect(json(r.dir, "tsconfig.json")).toMatchObject({
      extends: "../../tsconfig.base.json",
      references: [{ path: "../../packages/core" }, { path: "../../packages/testing" }],
    });
    expect(read(r.dir, "vitest.config.ts")).toContain('envtuneProject("@envtune/domain-library")');
    expect(json(r.dir, "package.json").exports["."]["@envtune/source"]).toBe("./src/index.ts");
    // Outside a workspace folder of the monorepo: standalone.
    expect(scaffoldDomain({ name: "elsewhere", cwd: root, dir: "tools-x/elsewhere" }).mode).toBe("standalone");
    expect(() => scaffoldDomain({ name: "nope", cwd: tmp, mode: "workspace" })).toThrow(/not a workspace package folder/);
  });

  it("depends on the current versions of @envtune/core and @envtune/testing", () => {
    for (const [key, dir] of [
      ["core", "packages/core"],
      ["testing", "packages/testing"],
    ] as const) {
      const version = json(repoRoot, dir, "package.json").version as string;
      const [major, minor] = version.split(".");
      expect(VERSION_RANGES[key], `${dir} is at ${version}`).toBe(`^${major}.${minor}.0`);
    }
  });

  it("runCreateDomain prints what it wrote and the next steps; usage errors exit 2", async () => {
    let out = "";
    let err = "";
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), cwd: tmp };
    expect(await runCreateDomain(["notes", "--class", "NotesAPI", "--description", "Notes."], io)).toBe(0);
    expect(out).toContain(`Created envtune-domain-notes (NotesAPI, standalone) in ${join(tmp, "notes")}`);
    expect(out).toContain("npm test");
    expect(await runCreateDomain([], io)).toBe(2);
    expect(await runCreateDomain(["--bogus"], io)).toBe(2);
    expect(err).toContain("[envtune] [create-domain]");
    out = "";
    expect(await runCreateDomain(["--help"], io)).toBe(0);
    expect(out).toContain("npm create @envtune/domain");
  });
});

describe("a scaffolded pack passes its own tests unchanged", () => {
  // Both runs use the repository's installed packages (linked as node_modules) and need the built
  // dist/ of @envtune/core, @envtune/bfcl-data and @envtune/testing (`npm run build`).
  it("standalone: vitest and tsc, as a user runs them after npm install", () => {
    const built = ["packages/core", "packages/bfcl-data", "packages/testing"].every((d) => existsSync(join(repoRoot, d, "dist/index.js")));
    expect(built, "run `npm run build` first: the standalone pack loads the built @envtune packages").toBe(true);
    const project = join(tmp, "standalone");
    mkdirSync(project);
    const r = scaffoldDomain({ name: "garden", cwd: project });
    symlinkSync(join(repoRoot, "node_modules"), join(r.dir, "node_modules"), "dir");
    const test = runBin(r.dir, "vitest/vitest.mjs", ["run"]);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Tests\s+\d+ passed/);
    const tsc = runBin(r.dir, "typescript/bin/tsc", ["-p", "tsconfig.json", "--noEmit"]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("workspace: vitest through the repository's shared project settings", () => {
    const root = join(tmp, "workspace");
    mkdirSync(join(root, "domains"), { recursive: true });
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "ws", private: true, type: "module", workspaces: ["packages/*", "domains/*"] }),
    );
    symlinkSync(join(repoRoot, "packages"), join(root, "packages"), "dir");
    copyFileSync(join(repoRoot, "tsconfig.base.json"), join(root, "tsconfig.base.json"));
    copyFileSync(join(repoRoot, "vitest.shared.ts"), join(root, "vitest.shared.ts"));
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
    const r = scaffoldDomain({ name: "weather", cwd: root });
    expect(r.mode).toBe("workspace");
    const test = runBin(r.dir, "vitest/vitest.mjs", ["run"]);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Tests\s+\d+ passed/);
  });
});
