import { readFileSync } from "node:fs";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks, type DomainPack } from "@envtune/core";
import { parseVerdictFixtures, type VerdictFixture } from "@envtune/checker";
import { sharedDataset, traceFile } from "@envtune/testing";

export const dataset = sharedDataset();

let packsCache: Map<string, DomainPack> | undefined;
/** All eight BFCL domain packs (a missing or broken pack fails the test that needs it, loudly). */
export async function allPacks(): Promise<Map<string, DomainPack>> {
  if (!packsCache) {
    const { packs, missing } = await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES));
    if (missing.length) throw new Error(`domain packs missing: ${missing.map((m) => `${m.specifier} (${m.reason})`).join("; ")}`);
    packsCache = packs;
  }
  return packsCache;
}

let fixturesCache: VerdictFixture[] | undefined;
export function devFixtures(): VerdictFixture[] {
  const file = traceFile("verdicts_dev.jsonl");
  fixturesCache ??= parseVerdictFixtures(readFileSync(file, "utf8"), file);
  return fixturesCache;
}
