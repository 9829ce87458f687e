/**
 * `npm run bench -w @envtune/server`: load (HTTP keep-alive and WebSocket) and soak benchmarks
 * against a server in its own process; prints one JSON object on stdout.
 *
 *   --sessions N     concurrent sessions of the load benchmark (default 1000)
 *   --soak N         sessions of the soak (default 100000; 0 skips it)
 *   --concurrency N  soak clients at once (default 64)
 *   --tasks N        distinct ground-truth trajectories (default 64)
 *   --data DIR       BFCL data directory
 */
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { sharedDir } from "@envtune/testing";
import { parseArgs } from "node:util";
import { gcProbe, groundTruthTrajectories, runLoad, runSoak, startServerProcess } from "./lib.ts";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "1000" },
    soak: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "64" },
    tasks: { type: "string", default: "64" },
    data: { type: "string" },
  },
});
const sessions = Number(values.sessions);
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
const server = await startServerProcess({ capacity: Math.max(4096, sessions * 2), ...(dataDir ? { dataDir } : {}) });
const memory = gcProbe(server);
const log = (s: string) => process.stderr.write(s + "\n");
try {
  log(`load: ${sessions} sessions over HTTP keep-alive ...`);
  const http = await runLoad({ url: server.url, transport: "http", sessions, trajectories, memory });
  log(JSON.stringify(http));
  log(`load: ${sessions} sessions over WebSocket ...`);
  const ws = await runLoad({ url: server.url, transport: "ws", sessions, trajectories, memory });
  log(JSON.stringify(ws));
  let soakResult = null;
  if (soak > 0) {
    log(`soak: ${soak} sessions, ${values.concurrency} at a time ...`);
    soakResult = await runSoak({ url: server.url, total: soak, concurrency: Number(values.concurrency), trajectories, memory, onSample: (x) => log(`  soak ${JSON.stringify(x)}`) });
  }
  const out = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
    trajectories: { count: trajectories.length, steps: trajectories.reduce((n, t) => n + t.actions.length, 0) },
    load: { http, ws },
    soak: soakResult,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
} finally {
  await server.stop();
}
