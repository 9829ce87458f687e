import { describe, expect, it } from "vitest";
import { BFCL_DOMAIN_PACKAGES } from "@envtune/core";
import { BFCL_OOD_FOLDS, PAPER_GRID, paperGrid, quickGrid } from "./paper-grid.ts";
import { parseGrid } from "./grid.ts";
import { foldsOf, mergeConfig, planRuns } from "./plan.ts";

const BFCL_CLASSES = Object.keys(BFCL_DOMAIN_PACKAGES).sort();

describe("the paper grid", () => {
  it("holds every BFCL domain out exactly once across its folds", () => {
    const held = BFCL_OOD_FOLDS.flat();
    expect([...held].sort()).toEqual(BFCL_CLASSES);
    expect(new Set(held).size).toBe(held.length);
  });

  it("plans one run per method, set, fold and seed, dependencies first", () => {
    const grid = paperGrid();
    const runs = planRuns(grid, "v1");
    expect(runs).toHaveLength(grid.methods.length * (1 + BFCL_OOD_FOLDS.length) * grid.seeds.length);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    const index = new Map(runs.map((r, i) => [r.id, i]));
    for (const r of runs.filter((x) => x.dependsOn)) {
      expect(r.dependsOn).toBe(r.id.replace(/^sft-then-et\//, "sft/"));
      expect(index.get(r.dependsOn!)!).toBeLessThan(index.get(r.id)!);
    }
    const sft = runs.find((r) => r.id === "sft/paper/seed1")!;
    expect(sft.config.learner.name).toBe("sft");
    expect(sft.config.ablation.singleStage).toBe(true);
    const ood = runs.find((r) => r.id === "et/ood-MathAPI-TravelAPI/seed2")!;
    expect(ood).toMatchObject({ set: "ood", fold: "ood:-MathAPI,-TravelAPI", seed: 2 });
    expect(ood.config.data.split).toMatchObject({ kind: "ood", heldOut: ["MathAPI", "TravelAPI"] });
    // Baselines are evaluated once per fold and seed, not inside every trained run.
    expect(runs.every((r) => r.config.evaluation.baselines === false)).toBe(true);
  });

  it("keys change with anything that changes a run, and only then", () => {
    const a = planRuns(paperGrid(), "v1");
    const b = planRuns(paperGrid(), "v1");
    expect(b.map((r) => r.key)).toEqual(a.map((r) => r.key));
    expect(new Set(a.map((r) => r.key)).size).toBe(a.length);
    const newer = planRuns(paperGrid(), "v2");
    expect(newer.every((r, i) => r.key !== a[i]!.key)).toBe(true);
    const lr = planRuns(parseGrid({ ...PAPER_GRID, train: { preset: "experiment", grpo: { lr: 0.01 } } }), "v1");
    const et = (rs: typeof a) => rs.find((r) => r.id === "et/paper/seed1")!;
    expect(et(lr).key).not.toBe(et(a).key);
    expect(et(lr).config.grpo.lr).toBe(0.01);
    expect(et(lr).config.grpo.groupSize).toBe(et(a).config.grpo.groupSize);
    // A run started from another's weights changes when its starting point does.
    const sftLr = planRuns(
      parseGrid({
        ...PAPER_GRID,
        methods: PAPER_GRID.methods!.map((m) => (m.name === "sft" ? { ...m, learner: { name: "sft", options: { lr: 0.1 } } } : m)),
      }),
      "v1",
    );
    const then = (rs: typeof a) => rs.find((r) => r.id === "sft-then-et/paper/seed1")!;
    expect(then(sftLr).key).not.toBe(then(a).key);
    expect(et(sftLr).key).toBe(et(a).key);
  });

  it("the quick grid keeps one seed, one fold and three methods", () => {
    const q = quickGrid(paperGrid());
    expect(q.seeds).toEqual([1]);
    expect(foldsOf(q).map((f) => f.fold)).toEqual(["paper", "ood:-GorillaFileSystem,-TwitterAPI"]);
    expect(q.methods.map((m) => m.name)).toEqual(["et", "sft", "random-valid-call"]);
    expect(planRuns(q, "v1")).toHaveLength(6);
  });
});

describe("grid validation", () => {
  it("names duplicate methods, unknown claim methods and bad initFrom", () => {
    const base = { methods: [{ kind: "train", name: "et" }] };
    expect(() => parseGrid({ ...base, methods: [...base.methods, ...base.methods] })).toThrow(/declared twice/);
    expect(() => parseGrid({ ...base, claims: [{ id: "c", statement: "s", a: "et", b: "sft", set: "id" }] })).toThrow(
      /unknown method `sft`/,
    );
    expect(() => parseGrid({ methods: [{ kind: "train", name: "x", initFrom: "nope" }] })).toThrow(/initFrom/);
    expect(() => parseGrid({ ...base, seeds: [] })).toThrow(/seeds/);
  });

  it("merges config layers key by key and replaces arrays", () => {
    expect(mergeConfig({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });
});
