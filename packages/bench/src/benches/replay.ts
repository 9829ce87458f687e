/**
 * Replay of the ground-truth trajectories, in process: for every record a fresh world from
 * `initial_config`, every call string parsed and executed, every result string and every turn's
 * encoded state (`replay.exec.*`); `replay.gt` also serializes each record as `envtune replay`
 * writes it. The reference executes the same 4625 calls, without encoding any state, at 72 µs per
 * call (measured as `REFERENCE_MEASURED` says).
 */
import { formatReplayRecord, replayCalls, type ReplayResult } from "@envtune/core";
import { resultFrom, timeRuns, type BenchResult } from "../harness.ts";
import { SPLITS, subset, type GtRecord } from "../fixtures.ts";
import type { BenchContext, Benchmark } from "../types.ts";

/**
 * How every reference number in this suite was measured: BFCL's own Python code, run directly,
 * best of 3 wall-clock runs over all 800 entries.
 */
export const REFERENCE_MEASURED =
  "CPython 3.11.7 + mpmath 1.3.0 running ShishirPatil/gorilla bfcl_eval @ 6ea57973 on a 2-vCPU AMD EPYC, best of 3";
/** All 800 GT trajectories, fresh instances, one `execute_multi_turn_func_call` per turn (4625 calls). */
export const REFERENCE_US_PER_CALL = 72;
export const REFERENCE_US_PER_CALL_BY_SPLIT: Readonly<Record<string, number>> = {
  base: 61,
  miss_func: 63,
  miss_param: 70,
  long_context: 99,
};
const SOURCE = `execute_multi_turn_func_call, execution only (no state encoding); ${REFERENCE_MEASURED}`;

/** One record replayed from its entry's `initial_config` (results and per-turn states). */
export function replayRecord(ctx: BenchContext, r: GtRecord): ReplayResult {
  const { packs, dataset } = ctx.fixtures;
  return replayCalls(r, {
    packs,
    initialConfig: r.entry.initialConfig,
    involvedClasses: r.entry.involvedClasses,
    constants: dataset.longContext,
  });
}

/** Replays `records` once (results and per-turn states); returns the number of calls. */
export function replayExec(ctx: BenchContext, records: readonly GtRecord[]): number {
  let calls = 0;
  for (const r of records) for (const t of replayRecord(ctx, r).turns) calls += t.calls.length;
  return calls;
}

/** Replays `records` once and serializes every record; returns the calls and characters written. */
export function replayOnce(ctx: BenchContext, records: readonly GtRecord[]): { calls: number; chars: number } {
  let calls = 0;
  let chars = 0;
  for (const r of records) {
    const res = replayRecord(ctx, r);
    for (const t of res.turns) calls += t.calls.length;
    chars += formatReplayRecord(r, res).length;
  }
  return { calls, chars };
}

export const replayBench: Benchmark = {
  name: "replay",
  description:
    "Replay all GT trajectories: results and per-turn state encodings (replay.exec), plus record serialization (replay.gt); µs per call.",
  run(ctx) {
    const records = subset(ctx.fixtures.gt, ctx.quick ? 3 : undefined);
    const opts = { warmup: ctx.quick ? 0 : 3, runs: ctx.runs ?? (ctx.quick ? 1 : 15) };
    const out: BenchResult[] = [];
    let n = 0;
    const exec = timeRuns(opts, () => {
      n = replayExec(ctx, records);
    });
    out.push(
      resultFrom("replay.exec", "µs/call", exec, n, 1000, {
        work: `${records.length} episodes, ${n} calls: parse, execute, result strings, every turn's state encoded`,
        reference: { value: REFERENCE_US_PER_CALL, source: SOURCE },
        extra: { episodes: records.length, calls: n, msPerRun: exec },
      }),
    );
    for (const split of SPLITS) {
      const rs = records.filter((r) => r.split === split);
      if (!rs.length) continue;
      let k = 0;
      const samples = timeRuns({ warmup: ctx.quick ? 0 : 1, runs: opts.runs }, () => {
        k = replayExec(ctx, rs);
      });
      out.push(
        resultFrom(`replay.exec.${split}`, "µs/call", samples, k, 1000, {
          work: `${rs.length} episodes, ${k} calls`,
          reference: { value: REFERENCE_US_PER_CALL_BY_SPLIT[split]!, source: SOURCE },
        }),
      );
    }
    let last = { calls: 0, chars: 0 };
    const full = timeRuns(opts, () => {
      last = replayOnce(ctx, records);
    });
    out.push(
      resultFrom("replay.gt", "µs/call", full, last.calls, 1000, {
        work: `as replay.exec, plus every record serialized (${(last.chars / 1e6).toFixed(1)} M chars per run)`,
        reference: { value: REFERENCE_US_PER_CALL, source: SOURCE },
        extra: { episodes: records.length, calls: last.calls, chars: last.chars, msPerRun: full },
      }),
    );
    return out;
  },
};
