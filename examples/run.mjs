#!/usr/bin/env node
// `npm run examples`: type-checks the examples, then runs every examples/<name>/ that has a run
// entry, one after the other:
// its package.json `example` script if it has one, else its main.ts (through tsx, with the
// workspace packages resolved to their TypeScript sources, so no build is needed).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

function command(dir) {
  const pkg = join(dir, "package.json");
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).scripts?.example) return ["npm", ["run", "example"]];
  if (existsSync(join(dir, "main.ts"))) return [process.execPath, ["--conditions=@envtune/source", "--import", "tsx", "main.ts"]];
  return undefined;
}

// Type-check every example first (vitest and tsx only strip types).
const tsc = spawnSync("npx", ["tsc", "-p", here], { stdio: "inherit" });
if (tsc.status !== 0) {
  console.error("examples: type errors (npx tsc -p examples)");
  process.exit(1);
}

const failed = [];
let ran = 0;
for (const name of readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()) {
  if (only.length && !only.includes(name)) continue;
  const dir = join(here, name);
  const cmd = command(dir);
  if (!cmd) continue;
  console.log(`\n=== examples/${name}: ${[cmd[0] === process.execPath ? "node" : cmd[0], ...cmd[1]].join(" ")}`);
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd[1], { cwd: dir, stdio: "inherit" });
  ran++;
  const ok = r.status === 0;
  console.log(`=== examples/${name}: ${ok ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok) failed.push(name);
}
if (ran === 0) console.log(only.length ? `No example named ${only.join(", ")} has a run entry.` : "No example has a run entry.");
if (failed.length) {
  console.error(`\n${failed.length} example(s) failed: ${failed.join(", ")}`);
  process.exit(1);
}
