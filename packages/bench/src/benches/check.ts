/**
 * Full checking of every entry with the ground truth as the model's output (the reference's
 * `multi_turn_checker` GT-vs-GT): both worlds built from `initial_config`, every call executed in
 * each, state and response checks at every turn. The reference takes 0.81 ms per episode
 * (measured as `REFERENCE_MEASURED` says).
 */
import { checkEntry } from "@envtune/checker";
import { resultFrom, timeRuns, type BenchResult } from "../harness.ts";
import { SPLITS, subset, type GtRecord } from "../fixtures.ts";
import type { BenchContext, Benchmark } from "../types.ts";
import { REFERENCE_MEASURED } from "./replay.ts";

export const REFERENCE_MS_PER_EPISODE = 0.81;

function checkAll(ctx: BenchContext, records: readonly GtRecord[]): number {
  const { packs, dataset } = ctx.fixtures;
  let valid = 0;
  for (const r of records) {
    // One step per turn holding the turn's GT calls (an empty turn has no step).
    const output = r.entry.groundTruth.map((calls) => (calls.length ? [calls] : []));
    if (checkEntry(r.entry, output, { packs, constants: dataset.longContext }).valid) valid++;
  }
  return valid;
}

export const checkBench: Benchmark = {
  name: "check",
  description: "Checker GT-vs-GT on all entries: model + GT worlds, every call twice, state and response checks (ms per episode).",
  run(ctx) {
    const records = subset(ctx.fixtures.gt, ctx.quick ? 3 : undefined);
    const opts = { warmup: ctx.quick ? 0 : 3, runs: ctx.runs ?? (ctx.quick ? 1 : 15) };
    let valid = 0;
    const samples = timeRuns(opts, () => {
      valid = checkAll(ctx, records);
    });
    const out: BenchResult[] = [
      resultFrom("check.gt", "ms/episode", samples, records.length, 1, {
        work: `${records.length} episodes (${valid} valid), ${records.reduce((n, r) => n + r.calls, 0)} GT calls × 2`,
        reference: { value: REFERENCE_MS_PER_EPISODE, source: `multi_turn_checker GT-vs-GT; ${REFERENCE_MEASURED}` },
        extra: { valid },
      }),
    ];
    for (const split of SPLITS) {
      const rs = records.filter((r) => r.split === split);
      if (!rs.length) continue;
      const s = timeRuns({ warmup: ctx.quick ? 0 : 1, runs: opts.runs }, () => void checkAll(ctx, rs));
      out.push(resultFrom(`check.gt.${split}`, "ms/episode", s, rs.length, 1, { work: `${rs.length} episodes` }));
    }
    return out;
  },
};
