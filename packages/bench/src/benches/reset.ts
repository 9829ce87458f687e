/**
 * Episode reset from `initial_config`: building the worlds of an entry (every involved class's
 * `_load_scenario`, long-context extensions included). `world` is one world (what replay builds);
 * `checker` is a model world plus a ground-truth world sharing one episode (what checking and the
 * engine build on every reset).
 */
import { World } from "@envtune/core";
import { TurnChecker } from "@envtune/checker";
import { resultFrom, timeRuns, type BenchResult } from "../harness.ts";
import { SPLITS, subset } from "../fixtures.ts";
import type { Benchmark } from "../types.ts";

export const resetBench: Benchmark = {
  name: "reset",
  description: "Episode reset from initial_config, per category (µs per reset): one world, and a checker's world pair.",
  run(ctx) {
    const { packs, dataset } = ctx.fixtures;
    const entries = subset(ctx.fixtures.gt, ctx.quick ? 3 : undefined).map((r) => r.entry);
    const opts = { warmup: ctx.quick ? 0 : 3, runs: ctx.runs ?? (ctx.quick ? 1 : 15) };
    const out: BenchResult[] = [];
    let sink = 0;
    for (const split of SPLITS) {
      const es = entries.filter((e) => e.category === split);
      if (!es.length) continue;
      const inputs = es.map((e) => ({
        entry: e,
        packs: e.involvedClasses.map((c) => packs.get(c)!),
      }));
      // Repeat the category enough times per run that one run takes milliseconds, not microseconds.
      const reps = ctx.quick ? 1 : 20;
      const world = timeRuns(opts, () => {
        for (let k = 0; k < reps; k++) {
          for (const { entry, packs: ps } of inputs) {
            const w = new World({
              packs: ps,
              initialConfig: entry.initialConfig,
              longContext: entry.longContext,
              constants: dataset.longContext,
              shared: new Map(),
            });
            sink += w.classNames.length;
          }
        }
      });
      out.push(resultFrom(`reset.world.${split}`, "µs/reset", world, es.length * reps, 1000, { work: `${es.length} entries × ${reps}` }));
      const pair = timeRuns(opts, () => {
        for (let k = 0; k < reps; k++) {
          for (const { entry } of inputs) {
            const c = new TurnChecker(entry, { packs, constants: dataset.longContext });
            sink += c.turnCount;
          }
        }
      });
      out.push(
        resultFrom(`reset.checker.${split}`, "µs/reset", pair, es.length * reps, 1000, {
          work: `${es.length} entries × ${reps}, model + GT world`,
        }),
      );
    }
    if (sink < 0) throw new Error("unreachable");
    return out;
  },
};
