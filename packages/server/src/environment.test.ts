import { describe, expect, it } from "vitest";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks } from "@envtune/core";
import { sharedDataset } from "@envtune/testing";
import { BfclEnvironment, SPLIT_CACHE_SIZE, canonicalSplitKey } from "./environment.ts";

describe("split cache", () => {
  it("merges equivalent spellings and stays bounded whatever split strings clients send", async () => {
    const { packs } = await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES));
    const env = new BfclEnvironment({ dataset: sharedDataset(), packs });
    const cache = (env as unknown as { splits: Map<string, unknown> }).splits;
    expect(canonicalSplitKey(" ood:-TravelAPI,-TravelAPI ")).toBe("ood:-TravelAPI");
    expect(canonicalSplitKey("ood:-TwitterAPI,-MathAPI")).toBe(canonicalSplitKey("ood:-MathAPI, -TwitterAPI"));
    const a = env.listTasks({ split: "ood:-TravelAPI" });
    for (const s of ["ood:-TravelAPI,-TravelAPI", " ood:-TravelAPI", "ood:-TravelAPI ", "ood: -TravelAPI"]) {
      expect(env.listTasks({ split: s }).total).toBe(a.total);
    }
    expect(cache.size).toBe(2); // the default split and ood:-TravelAPI
    const classes = Object.keys(BFCL_DOMAIN_PACKAGES);
    // Every pair of classes, in both orders: 56 spellings of 28 splits.
    for (const x of classes) for (const y of classes) if (x !== y) env.listTasks({ split: `ood:-${x},-${y}` });
    expect(cache.size).toBeLessThanOrEqual(SPLIT_CACHE_SIZE);
    // The default split is never evicted.
    expect(cache.has(canonicalSplitKey(env.split))).toBe(true);
  });
});
