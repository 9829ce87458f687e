/**
 * The server process the benchmarks measure: prints `{"listening": url}` once serving and, over
 * the IPC channel, answers `gc` (runs a full GC when started with --expose-gc) with its memory use.
 */
import { createEnvtuneServer, loadBfclEnvironment } from "../src/index.ts";

const capacity = Number(process.env.BENCH_CAPACITY ?? "4096");
const { env } = await loadBfclEnvironment(process.env.ENVTUNE_BFCL_DATA ? { dataDir: process.env.ENVTUNE_BFCL_DATA } : {});
const server = createEnvtuneServer(env, {
  capacity,
  sessionTtlMs: 0,
  logLevel: "warn",
  maxBodyBytes: 4 * 1024 * 1024,
  ...(process.env.BENCH_TURN_BUDGET ? { turnBudgetMs: Number(process.env.BENCH_TURN_BUDGET) } : {}),
});
const running = await server.listen({ port: 0 });
process.stdout.write(JSON.stringify({ listening: running.url, pid: process.pid }) + "\n");
process.on("message", (m: unknown) => {
  if (m === "gc") {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) {
      g();
      g();
    }
    process.send?.({ memory: process.memoryUsage(), cpu: process.cpuUsage(), sessions: server.service.sessions.size, gc: g !== undefined });
  }
});
const stop = () => void running.close(1000).then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
process.once("disconnect", stop);
