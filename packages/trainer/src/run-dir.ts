/**
 * The run directory: resolved config, `metrics.jsonl`, checkpoints written atomically (a fresh
 * directory, then two renames), final evaluation results and the report.
 *
 *   RUN/config.json        resolved configuration
 *   RUN/metrics.jsonl      one line per update (and per validation / promotion event)
 *   RUN/checkpoint/        policy (model.json + weights.bin), ref/, optimizer/, state.json
 *   RUN/best/, RUN/last/   the best-validation and the last policy (model.json + weights.bin)
 *   RUN/eval/results.json  final evaluation of the trained policy and the baselines
 *   RUN/report.html        plots and tables, viewable offline
 *   RUN/run.lock           pid of the process training in it (removed when it exits)
 *
 * A new run refuses a folder holding anything else (unless forced): envtune overwrites the names
 * above, so a user's own `report.html` or `metrics.jsonl` would be lost.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { writeFileAtomic } from "@envtune/policy-tfjs";

export class RunDir {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  ensure(): void {
    assertCreatableDir(this.dir, "run directory");
    mkdirSync(this.dir, { recursive: true });
  }

  /** Names in the folder that envtune did not write (a new run refuses them unless forced). */
  foreignEntries(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter(
      (f) => !RUN_ENTRIES.has(f) && !/^checkpoint\.(old|tmp-\d+)$/.test(f) && !/^run\.lock\.stale-\d+$/.test(f),
    );
  }

  /**
   * Takes the run's lock: a run is trained by one process at a time. A lock whose process is gone
   * (killed, crashed, rebooted) is taken over; one held by a live process is `RUN_LOCKED`.
   */
  lock(): void {
    const file = this.path(LOCK);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = openSync(file, "wx");
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }) + "\n");
        closeSync(fd);
        this.locked = true;
        process.once("exit", this.unlockOnExit);
        this.removeStaleTemps();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const holder = readLock(file);
      if (holder && holder.host === hostname() && isAlive(holder.pid)) {
        throw runDirError(
          "RUN_LOCKED",
          `${this.dir} is in use by another envtune process (pid ${holder.pid}, since ${holder.started}).`,
          "Wait for it to finish or stop it; two trainers on one run directory would corrupt it.",
        );
      }
      // Dead holder: move its lock aside (only one taker's rename succeeds), then race for a fresh one.
      try {
        renameSync(file, `${file}.stale-${process.pid}`);
        rmSync(`${file}.stale-${process.pid}`, { force: true });
      } catch {
        // Another process took it over first; try again.
      }
    }
    throw runDirError(
      "RUN_LOCKED",
      `Could not take the lock of ${this.dir}.`,
      "Another process keeps taking it; make sure only one trainer uses the directory.",
    );
  }

  /** Releases the lock if this process holds it. */
  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    process.off("exit", this.unlockOnExit);
    try {
      const holder = readLock(this.path(LOCK));
      if (holder?.pid === process.pid) unlinkSync(this.path(LOCK));
    } catch {
      // Already gone.
    }
  }

  private locked = false;
  private readonly unlockOnExit = () => this.unlock();

  /** Checkpoint temporaries of dead processes (a crash or a full disk mid-write). */
  private removeStaleTemps(): void {
    for (const f of readdirSync(this.dir)) {
      const m = /^checkpoint\.tmp-(\d+)$/.exec(f);
      if (m && (Number(m[1]) === process.pid || !isAlive(Number(m[1])))) rmSync(this.path(f), { recursive: true, force: true });
    }
  }

  writeJson(name: string, value: unknown): void {
    mkdirSync(dirname(this.path(name)), { recursive: true });
    writeFileAtomic(this.path(name), JSON.stringify(value, null, 2) + "\n");
  }

  readJson<T>(name: string): T {
    const file = this.path(name);
    try {
      return JSON.parse(readFileSync(file, "utf8")) as T;
    } catch (e) {
      throw new EnvtuneError(
        "RUN_FILE_UNREADABLE",
        "trainer",
        `Cannot read ${file} (${(e as Error).message}).`,
        "Pass the directory of a run started by `envtune train`.",
      );
    }
  }

  /** Appends records to metrics.jsonl and fsyncs, so a record written is a record kept. */
  appendMetrics(records: readonly unknown[]): void {
    if (records.length === 0) return;
    const fd = openSync(this.path("metrics.jsonl"), "a");
    try {
      writeSync(fd, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  readMetrics(): Array<Record<string, unknown>> {
    const file = this.path("metrics.jsonl");
    if (!existsSync(file)) return [];
    const out: Array<Record<string, unknown>> = [];
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by a crash mid-write: everything after it is dropped on resume anyway.
        break;
      }
    }
    return out;
  }

  /** Keeps the first `n` metric records (drops what an interrupted update wrote after the last checkpoint). */
  truncateMetrics(n: number): void {
    const kept = this.readMetrics().slice(0, n);
    writeFileAtomic(this.path("metrics.jsonl"), kept.map((r) => JSON.stringify(r)).join("\n") + (kept.length ? "\n" : ""));
  }

  /**
   * Writes a checkpoint atomically: `write(tmpDir)` fills a fresh directory, which then replaces
   * `checkpoint/` by renames. A crash at any point leaves either the old or the new checkpoint.
   */
  async saveCheckpoint(write: (dir: string) => Promise<void>): Promise<void> {
    const tmp = this.path(`checkpoint.tmp-${process.pid}`);
    const cur = this.path("checkpoint");
    const old = this.path("checkpoint.old");
    rmSync(tmp, { recursive: true, force: true });
    try {
      mkdirSync(tmp, { recursive: true });
      await write(tmp);
    } catch (e) {
      // A full disk must not leave a half-written temporary behind.
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
    if (existsSync(cur)) renameSync(cur, old);
    renameSync(tmp, cur);
    rmSync(old, { recursive: true, force: true });
  }

  /** The checkpoint directory to resume from (the previous one if a crash hit between the renames), or undefined. */
  checkpointDir(): string | undefined {
    for (const name of ["checkpoint", "checkpoint.old"]) {
      const d = this.path(name);
      if (existsSync(join(d, "state.json"))) return d;
    }
    return undefined;
  }
}

const LOCK = "run.lock";
/** What envtune writes in a run directory. */
const RUN_ENTRIES: ReadonlySet<string> = new Set([
  "config.json",
  "metrics.jsonl",
  "checkpoint",
  "best",
  "last",
  "eval",
  "report.html",
  LOCK,
]);

function readLock(file: string): { pid: number; host: string; started: string } | undefined {
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; host?: unknown; started?: unknown };
    return typeof v.pid === "number" ? { pid: v.pid, host: String(v.host), started: String(v.started) } : undefined;
  } catch {
    // Empty or cut (its writer died mid-write): nobody holds it.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function runDirError(code: string, what: string, hint: string): EnvtuneError {
  return new EnvtuneError(code, "trainer", what, hint);
}

/** Kernel pseudo file systems: nothing can be created there (and Node 20's recursive mkdir spins on /proc). */
const PSEUDO_FS = ["/proc", "/sys", "/dev"];

/**
 * Checks, without creating anything, that `dir` can be created (or exists as a writable folder):
 * its nearest existing ancestor must be a writable directory outside /proc, /sys and /dev. Throws
 * `OUTPUT_DIR_INVALID` with a hint (the CLI exits 3) instead of failing later with a stack trace.
 */
export function assertCreatableDir(dir: string, what: string): void {
  const abs = resolve(dir);
  let probe = abs;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  let real: string;
  try {
    real = realpathSync(probe);
  } catch {
    real = probe;
  }
  const bad = (why: string, hint: string) => runDirError("OUTPUT_DIR_INVALID", `Cannot use \`${abs}\` as ${what}: ${why}.`, hint);
  if (PSEUDO_FS.some((p) => real === p || real.startsWith(p + "/")))
    throw bad(`${real} is a kernel pseudo file system`, "Choose a folder on a real disk.");
  if (!statSync(real).isDirectory()) throw bad(`\`${probe}\` is a file, not a folder`, "Choose a path whose parent folders are folders.");
  try {
    accessSync(real, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw bad(
      code === "EROFS" ? `\`${real}\` is on a read-only file system` : `\`${real}\` is not writable (${code})`,
      "Choose a writable folder.",
    );
  }
}

const FS_FAULTS: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "a file is in the way",
  EISDIR: "a folder is in the way",
  EIO: "an I/O error occurred",
};

/** A file-system failure while writing a run, as an `EnvtuneError` with a hint (undefined for other errors). */
export function runDirFault(e: unknown, dir: string): EnvtuneError | undefined {
  const err = e as NodeJS.ErrnoException;
  const why = typeof err?.code === "string" ? FS_FAULTS[err.code] : undefined;
  if (why === undefined) return undefined;
  return new EnvtuneError(
    "RUN_DIR_WRITE_FAILED",
    "trainer",
    `Writing the run in ${dir} failed: ${why} (${err.code}${err.path ? ` at ${err.path}` : ""}).`,
    err.code === "ENOSPC" || err.code === "EDQUOT"
      ? `Free some space, then continue with \`envtune train --resume ${dir}\`.`
      : "Choose a writable run directory (--out).",
  );
}
