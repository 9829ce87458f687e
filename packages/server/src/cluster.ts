/**
 * Runs N server worker processes and a session router in front of them (`envtune serve
 * --workers N`). Each worker is a child process started with the given command; it must print one
 * JSON line `{"listening": "<url>"}` on stdout once it serves (what `envtune serve --announce`
 * does), and should exit when its IPC channel disconnects (`envtune serve` does), so that workers
 * never outlive their parent. The router is started in this process. A worker that dies while
 * serving is restarted (with backoff, and not when it crash-loops) and the router re-points its
 * slot, so only the sessions that lived in that process are lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "./log.ts";
import type { RunningServer } from "./node-http.ts";
import { createSessionRouter, type SessionRouterOptions } from "./router.ts";

export interface WorkerSet {
  /** Current URL of each worker slot (a restarted worker has a new one). */
  readonly urls: string[];
  /** Current pid of each worker slot. */
  readonly pids: number[];
  /** Restarts so far, per slot. */
  restarts: number[];
  /** SIGTERM to every worker, then SIGKILL after `graceMs`; resolves when all have exited. No restarts after this. */
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
  /** Restart a worker that exits while serving (default true). */
  restart?: boolean;
  /** Give up on a slot after this many restarts within `restartWindowMs` (a crash loop; default 5 per 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Called when a restarted worker serves again (the router re-points the slot here). */
  onRestart?: (index: number, url: string, pid: number) => void;
}

interface Started {
  child: ChildProcess;
  url: string;
}

export async function spawnWorkers(opts: SpawnWorkersOptions): Promise<WorkerSet> {
  const current: Array<Started | undefined> = [];
  const starting = new Set<ChildProcess>();
  const restarts: number[] = Array.from({ length: opts.n }, () => 0);
  const recent: number[][] = Array.from({ length: opts.n }, () => []);
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let stopping = false;

  const startOne = (i: number): Promise<Started> => {
    const [cmd, ...args] = opts.command.map((a) => a.replaceAll("{index}", String(i)));
    // The IPC channel is the worker's lifeline: it closes when this process dies, even by SIGKILL.
    const child = spawn(cmd!, args, { env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
    starting.add(child);
    createInterface({ input: child.stderr! }).on("line", (line) =>
      opts.onStderr ? opts.onStderr(i, line) : process.stderr.write(line + "\n"),
    );
    return new Promise<Started>((resolve, reject) => {
      let announced = false;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`[envtune] [cluster] Worker ${i} did not announce itself within ${timeoutMs} ms. Check its stderr.`));
      }, timeoutMs);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        starting.delete(child);
        if (!announced) reject(new Error(`[envtune] [cluster] Worker ${i} exited with code ${code} before serving. Check its stderr.`));
        else if (!stopping && current[i]?.child === child) onCrash(i, code, signal);
      });
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (announced) return;
        try {
          const m = JSON.parse(line) as { listening?: unknown };
          if (typeof m.listening === "string") {
            announced = true;
            clearTimeout(timer);
            starting.delete(child);
            resolve({ child, url: m.listening });
          }
        } catch {
          // Not an announcement line.
        }
      });
    });
  };

  /** A serving worker died: restart it with backoff unless it is crash-looping. */
  const onCrash = (i: number, code: number | null, signal: NodeJS.Signals | null): void => {
    const now = Date.now();
    const windowMs = opts.restartWindowMs ?? 60_000;
    recent[i] = recent[i]!.filter((t) => now - t < windowMs);
    if (recent[i]!.length >= (opts.maxRestarts ?? 5) || opts.restart === false) {
      opts.log?.error("worker down, not restarted", {
        slot: i,
        code,
        signal,
        restartsInWindow: recent[i]!.length,
        hint: "Its sessions are lost and its share of new sessions fails with UPSTREAM_ERROR; check its stderr and restart the server.",
      });
      return;
    }
    recent[i]!.push(now);
    const delay = Math.min(5000, 100 * 2 ** (recent[i]!.length - 1));
    opts.log?.warn("worker exited, restarting", { slot: i, code, signal, delayMs: delay });
    setTimeout(() => {
      if (stopping) return;
      startOne(i).then(
        (w) => {
          if (stopping) {
            w.child.kill("SIGTERM");
            return;
          }
          current[i] = w;
          restarts[i]! += 1;
          opts.log?.info("worker restarted", { slot: i, url: w.url, pid: w.child.pid });
          opts.onRestart?.(i, w.url, w.child.pid!);
        },
        (e: unknown) => {
          opts.log?.error("worker restart failed", { slot: i, error: (e as Error).message });
          onCrash(i, null, null);
        },
      );
    }, delay).unref();
  };

  const stop = async (graceMs = 10_000): Promise<void> => {
    stopping = true;
    const live = [...current.filter((w): w is Started => w !== undefined).map((w) => w.child), ...starting];
    const exits = live.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise<void>((r) => c.once("exit", () => r())) : Promise.resolve(),
    );
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    }, graceMs);
    timer.unref();
    await Promise.all(exits);
    clearTimeout(timer);
  };

  const results = await Promise.allSettled(Array.from({ length: opts.n }, (_, i) => startOne(i).then((w) => (current[i] = w))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await stop(1000);
    throw failed.reason;
  }
  // Read from the live slots, so a restarted worker's URL and pid show without bookkeeping.
  return {
    get urls() {
      return current.map((w) => w!.url);
    },
    get pids() {
      return current.map((w) => w!.child.pid!);
    },
    restarts,
    stop,
  };
}

/** N workers plus the router; `close()` stops the router and then the workers. A crashed worker is restarted and its slot re-pointed. */
export async function startCluster(
  opts: SpawnWorkersOptions & { port?: number; host?: string; router?: Omit<SessionRouterOptions, "backends"> },
): Promise<{ router: RunningServer; workers: WorkerSet; close(): Promise<void> }> {
  let onRestart: (i: number, url: string) => void = () => {};
  const workers = await spawnWorkers({
    ...opts,
    onRestart: (i, url, pid) => {
      onRestart(i, url);
      opts.onRestart?.(i, url, pid);
    },
  });
  const sessionRouter = createSessionRouter({ ...opts.router, backends: workers.urls, ...(opts.log ? { log: opts.log } : {}) });
  onRestart = (i, url) => sessionRouter.setBackend(i, url);
  const router = await sessionRouter.listen({
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
