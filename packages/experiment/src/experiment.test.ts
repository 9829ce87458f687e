import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gridWallSeconds } from "./experiment.ts";

describe("the grid's wall time", () => {
  it("is the union of the runs' start-to-finish intervals, gaps between invocations left out", () => {
    const root = mkdtempSync(join(tmpdir(), "envtune-wall-"));
    // [start, end] in seconds: two overlapping runs, then (after an idle gap) a third; one unfinished.
    const spans: Array<[number, number | null]> = [
      [0, 100],
      [50, 130],
      [1000, 1060],
      [1010, null],
    ];
    const dirs = spans.map(([s, e], i) => {
      const d = join(root, `r${i}`);
      mkdirSync(d);
      writeFileSync(join(d, "job.json"), "{}");
      utimesSync(join(d, "job.json"), s, s);
      if (e !== null) {
        writeFileSync(join(d, "result.json"), "{}");
        utimesSync(join(d, "result.json"), e, e);
      }
      return d;
    });
    expect(gridWallSeconds(dirs)).toBeCloseTo(130 + 60, 3);
    rmSync(root, { recursive: true, force: true });
  });
});
