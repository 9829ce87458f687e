/**
 * A practical lower bound, not an implementation: how fast V8's native `JSON.stringify` writes
 * the text that replay and checking must produce, from values already parsed into plain objects
 * (no execution, no Python formatting, no world to build). Whatever a JavaScript environment
 * does, it also has to produce these strings, so `reference / median` here is the largest speedup
 * over the BFCL reference that serialization alone leaves room for (issue 7 asks for 50×).
 *
 * Results that are not JSON (Python `repr` texts, 5 % of the bytes) are left out, and states that
 * did not change in a turn are counted once: both make the bound lower, never higher.
 */
import { resultFrom, timeRuns, type BenchResult } from "../harness.ts";
import { subset } from "../fixtures.ts";
import type { Benchmark } from "../types.ts";
import { REFERENCE_MEASURED, REFERENCE_US_PER_CALL, replayRecord } from "./replay.ts";
import { REFERENCE_MS_PER_EPISODE } from "./check.ts";

const SOURCE_REPLAY = `execute_multi_turn_func_call (${REFERENCE_MEASURED}); speedup = the most serialization alone allows`;
const SOURCE_CHECK = `multi_turn_checker GT-vs-GT (${REFERENCE_MEASURED}); speedup = the most serialization alone allows`;

function parsed(texts: Iterable<string>): { values: unknown[]; chars: number } {
  const values: unknown[] = [];
  let chars = 0;
  for (const t of texts) {
    try {
      values.push(JSON.parse(t));
      chars += t.length;
    } catch {
      // A Python repr text: left out (the bound only gets lower).
    }
  }
  return { values, chars };
}

function stringifyAll(values: readonly unknown[]): number {
  let n = 0;
  for (const v of values) n += JSON.stringify(v).length;
  return n;
}

export const floorBench: Benchmark = {
  name: "floor",
  description:
    "Lower bound: native JSON.stringify of the text replay and checking must write (µs per call, ms per episode), against the reference.",
  run(ctx) {
    const records = subset(ctx.fixtures.gt, ctx.quick ? 3 : undefined);
    const results: string[] = [];
    const states = new Set<string>();
    for (const r of records) {
      const res = replayRecord(ctx, r);
      for (const v of res.initialState.values()) states.add(v);
      for (const t of res.turns) {
        for (const c of t.calls) results.push(c.result);
        for (const v of t.state.values()) states.add(v);
      }
    }
    const calls = results.length;
    const res = parsed(results);
    const st = parsed(states);
    const opts = { warmup: ctx.quick ? 0 : 3, runs: ctx.runs ?? (ctx.quick ? 1 : 15) };
    const rSamples = timeRuns(opts, () => void stringifyAll(res.values));
    const sSamples = timeRuns(opts, () => void stringifyAll(st.values));
    const both = rSamples.map((ms, i) => ms + sSamples[i]!);
    const mb = (c: number): string => `${(c / 1e6).toFixed(2)} M chars`;
    const out: BenchResult[] = [
      resultFrom("floor.replay.results", "µs/call", rSamples, calls, 1000, {
        work: `${calls} result strings of ${records.length} episodes (${mb(res.chars)} as JSON)`,
        reference: { value: REFERENCE_US_PER_CALL, source: SOURCE_REPLAY },
        extra: { chars: res.chars, msPerRun: rSamples },
      }),
      resultFrom("floor.replay.states", "µs/call", sSamples, calls, 1000, {
        work: `${st.values.length} distinct encoded states, initial and after turns (${mb(st.chars)})`,
        extra: { chars: st.chars, msPerRun: sSamples },
      }),
      resultFrom("floor.replay", "µs/call", both, calls, 1000, {
        work: "results + states: the text one replay writes",
        reference: { value: REFERENCE_US_PER_CALL, source: SOURCE_REPLAY },
      }),
      // The checker compares result strings of both worlds: every GT result is written twice.
      resultFrom(
        "floor.check",
        "ms/episode",
        rSamples.map((ms) => 2 * ms),
        records.length,
        1,
        {
          work: `${2 * calls} result strings (model and ground-truth worlds)`,
          reference: { value: REFERENCE_MS_PER_EPISODE, source: SOURCE_CHECK },
        },
      ),
    ];
    return out;
  },
};
