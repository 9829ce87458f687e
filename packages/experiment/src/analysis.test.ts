import { describe, expect, it } from "vitest";
import { EnvtuneError } from "@envtune/core";
import { ET_VAL_CURVES, fixtureGrid, fixtureResults, run } from "./__fixtures__/experiment.ts";
import {
  averageCurves,
  categoriesOf,
  categoryTable,
  claimVerdict,
  evaluateClaims,
  foldTable,
  meanCurves,
  methodTable,
  pairedDifference,
  referenceDifferences,
  setScoresBySeed,
  studentTQuantile,
} from "./analysis.ts";
import { claimResultSchema } from "./results.ts";

const results = fixtureResults();
const grid = fixtureGrid();

describe("studentTQuantile", () => {
  it("matches the t table's 97.5% points", () => {
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [11, 2.201],
      [14, 2.145],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
    expect(studentTQuantile(0.025, 11)).toBeCloseTo(-2.201, 3);
  });
  it("rejects a probability outside (0, 1) with a stable code", () => {
    expect(() => studentTQuantile(1, 3)).toThrow(EnvtuneError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/INVALID_ARGUMENT|df/);
  });
});

describe("set scores", () => {
  it("pool a seed's folds as one set of entries (micro-average), not the mean of fold rates", () => {
    const [s1] = setScoresBySeed(results, "et", "ood");
    // Seed 1: fold A passes 41/100 turns, fold B 31/50 → 72/150 (the mean of rates would be 0.515).
    expect(s1!.turn_success).toBeCloseTo(72 / 150, 12);
    // Entries fully passed: 5 of 20 and 5 of 10 → 10/30 (the mean of rates would be 0.375).
    expect(s1!.entry_accuracy).toBeCloseTo(10 / 30, 12);
    // All-turn success weighted by entries: (0.6·20 + 0.9·10) / 30.
    expect(s1!.all_turn_success).toBeCloseTo(21 / 30, 12);
    expect(s1!.runs).toBe(2);
  });
  it("pool only the named categories' entries when given", () => {
    const seeds = setScoresBySeed(results, "et", "id", ["miss_func", "miss_param"]);
    // Seed 2: miss_func 302/1000 and miss_param 25/50 → 327/1050.
    expect(seeds.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(seeds[1]!.turn_success).toBeCloseTo(327 / 1050, 12);
    expect(seeds[1]!.entry_accuracy).toBeCloseTo(3 / 30, 12);
  });
});

describe("methodTable", () => {
  it("gives mean ± sample std over seeds in grid order, and null for a set without results", () => {
    const rows = methodTable(grid, results);
    expect(rows.map((r) => r.method)).toEqual(["et", "single-stage", "sft", "random-valid-call"]);
    const et = rows[0]!.sets.ood.turn_success!;
    // Seeds pool to 72/150, 74/150, 76/150: mean 74/150, sd 2/150.
    expect(et.mean).toBeCloseTo(74 / 150, 12);
    expect(et.sd).toBeCloseTo(2 / 150, 12);
    expect(et.n).toBe(3);
    const sft = rows[2]!;
    expect(sft.sets.ood).toEqual({ turn_success: null, entry_accuracy: null });
    expect(sft.sets.id.turn_success).toEqual({ mean: 0.45, sd: 0, n: 1 });
  });
});

describe("pairedDifference", () => {
  it("pairs by (fold, seed) and gives the t interval of the run-level differences", () => {
    const d = pairedDifference(results, "et", "random-valid-call", "ood", "turn_success");
    // Fold A: (40 + s − 10)/100 = .31 .32 .33; fold B: (30 + s − 5)/50 = .52 .54 .56.
    expect(d.pairs.map((p) => [p.fold, p.seed])).toEqual([
      ["ood:A", 1],
      ["ood:A", 2],
      ["ood:A", 3],
      ["ood:B", 1],
      ["ood:B", 2],
      ["ood:B", 3],
    ]);
    expect(d.pairs.map((p) => p.diff)).toEqual([0.31, 0.32, 0.33, 0.52, 0.54, 0.56].map((x) => expect.closeTo(x, 12)));
    expect(d.n).toBe(6);
    expect(d.mean).toBeCloseTo(0.43, 12);
    // Squared deviations sum to .0736; sd = √(.0736/5); half-width = t(.975, 5) · sd/√6 with t = 2.5706.
    const sd = Math.sqrt(0.0736 / 5);
    expect(d.sd).toBeCloseTo(sd, 12);
    const half = (2.570582 * sd) / Math.sqrt(6);
    expect(d.ci95![0]).toBeCloseTo(0.43 - half, 5);
    expect(d.ci95![1]).toBeCloseTo(0.43 + half, 5);
  });
  it("pools the named categories per run before differencing", () => {
    const d = pairedDifference(results, "et", "single-stage", "id", "turn_success", ["miss_func", "miss_param"]);
    // Per seed: (321 − 320)/1050, (327 − 320)/1050, (333 − 320)/1050.
    expect(d.pairs.map((p) => p.diff)).toEqual([1, 7, 13].map((x) => expect.closeTo(x / 1050, 12)));
    expect(d.mean).toBeCloseTo(7 / 1050, 12);
  });
  it("has no interval below two pairs, and no mean without pairs", () => {
    const one = pairedDifference(results, "et", "sft", "id", "turn_success");
    expect(one).toMatchObject({ n: 1, sd: null, ci95: null });
    // et's seed-1 run passes 50 + 301 + 20 of 1150 turns over its categories; sft's 45 of 100.
    expect(one.mean).toBeCloseTo(371 / 1150 - 0.45, 12);
    expect(pairedDifference(results, "et", "sft", "ood", "turn_success")).toEqual({ n: 0, mean: null, sd: null, ci95: null, pairs: [] });
  });
  it("refuses two results for one cell instead of silently picking or double-counting one", () => {
    const dup = [...results, { ...results[0]!, id: "et/paper/seed1-again" }];
    expect(() => methodTable(grid, dup)).toThrow(/et\/paper\/seed1-again/);
    expect(() => pairedDifference(dup, "et", "single-stage", "id", "turn_success")).toThrow(/DUPLICATE_RUN_RESULT|Two results/);
    try {
      pairedDifference(dup, "et", "single-stage", "id", "turn_success");
    } catch (e) {
      expect((e as EnvtuneError).code).toBe("DUPLICATE_RUN_RESULT");
    }
  });
});

describe("evaluateClaims", () => {
  const claims = evaluateClaims(grid, results);
  const byId = Object.fromEntries(claims.map((c) => [c.claim, c]));

  it("gives schema-valid results, one per claim in grid order", () => {
    expect(claims.map((c) => c.claim)).toEqual(["learns", "reversal", "noisy", "tiny", "one-pair"]);
    for (const c of claims) claimResultSchema.parse(c);
  });
  it("supported: the interval's lower bound is above 0", () => {
    expect(byId.learns).toMatchObject({ verdict: "supported", n: 6 });
    expect(byId.learns!.ci95![0]).toBeGreaterThan(0);
  });
  it("not supported: a significant reversal", () => {
    expect(byId.reversal!.verdict).toBe("not_supported");
    expect(byId.reversal!.mean_diff).toBeCloseTo(-0.43, 12);
    expect(byId.reversal!.rule).toMatch(/upper bound is below the minimum effect/);
  });
  it("not supported: a positive but negligible effect whose interval lies below minEffect", () => {
    // Diffs .001 .002 .003: mean .002, sd .001, interval .002 ± 4.303·.001/√3 = [−.00048, .00448] < .01.
    const t = byId.tiny!;
    expect(t.verdict).toBe("not_supported");
    expect(t.ci95![0]).toBeCloseTo(0.002 - (4.302653 * 0.001) / Math.sqrt(3), 6);
    expect(t.ci95![1]).toBeCloseTo(0.002 + (4.302653 * 0.001) / Math.sqrt(3), 6);
    expect(t.rule).toContain("miss_func");
  });
  it("inconclusive: the interval contains 0 and reaches minEffect", () => {
    // Diffs .10 .15 .05: mean .10, sd .05, half-width 4.303·.05/√3 = .1242.
    const c = byId.noisy!;
    expect(c.verdict).toBe("inconclusive");
    expect(c.mean_diff).toBeCloseTo(0.1, 12);
    expect(c.ci95![0]).toBeCloseTo(0.1 - (4.302653 * 0.05) / Math.sqrt(3), 6);
    expect(c.ci95![1]).toBeCloseTo(0.1 + (4.302653 * 0.05) / Math.sqrt(3), 6);
  });
  it("inconclusive below two pairs, and says why", () => {
    expect(byId["one-pair"]).toMatchObject({ verdict: "inconclusive", n: 1, ci95: null });
    expect(byId["one-pair"]!.rule).toMatch(/fewer than the 2/);
  });
  it("claimVerdict's branches at their boundaries", () => {
    const d = (lo: number, hi: number) => ({ n: 3, mean: (lo + hi) / 2, sd: 0.01, ci95: [lo, hi] as [number, number], pairs: [] });
    expect(claimVerdict(d(0.001, 0.05), 0.01).verdict).toBe("supported");
    expect(claimVerdict(d(0, 0.05), 0.01).verdict).toBe("inconclusive");
    expect(claimVerdict(d(-0.05, 0.0099), 0.01).verdict).toBe("not_supported");
    expect(claimVerdict(d(-0.05, 0.01), 0.01).verdict).toBe("inconclusive");
  });
});

describe("per category, curves, folds, reference differences", () => {
  it("lists categories in the paper's order and averages each category's rates over runs", () => {
    expect(categoriesOf(results)).toEqual(["base", "miss_func", "miss_param"]);
    const rows = categoryTable(grid, results);
    const mf = rows.find((r) => r.method === "et" && r.set === "id" && r.category === "miss_func")!;
    expect(mf).toMatchObject({ runs: 3, entries: 60, non_empty_turns: 3000, non_empty_passed: 906 });
    expect(mf.turn_success!.mean).toBeCloseTo(0.302, 12);
    expect(mf.turn_success!.sd).toBeCloseTo(0.001, 12);
    expect(mf.all_turn_success).toEqual({ mean: expect.closeTo(0.4, 12), sd: expect.closeTo(0, 12), n: 3 });
    const mp = rows.find((r) => r.method === "single-stage" && r.set === "id" && r.category === "miss_param")!;
    expect(mp.turn_success!.mean).toBeCloseTo(0.4, 12);
    expect(rows.some((r) => r.method === "sft" && r.set === "ood")).toBe(false);
  });
  it("averages curves at equal updates, counting the runs present at each", () => {
    expect(averageCurves(Object.values(ET_VAL_CURVES))).toEqual([
      { update: 0, mean: expect.closeTo(0.2, 12), n: 3 },
      { update: 10, mean: expect.closeTo(0.3, 12), n: 3 },
      { update: 20, mean: expect.closeTo(0.4, 12), n: 2 },
    ]);
    const curves = meanCurves(grid, results);
    expect(curves.map((c) => `${c.method}/${c.set}`)).toEqual(["et/id"]);
    expect(curves[0]!.train).toEqual([
      { update: 1, mean: expect.closeTo(0.1, 12), n: 3 },
      { update: 2, mean: expect.closeTo(0.2, 12), n: 3 },
    ]);
  });
  it("tables method × fold with behaviour cloning's pooled coverage", () => {
    const extra = [
      run("sft", "ood", "ood:A", 1, { base: [20, 100, 20, 1, 0.3] }, { coverage: { values: 100, covered: 80 } }),
      run("sft", "ood", "ood:A", 2, { base: [30, 100, 20, 1, 0.3] }, { coverage: { values: 300, covered: 200 } }),
    ];
    const t = foldTable(grid, [...results, ...extra]);
    expect(t.folds).toEqual(["ood:A", "ood:B"]);
    const sft = t.rows.find((r) => r.method === "sft")!;
    expect(sft.cells["ood:A"]!.turn_success!.mean).toBeCloseTo(0.25, 12);
    expect(sft.cells["ood:A"]!.coverage).toBeCloseTo(280 / 400, 12);
    expect(sft.cells["ood:B"]).toEqual({ turn_success: null, coverage: null });
    expect(t.rows.find((r) => r.method === "et")!.cells["ood:B"]!.turn_success!.mean).toBeCloseTo(0.64, 12);
  });
  it("compares the first trained method with every other method on the sets it has", () => {
    const d = referenceDifferences(grid, results);
    expect(new Set(d.map((x) => x.reference))).toEqual(new Set(["et"]));
    expect(new Set(d.map((x) => x.method))).toEqual(new Set(["single-stage", "sft", "random-valid-call"]));
    expect(d).toHaveLength(3 * 2 * 2);
    const r = d.find((x) => x.method === "random-valid-call" && x.set === "ood" && x.metric === "turn_success")!;
    expect(r.diff.mean).toBeCloseTo(0.43, 12);
  });
});
