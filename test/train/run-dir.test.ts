/**
 * `envtune train --out` never clobbers a user's files, one run directory has one trainer, and a
 * bad path is exit 3 with a hint (never a spin, a stack trace or exit 1).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { presetConfig } from "@envtune/trainer";
import { runCli, spawnCli } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "envtune-rundir-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("envtune train --out", () => {
  it("refuses a non-empty folder envtune did not write (exit 3), leaving its files untouched", async () => {
    const out = join(root, "mine");
    mkdirSync(out);
    writeFileSync(join(out, "metrics.jsonl"), "my own metrics\n");
    writeFileSync(join(out, "notes.txt"), "keep me\n");
    const r = await runCli(["train", "--quick", "--out", out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/holds files envtune did not write \(notes\.txt\)/);
    expect(r.stderr).toMatch(/--force/);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe("my own metrics\n");
    expect(existsSync(join(out, "config.json"))).toBe(false);
    expect(existsSync(join(out, "run.lock"))).toBe(false);
  });

  it("refuses a run directory held by a live trainer (RUN_LOCKED, exit 3) and takes over the lock of a dead one", async () => {
    const out = join(root, "locked");
    mkdirSync(out);
    writeFileSync(join(out, "config.json"), JSON.stringify(presetConfig("quick")));
    const holder = spawn("sleep", ["60"]);
    try {
      writeFileSync(join(out, "run.lock"), JSON.stringify({ pid: holder.pid, host: hostname(), started: "now" }));
      const r = await runCli(["train", "--resume", out]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`in use by another envtune process \\(pid ${holder.pid}`));
    } finally {
      const gone = new Promise((res) => holder.once("exit", res));
      holder.kill("SIGKILL");
      await gone;
    }
    // The holder is dead: the lock is taken over; this run then fails on its data (exit 3) and lets go of the lock.
    const r2 = await runCli(["train", "--resume", out, "--data", join(root, "no-such-data")]);
    expect(r2.stderr).not.toMatch(/in use by another/);
    expect(r2.code).toBe(3);
    expect(existsSync(join(out, "run.lock"))).toBe(false);
  });

  it("fails fast with exit 3 and a hint for /proc paths and a file used as a folder (train and new-domain)", async () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "x");
    for (const args of [
      ["train", "--quick", "--out", "/proc/x"],
      ["new-domain", "probe", "--dir", "/proc/x"],
      ["train", "--quick", "--out", join(file, "run")],
    ]) {
      const p = spawnCli(args);
      const timer = setTimeout(() => p.child.kill("SIGKILL"), 30_000);
      const { code, signal } = await p.exited;
      clearTimeout(timer);
      expect(signal, args.join(" ")).toBeNull();
      expect(code, args.join(" ") + "\n" + p.output()).toBe(3);
      expect(p.output()).toMatch(/kernel pseudo file system|is a file, not a folder/);
      expect(p.output()).not.toMatch(/Unexpected error| {4}at /);
    }
  });
});
