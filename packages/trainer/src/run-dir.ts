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
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
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
    mkdirSync(this.dir, { recursive: true });
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
      throw new EnvtuneError("RUN_FILE_UNREADABLE", "trainer", `Cannot read ${file} (${(e as Error).message}).`, "Pass the directory of a run started by `envtune train`.");
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
    mkdirSync(tmp, { recursive: true });
    await write(tmp);
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
