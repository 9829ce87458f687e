/**
 * `npm run bench` entry: runs every benchmark (or those named by `--only NAME[,NAME]`, a positional
 * name, or `ENVTUNE_BENCH_ONLY`), prints a table and writes one JSON file per result.
 */
import { parseArgs } from "node:util";
import { BENCHMARKS, formatTable, runSuite } from "./suite.ts";

const USAGE = `Usage: npm run bench -w @envtune/bench -- [--only NAME[,NAME...]] [--quick] [--runs N] [--out DIR] [NAME...]
Benchmarks: ${BENCHMARKS.map((b) => b.name).join(", ")} (a result name such as replay.gt.base also works).
Env: ENVTUNE_BENCH_ONLY=NAME[,NAME], ENVTUNE_BENCH_OUT=DIR, ENVTUNE_SHARED_DIR=DIR.`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        only: { type: "string", multiple: true },
        quick: { type: "boolean" },
        runs: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`[envtune] [bench] ${(e as Error).message}. Run with --help for the options.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const only = [...(values.only ?? []), ...positionals, ...(process.env.ENVTUNE_BENCH_ONLY ? [process.env.ENVTUNE_BENCH_ONLY] : [])]
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
    process.stderr.write(`[envtune] [bench] --runs must be a positive integer, got ${values.runs}. Pass e.g. --runs 10.\n`);
    return 2;
  }
  const report = await runSuite({
    only,
    quick: values.quick === true,
    ...(runs ? { runs } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    log: (l) => process.stderr.write(l + "\n"),
  });
  process.stdout.write(formatTable(report) + "\n");
  if (report.files.length)
    process.stderr.write(`wrote ${report.files.length} result files to ${report.files[0]!.replace(/\/[^/]*$/, "")}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `${e instanceof Error && e.message.startsWith("[envtune]") ? e.message : `[envtune] [bench] ${(e as Error)?.stack ?? String(e)}`}\n`,
    );
    process.exitCode = 1;
  },
);
