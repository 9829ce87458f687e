/**
 * The child process that runs one planned run (`run-one.ts`): the embedded policy trains on one
 * core, so the runner starts one of these per worker. Ctrl-C (SIGINT) or SIGTERM stops the run
 * after its current update, leaving a checkpoint that the next start resumes.
 * Exit codes: 0 done, 130 interrupted, 1 failed (the error on stderr).
 */
import { readFileSync } from "node:fs";
import { EnvtuneError } from "@envtune/core";
import { runOne, type RunJob } from "./run-one.ts";

const abort = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => abort.abort());

try {
  const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as RunJob;
  const result = await runOne(job, abort.signal);
  process.exitCode = result ? 0 : 130;
} catch (e) {
  const err = e as Error;
  process.stderr.write(`${e instanceof EnvtuneError ? err.message : (err.stack ?? String(e))}\n`);
  process.exitCode = 1;
}
