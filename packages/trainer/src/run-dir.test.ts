import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { presetConfig } from "./config.ts";
import { renderReport } from "./report.ts";
import { RunDir, assertCreatableDir, runDirFault } from "./run-dir.ts";

const root = mkdtempSync(join(tmpdir(), "envtune-rundir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("run directory", () => {
  it("replaces checkpoints atomically and falls back to the previous one after a crash between renames", async () => {
    const run = new RunDir(join(root, "a"));
    run.ensure();
    await run.saveCheckpoint(async (d) => writeFileSync(join(d, "state.json"), '{"n":1}'));
    await run.saveCheckpoint(async (d) => writeFileSync(join(d, "state.json"), '{"n":2}'));
    expect(readFileSync(join(run.checkpointDir()!, "state.json"), "utf8")).toBe('{"n":2}');
    expect(existsSync(run.path("checkpoint.old"))).toBe(false);
    // A crash after "checkpoint → checkpoint.old" and before "tmp → checkpoint":
    renameSync(run.path("checkpoint"), run.path("checkpoint.old"));
    expect(run.checkpointDir()).toBe(run.path("checkpoint.old"));
    // A crash while writing the temporary directory leaves the current checkpoint untouched.
    await expect(
      run.saveCheckpoint(async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(run.checkpointDir()).toBe(run.path("checkpoint.old"));
  });

  it("appends metrics, ignores a line cut by a crash, and truncates to the checkpoint's count", () => {
    const run = new RunDir(join(root, "b"));
    mkdirSync(run.dir, { recursive: true });
    run.appendMetrics([{ a: 1 }, { a: 2 }]);
    run.appendMetrics([{ a: 3 }]);
    appendFileSync(run.path("metrics.jsonl"), '{"a": 4, "cut');
    expect(run.readMetrics()).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    run.truncateMetrics(2);
    expect(run.readMetrics()).toEqual([{ a: 1 }, { a: 2 }]);
    run.appendMetrics([{ a: 9 }]);
    expect(run.readMetrics().map((m) => m.a)).toEqual([1, 2, 9]);
  });
});

describe("report", () => {
  it("renders a self-contained page with curves, promotions and the comparison table", () => {
    const config = presetConfig("quick");
    const upd = (u: number, stage: number, name: string, extra: Record<string, unknown> = {}) => ({
      type: "update",
      update: u,
      stage,
      stage_name: name,
      reward: u / 10,
      train_turn_success: u / 100,
      grad_norm: 0.1,
      entropy: 1,
      kl: 0.01,
      episodes: 10,
      elapsed_s: u,
      components: { progress: 0.1, format: 0.9, tool: 0.5, binary: 0 },
      ...extra,
    });
    const metrics = [
      { type: "validation", update: 0, stage: 1, stage_name: "s1", value: 0.1, val_turn_success: 0 },
      upd(1, 1, "s1"),
      upd(2, 1, "s1", { val_metric: 0.2, val_turn_success: 0.01 }),
      { type: "promotion", update: 2, from: "s1", to: "s2", reason: "plateau" },
      upd(3, 2, "s2"),
    ];
    const group = {
      entries: 2,
      nonEmptyTurns: 10,
      nonEmptyPassed: 1,
      turnSuccess: 0.1,
      allTurnSuccess: 0.1,
      entryAccuracy: 0,
      progress: 0.1,
      reward: 0.1,
    };
    const html = renderReport(metrics, {
      config,
      stages: config.stages,
      evaluation: {
        split: "paper",
        part: "test",
        entries: 2,
        environment: "standard",
        policies: ["trained", "untrained", "random-valid-call", "always-answer"].map((policy) => ({
          policy,
          ...group,
          perCategory: { base: group },
          steps: 1,
          wallMs: 1,
        })),
      },
      promotions: [{ from: "s1", to: "s2", update: 2, stageUpdates: 2, reason: "plateau <b>" }],
      learner: "grpo-tfjs: test",
      parameters: 123,
    });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(html).toContain("Trained − best baseline");
    expect(html).toContain("plateau &lt;b&gt;");
    expect(html).toContain("stage1-syntax");
  });
});

describe("run directory safety", () => {
  it("removes the checkpoint temporary when the disk is full (a real ENOSPC from /dev/full) and reports it with a hint", async () => {
    const run = new RunDir(join(root, "full"));
    run.ensure();
    let err: unknown;
    try {
      await run.saveCheckpoint(async (d) => {
        symlinkSync("/dev/full", join(d, "weights.bin"));
        writeFileSync(join(d, "weights.bin"), Buffer.alloc(1 << 16));
      });
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
    expect(readdirSync(run.dir).filter((f) => f.startsWith("checkpoint.tmp"))).toEqual([]);
    const fault = runDirFault(err, run.dir)!;
    expect(fault.code).toBe("RUN_DIR_WRITE_FAILED");
    expect(fault.message).toMatch(/disk is full/);
    expect(fault.message).toMatch(/--resume/);
    expect(runDirFault(Object.assign(new Error("x"), { code: "EROFS" }), run.dir)!.message).toMatch(/read-only/);
    expect(runDirFault(new Error("other"), run.dir)).toBeUndefined();
  });

  it("locks a run: a live holder is RUN_LOCKED, a dead holder's lock (and its checkpoint temporary) is taken over", () => {
    const run = new RunDir(join(root, "lock"));
    run.ensure();
    run.lock();
    const other = new RunDir(run.dir);
    expect(() => other.lock()).toThrow(/in use by another envtune process \(pid \d+/);
    run.unlock();
    expect(existsSync(run.path("run.lock"))).toBe(false);
    // A holder that died (a finished child's pid) without unlocking, mid-checkpoint.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(run.path("run.lock"), JSON.stringify({ pid: Number(dead), host: hostname(), started: "then" }));
    mkdirSync(run.path(`checkpoint.tmp-${dead}`));
    other.lock();
    expect(JSON.parse(readFileSync(run.path("run.lock"), "utf8")).pid).toBe(process.pid);
    expect(existsSync(run.path(`checkpoint.tmp-${dead}`))).toBe(false);
    other.unlock();
  });

  it("validates a path before any recursive mkdir: /proc, a file as a folder", () => {
    expect(() => assertCreatableDir("/proc/x/y", "run directory")).toThrow(/kernel pseudo file system/);
    expect(() => assertCreatableDir("/sys/x", "run directory")).toThrow(/kernel pseudo file system/);
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    expect(() => assertCreatableDir(join(file, "sub", "dir"), "run directory")).toThrow(/is a file, not a folder/);
    expect(() => assertCreatableDir(join(root, "new", "deep"), "run directory")).not.toThrow();
  });
});
