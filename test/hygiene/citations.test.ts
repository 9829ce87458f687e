/**
 * Comments, test names and docs cite only what a reader of the repository can open: the paper
 * (arXiv 2510.10197) by section, upstream code by repository, path and commit, or a file in this
 * repository (e.g. docs/authors-code-deviations.md). Notes that live outside the repository must
 * not be cited, because users cannot follow them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../..");
const ROOTS = ["packages", "domains", "test", "tools", "examples", "recipes", "docs"];
const EXTENSIONS = /\.(ts|mts|js|mjs|cjs|py|md|json)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", ".turbo", "results", "runs"]);

// Names of notes kept beside the repository by its developers, as file names or as prose (this
// file, which has to name them, is skipped).
const FORBIDDEN = new RegExp(
  [
    // Written with a character class so that repository-wide searches for these names find only real citations.
    "paper[ ]doc\\b",
    "bfcl-behavio[u]r",
    "ecosystem doc\\b",
    "ecosystem-and-sty[l]e",
    "tooling[ -]notes",
    "environment-tuning-pape[r]",
    "behaviour doc\\b",
    "docs/bfcl",
    "shared/docs",
    "\\bdoc §",
  ].join("|"),
  "i",
);
const SELF = "test/hygiene/citations.test.ts";

function* sourceFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // a root this checkout does not have
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* sourceFiles(join(dir, e.name));
    } else if (EXTENSIONS.test(e.name)) {
      yield join(dir, e.name);
    }
  }
}

/** `path:line: text` for every line citing a note outside the repository, grouped by file. */
function findCitations(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const files = [...ROOTS.flatMap((r) => [...sourceFiles(join(root, r))])];
  for (const f of readdirSync(root)) if (f.endsWith(".md")) files.push(join(root, f));
  for (const file of files) {
    const rel = relative(root, file).split("\\").join("/");
    const hits = readFileSync(file, "utf8")
      .split("\n")
      .flatMap((text, i) => (FORBIDDEN.test(text) ? [`${rel}:${i + 1}: ${text.trim()}`] : []));
    if (hits.length && rel !== SELF) found.set(rel, hits);
  }
  return found;
}

describe("citations", () => {
  const found = findCitations(repoRoot);

  it("cite nothing outside the repository", () => {
    const offending = [...found].flatMap(([, hits]) => hits);
    // Fix: cite the paper's section/appendix/figure, the upstream file (repository, path, commit),
    // or a document in this repository instead.
    expect(offending).toEqual([]);
  });

  it("recognises every form of the forbidden citations", () => {
    // Assembled from pieces, like the patterns above, so that searches of the tree do not find them.
    const samples = [
      ["(paper ", "doc §11 B2)"],
      ["see docs/bfcl-", "behaviour.md §2.3"],
      ["(ecosystem ", "doc §4.3)"],
      ["(tooling ", "notes §3)"],
      ["(Fig. 3, ", "doc §7)"],
    ].map((pieces) => pieces.join(""));
    expect(samples.filter((s) => !FORBIDDEN.test(s))).toEqual([]);
    expect(FORBIDDEN.test("the paper (§3.4, App. D.2) and gorilla bfcl_eval @ 6ea57973")).toBe(false);
  });
});
