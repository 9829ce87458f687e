/**
 * The whole-process form of the replay benchmark: the built `envtune replay --repeat N` in a fresh
 * Node process (startup, data loading, trace parsing, N full replays, one output write).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stats, type BenchResult } from "../harness.ts";
import { repoRoot } from "../fixtures.ts";
import type { Benchmark } from "../types.ts";
import { REFERENCE_MEASURED, REFERENCE_US_PER_CALL } from "./replay.ts";

interface Summary {
  records: number;
  calls: number;
  repeat: number;
  elapsed_ms: number;
  us_per_call: number;
  best_us_per_call: number;
  median_us_per_call: number;
}

const require = createRequire(import.meta.url);

/** Brings the CLI's build up to date (tsc -b is incremental), so the measured binary is the current code. */
function buildCli(): string {
  const tsc = require.resolve("typescript/bin/tsc");
  const p = spawnSync(process.execPath, [tsc, "-b", "packages/cli"], { cwd: repoRoot, encoding: "utf8" });
  if (p.status !== 0)
    throw new Error(`[envtune] [bench] Building the CLI failed: ${(p.stdout + p.stderr).trim().slice(0, 2000)}. Fix the build first.`);
  return join(repoRoot, "packages/cli/bin/envtune.js");
}

export const replayCliBench: Benchmark = {
  name: "replay-cli",
  description: "`envtune replay --repeat N` as one process: steady-state µs per call and whole-process wall time.",
  run(ctx) {
    const tmp = mkdtempSync(join(tmpdir(), "envtune-bench-"));
    try {
      let trace = ctx.fixtures.traceFile;
      if (ctx.quick) {
        // A few records keep the test fast; they still go through every stage.
        const lines = ctx.fixtures.gt.slice(0, 5).map((r) =>
          JSON.stringify({
            id: r.id,
            long_context: r.longContext,
            turns: r.turns.map((t) => ({ calls: t.calls.map((c) => ({ call: c })) })),
          }),
        );
        trace = join(tmp, "trace.jsonl");
        writeFileSync(trace, lines.join("\n") + "\n");
      }
      const repeat = ctx.quick ? 2 : 10;
      const runs = ctx.runs ?? (ctx.quick ? 1 : 3);
      const bin = buildCli();
      const walls: number[] = [];
      const steady: number[] = [];
      let last: Summary | undefined;
      for (let i = 0; i < runs; i++) {
        const args = [
          bin,
          "replay",
          "--trace",
          trace,
          "--out",
          join(tmp, "out.jsonl"),
          "--data",
          ctx.fixtures.dataDir,
          "--repeat",
          String(repeat),
          "--json",
        ];
        const t0 = process.hrtime.bigint();
        const p = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 24 });
        const wall = Number(process.hrtime.bigint() - t0) / 1e6;
        if (p.status !== 0)
          throw new Error(`[envtune] [bench] envtune replay exited with ${p.status}: ${p.stderr.trim()}. Run it by hand to see why.`);
        last = JSON.parse(p.stdout.trim().split("\n").pop()!) as Summary;
        walls.push(wall);
        steady.push(last.median_us_per_call);
      }
      const st = stats(steady);
      const wall = stats(walls);
      const out: BenchResult[] = [
        {
          name: "replay.cli",
          unit: "µs/call",
          ...st,
          work: `${last!.records} episodes, ${last!.calls} calls, --repeat ${repeat} (median repetition)`,
          reference: { value: REFERENCE_US_PER_CALL, source: `execute_multi_turn_func_call; ${REFERENCE_MEASURED}` },
          speedup: REFERENCE_US_PER_CALL / st.median,
          extra: { lastSummary: last },
        },
        { name: "replay.cli.process", unit: "ms", ...wall, work: `whole process: startup, load, ${repeat} replays, write` },
      ];
      return out;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
