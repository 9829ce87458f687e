/**
 * Memory of live episodes: heap bytes retained per episode (a checker's model + ground-truth world
 * pair) right after reset and after every ground-truth turn has been played in both worlds, per
 * category; and the heap held by 10,000 concurrent non-long-context episodes. Long-context
 * episodes must not copy the long-context constants: their per-episode bytes are reported next to
 * the constants' own size.
 */
import { TurnChecker } from "@envtune/checker";
import { loadLongContext, type BfclEntry } from "@envtune/bfcl-data";
import { settledHeap, stats, type BenchResult } from "../harness.ts";
import { SPLITS, subset } from "../fixtures.ts";
import type { BenchContext, Benchmark } from "../types.ts";

function newEpisode(ctx: BenchContext, entry: BfclEntry): TurnChecker {
  const { packs, dataset } = ctx.fixtures;
  return new TurnChecker(entry, { packs, constants: dataset.longContext });
}

function playAll(c: TurnChecker): void {
  const gt = c.entry.groundTruth;
  for (let t = 0; t < gt.length; t++) {
    if (gt[t]!.length) c.runModelStep(gt[t]!);
    c.endTurn();
  }
}

/** Heap bytes retained per object made by `make`, over `n` objects held at once (median of `runs`). */
function bytesPer(n: number, runs: number, make: (i: number) => unknown): { median: number; min: number; max: number; runs: number } {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const held: unknown[] = new Array(n);
    const before = settledHeap();
    for (let i = 0; i < n; i++) held[i] = make(i);
    const after = settledHeap();
    samples.push((after - before) / n);
    held.length = 0;
  }
  return stats(samples);
}

export const memoryBench: Benchmark = {
  name: "memory",
  description:
    "Heap bytes per live episode per category (after reset, after all GT turns) and 10,000 concurrent non-long-context episodes.",
  run(ctx) {
    const entries = subset(ctx.fixtures.gt, ctx.quick ? 3 : undefined).map((r) => r.entry);
    // Every entry once first, so lazily built shared caches are not billed to the measured episodes.
    for (const e of entries) playAll(newEpisode(ctx, e));
    const runs = ctx.runs ?? (ctx.quick ? 1 : 3);
    const out: BenchResult[] = [];
    for (const split of SPLITS) {
      const es = entries.filter((e) => e.category === split);
      if (!es.length) continue;
      const n = ctx.quick ? es.length : es.length * 5;
      const fresh = bytesPer(n, runs, (i) => newEpisode(ctx, es[i % es.length]!));
      out.push({ name: `memory.reset.${split}`, unit: "bytes/episode", ...fresh, work: `${n} episodes held (model + GT world each)` });
      const played = bytesPer(n, runs, (i) => {
        const c = newEpisode(ctx, es[i % es.length]!);
        playAll(c);
        return c;
      });
      out.push({ name: `memory.played.${split}`, unit: "bytes/episode", ...played, work: `${n} episodes held after every GT turn` });
    }
    if (entries.some((e) => e.longContext)) {
      // The constants' own footprint, for comparison with a long-context episode's bytes.
      const before = settledHeap();
      const copy = reloadConstants(ctx);
      const size = settledHeap() - before;
      out.push({
        name: "memory.long_context_constants",
        unit: "bytes",
        median: size,
        min: size,
        max: size,
        runs: 1,
        work: `long_context.json decoded (${copy.size} constants), once per process`,
      });
    }
    const nonLc = entries.filter((e) => !e.longContext);
    const count = ctx.quick ? 200 : 10_000;
    const held: TurnChecker[] = [];
    const before = settledHeap();
    for (let i = 0; i < count; i++) held.push(newEpisode(ctx, nonLc[i % nonLc.length]!));
    const total = settledHeap() - before;
    out.push({
      name: "memory.10k",
      unit: "MB",
      median: total / 1e6,
      min: total / 1e6,
      max: total / 1e6,
      runs: 1,
      work: `${count} concurrent non-long-context episodes (model + GT world each), after reset`,
      extra: { episodes: held.length, bytesPerEpisode: total / count },
    });
    return out;
  },
};

/** A second, private decode of long_context.json (the loader caches per directory, so bypass it). */
function reloadConstants(ctx: BenchContext): ReadonlyMap<string, unknown> {
  const dir = ctx.fixtures.dataDir;
  // loadLongContext caches the last directory; a trailing slash makes it load again.
  return loadLongContext(dir.endsWith("/") ? dir.slice(0, -1) : dir + "/");
}
