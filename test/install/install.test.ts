/**
 * "Install only what you need", for real: the packages are packed with `npm pack` and installed
 * from the tarballs into a fresh project outside the workspace (no workspace links, third-party
 * dependencies from the registry or npm's cache), with two of the eight BFCL domain packs
 * (ticket, travel). The installed `envtune` then lists what is installed, evaluates entries that
 * involve only those two domains, and refuses an entry that needs a missing pack with an error
 * naming the package to install; a TypeScript consumer type-checks against the published types.
 *
 * Needs the built `dist/` folders (`npm run build`) and `../shared/bfcl/data` (or
 * `ENVTUNE_SHARED_DIR`). Takes about 30 s, most of it `npm install`.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bfclDataDir, sharedDataset } from "@envtune/testing";
import { packWorkspaces, repoRoot } from "../publish/pack.ts";

/** What a user of two domains installs: the CLI and what it needs, plus the two packs. */
const PACKAGES = [
  "packages/core",
  "packages/bfcl-data",
  "packages/checker",
  "packages/engine",
  "packages/server",
  "packages/trainer",
  "packages/experiment",
  "packages/policy-tfjs",
  "packages/create-domain",
  "packages/cli",
  "domains/ticket",
  "domains/travel",
];
const INSTALLED_CLASSES = new Set(["TicketAPI", "TravelAPI"]);

const tmp = mkdtempSync(join(tmpdir(), "envtune-install-"));
const project = join(tmp, "project");

/** The child processes must not inherit npm's workspace settings of an enclosing `npm test`. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== "INIT_CWD" && k !== "NODE_OPTIONS") env[k] = v;
  return { ...env, CI: "1", NO_COLOR: "1" };
}

function run(cmd: string, args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: project, env: cleanEnv(), encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

const envtune = (...args: string[]) => run(process.execPath, [join(project, "node_modules/envtune/bin/envtune.js"), ...args]);

/** Two entries per category that involve only the installed domains. */
function installedOnlyIds(): string[] {
  const byCategory = new Map<string, string[]>();
  for (const e of sharedDataset().entries) {
    if (!e.involvedClasses.every((c) => INSTALLED_CLASSES.has(c))) continue;
    const ids = byCategory.get(e.category) ?? [];
    if (ids.length < 2) byCategory.set(e.category, [...ids, e.id]);
  }
  return [...byCategory.values()].flat();
}

let installSeconds = 0;

beforeAll(() => {
  const unbuilt = PACKAGES.filter((d) => !existsSync(join(repoRoot, d, "dist/index.js")));
  if (unbuilt.length) throw new Error(`[envtune] [install-test] No build output in ${unbuilt.join(", ")}. Run \`npm run build\` first.`);
  const tarballs = join(tmp, "tarballs");
  mkdirSync(tarballs);
  mkdirSync(project);
  const packed = packWorkspaces(PACKAGES, tarballs);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "envtune-install-test", private: true, type: "module" }, null, 2));
  const t0 = Date.now();
  // Optional dependencies (the native GPU build of TensorFlow.js) are left out: they are optional.
  const r = run(
    "npm",
    [
      "install",
      ...packed.map((p) => p.tarball),
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--omit=optional",
      "--ignore-scripts",
      "--loglevel=error",
    ],
    170_000,
  );
  installSeconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`npm install failed (${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
}, 240_000);
// A fresh node_modules with TensorFlow.js is large; removing it can outlast the default 10 s hook limit.
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 120_000);

describe("install only what you need (packed tarballs in a fresh project)", () => {
  it("installs real copies, not workspace links, and no other domain pack", () => {
    expect(installSeconds).toBeLessThan(170);
    for (const name of ["core", "engine", "domain-ticket", "domain-travel"]) {
      const dir = join(project, "node_modules/@envtune", name);
      expect(lstatSync(dir).isSymbolicLink(), name).toBe(false);
      expect(existsSync(join(dir, "src")), `${name} ships no sources`).toBe(false);
    }
    for (const name of [
      "domain-file-system",
      "domain-math",
      "domain-message",
      "domain-posting",
      "domain-trading",
      "domain-vehicle-control",
    ]) {
      expect(existsSync(join(project, "node_modules/@envtune", name)), name).toBe(false);
    }
  });

  it("`envtune domains list` shows the installed packs with versions and tool counts", () => {
    const r = envtune("domains", "list", "--json");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      installed: Array<{ package: string; className: string; version: string; tools: number }>;
      missing: Array<{ specifier: string }>;
    };
    expect(out.installed.map((p) => [p.package, p.className, p.version, p.tools])).toEqual([
      ["@envtune/domain-ticket", "TicketAPI", "0.1.0", 9],
      ["@envtune/domain-travel", "TravelAPI", "0.1.0", 18],
    ]);
    expect(out.missing.map((m) => m.specifier)).toContain("@envtune/domain-posting");
    const table = envtune("domains", "list");
    expect(table.stdout).toMatch(/@envtune\/domain-ticket\s+TicketAPI\s+0\.1\.0\s+9/);
  });

  it("`envtune eval --policy oracle` scores entries of the installed domains 100%", () => {
    const ids = installedOnlyIds();
    expect(ids.length).toBe(8);
    const out = join(project, "runs/oracle");
    const r = envtune("eval", "--policy", "oracle", "--ids", ids.join(","), "--data", bfclDataDir(), "--out", out, "--json");
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { entries: number; scored: number; overall: number | null; errors: number };
    expect(summary).toMatchObject({ entries: 8, scored: 8, errors: 0, overall: 1 });
    expect(readFileSync(join(out, "results.jsonl"), "utf8").trim().split("\n")).toHaveLength(8);
  });

  it("an entry that needs a domain that is not installed fails with the pack to install", () => {
    const entry = sharedDataset().entries.find(
      (e) => e.involvedClasses.includes("TwitterAPI") && e.involvedClasses.every((c) => c === "TwitterAPI" || INSTALLED_CLASSES.has(c)),
    )!;
    const r = envtune("eval", "--policy", "oracle", "--ids", entry.id, "--data", bfclDataDir(), "--out", join(project, "runs/missing"));
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`[envtune] [core] Entry ${entry.id} needs TwitterAPI, which no loaded domain pack implements.`);
    expect(r.stderr).toContain("npm install @envtune/domain-posting");
  });

  it("`envtune train`: a short training run on the installed domains only, then a clear error for a missing pack", () => {
    const config = join(project, "tiny-train.json");
    writeFileSync(
      config,
      JSON.stringify({
        preset: "quick",
        grpo: { groupSize: 2, tasksPerUpdate: 2 },
        validation: { every: 2, limit: 4 },
        evaluation: { part: "test", baselines: false, limit: 4 },
      }),
    );
    const out = join(project, "runs/train");
    // No --domains: the trainer discovers the two installed packs; the other BFCL packs are skipped, said once.
    const r = run(
      process.execPath,
      [join(project, "node_modules/envtune/bin/envtune.js"), "train", "--config", config, "--data", bfclDataDir(), "--out", out, "--json"],
      150_000,
    );
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/domain packs not loaded \(their entries are skipped\): .*@envtune\/domain-posting/);
    expect(r.stderr).not.toMatch(/domain packs not loaded[^\n]*@envtune\/domain-ticket/);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { data: { domains: string[] } };
    expect(cfg.data.domains).toEqual(["installed", "bfcl"]);
    const result = JSON.parse(r.stdout) as { updates: number; evaluation: { entries: number; policies: Array<{ policy: string }> } };
    expect(result.updates).toBeGreaterThan(0);
    expect(result.evaluation.entries).toBe(4);
    expect(result.evaluation.policies.map((p) => p.policy)).toContain("trained");
    for (const f of ["config.json", "metrics.jsonl", "eval/results.json", "report.html"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(
      ["best", "last", "final"].some((d) => existsSync(join(out, d, "model.json")) && existsSync(join(out, d, "weights.bin"))),
      "trained weights (model.json + weights.bin)",
    ).toBe(true);

    const missing = envtune(
      "train",
      "--config",
      config,
      "--data",
      bfclDataDir(),
      "--domains",
      "@envtune/domain-posting",
      "--out",
      join(project, "runs/missing"),
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("@envtune/domain-posting");
  });

  it("`envtune new-domain` from the installed CLI scaffolds a standalone pack", () => {
    const r = envtune("new-domain", "garden", "--class", "GardenAPI");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Created envtune-domain-garden (GardenAPI, standalone) in ${join(project, "garden")}`);
    const pkg = JSON.parse(readFileSync(join(project, "garden/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      envtune: unknown;
    };
    expect(pkg.dependencies).toEqual({ "@envtune/core": "^0.1.0" });
    expect(existsSync(join(project, "garden/src/garden.test.ts"))).toBe(true);
  });

  it("a TypeScript consumer type-checks against the published types (NodeNext resolution)", () => {
    writeFileSync(
      join(project, "consumer.ts"),
      [
        'import ticket from "@envtune/domain-ticket";',
        'import { PyDict, World, defineDomain, type DomainPack } from "@envtune/core";',
        'import { loadUserDataset, type BfclEntry } from "@envtune/bfcl-data";',
        'import { oraclePolicy, runEval, type EvalSummary } from "@envtune/engine";',
        'import { scaffoldDomain } from "@envtune/create-domain";',
        "const pack: DomainPack = ticket;",
        'const world = new World({ packs: [pack], initialConfig: new PyDict([["TicketAPI", new PyDict()]]), longContext: false });',
        'const result: string = world.call({ name: "ticket_get_login_status", args: [], kwargs: [] }).result;',
        "const entries: BfclEntry[] = [];",
        "export const used = [result, entries, defineDomain, loadUserDataset, oraclePolicy, runEval, scaffoldDomain] as const;",
        "export type S = EvalSummary;",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2023",
          lib: ["ES2023"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    const r = run(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
