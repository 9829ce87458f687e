#!/usr/bin/env node
// Writes the boilerplate of a workspace package (package.json, tsconfig.json, vitest.config.ts,
// src/index.ts) so every package has the same exports/condition layout.
// Usage: node tools/scripts/new-package.mjs <dir> <name> "<description>" [dep ...]
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const [dir, name, description, ...deps] = process.argv.slice(2);
if (!dir || !name) {
  console.error("usage: new-package.mjs <dir> <name> <description> [workspace-dep ...]");
  process.exit(2);
}
mkdirSync(join(dir, "src"), { recursive: true });
const pkg = {
  name,
  version: "0.1.0",
  description,
  license: "Apache-2.0",
  type: "module",
  exports: {
    ".": { "@envtune/source": "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
    "./package.json": "./package.json",
  },
  main: "./dist/index.js",
  types: "./dist/index.d.ts",
  files: ["dist", "!dist/**/*.test.*", "README.md", "CHANGELOG.md"],
  scripts: { build: "tsc -b", test: "vitest run", lint: "eslint src" },
  dependencies: Object.fromEntries(deps.map((d) => [d, "^0.1.0"])),
  engines: { node: ">=20.19" },
};
if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
const up = relative(dir, ".") || ".";
const refs = deps.map((d) => ({
  path: `${up}/${d.startsWith("@envtune/domain-") ? "domains" : "packages"}/${d.replace("@envtune/domain-", "").replace("@envtune/", "")}`,
}));
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify(
    { extends: `${up}/tsconfig.base.json`, compilerOptions: { rootDir: "src", outDir: "dist" }, include: ["src"], references: refs },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  join(dir, "vitest.config.ts"),
  `import { envtuneProject } from "${up}/vitest.shared.ts";\n\nexport default envtuneProject(${JSON.stringify(name)});\n`,
);
if (!existsSync(join(dir, "src/index.ts"))) writeFileSync(join(dir, "src/index.ts"), "export {};\n");
console.log(`wrote ${dir}`);
