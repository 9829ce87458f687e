import type { BenchResult } from "./harness.ts";
import type { Fixtures } from "./fixtures.ts";

export interface BenchContext {
  fixtures: Fixtures;
  /** Reduced size (a few entries per split, one repetition): proves the benchmark works, measures nothing. */
  quick: boolean;
  /** Timed repetitions (overrides each benchmark's default). */
  runs?: number;
  log(line: string): void;
}

export interface Benchmark {
  /** Selects it with `--only` (a prefix of the name or of any result name also selects it). */
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchResult[]> | BenchResult[];
}
