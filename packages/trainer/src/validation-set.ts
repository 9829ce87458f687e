/**
 * The validation set: the split's validation part, optionally enlarged with whole training
 * scenarios that are then held out of training. The paper split has 25 validation scenarios
 * (100 entries): too few for a plateau decision or a learning curve (one passed turn moves
 * turn success by ~0.3 points, and greedy decisions flip in blocks). Every entry of the paper
 * split is in train, val or test, so the only test-disjoint source of more validation data is the
 * training part.
 */
import { PyRandom } from "@envtune/core";

/** The scenario of an entry: its entry number (`multi_turn_miss_func_17` → `17`); the shared-id splits put all four category variants of a number in the same part. */
export function scenarioKey(id: string): string {
  const i = id.lastIndexOf("_");
  return i >= 0 ? id.slice(i + 1) : id;
}

/**
 * Picks at least `n` training entries, whole scenarios at a time (so validation and training share
 * no scenario), in a fixed seeded order that does not depend on the run's seed: every seed
 * validates on the same entries. Returns the picked ids in the given order.
 */
export function holdOutScenarios(trainIds: readonly string[], n: number, seed = 4242): string[] {
  if (n <= 0) return [];
  const byKey = new Map<string, string[]>();
  for (const id of trainIds) {
    const k = scenarioKey(id);
    let l = byKey.get(k);
    if (!l) byKey.set(k, (l = []));
    l.push(id);
  }
  const keys = [...byKey.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  // Fisher–Yates with CPython's random so the pick is stable across platforms and versions.
  const rng = new PyRandom(BigInt(seed));
  for (let i = keys.length - 1; i >= 1; i--) {
    const j = Number(rng.randbelow(BigInt(i + 1)));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const picked = new Set<string>();
  let count = 0;
  for (const k of keys) {
    if (count >= n) break;
    for (const id of byKey.get(k)!) picked.add(id);
    count += byKey.get(k)!.length;
  }
  return trainIds.filter((id) => picked.has(id));
}
