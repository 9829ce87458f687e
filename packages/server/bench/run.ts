/**
 * `npm run bench -w @envtune/server`: load (HTTP keep-alive and WebSocket), saturation and soak
 * benchmarks against a server in its own process, each load also against a bare Node HTTP and
 * WebSocket echo server driven by the same load generator (the floor; their ratio is envtune's
 * overhead). Prints one JSON object on stdout.
 *
 *   --sessions N,M   concurrent sessions of the load benchmark (default 1000,2000)
 *   --fresh N        requests on fresh connections while saturated (default 200; 0 skips it)
 *   --soak N         sessions of the soak (default 100000; 0 skips it)
 *   --concurrency N  soak clients at once (default 64)
 *   --tasks N        distinct ground-truth trajectories (default 64)
 *   --data DIR       BFCL data directory
 */
import { existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { sharedDir } from "@envtune/testing";
import { parseArgs } from "node:util";
import {
  gcProbe,
  groundTruthTrajectories,
  runLoad,
  runSaturation,
  runSoak,
  startServerProcess,
  type LoadResult,
  type ServerProcess,
} from "./lib.ts";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "1000,2000" },
    fresh: { type: "string", default: "200" },
    soak: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "64" },
    tasks: { type: "string", default: "64" },
    data: { type: "string" },
  },
});
const sizes = String(values.sessions).split(",").map(Number);
const fresh = Number(values.fresh);
const soak = Number(values.soak);
// As the core suite does: the shared folder beside the repository when nothing else is configured
// (else the download cache, through resolveBfclDataDir).
const besideRepo = join(sharedDir(), "bfcl/data");
const dataDir = values.data ?? process.env.ENVTUNE_BFCL_DATA ?? (existsSync(besideRepo) ? besideRepo : undefined);
let trajectories: Awaited<ReturnType<typeof groundTruthTrajectories>>;
try {
  trajectories = await groundTruthTrajectories(Number(values.tasks), dataDir);
} catch (e) {
  if (!(e instanceof EnvtuneError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const log = (s: string) => process.stderr.write(s + "\n");
const capacity = Math.max(4096, Math.max(...sizes) * 2);
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** Runs `f` against a fresh server process (envtune, or the echo floor) and stops it. */
async function withServer<T>(opts: { echo?: boolean; turnBudgetMs?: number }, f: (s: ServerProcess) => Promise<T>): Promise<T> {
  const s = await startServerProcess({ capacity, ...(dataDir ? { dataDir } : {}), ...opts });
  try {
    return await f(s);
  } finally {
    await s.stop();
  }
}

async function loads(s: ServerProcess, sessions: number, echo: boolean): Promise<{ http: LoadResult; ws: LoadResult }> {
  const memory = gcProbe(s);
  log(`load: ${echo ? "echo floor" : "envtune"}, ${sessions} sessions over HTTP keep-alive and WebSocket ...`);
  const http = await runLoad({ url: s.url, transport: "http", sessions, trajectories, memory, echo });
  const ws = await runLoad({ url: s.url, transport: "ws", sessions, trajectories, memory, echo });
  log(JSON.stringify({ http, ws }));
  return { http, ws };
}

const load: Record<string, unknown> = {};
for (const n of sizes) {
  const envtune = await withServer({}, (s) => loads(s, n, false));
  const echo = await withServer({ echo: true }, (s) => loads(s, n, true));
  const overhead = (t: "http" | "ws") => ({
    // > 1: envtune does that many times less (steps/s) or waits that many times longer (p99).
    steps_per_s_floor_over_envtune: ratio(echo[t].steps_per_s, envtune[t].steps_per_s),
    p99_envtune_over_floor: ratio(envtune[t].step_p99_ms, echo[t].step_p99_ms),
  });
  load[String(n)] = { envtune, echo, overhead: { http: overhead("http"), ws: overhead("ws") } };
}

let saturation = null;
if (fresh > 0) {
  const n = Math.min(...sizes);
  const sat = (s: ServerProcess, what: string) => {
    log(`saturation: ${what}, ${n} busy keep-alive clients, ${fresh} requests on fresh connections ...`);
    return runSaturation({ url: s.url, sessions: n, trajectories, fresh, timeoutMs: 30_000 });
  };
  saturation = {
    envtune: await withServer({}, (s) => sat(s, "envtune")),
    // The same server with Node's default scheduling: what the turn budget fixes.
    envtune_turn_budget_0: await withServer({ turnBudgetMs: 0 }, (s) => sat(s, "envtune, turnBudgetMs 0")),
    echo: await withServer({ echo: true }, (s) => sat(s, "echo floor")),
  };
  log(JSON.stringify(saturation));
}

let soakResult = null;
if (soak > 0) {
  log(`soak: ${soak} sessions, ${values.concurrency} at a time ...`);
  soakResult = await withServer({}, (s) =>
    runSoak({
      url: s.url,
      total: soak,
      concurrency: Number(values.concurrency),
      trajectories,
      memory: gcProbe(s),
      onSample: (x) => log(`  soak ${JSON.stringify(x)}`),
    }),
  );
}
const out = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavg_1m_at_end: Math.round(loadavg()[0]! * 100) / 100,
  },
  trajectories: { count: trajectories.length, steps: trajectories.reduce((n, t) => n + t.actions.length, 0) },
  load,
  saturation,
  soak: soakResult,
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
