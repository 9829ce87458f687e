/**
 * Runs N server worker processes and a session router in front of them (`envtune serve
 * --workers N`). Each worker is a child process started with the given command; it must print one
 * JSON line `{"listening": "<url>"}` on stdout once it serves (what `envtune serve --announce`
 * does), and should exit when its IPC channel disconnects (`envtune serve` does), so that workers
 * never outlive their parent. The router is started in this process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "./log.ts";
import type { RunningServer } from "./node-http.ts";
import { createSessionRouter } from "./router.ts";

export interface WorkerSet {
  urls: string[];
  pids: number[];
  /** SIGTERM to every worker, then SIGKILL after `graceMs`; resolves when all have exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnWorkersOptions {
  n: number;
  /** Command and arguments of one worker; `{index}` in an argument is replaced by the worker's index. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** How long a worker may take to announce itself (ms). */
  startTimeoutMs?: number;
  log?: Logger;
  /** Worker stderr lines (default: passed through to this process's stderr). */
  onStderr?: (index: number, line: string) => void;
}

export async function spawnWorkers(opts: SpawnWorkersOptions): Promise<WorkerSet> {
  const children: ChildProcess[] = [];
  const exited: Array<Promise<void>> = [];
  const stop = async (graceMs = 10_000) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    }, graceMs);
    timer.unref();
    await Promise.all(exited);
    clearTimeout(timer);
  };
  try {
    const urls = await Promise.all(
      Array.from({ length: opts.n }, (_, i) => {
        const [cmd, ...args] = opts.command.map((a) => a.replaceAll("{index}", String(i)));
        // The IPC channel is the worker's lifeline: it closes when this process dies, even by SIGKILL.
        const child = spawn(cmd!, args, { env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
        children.push(child);
        exited.push(new Promise<void>((resolve) => child.once("exit", () => resolve())));
        createInterface({ input: child.stderr! }).on("line", (line) => (opts.onStderr ? opts.onStderr(i, line) : process.stderr.write(line + "\n")));
        return new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`[envtune] [cluster] Worker ${i} did not announce itself within ${opts.startTimeoutMs ?? 60_000} ms. Check its stderr.`)), opts.startTimeoutMs ?? 60_000);
          child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`[envtune] [cluster] Worker ${i} exited with code ${code} before serving. Check its stderr.`));
          });
          createInterface({ input: child.stdout! }).on("line", (line) => {
            try {
              const m = JSON.parse(line) as { listening?: unknown };
              if (typeof m.listening === "string") {
                clearTimeout(timer);
                resolve(m.listening);
              }
            } catch {
              // Not an announcement line.
            }
          });
        });
      }),
    );
    return { urls, pids: children.map((c) => c.pid!), stop };
  } catch (e) {
    await stop(1000);
    throw e;
  }
}

/** N workers plus the router; `close()` stops the router and then the workers. */
export async function startCluster(opts: SpawnWorkersOptions & { port?: number; host?: string }): Promise<{ router: RunningServer; workers: WorkerSet; close(): Promise<void> }> {
  const workers = await spawnWorkers(opts);
  const router = await createSessionRouter({ backends: workers.urls, ...(opts.log ? { log: opts.log } : {}) }).listen({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
  });
  return {
    router,
    workers,
    async close() {
      await router.close(2000);
      await workers.stop();
    },
  };
}
