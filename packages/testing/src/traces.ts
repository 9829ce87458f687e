import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DomainPack } from "@envtune/core/domain";
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core/py";
import { loadBfclDataset, type BfclDataset } from "@envtune/bfcl-data";
import { replayCalls } from "@envtune/core/exec";

/** `../shared` beside the repository (CI layout), or `ENVTUNE_SHARED_DIR`. */
export function sharedDir(): string {
  if (process.env.ENVTUNE_SHARED_DIR) return resolve(process.env.ENVTUNE_SHARED_DIR);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  return resolve(repo, "../shared");
}
export const bfclDataDir = (): string => process.env.ENVTUNE_BFCL_DATA ?? join(sharedDir(), "bfcl/data");
export const traceFile = (name: string): string => join(sharedDir(), "bfcl/traces", name);

let datasetCache: BfclDataset | undefined;
/** The BFCL dataset of the shared directory, loaded once per process. */
export function sharedDataset(): BfclDataset {
  datasetCache ??= loadBfclDataset(bfclDataDir());
  return datasetCache;
}

export interface TraceCall {
  call: string;
  result?: string;
  injected?: boolean;
  kind?: string;
}
export interface TraceRecord {
  id: string;
  split: string;
  involvedClasses: string[];
  longContext: boolean;
  /** Encoded initial state per class (JSON text), when the record has it. */
  initialState?: Map<string, string>;
  turns: Array<{ calls: TraceCall[]; state?: Map<string, string> }>;
}

function statesOf(v: PyValue | undefined): Map<string, string> | undefined {
  if (!(v instanceof PyDict)) return undefined;
  const m = new Map<string, string>();
  for (const [k, val] of v) m.set(String(k), pyJsonDumps(val));
  return m;
}

/** Reads a trace file (ground_truth.jsonl / fuzz.jsonl schema) with Python-faithful values. */
export function readTraceFile(file: string): TraceRecord[] {
  if (!existsSync(file))
    throw new Error(
      `[envtune] [testing] Trace file \`${file}\` not found. Put the shared folder beside the repository or set ENVTUNE_SHARED_DIR.`,
    );
  const out: TraceRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = parsePyJson(line) as PyDict;
    const turns = ((r.get("turns") as PyValue[] | undefined) ?? []).map((t) => {
      const td = t as PyDict;
      const calls = ((td.get("calls") as PyValue[] | undefined) ?? []).map((c) => {
        const cd = c as PyDict;
        const tc: TraceCall = { call: cd.get("call") as string };
        const res = cd.get("result");
        if (typeof res === "string") tc.result = res;
        if (cd.get("injected") === true) tc.injected = true;
        const kind = cd.get("kind");
        if (typeof kind === "string") tc.kind = kind;
        return tc;
      });
      const state = statesOf(td.get("state"));
      return state ? { calls, state } : { calls };
    });
    const initialState = statesOf(r.get("initial_state"));
    out.push({
      id: r.get("id") as string,
      split: (r.get("split") as string | undefined) ?? "",
      involvedClasses: (r.get("involved_classes") as string[] | undefined) ?? [],
      longContext: r.get("long_context") === true,
      ...(initialState ? { initialState } : {}),
      turns,
    });
  }
  return out;
}

const traceCache = new Map<string, TraceRecord[]>();
function cachedTraces(file: string): TraceRecord[] {
  let t = traceCache.get(file);
  if (!t) {
    t = readTraceFile(file);
    traceCache.set(file, t);
  }
  return t;
}

/** Fuzz kinds whose reference result depends on defects envtune deliberately does not reproduce. */
export const NON_REPRODUCED_KINDS: ReadonlySet<string> = new Set(["nested_call", "in_string_method_name"]);

export interface KindStats {
  calls: number;
  resultsIdentical: number;
  /** Calls whose result is an error in both the reference and envtune. */
  bothErrors: number;
  turns: number;
  statesIdentical: number;
}

export interface Mismatch {
  id: string;
  turn: number;
  call?: string;
  kind?: string;
  what: "result" | "state" | "initial_state";
  expected: string;
  actual: string;
}

export interface DomainTraceReport {
  className: string;
  records: number;
  calls: number;
  resultsIdentical: number;
  states: number;
  statesIdentical: number;
  /** Per fuzz kind (`gt` for non-injected calls). */
  byKind: Map<string, KindStats>;
  mismatches: Mismatch[];
  /** Records cut short at a call of a kind envtune does not reproduce. */
  truncatedRecords: number;
}

const isError = (s: string) => s.startsWith("Error during execution:") || s.startsWith('{"error"');

/**
 * Replays, for every record involving the pack's class, only the calls to that pack's tools
 * (a class's state depends only on its own calls), and compares each result string and the
 * pack's encoded state after every turn with the reference trace.
 */
export function checkDomainTraces(pack: DomainPack, opts: { traceFile: string; maxMismatches?: number }): DomainTraceReport {
  const cls = pack.meta.className;
  const dataset = sharedDataset();
  const records = cachedTraces(opts.traceFile).filter((r) => r.involvedClasses.includes(cls));
  const report: DomainTraceReport = {
    className: cls,
    records: records.length,
    calls: 0,
    resultsIdentical: 0,
    states: 0,
    statesIdentical: 0,
    byKind: new Map(),
    mismatches: [],
    truncatedRecords: 0,
  };
  const max = opts.maxMismatches ?? 50;
  const push = (m: Mismatch) => {
    if (report.mismatches.length < max) report.mismatches.push(m);
  };
  const stats = (kind: string): KindStats => {
    let s = report.byKind.get(kind);
    if (!s) report.byKind.set(kind, (s = { calls: 0, resultsIdentical: 0, bothErrors: 0, turns: 0, statesIdentical: 0 }));
    return s;
  };
  const tools = new Set(pack.toolMap.keys());
  const onlyThisClass = (r: TraceRecord) => r.involvedClasses.length === 1;
  for (const rec of records) {
    const entry = dataset.byId.get(rec.id);
    if (!entry) throw new Error(`[envtune] [testing] Trace record ${rec.id} has no dataset entry in ${dataset.dir}.`);
    // Cut the record at the first call envtune deliberately handles differently.
    let cut = rec.turns.length;
    let cutCall = -1;
    outer: for (let t = 0; t < rec.turns.length; t++) {
      const calls = rec.turns[t]!.calls;
      for (let i = 0; i < calls.length; i++) {
        if (calls[i]!.kind && NON_REPRODUCED_KINDS.has(calls[i]!.kind!)) {
          cut = t;
          cutCall = i;
          break outer;
        }
      }
    }
    if (cut < rec.turns.length) report.truncatedRecords++;
    const selected = rec.turns.slice(0, cut + (cutCall > 0 ? 1 : 0)).map((t, ti) => {
      const calls = ti === cut ? t.calls.slice(0, cutCall) : t.calls;
      return calls.filter((c) => onlyThisClass(rec) || tools.has(callName(c.call)));
    });
    const replay = replayCalls(
      { id: rec.id, longContext: rec.longContext, turns: selected.map((calls) => ({ calls: calls.map((c) => c.call) })) },
      { packs: new Map([[cls, pack]]), initialConfig: entry.initialConfig, involvedClasses: [cls], constants: dataset.longContext },
    );
    const expInit = rec.initialState?.get(cls);
    if (expInit !== undefined) {
      report.states++;
      const act = replay.initialState.get(cls)!;
      if (act === expInit) report.statesIdentical++;
      else push({ id: rec.id, turn: -1, what: "initial_state", expected: expInit, actual: act });
    }
    replay.turns.forEach((turn, ti) => {
      const expectedCalls = selected[ti]!;
      const kinds = new Set<string>();
      turn.calls.forEach((c, ci) => {
        const exp = expectedCalls[ci]!;
        const kind = exp.kind ?? "gt";
        kinds.add(kind);
        const s = stats(kind);
        s.calls++;
        report.calls++;
        if (exp.result === undefined) return;
        if (exp.result === c.result) {
          s.resultsIdentical++;
          report.resultsIdentical++;
        } else push({ id: rec.id, turn: ti, call: c.call, kind, what: "result", expected: exp.result, actual: c.result });
        if (isError(exp.result) && isError(c.result)) s.bothErrors++;
      });
      const expState = rec.turns[ti]!.state?.get(cls);
      // A turn cut in the middle has no comparable state.
      if (expState === undefined || (ti === cut && cutCall >= 0)) return;
      report.states++;
      const act = turn.state.get(cls)!;
      const same = act === expState;
      if (same) report.statesIdentical++;
      else push({ id: rec.id, turn: ti, what: "state", expected: expState, actual: act });
      for (const k of kinds.size ? kinds : ["gt"]) {
        const s = stats(k);
        s.turns++;
        if (same) s.statesIdentical++;
      }
    });
  }
  return report;
}

/** The called name of a call string (`cd(folder='x')` → `cd`), without parsing arguments. */
function callName(call: string): string {
  const m = /^\s*\[?\s*([A-Za-z_][\w.]*)\s*\(/.exec(call);
  return m ? m[1]! : "";
}
