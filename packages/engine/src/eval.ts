/**
 * Evaluation of any policy over dataset entries: episodes played through the engine, each entry
 * scored with the official BFCL checker on what the model executed (`checkEntry`), results
 * appended to a JSON-lines file as each entry finishes (so a crash or Ctrl-C loses nothing already
 * scored, and `resume` picks up where it stopped), and a per-category summary.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { EnvtuneError, type BfclFuncDoc, type DomainPack, type LongContextConstants } from "@envtune/core";
import { BFCL_CATEGORIES, type BfclCategory, type BfclEntry } from "@envtune/bfcl-data";
import { accuracy, checkEntry, type AccuracyReport, type CheckerErrorType } from "@envtune/checker";
import type { EpisodeConfigInput } from "./config.ts";
import { Episode } from "./episode.ts";
import type { Policy } from "./policies/policy.ts";
import { REWARD_COMPONENTS } from "./rewards.ts";
import { runEpisode } from "./run.ts";
import type { ChatMessage, TurnRecord } from "./types.ts";

/** One line of the results file. */
export interface EvalResult {
  id: string;
  category: string;
  policy: string;
  /** `scored`: the checker ran; `error`: the episode failed (endpoint down, ...) and is re-run on resume. */
  status: "scored" | "error";
  /** The official BFCL verdict. */
  valid: boolean;
  error_type: CheckerErrorType | null;
  error_message?: string;
  failed_turn: number | null;
  /** The engine's per-turn checks (every turn that ended). */
  turns: TurnRecord[];
  reward: number;
  reward_components: Record<string, number>;
  terminated: boolean;
  truncated: boolean;
  truncation_reason?: string;
  /** Assistant messages sent. */
  steps: number;
  /** What the checker scored: executed call strings, `[turn][step][call]`. */
  decoded: unknown;
  transcript?: ChatMessage[];
  /** Why the episode failed (`status: "error"`). */
  error?: string;
  elapsed_ms: number;
}

export interface EvalProgress {
  done: number;
  total: number;
  correct: number;
  errors: number;
  /** Entries taken from the results file instead of being run. */
  resumed: number;
  elapsedMs: number;
  last?: EvalResult;
}

export interface EvalOptions {
  policy: Policy;
  entries: readonly BfclEntry[];
  packs: ReadonlyMap<string, DomainPack>;
  constants?: LongContextConstants;
  funcDocs?: ReadonlyMap<string, readonly BfclFuncDoc[]>;
  /** Episode settings; they override the policy's own (`policy.episodeConfig`). Default protocol: `bfcl`. */
  config?: EpisodeConfigInput;
  /** Episodes run at once (default 4). */
  concurrency?: number;
  /** JSON-lines results file, appended to as entries finish. */
  resultsFile?: string;
  /** Skip entries already scored in `resultsFile` (their lines are kept and counted). */
  resume?: boolean;
  /** Keep each episode's messages in its result line (default true). */
  transcripts?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
}

export interface CategorySummary {
  entries: number;
  correct: number;
  accuracy: number;
  /** Mean progress reward (fraction of turns passed). */
  progress: number;
  errors: number;
}

export interface EvalSummary {
  policy: string;
  entries: number;
  scored: number;
  errors: number;
  /** True when the run was interrupted before every entry finished. */
  interrupted: boolean;
  categories: Record<BfclCategory, CategorySummary>;
  /** BFCL's overall multi-turn accuracy: unweighted mean of the four categories (null when one has no entry). */
  overall: number | null;
  /** Unweighted mean over the categories present. */
  overallPresent: number | null;
  /** Mean of every reward component over scored entries. */
  meanRewards: Record<string, number>;
  elapsedMs: number;
}

export interface EvalRun {
  results: EvalResult[];
  summary: EvalSummary;
}

/** Reads a results file; a torn last line (crash mid-write) is dropped and the file repaired. */
export function readResultsFile(file: string, repair = false): EvalResult[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const out: EvalResult[] = [];
  const good: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as EvalResult;
      if (typeof r.id === "string" && (r.status === "scored" || r.status === "error")) {
        out.push(r);
        good.push(line);
      }
    } catch {
      // A line cut short by a crash; dropped below.
    }
  }
  if (repair && (good.length === 0 ? text.length > 0 : good.join("\n") + "\n" !== text))
    writeFileSync(file, good.length ? good.join("\n") + "\n" : "");
  return out;
}

/** Plays and scores `entries` with `policy`; see the module comment. */
export async function runEval(opts: EvalOptions): Promise<EvalRun> {
  const t0 = Date.now();
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const config: EpisodeConfigInput = { protocol: "bfcl", ...opts.policy.episodeConfig, ...opts.config };
  const ids = new Set<string>();
  for (const e of opts.entries) {
    if (ids.has(e.id)) throw new EnvtuneError("DUPLICATE_ENTRY", "eval", `Entry \`${e.id}\` is listed twice.`, "Pass each entry once.");
    ids.add(e.id);
  }
  if (opts.resultsFile) mkdirSync(dirname(opts.resultsFile), { recursive: true });
  // The last line per id wins: an entry that errored and was re-run later counts once.
  const previous = new Map<string, EvalResult>();
  if (opts.resultsFile && opts.resume) {
    for (const r of readResultsFile(opts.resultsFile, true)) if (ids.has(r.id)) previous.set(r.id, r);
  } else if (opts.resultsFile) {
    writeFileSync(opts.resultsFile, "");
  }

  const results = new Map<string, EvalResult>();
  for (const [id, r] of previous) if (r.status === "scored") results.set(id, r);
  const resumed = results.size;
  const todo = opts.entries.filter((e) => !results.has(e.id));
  const progress: EvalProgress = { done: resumed, total: opts.entries.length, correct: 0, errors: 0, resumed, elapsedMs: 0 };
  for (const r of results.values()) if (r.valid) progress.correct++;
  opts.onProgress?.({ ...progress });

  let next = 0;
  let interrupted = false;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      if (opts.signal?.aborted) {
        interrupted = true;
        return;
      }
      const entry = todo[next++]!;
      let result: EvalResult;
      try {
        result = await evalEntry(entry, opts, config);
      } catch (e) {
        if (opts.signal?.aborted) {
          interrupted = true;
          return;
        }
        result = errorResult(entry, opts.policy.name, e);
      }
      if (opts.resultsFile) appendFileSync(opts.resultsFile, JSON.stringify(result) + "\n");
      results.set(entry.id, result);
      progress.done++;
      if (result.status === "error") progress.errors++;
      else if (result.valid) progress.correct++;
      progress.elapsedMs = Date.now() - t0;
      opts.onProgress?.({ ...progress, last: result });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  if (opts.signal?.aborted) interrupted = true;
  const ordered = opts.entries.map((e) => results.get(e.id)).filter((r): r is EvalResult => r !== undefined);
  return { results: ordered, summary: summarize(opts.policy.name, ordered, { interrupted, elapsedMs: Date.now() - t0 }) };
}

async function evalEntry(entry: BfclEntry, opts: EvalOptions, config: EpisodeConfigInput): Promise<EvalResult> {
  const t0 = Date.now();
  const episode = new Episode({
    entry,
    packs: opts.packs,
    ...(opts.constants ? { constants: opts.constants } : {}),
    ...(opts.funcDocs ? { funcDocs: opts.funcDocs } : {}),
    config,
  });
  const tr = await runEpisode(episode, opts.policy, opts.signal ? { signal: opts.signal } : {});
  // The official verdict: BFCL's evaluation re-executes the decoded output from scratch in the
  // standard environment. Policies that replay recorded outputs score the record itself.
  const withDecoded = opts.policy as Policy & { decodedOutput?: (id: string) => unknown };
  const decoded = withDecoded.decodedOutput?.(entry.id) ?? tr.decoded;
  const verdict = checkEntry(entry, decoded, { packs: opts.packs, ...(opts.constants ? { constants: opts.constants } : {}) });
  return {
    id: entry.id,
    category: entry.category,
    policy: opts.policy.name,
    status: "scored",
    valid: verdict.valid,
    error_type: verdict.errorType,
    ...(verdict.errorMessage !== undefined ? { error_message: verdict.errorMessage } : {}),
    failed_turn: verdict.failedTurn,
    turns: tr.turns,
    reward: tr.rewards.reward,
    reward_components: tr.rewards.components,
    terminated: tr.terminated,
    truncated: tr.truncated,
    ...(tr.truncationReason !== undefined ? { truncation_reason: tr.truncationReason } : {}),
    steps: tr.messages.filter((m) => m.role === "assistant").length,
    decoded,
    ...(opts.transcripts === false ? {} : { transcript: tr.messages }),
    elapsed_ms: Date.now() - t0,
  };
}

function errorResult(entry: BfclEntry, policy: string, e: unknown): EvalResult {
  return {
    id: entry.id,
    category: entry.category,
    policy,
    status: "error",
    valid: false,
    error_type: "multi_turn:inference_error",
    failed_turn: null,
    turns: [],
    reward: 0,
    reward_components: Object.fromEntries(REWARD_COMPONENTS.map((c) => [c, 0])),
    terminated: false,
    truncated: true,
    steps: 0,
    decoded: null,
    error: e instanceof Error ? e.message : String(e),
    elapsed_ms: 0,
  };
}

/** Per-category and overall numbers of a set of results (one per entry). */
export function summarize(
  policy: string,
  results: readonly EvalResult[],
  extra: { interrupted?: boolean; elapsedMs?: number } = {},
): EvalSummary {
  const acc: AccuracyReport = accuracy(results.map((r) => ({ id: r.id, valid: r.status === "scored" && r.valid })));
  const categories = {} as Record<BfclCategory, CategorySummary>;
  for (const c of BFCL_CATEGORIES) {
    const rs = results.filter((r) => r.category === c);
    const a = acc.categories[c];
    categories[c] = {
      entries: a.total,
      correct: a.correct,
      accuracy: a.accuracy,
      progress: rs.length ? rs.reduce((s, r) => s + (r.reward_components.progress ?? 0), 0) / rs.length : 0,
      errors: rs.filter((r) => r.status === "error").length,
    };
  }
  const scored = results.filter((r) => r.status === "scored");
  const meanRewards: Record<string, number> = {};
  for (const k of ["reward", ...REWARD_COMPONENTS]) {
    meanRewards[k] = scored.length
      ? scored.reduce((s, r) => s + (k === "reward" ? r.reward : (r.reward_components[k] ?? 0)), 0) / scored.length
      : 0;
  }
  return {
    policy,
    entries: results.length,
    scored: scored.length,
    errors: results.length - scored.length,
    interrupted: extra.interrupted ?? false,
    categories,
    overall: acc.overall,
    overallPresent: acc.overallPresent,
    meanRewards,
    elapsedMs: extra.elapsedMs ?? 0,
  };
}

const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`);

function tableRows(s: EvalSummary): string[][] {
  const rows = BFCL_CATEGORIES.filter((c) => s.categories[c].entries > 0).map((c) => {
    const x = s.categories[c];
    return [c, String(x.entries), String(x.correct), pct(x.accuracy), x.progress.toFixed(3), String(x.errors)];
  });
  const total = BFCL_CATEGORIES.reduce((n, c) => n + s.categories[c].correct, 0);
  rows.push([
    "overall",
    String(s.entries),
    String(total),
    pct(s.overall ?? s.overallPresent),
    s.meanRewards.progress!.toFixed(3),
    String(s.errors),
  ]);
  return rows;
}

const HEADER = ["category", "entries", "correct", "accuracy", "progress", "errors"];

/** The summary as a Markdown table (overall = BFCL's unweighted mean of the categories). */
export function summaryMarkdown(s: EvalSummary): string {
  const rows = tableRows(s);
  const lines = [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
  const note =
    s.overall === null && s.entries > 0 ? "\nOverall is the mean over the categories present (BFCL's overall needs all four).\n" : "";
  return `## envtune eval: ${s.policy}\n\n${lines.join("\n")}\n${note}\nMean reward ${s.meanRewards.reward!.toFixed(4)}; ${s.scored} scored, ${s.errors} errors${s.interrupted ? ", interrupted" : ""}; ${(s.elapsedMs / 1000).toFixed(1)} s.\n`;
}

/** The summary as an aligned plain-text table for a terminal. */
export function summaryTable(s: EvalSummary): string {
  const rows = [HEADER, ...tableRows(s)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n") + "\n";
}
