import { describe, expect, it } from "vitest";
import { ANSWER_FEATURE_TABLE, CAND_FEATURE_TABLE, CAND_KINDS, FILL_FEATURE_TABLE, PARAM_TYPES, TOOL_FEATURE_TABLE } from "../featurize.ts";
import { featureTable, featuresOf } from "./feature-table.ts";

interface Row {
  n: number;
  label: string;
}
const F = featuresOf<Row>();

describe("feature tables", () => {
  it("derive widths, offsets and column names from the rows", () => {
    const t = featureTable([
      F.scalar("n", (r) => r.n),
      F.oneHot("label", ["a", "b", "c"], (r) => ["a", "b", "c"].indexOf(r.label)),
      F.countOneHot("count", 2, (r) => r.n),
      F.flag("big", (r) => r.n > 2),
    ]);
    expect(t.width).toBe(8);
    expect([t.offset("n"), t.offset("label"), t.offset("count"), t.offset("big")]).toEqual([0, 1, 4, 7]);
    expect(t.columns).toEqual(["n", "label=a", "label=b", "label=c", "count=0", "count=1", "count=2+", "big"]);
    const out = new Float32Array(1 + t.width);
    t.write({ n: 5, label: "b" }, out, 1);
    expect(Array.from(out)).toEqual([0, 5, 0, 1, 0, 0, 0, 1, 1]);
  });

  it("reject a name used twice and a one-hot index past its columns, with codes and hints", () => {
    expect(() => featureTable([F.scalar("n", (r) => r.n), F.flag("n", () => true)])).toThrow(
      expect.objectContaining({ code: "DUPLICATE_FEATURE", hint: expect.stringContaining("own name") }),
    );
    const t = featureTable([F.oneHot("label", ["a"], (r) => r.n)]);
    expect(() => t.write({ n: 1, label: "" }, new Float32Array(1), 0)).toThrow(
      expect.objectContaining({ code: "FEATURE_INDEX_OUT_OF_RANGE" }),
    );
    t.write({ n: -1, label: "" }, new Float32Array(1), 0); // -1: no column
  });

  it("name every column of the policy's blocks once", () => {
    expect(CAND_FEATURE_TABLE.columns.slice(0, CAND_KINDS.length)).toEqual(CAND_KINDS.map((k) => `kind=${k}`));
    const type = FILL_FEATURE_TABLE.offset("type");
    expect(FILL_FEATURE_TABLE.columns.slice(type, type + PARAM_TYPES.length)).toEqual(PARAM_TYPES.map((p) => `type=${p}`));
    for (const t of [ANSWER_FEATURE_TABLE, TOOL_FEATURE_TABLE, FILL_FEATURE_TABLE, CAND_FEATURE_TABLE])
      expect(new Set(t.columns).size).toBe(t.width);
  });
});
