import { parsePythonCalls } from "../actions/index.ts";
import type { DomainPack, LongContextConstants } from "../domain/types.ts";
import { pyJsonDumps } from "../py/format.ts";
import type { PyDict } from "../py/value.ts";
import { World, type CallOutcome } from "./world.ts";

export { encodeView } from "./encode-view.ts";

/** The parts of a trace record replay needs (expected results and states may be absent). */
export interface ReplayInput {
  id: string;
  longContext: boolean;
  turns: Array<{ calls: string[] }>;
}

export interface ReplayedCall {
  call: string;
  result: string;
  outcome: CallOutcome | undefined;
  /** Set when envtune refuses the call string itself (e.g. a nested call), with the parse error. */
  parseError?: string;
}

export interface ReplayedTurn {
  calls: ReplayedCall[];
  /** Encoded state (lossless trace encoding, JSON text) of every involved class after the turn. */
  state: Map<string, string>;
}

export interface ReplayResult {
  id: string;
  initialState: Map<string, string>;
  turns: ReplayedTurn[];
}

export interface ReplayOptions {
  /** Packs by BFCL class name. */
  packs: ReadonlyMap<string, DomainPack>;
  initialConfig: PyDict;
  involvedClasses: readonly string[];
  constants?: LongContextConstants;
  augmented?: boolean;
  /** Execute only calls to these tools (others are skipped and left out of the result). */
  onlyTools?: ReadonlySet<string>;
}

function encodeStates(world: World, classes: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  // World caches each class's encoding until one of its tools runs, so untouched classes cost nothing.
  for (const c of classes) m.set(c, world.encodedView(c));
  return m;
}

/**
 * Replays call strings on a fresh world built from `initial_config`, one call at a time,
 * recording every result and the encoded state after every turn.
 */
export function replayCalls(input: ReplayInput, opts: ReplayOptions): ReplayResult {
  const packs = opts.involvedClasses.map((c) => {
    const p = opts.packs.get(c);
    if (!p)
      throw new Error(
        `[envtune] [core] No domain pack for class \`${c}\` (entry ${input.id}). Install or pass the pack that implements it.`,
      );
    return p;
  });
  const world = new World({
    packs,
    initialConfig: opts.initialConfig,
    longContext: input.longContext,
    ...(opts.constants ? { constants: opts.constants } : {}),
    augmented: opts.augmented ?? false,
    shared: new Map(),
  });
  const initialState = encodeStates(world, opts.involvedClasses);
  const turns: ReplayedTurn[] = [];
  for (const turn of input.turns) {
    const calls: ReplayedCall[] = [];
    for (const callText of turn.calls) {
      let parsed;
      try {
        parsed = parsePythonCalls(callText);
      } catch (e) {
        const msg = (e as Error).message;
        calls.push({ call: callText, result: `Error during execution: ${msg}`, outcome: undefined, parseError: msg });
        continue;
      }
      for (const c of parsed) {
        if (opts.onlyTools && !opts.onlyTools.has(c.name)) continue;
        const outcome = world.call(c);
        calls.push({ call: callText, result: outcome.result, outcome });
      }
    }
    turns.push({ calls, state: encodeStates(world, opts.involvedClasses) });
  }
  return { id: input.id, initialState, turns };
}

const statesText = (m: ReadonlyMap<string, string>): string => {
  let s = "{";
  let first = true;
  for (const [k, v] of m) {
    if (!first) s += ", ";
    first = false;
    s += pyJsonDumps(k) + ": " + v;
  }
  return s + "}";
};

/**
 * One replayed record as a JSON line of the traces' schema (`id`, `long_context`, `initial_state`,
 * `turns[].calls[].{call,result}`, `turns[].state`), formatted like Python's `json.dumps`.
 */
export function formatReplayRecord(input: Pick<ReplayInput, "id" | "longContext">, res: ReplayResult): string {
  let s = `{"id": ${pyJsonDumps(input.id)}, "long_context": ${input.longContext ? "true" : "false"}, "initial_state": ${statesText(res.initialState)}, "turns": [`;
  for (let ti = 0; ti < res.turns.length; ti++) {
    const t = res.turns[ti]!;
    if (ti > 0) s += ", ";
    s += `{"turn": ${ti}, "calls": [`;
    for (let ci = 0; ci < t.calls.length; ci++) {
      const c = t.calls[ci]!;
      if (ci > 0) s += ", ";
      s += `{"call": ${pyJsonDumps(c.call)}, "result": ${pyJsonDumps(c.result)}}`;
    }
    s += `], "state": ${statesText(t.state)}}`;
  }
  return s + "]}";
}
