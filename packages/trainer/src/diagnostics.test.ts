import { beforeAll, describe, expect, it } from "vitest";
import type { DomainPack } from "@envtune/core";
import { categoryOf } from "@envtune/bfcl-data";
import { TfjsPolicy, selectBackend } from "@envtune/policy-tfjs";
import { answerFeatureRows, auc, expressibility, firstCallBreakdown, logisticAuc } from "./diagnostics.ts";
import { bfclPacks, bfclWorld, ds } from "./__fixtures__/bfcl.ts";

let packs: Map<string, DomainPack>;

beforeAll(async () => {
  await selectBackend({});
  packs = await bfclPacks();
});

const world = () => bfclWorld(packs);
const nonEmpty = (id: string) => ds.byId.get(id)!.groundTruth.filter((g) => g.length > 0).length;

describe("policy diagnostics", () => {
  it("AUC: Mann–Whitney with ties; a logistic read-out separates separable labels", () => {
    expect(auc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(auc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    const rows = [0, 1, 2, 3, 4, 5].map((x) => ({ label: x >= 3, features: [x, 1] }));
    expect(logisticAuc(rows)).toBe(1);
    expect(logisticAuc(rows.map((r, i) => ({ ...r, features: [i % 2, 1] })))).toBeLessThan(1);
  });

  it("expressibility counts every turn with calls and names the parameters whose values the policy cannot produce", () => {
    const ids = ["multi_turn_base_0", "multi_turn_base_1", "multi_turn_miss_param_5"];
    const r = expressibility(
      ids.map((id) => ds.byId.get(id)!),
      world(),
    );
    expect(r.perCategory.base!.gtTurns).toBe(nonEmpty("multi_turn_base_0") + nonEmpty("multi_turn_base_1"));
    expect(r.perCategory.miss_param!.gtTurns).toBe(nonEmpty("multi_turn_miss_param_5"));
    for (const c of Object.values(r.perCategory)) {
      expect(c.expressible).toBeLessThanOrEqual(c.gtTurns);
      expect(c.share).toBeCloseTo(c.expressible / c.gtTurns, 10);
    }
    for (const k of Object.keys(r.missing)) expect(k).toMatch(/^\w+\.\w+$/);
    // base_0 turn 0 asks to "go into document folder": cd(folder='document') copies a user word.
    const first = expressibility([ds.byId.get("multi_turn_base_0")!], world());
    expect(first.perCategory.base!.expressible).toBeGreaterThan(0);
  });

  it("a policy's first calls are classified once per turn with calls; answer-feature rows cover every turn", async () => {
    const policy = TfjsPolicy.create({}, 3);
    const entries = ["multi_turn_base_0", "multi_turn_miss_func_0"].map((id) => ds.byId.get(id)!);
    const b = firstCallBreakdown(policy, entries, world());
    const gtTurns = entries.reduce((n, e) => n + e.groundTruth.filter((g) => g.length > 0).length, 0);
    expect(b.turns).toBe(gtTurns);
    expect(
      b.right + b["right-tool-wrong-args"] + b["other-tool-of-turn"] + b["wrong-tool"] + b.answered + b.unparsable,
    ).toBeLessThanOrEqual(gtTurns);
    expect(b.passed).toBeLessThanOrEqual(b.turns);
    const rows = answerFeatureRows(entries, world());
    expect(rows.length).toBe(entries.reduce((n, e) => n + e.groundTruth.length, 0));
    expect(rows.filter((r) => r.emptyGt).length).toBe(entries.reduce((n, e) => n + e.groundTruth.filter((g) => g.length === 0).length, 0));
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(["base", "miss_func"]));
    expect(categoryOf("multi_turn_long_context_12")).toBe("long_context");
    policy.dispose();
  });
});
