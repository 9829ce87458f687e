/**
 * Runs the whole benchmark suite once in reduced size to prove every benchmark works and reports
 * well-formed results. Benchmarks are not tests: nothing here looks at a timing.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BENCHMARKS, formatTable, runSuite, selectBenchmarks } from "./suite.ts";

const out = mkdtempSync(join(tmpdir(), "envtune-bench-test-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("benchmark suite (reduced size)", () => {
  it("runs every benchmark and writes one JSON file per result", async () => {
    const report = await runSuite({ quick: true, outDir: out });
    const names = report.results.map((r) => r.name);
    for (const prefix of [
      "replay.exec",
      "replay.exec.base",
      "replay.gt",
      "replay.cli",
      "reset.world.",
      "reset.checker.",
      "check.gt",
      "memory.reset.",
      "memory.10k",
      "rollout.reset.",
      "rollout.memory.10k",
      "floor.replay",
      "floor.check",
    ]) {
      expect(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    for (const r of report.results) {
      expect(Number.isFinite(r.median), r.name).toBe(true);
      expect(r.runs, r.name).toBeGreaterThan(0);
      expect(r.min, r.name).toBeLessThanOrEqual(r.median);
      expect(r.max, r.name).toBeGreaterThanOrEqual(r.median);
    }
    expect(readdirSync(out).sort()).toEqual(names.map((n) => `${n}.json`).sort());
    const saved = JSON.parse(readFileSync(join(out, "replay.gt.json"), "utf8")) as Record<string, unknown>;
    for (const k of ["name", "unit", "median", "min", "max", "runs", "machine", "git", "reference", "speedup"])
      expect(saved, k).toHaveProperty(k);
    const table = formatTable(report);
    expect(table).toContain("replay.gt");
    expect(table).toContain("QUICK");
  }, 300_000);

  it("selects benchmarks by name or result name and rejects unknown names", () => {
    expect(selectBenchmarks(["replay.exec.base"]).map((b) => b.name)).toEqual(["replay"]);
    expect(selectBenchmarks(["memory", "check"]).map((b) => b.name)).toEqual(["check", "memory"]);
    expect(selectBenchmarks(undefined)).toHaveLength(BENCHMARKS.length);
    expect(() => selectBenchmarks(["nope"])).toThrow(/No benchmark is called nope/);
  });
});
