import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { commands, main } from "envtune";
import { trainCommand } from "../../packages/cli/src/commands/train.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? resolve(repoRoot, "../shared");
export const dataDir = join(sharedDir, "bfcl/data");

export function ensureTrainCommand(): void {
  if (!commands.some((c) => c.name === "train")) commands.push(trainCommand);
}

/** Runs the CLI in this process and captures its output. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  ensureTrainCommand();
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** Starts the CLI from source in a child process. */
export function spawnCli(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, ["--conditions=@envtune/source", "--import", "tsx", join(here, "cli-runner.ts"), ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Update records in a run's metrics.jsonl (complete lines only). */
export function updateLines(runDir: string): Array<Record<string, unknown>> {
  const file = join(runDir, "metrics.jsonl");
  if (!existsSync(file)) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (r.type === "update") out.push(r);
    } catch {
      // an empty or partly written line
    }
  }
  return out;
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TIMING = new Set(["rollout_ms", "update_ms", "episodes_per_s", "updates_per_s", "elapsed_s", "wallMs"]);

/** A record without its wall-clock fields (they differ between any two runs). */
export function withoutTiming(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTiming);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !TIMING.has(k))
        .map(([k, x]) => [k, withoutTiming(x)]),
    );
  return v;
}
