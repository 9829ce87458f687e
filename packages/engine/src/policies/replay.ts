/**
 * Recorded model outputs as a policy, so the outputs of any system (e.g. a BFCL result file) can
 * be scored by envtune. A record is `{id, result}` with `result[turn][step]` one raw model
 * response per inference step, in any of these shapes:
 * - a string: a prompting model's text (Python call list, JSON calls, or the paper's envelope);
 * - a list of `{tool_name: arguments}` objects: BFCL's FC result format;
 * - a list of `{name, arguments}` objects: JSON tool calls;
 * - an assistant message `{content, tool_calls}` (OpenAI layout);
 * - a list of call strings: an already decoded step (the checker fixtures' `model_output`).
 *
 * The official verdict is computed on the record's own turn structure (BFCL's evaluation:
 * decode every step, drop failures and empty steps), independent of how the engine replays it.
 */
import { readFileSync } from "node:fs";
import { EnvtuneError, formatCall, parseAction, parseOpenAIToolCalls, type ToolCall } from "@envtune/core";
import type { AssistantInput } from "../types.ts";
import type { Policy, PolicyAction, PolicyContext } from "./policy.ts";

export interface ReplayRecord {
  id: string;
  /** `[turn][step]` raw responses; anything else is BFCL's `inference_error`. */
  result: unknown;
}

/**
 * Decodes one recorded step into call strings; null when it does not decode (BFCL drops the
 * step). A list of strings is an already decoded step (BFCL's decoded output) and is kept as is.
 */
export function decodeRecordedStep(step: unknown, opts: DecodeOptions = {}): string[] | null {
  if (Array.isArray(step) && step.length > 0 && step.every((x) => typeof x === "string")) return [...(step as string[])];
  const calls = recordedCalls(step, opts.positional ?? "drop");
  return calls === null ? null : calls.map((c) => formatCall(c));
}

export interface DecodeOptions {
  /**
   * Positional arguments in Python-call text: `drop` them as BFCL's prompting decoder does
   * (`sort('a')` is scored as `sort()`, default, for BFCL parity) or `keep` them.
   */
  positional?: "drop" | "keep";
}

function recordedCalls(step: unknown, positional: "drop" | "keep"): ToolCall[] | null {
  if (typeof step === "string") {
    const r = parseAction(step, { format: "auto" });
    if (r.ok) {
      if (r.kind !== "tool_calls") return null;
      return r.format === "python" && positional === "drop" ? r.calls.map((c) => ({ ...c, args: [] })) : r.calls;
    }
    if (r.format !== "python") return null;
    // BFCL's prompting decoder: strip "`", newlines and spaces at both ends, add missing brackets.
    let t = step.replace(/^[`\n ]+|[`\n ]+$/g, "");
    if (!t.startsWith("[")) t = "[" + t;
    if (!t.endsWith("]")) t += "]";
    const again = parseAction(t, { format: "python" });
    if (!again.ok || again.kind !== "tool_calls") return null;
    return positional === "drop" ? again.calls.map((c) => ({ ...c, args: [] })) : again.calls;
  }
  if (Array.isArray(step)) {
    if (step.length === 0) return [];
    const items = step as unknown[];
    if (items.every((x) => isObject(x) && typeof x.name === "string")) {
      const r = parseAction(items, { format: "json" });
      return r.ok && r.kind === "tool_calls" ? r.calls : null;
    }
    // BFCL FC: `[{"tool_name": "{\"arg\": 1}"}]`, one call per key.
    const toolCalls: unknown[] = [];
    for (const item of items) {
      if (!isObject(item)) return null;
      for (const [name, args] of Object.entries(item)) toolCalls.push({ type: "function", function: { name, arguments: args } });
    }
    try {
      return parseOpenAIToolCalls(toolCalls);
    } catch {
      return null;
    }
  }
  if (isObject(step)) {
    if (Array.isArray(step.tool_calls) && step.tool_calls.length) {
      try {
        return parseOpenAIToolCalls(step.tool_calls);
      } catch {
        return null;
      }
    }
    return typeof step.content === "string" ? recordedCalls(step.content, positional) : null;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The decoded output BFCL's evaluation scores: every step decoded, failed and empty decodes
 * dropped. A `result` that is not a list is returned as is (the checker reports
 * `inference_error`).
 */
export function decodeRecordedOutput(result: unknown, opts: DecodeOptions = {}): unknown {
  if (!Array.isArray(result)) return result;
  return result.map((turn) => {
    const steps = Array.isArray(turn) ? turn : [turn];
    const out: string[][] = [];
    for (const s of steps) {
      const d = decodeRecordedStep(s, opts);
      if (d !== null && d.length > 0) out.push(d);
    }
    return out;
  });
}

/** Reads `{id, result}` records from a JSON-lines file (later lines win on duplicate ids). */
export function readReplayFile(file: string): Map<string, ReplayRecord> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new EnvtuneError(
      "FILE_NOT_FOUND",
      "eval",
      `Cannot read \`${file}\` (${(e as Error).message}).`,
      "Pass a JSON-lines file of `{id, result}` records with --input.",
    );
  }
  const out = new Map<string, ReplayRecord>();
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new EnvtuneError(
        "BAD_RECORD",
        "eval",
        `${file}:${i + 1} is not valid JSON (${(e as Error).message}).`,
        "Each line must be one `{id, result}` record.",
      );
    }
    if (!isObject(r) || typeof r.id !== "string" || !("result" in r)) {
      throw new EnvtuneError(
        "BAD_RECORD",
        "eval",
        `${file}:${i + 1} lacks \`id\` or \`result\`.`,
        "Each line needs `id` (the entry id) and `result` ([turn][step] model responses).",
      );
    }
    out.set(r.id, { id: r.id, result: r.result });
  });
  return out;
}

function toAction(step: unknown, opts: DecodeOptions): AssistantInput {
  const calls = decodeRecordedStep(step, opts);
  if (calls !== null) return calls.length ? `[${calls.join(", ")}]` : "[]";
  if (typeof step === "string") return step;
  if (isObject(step) && typeof step.content === "string") return step.content;
  return JSON.stringify(step) ?? "";
}

export interface ReplayPolicy extends Policy {
  /** The decoded output of an entry's record, for the official verdict; undefined without a record. */
  decodedOutput(entryId: string): unknown;
  readonly records: ReadonlyMap<string, ReplayRecord>;
}

/**
 * Replays recorded responses step by step: decodable steps are sent as Python call lists, other
 * steps as the model's text (which ends the turn). When a turn's recorded steps run out the turn
 * is ended with an empty answer; when the record's turns run out the episode is cut short (BFCL's
 * force-terminated entries).
 */
export function replayPolicy(records: ReadonlyMap<string, ReplayRecord>, opts: DecodeOptions = {}): ReplayPolicy {
  const cursors = new Map<string, { turn: number; step: number }>();
  return {
    name: "replay",
    records,
    episodeConfig: { actionFormat: "auto" },
    decodedOutput(entryId: string): unknown {
      const r = records.get(entryId);
      return r === undefined ? undefined : decodeRecordedOutput(r.result, opts);
    },
    act(ctx: PolicyContext): PolicyAction {
      const rec = records.get(ctx.entry.id);
      if (!rec) return { stop: true, reason: "no recorded output" };
      if (!Array.isArray(rec.result)) return { stop: true, reason: "recorded result is not a list" };
      if (ctx.turn >= rec.result.length) return { stop: true, reason: "recorded output has no more turns" };
      let cur = cursors.get(ctx.entry.id);
      if (!cur || cur.turn !== ctx.turn) {
        cur = { turn: ctx.turn, step: 0 };
        cursors.set(ctx.entry.id, cur);
      }
      const turn = rec.result[ctx.turn] as unknown;
      const steps = Array.isArray(turn) ? turn : [turn];
      if (cur.step >= steps.length) return "";
      return toAction(steps[cur.step++], opts);
    },
  };
}
