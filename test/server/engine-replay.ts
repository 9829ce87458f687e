/**
 * Shared by the engine contract tests: runs `adapters/python/tests/engines.py`, which replays an RL
 * engine's own call sequence (written from its source, cited per step) against a live server, and
 * builds the ground-truth actions of a task in the shapes the engines' models emit.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requirePacks } from "@envtune/core";
import { gtCallToKeywords } from "@envtune/engine";
import { call, environment } from "./helpers.ts";

const run = promisify(execFile);
export const PY = fileURLToPath(new URL("../../packages/server/adapters/python/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "envtune-engines-"));

/** Runs one replay plan; returns the driver's JSON answer. */
export async function replay<T = any>(plan: Record<string, unknown>): Promise<T> {
  const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  const { stdout } = await run("python3", [join(PY, "tests", "engines.py"), file], { timeout: 120_000, maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as T;
}

/** TRL-shaped ground truth: one tool call per step and `end_turn` after each turn. */
export async function trlCalls(taskId: string): Promise<Array<Record<string, unknown>>> {
  const env = await environment();
  const entry = env.task(taskId);
  const packs = requirePacks(env.packs, entry.involvedClasses, taskId);
  const calls: Array<Record<string, unknown>> = [];
  for (const turn of entry.groundTruth) {
    for (const kc of turn.flatMap((c) => gtCallToKeywords(c, packs))) calls.push({ tool: kc.name, arguments: JSON.parse(kc.arguments) });
    calls.push({ end_turn: turn.length ? "Done." : "A function or a parameter is missing; please provide it." });
  }
  return calls;
}

/** Active sessions on the server (`GET /health`). */
export async function activeSessions(url: string): Promise<number> {
  return (await call(url + "/v1/health", "GET")).body.sessions.active as number;
}
