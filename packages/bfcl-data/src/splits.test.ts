import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { PyRandom, EnvtuneError } from "@envtune/core";
import { describe, expect, it } from "vitest";
import { loadBfclDataset } from "./load.ts";
import { BFCL_CATEGORIES } from "./manifest.ts";
import { getSplit, listSplits, pyShuffle, type SplitSource } from "./splits.ts";

// Entry-number suffixes computed with CPython 3.11.7's `random.seed(42)` and `random.shuffle`. Shared
// split S (one shuffle of 0..199 for every category), then the per-category split P: the authors'
// data script, which shuffles each category in turn on one stream (its base part equals S).
const S_TRAIN = [
  0, 2, 3, 5, 10, 12, 13, 14, 15, 16, 18, 19, 27, 30, 32, 33, 36, 37, 38, 42, 43, 44, 45, 46, 47, 51, 52, 54, 60, 61, 63, 64, 65, 66, 69,
  72, 73, 76, 78, 79, 80, 83, 84, 85, 95, 100, 101, 102, 103, 104, 105, 106, 109, 110, 111, 112, 113, 115, 118, 121, 122, 123, 125, 126,
  128, 130, 133, 135, 136, 140, 142, 144, 145, 146, 148, 153, 155, 156, 158, 159, 160, 161, 162, 165, 167, 170, 171, 172, 175, 176, 177,
  179, 184, 186, 187, 192, 193, 194, 195, 196,
];
const S_VAL = [4, 9, 21, 29, 34, 48, 77, 81, 82, 98, 99, 120, 124, 127, 131, 132, 134, 138, 149, 164, 169, 174, 178, 183, 198];
const P_MISS_FUNC_TRAIN = [
  2, 3, 4, 9, 10, 14, 20, 22, 23, 26, 28, 29, 31, 32, 34, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 47, 50, 53, 55, 59, 64, 65, 66, 67, 68,
  72, 73, 74, 75, 76, 77, 78, 80, 81, 82, 85, 87, 88, 89, 91, 92, 93, 94, 97, 98, 99, 100, 101, 106, 113, 116, 117, 120, 122, 123, 125, 126,
  127, 128, 129, 130, 133, 134, 139, 142, 143, 144, 145, 149, 152, 153, 156, 160, 163, 164, 165, 167, 168, 169, 177, 179, 181, 185, 187,
  188, 189, 190, 191, 192, 197,
];
const P_MISS_FUNC_VAL = [0, 6, 7, 11, 12, 21, 52, 61, 69, 70, 83, 96, 107, 109, 111, 135, 136, 148, 154, 158, 159, 173, 184, 194, 196];
const P_MISS_PARAM_TRAIN = [
  1, 5, 7, 8, 12, 15, 16, 18, 20, 21, 24, 25, 29, 30, 31, 34, 36, 43, 46, 47, 48, 50, 52, 54, 59, 61, 62, 66, 69, 72, 73, 75, 77, 79, 80,
  81, 83, 87, 88, 92, 95, 96, 99, 101, 103, 106, 111, 114, 115, 116, 118, 119, 121, 122, 124, 127, 128, 130, 131, 132, 133, 134, 135, 136,
  137, 140, 142, 146, 148, 153, 154, 155, 156, 157, 158, 159, 161, 167, 168, 169, 170, 171, 172, 174, 175, 177, 178, 179, 181, 186, 187,
  190, 191, 192, 193, 194, 195, 197, 198, 199,
];
const P_MISS_PARAM_VAL = [3, 4, 14, 22, 35, 42, 44, 55, 65, 74, 76, 82, 86, 100, 107, 112, 126, 138, 144, 145, 147, 164, 184, 188, 196];
const P_LONG_CONTEXT_TRAIN = [
  0, 2, 4, 8, 9, 11, 12, 13, 14, 18, 21, 22, 24, 25, 26, 28, 29, 30, 31, 32, 34, 36, 37, 44, 45, 46, 47, 49, 51, 53, 55, 57, 62, 64, 65, 67,
  71, 74, 77, 78, 80, 83, 87, 88, 89, 91, 92, 93, 94, 95, 96, 100, 101, 102, 108, 120, 123, 125, 126, 127, 128, 130, 131, 132, 134, 136,
  142, 144, 147, 150, 151, 161, 164, 165, 167, 168, 171, 172, 173, 174, 175, 176, 178, 180, 181, 182, 183, 185, 186, 187, 188, 189, 190,
  191, 192, 195, 196, 197, 198, 199,
];
const P_LONG_CONTEXT_VAL = [3, 6, 10, 17, 23, 27, 33, 41, 43, 48, 50, 58, 68, 72, 75, 79, 82, 105, 110, 116, 145, 146, 155, 159, 162];

// A synthetic 4 × 200 dataset in BFCL order; scenario k involves the same classes in every category.
const CLASSES = ["GorillaFileSystem", "MathAPI", "TravelAPI", "VehicleControlAPI"];
const synthetic: SplitSource = {
  entries: BFCL_CATEGORIES.flatMap((category) =>
    Array.from({ length: 200 }, (_, k) => ({
      id: `multi_turn_${category}_${k}`,
      category,
      involvedClasses: k % 5 === 0 && k % 4 !== 2 ? [CLASSES[k % 4]!, "TravelAPI"] : [CLASSES[k % 4]!],
    })),
  ),
};

const numbers = (ids: readonly string[], category: string) =>
  ids
    .filter((id) => id.startsWith(`multi_turn_${category}_`))
    .map((id) => Number(id.slice(id.lastIndexOf("_") + 1)))
    .sort((a, b) => a - b);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

function expectEnvtuneError(fn: () => unknown, code: string, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvtuneError);
    expect((e as EnvtuneError).code).toBe(code);
    expect((e as Error).message).toMatch(/^\[envtune\] \[splits\] /);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error("expected an EnvtuneError");
}

describe("pyShuffle", () => {
  it("is CPython's random.shuffle (values from CPython 3.11)", () => {
    expect(pyShuffle(new PyRandom(1n), range(0, 10))).toEqual([6, 8, 9, 7, 5, 3, 0, 4, 1, 2]);
    expect(pyShuffle(new PyRandom(42n), range(0, 200)).slice(0, 5)).toEqual([66, 187, 101, 193, 111]);
    expect(pyShuffle(new PyRandom(7n), range(0, 1000)).slice(0, 8)).toEqual([878, 857, 349, 313, 382, 850, 927, 194]);
  });
  it("leaves empty and one-element lists alone without drawing", () => {
    const rng = new PyRandom(3n);
    expect(pyShuffle(rng, [])).toEqual([]);
    expect(pyShuffle(rng, ["a"])).toEqual(["a"]);
    expect(rng.random()).toBe(new PyRandom(3n).random());
  });
});

describe("paper split (shared-ID, seed 42)", () => {
  const s = getSplit("paper", synthetic);
  it("matches the train and val ids of Appendix A in every category", () => {
    for (const c of BFCL_CATEGORIES) {
      expect(numbers(s.train, c)).toEqual(S_TRAIN);
      expect(numbers(s.val, c)).toEqual(S_VAL);
      const rest = range(0, 200).filter((k) => !S_TRAIN.includes(k) && !S_VAL.includes(k));
      expect(numbers(s.test, c)).toEqual(rest);
    }
    expect([s.train.length, s.val.length, s.test.length]).toEqual([400, 100, 300]);
  });
  it("returns ids in dataset order and is deterministic", () => {
    const order = new Map(synthetic.entries.map((e, i) => [e.id, i]));
    for (const part of [s.train, s.val, s.test]) {
      const idx = part.map((id) => order.get(id)!);
      expect(idx).toEqual(sorted(idx));
    }
    expect(getSplit("paper", synthetic)).toEqual(s);
  });
});

describe("paper-full-test", () => {
  const s = getSplit("paper-full-test", synthetic);
  it("tests on all 100 non-train entries per category, val ⊂ test", () => {
    for (const c of BFCL_CATEGORIES) {
      expect(numbers(s.train, c)).toEqual(S_TRAIN);
      expect(numbers(s.test, c)).toEqual(range(0, 200).filter((k) => !S_TRAIN.includes(k)));
      expect(numbers(s.val, c)).toEqual(S_VAL);
    }
    const test = new Set(s.test);
    expect(s.train.some((id) => test.has(id))).toBe(false);
    expect(s.val.every((id) => test.has(id))).toBe(true);
  });
});

describe("paper-per-category (data_process.py as written)", () => {
  const s = getSplit("paper-per-category", synthetic);
  it("matches Appendix A's per-category ids, base identical to the shared split", () => {
    expect(numbers(s.train, "base")).toEqual(S_TRAIN);
    expect(numbers(s.val, "base")).toEqual(S_VAL);
    expect(numbers(s.train, "miss_func")).toEqual(P_MISS_FUNC_TRAIN);
    expect(numbers(s.val, "miss_func")).toEqual(P_MISS_FUNC_VAL);
    expect(numbers(s.train, "miss_param")).toEqual(P_MISS_PARAM_TRAIN);
    expect(numbers(s.val, "miss_param")).toEqual(P_MISS_PARAM_VAL);
    expect(numbers(s.train, "long_context")).toEqual(P_LONG_CONTEXT_TRAIN);
    expect(numbers(s.val, "long_context")).toEqual(P_LONG_CONTEXT_VAL);
    for (const c of BFCL_CATEGORIES) expect(numbers(s.test, c)).toHaveLength(75);
  });
});

describe("out-of-distribution splits", () => {
  it("holds one domain out: test = every entry involving it, train/val = none do", () => {
    const s = getSplit("ood:-TravelAPI", synthetic);
    const byId = new Map(synthetic.entries.map((e) => [e.id, e]));
    const involves = (id: string) => byId.get(id)!.involvedClasses.includes("TravelAPI");
    expect(s.test.every(involves)).toBe(true);
    expect([...s.train, ...s.val].some(involves)).toBe(false);
    expect(s.train.length + s.val.length + s.test.length).toBe(800);
    expect(new Set([...s.train, ...s.val, ...s.test]).size).toBe(800);
    expect(s.test).toEqual(synthetic.entries.filter((e) => e.involvedClasses.includes("TravelAPI")).map((e) => e.id));
    // 10% of the training scenarios (all four variants of each) are validation.
    const trainScenarios = new Set(s.train.map((id) => id.slice(id.lastIndexOf("_"))));
    const valScenarios = new Set(s.val.map((id) => id.slice(id.lastIndexOf("_"))));
    expect(valScenarios.size).toBe(Math.round(0.1 * (trainScenarios.size + valScenarios.size)));
    expect([...valScenarios].some((k) => trainScenarios.has(k))).toBe(false);
    expect(s.spec).toMatchObject({ kind: "ood", heldOut: ["TravelAPI"], seed: 42, valFraction: 0.1 });
  });
  it("holds a named set of domains out and is deterministic", () => {
    const s = getSplit("ood:-TravelAPI,-VehicleControlAPI", synthetic);
    const byId = new Map(synthetic.entries.map((e) => [e.id, e]));
    const involves = (id: string) => byId.get(id)!.involvedClasses.some((c) => c === "TravelAPI" || c === "VehicleControlAPI");
    expect(s.test.every(involves)).toBe(true);
    expect(s.train.some(involves)).toBe(false);
    expect(s.name).toBe("ood:-TravelAPI,-VehicleControlAPI");
    expect(getSplit("ood:-TravelAPI,-VehicleControlAPI", synthetic)).toEqual(s);
    expect(getSplit({ kind: "ood", heldOut: ["TravelAPI", "VehicleControlAPI"] }, synthetic).train).toEqual(s.train);
  });
  it("changes val, not test, with the seed", () => {
    const a = getSplit({ kind: "ood", heldOut: ["MathAPI"], seed: 1 }, synthetic);
    const b = getSplit({ kind: "ood", heldOut: ["MathAPI"], seed: 2 }, synthetic);
    expect(a.test).toEqual(b.test);
    expect(a.val).not.toEqual(b.val);
  });
  it("holds whole scenarios out even when one variant's classes differ", () => {
    const src: SplitSource = {
      entries: [
        { id: "multi_turn_base_0", category: "base", involvedClasses: ["MathAPI"] },
        { id: "multi_turn_miss_func_0", category: "miss_func", involvedClasses: ["MathAPI", "TravelAPI"] },
        { id: "multi_turn_base_1", category: "base", involvedClasses: ["MathAPI"] },
      ],
    };
    const s = getSplit({ kind: "ood", heldOut: ["TravelAPI"], valFraction: 0 }, src);
    expect(s.test).toEqual(["multi_turn_base_0", "multi_turn_miss_func_0"]);
    expect(s.train).toEqual(["multi_turn_base_1"]);
  });
  it("refuses unknown domains, malformed names and empty training sets clearly", () => {
    expectEnvtuneError(
      () => getSplit("ood:-Travel", synthetic),
      "UNKNOWN_DOMAIN",
      /Unknown domain `Travel`.*Use one of the dataset's classes: GorillaFileSystem, MathAPI, TravelAPI, VehicleControlAPI/,
    );
    expectEnvtuneError(() => getSplit("ood:-travelapi", synthetic), "UNKNOWN_DOMAIN", /Did you mean `TravelAPI`\?/);
    expectEnvtuneError(() => getSplit("ood:TravelAPI", synthetic), "BAD_SPLIT_NAME", /ood:-TravelAPI,-VehicleControlAPI/);
    expectEnvtuneError(() => getSplit("ood:", synthetic), "BAD_SPLIT_NAME", /malformed/);
    expectEnvtuneError(() => getSplit("ood:-" + CLASSES.join(",-"), synthetic), "EMPTY_TRAIN", /leaves no training entries/);
    expectEnvtuneError(
      () => getSplit("papers", synthetic),
      "UNKNOWN_SPLIT",
      /Use one of: paper, paper-full-test, paper-per-category, or ood:/,
    );
  });
});

describe("split specs", () => {
  it("are validated with clear errors", () => {
    expectEnvtuneError(() => getSplit({ kind: "shared-id", train: -1 } as never, synthetic), "BAD_SPLIT_SPEC", /not a valid split spec/);
    expectEnvtuneError(() => getSplit({ kind: "ood", heldOut: [] } as never, synthetic), "BAD_SPLIT_SPEC", /heldOut/);
    expectEnvtuneError(() => getSplit({ kind: "random" } as never, synthetic), "BAD_SPLIT_SPEC", /kind/);
    expectEnvtuneError(() => getSplit({ kind: "shared-id", train: 150, val: 40 }, synthetic), "SPLIT_TOO_LARGE", /200 entries/);
  });
  it("custom shared-id specs with test: null take the rest", () => {
    const s = getSplit({ kind: "shared-id", seed: 42, train: 100, val: 25, test: null }, synthetic);
    expect(s.test).toEqual(getSplit("paper", synthetic).test);
  });
  it("listSplits names the paper splits and one leave-one-out split per class", () => {
    const names = listSplits(synthetic).map((s) => s.name);
    expect(names).toEqual(["paper", "paper-full-test", "paper-per-category", ...CLASSES.map((c) => `ood:-${c}`)]);
    expect(listSplits().map((s) => s.name)).toContain("ood:-TwitterAPI");
    for (const info of listSplits(synthetic)) expect(getSplit(info.name, synthetic).spec).toEqual(info.spec);
  });
});

// The real dataset, when the shared folder is there (CI has it beside the repository).
const shared = process.env.ENVTUNE_SHARED_DIR
  ? resolve(process.env.ENVTUNE_SHARED_DIR)
  : resolve(import.meta.dirname, "../../../../shared");
const dataDir = join(shared, "bfcl/data");
describe.runIf(existsSync(dataDir))("splits of the BFCL dataset", () => {
  const ds = loadBfclDataset(dataDir);
  it("paper split: 400 / 100 / 300 entries with the Appendix A ids", () => {
    const s = getSplit("paper", ds);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([400, 100, 300]);
    for (const c of BFCL_CATEGORIES) expect(numbers(s.train, c)).toEqual(S_TRAIN);
  });
  it("every leave-one-domain-out split partitions the 800 entries by involvement", () => {
    for (const info of listSplits(ds).filter((i) => i.name.startsWith("ood:"))) {
      const s = getSplit(info.name, ds);
      const cls = info.name.slice(5);
      expect(new Set([...s.train, ...s.val, ...s.test]).size).toBe(800);
      expect(s.test.length).toBe(ds.entries.filter((e) => e.involvedClasses.includes(cls)).length);
      expect([...s.train, ...s.val].every((id) => !ds.byId.get(id)!.involvedClasses.includes(cls))).toBe(true);
    }
  });
});
