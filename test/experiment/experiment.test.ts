/**
 * `envtune experiment` end to end in real processes: the reduced grid (--quick) runs, is
 * interrupted with Ctrl-C (SIGINT) part-way, and started again with the same --out: the finished
 * runs are skipped untouched, the interrupted one resumes from its checkpoint, and the result is
 * the complete experiment.json and report.html.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { experimentResultSchema } from "@envtune/experiment";
import { dataDir, repoRoot, spawnCli } from "../train/helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-experiment-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every run folder under OUT/runs (method/fold/seedN-key). */
function runDirs(out: string): string[] {
  const root = join(out, "runs");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((m) =>
    readdirSync(join(root, m)).flatMap((f) => readdirSync(join(root, m, f)).map((s) => join(root, m, f, s))),
  );
}
const finished = (out: string) => runDirs(out).filter((d) => existsSync(join(d, "result.json")));

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const quick = (out: string) => ["experiment", "--quick", "--out", out, "--workers", "1", "--data", dataDir];

describe("envtune experiment", () => {
  it("--quick runs the grid; Ctrl-C and a restart skip the finished runs and resume the interrupted one", async () => {
    const out = join(tmp, "quick");
    const first = spawnCli(quick(out));
    await until(() => finished(out).length >= 2, 240_000);
    first.child.kill("SIGINT");
    const stopped = await first.exited;
    expect(stopped.code, first.output()).toBe(130);
    expect(first.output()).toContain("interrupted: run the same command again to continue");

    const done = finished(out);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(6);
    const mtimes = new Map(done.map((d) => [d, statSync(join(d, "result.json")).mtimeMs]));
    // A trained run that was under way holds its checkpoint and no result.
    const partial = runDirs(out).filter((d) => !existsSync(join(d, "result.json")) && existsSync(join(d, "config.json")));

    const second = spawnCli(quick(out));
    const again = await second.exited;
    expect(again.code, second.output()).toBe(0);
    expect(second.output()).toContain(`6 runs (${done.length} already done)`);
    for (const [d, t] of mtimes) expect(statSync(join(d, "result.json")).mtimeMs).toBe(t);
    for (const d of partial) expect(readFileSync(join(d, "log.txt"), "utf8")).toMatch(/resumed .* at update \d+/);

    const result = experimentResultSchema.parse(JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")));
    expect(result.runs).toEqual({ total: 6, cached: done.length, ran: 6 - done.length });
    expect(new Set(result.results.map((r) => `${r.method}/${r.set}/${r.seed}`)).size).toBe(6);
    for (const r of result.results) {
      expect(["id", "ood"]).toContain(r.set);
      expect(r.turn_success).toBeGreaterThanOrEqual(0);
      expect(r.entry_accuracy).toBeLessThanOrEqual(1);
    }
    // The behaviour-cloning runs report how many ground-truth values the policy could write.
    const sft = result.results.filter((r) => r.method === "sft");
    expect(sft).toHaveLength(2);
    for (const r of sft) expect(r.coverage!.covered).toBeLessThanOrEqual(r.coverage!.values);
    expect(result.claims.map((c) => c.claim).sort()).toEqual(["learns", "ood-vs-sft"]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("ood-vs-sft");

    // A third start finds everything done and runs nothing.
    const third = spawnCli(quick(out));
    expect((await third.exited).code).toBe(0);
    expect(third.output()).toContain("6 runs (6 already done)");
  }, 600_000);

  it("runs a grid over a dataset and domain pack of one's own, its paths relative to the grid file", async () => {
    const dir = join(tmp, "own");
    mkdirSync(dir);
    const grid = {
      name: "library",
      train: { preset: "smoke" },
      data: { dataset: join(repoRoot, "domains/example-library/data"), domains: ["@envtune/domain-example-library"] },
      sets: { id: { split: { kind: "shared-id", seed: 42, train: 3, val: 1, test: 2 } }, ood: null },
      seeds: [1, 2],
      methods: [
        { kind: "train", name: "et" },
        { kind: "train", name: "sft", learner: { name: "sft" }, ablation: { singleStage: true } },
        { kind: "baseline", name: "random-valid-call", policy: "random-valid-call" },
      ],
      claims: [{ id: "beats-random", statement: "et beats random", a: "et", b: "random-valid-call", set: "id" }],
    };
    writeFileSync(join(dir, "grid.json"), JSON.stringify({ ...grid, data: { ...grid.data, dataset: relative(dir, grid.data.dataset) } }));
    const out = join(dir, "out");
    const run = spawnCli(["experiment", "--grid", join(dir, "grid.json"), "--out", out]);
    const exit = await run.exited;
    expect(exit.code, run.output()).toBe(0);
    const result = experimentResultSchema.parse(JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")));
    expect(result.results).toHaveLength(6);
    // Every method is scored on the same test entries of the library's own split (paired comparisons need that).
    expect(new Set(result.results.map((r) => r.fold))).toEqual(new Set(["shared-id-seed42"]));
    expect(new Set(result.results.map((r) => r.entries)).size).toBe(1);
    expect(result.results[0]!.entries).toBeGreaterThan(0);
    expect(result.claims).toHaveLength(1);
  }, 300_000);

  it("refuses a grid that names an unknown method, and an --out folder holding other files", async () => {
    const grid = join(tmp, "bad-grid.json");
    writeFileSync(
      grid,
      JSON.stringify({
        methods: [{ kind: "baseline", name: "always-answer", policy: "always-answer" }],
        claims: [{ id: "x", statement: "x", a: "et", b: "always-answer", set: "id" }],
      }),
    );
    const bad = spawnCli(["experiment", "--grid", grid, "--out", join(tmp, "bad")]);
    expect((await bad.exited).code).toBe(3);
    expect(bad.output()).toContain("claim `x` names unknown method `et`");

    // JSON that is not an object is a grid error, not a crash.
    writeFileSync(grid, "null");
    const nul = spawnCli(["experiment", "--grid", grid, "--out", join(tmp, "bad")]);
    expect((await nul.exited).code).toBe(3);
    expect(nul.output()).toContain("The experiment grid is invalid");

    const foreign = join(tmp, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "mine");
    const refused = spawnCli(["experiment", "--quick", "--out", foreign]);
    expect((await refused.exited).code).toBe(3);
    expect(refused.output()).toContain("holds files an experiment did not write (notes.txt)");
    expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(foreign, "grid.json"))).toBe(false);
  });
});
