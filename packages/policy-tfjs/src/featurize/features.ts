/**
 * The hand-made comparison features, as four named tables (see `feature-table.ts`): per decision
 * (answer or tool), per tool, per parameter (fill or leave out) and per argument candidate. The
 * network learns how much each matters; at initialization it is random.
 *
 * Column order is the order of the rows below and is what trained weights are bound to.
 */
import { contentWords, hashWords } from "../tokenize.ts";
import type { ObservedStep, PolicyObservation } from "../observation.ts";
import { CAND_KINDS, contextCandidates, kindIndex, type Candidate } from "./candidates.ts";
import { capped, featuresOf, featureTable, share, type FeatureTable } from "./feature-table.ts";
import { DEFAULT_LIMITS, type FeaturizerLimits } from "./limits.ts";
import { memo } from "./memo.ts";
import { isErrorResult } from "./spans.ts";
import { PARAM_TYPES, toolInfo, type ParamInfo, type ParamType, type ToolInfo } from "./tool-info.ts";

/** Per-decision context shared by the tool, fill and argument features. */
export interface DecisionContext {
  obs: PolicyObservation;
  tools: ToolInfo[];
  userWords: Set<string>;
  prevUserWords: Set<string>;
  lastObservation: string;
  lastObservationWords: Set<string>;
  userBag: number[];
  observationBag: number[];
  answerFeatures: Float32Array;
  /** [tools × TOOL_FEATURES] */
  toolFeatures: Float32Array;
  candidates: Candidate[];
  /** Lowercased user text (for "the value appears in the text" checks). */
  userLower: string;
  usedValues: Set<string>;
  lastCallValues: Set<string>;
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}

// ---- Tools ---------------------------------------------------------------------------------------

/** What the tool features of one tool read: the decision's scans and the tool. */
interface ToolRow {
  d: ToolScan;
  t: ToolInfo;
  /** Index of this tool's call in the last step, -1 when it was not called there. */
  lastHere: number;
}

/** Per-decision scans shared by every tool's row. */
interface ToolScan {
  obs: PolicyObservation;
  userWords: Set<string>;
  prevUserWords: Set<string>;
  lastObservationWords: Set<string>;
  /** The last observation's first 4000 characters (a tool named there, e.g. by a hint). */
  lastObservationHead: string;
  idf: Map<string, number>;
  calledCounts: Map<string, number>;
  earlierCalls: Set<string>;
  lastStep: ObservedStep | undefined;
}

/** Word overlap of the request with a tool's description, each word weighted by its idf over the tool list. */
function descriptionIdfMatch({ d, t }: ToolRow): number {
  let num = 0;
  let den = 0;
  for (const w of t.descWords) {
    const v = d.idf.get(w) ?? 0;
    den += v;
    if (d.userWords.has(w)) num += v;
  }
  return den > 0 ? num / den : 0;
}

const T = featuresOf<ToolRow>();
export const TOOL_FEATURE_TABLE = featureTable([
  T.scalar("name_in_request", ({ d, t }) => share(overlap(t.nameWords, d.userWords), t.nameWords.size)),
  T.flag("name_word_in_request", ({ d, t }) => overlap(t.nameWords, d.userWords) > 0),
  T.scalar("description_idf_match", descriptionIdfMatch),
  T.scalar("description_words_in_request", ({ d, t }) => capped(overlap(t.descWords, d.userWords), 5)),
  T.flag("named_in_last_observation", ({ d, t }) => d.lastObservationHead.includes(t.name)),
  T.scalar("name_in_last_observation", ({ d, t }) => share(overlap(t.nameWords, d.lastObservationWords), t.nameWords.size)),
  T.scalar("calls_this_turn", ({ d, t }) => capped(d.calledCounts.get(t.name) ?? 0, 2)),
  T.flag("called_last_step", (r) => r.lastHere >= 0),
  T.flag("failed_last_step", ({ d, lastHere }) => lastHere >= 0 && isErrorResult(d.lastStep!.results[lastHere] ?? "")),
  T.flag("called_earlier_turn", ({ d, t }) => d.earlierCalls.has(t.name)),
  T.flag("no_required_params", ({ t }) => t.requiredCount === 0),
  T.scalar("name_in_previous_request", ({ d, t }) => share(overlap(t.nameWords, d.prevUserWords), t.nameWords.size)),
  T.scalar("param_names_in_request", ({ d, t }) => share(overlap(t.paramWords, d.userWords), t.paramWords.size)),
  T.scalar("param_count", ({ t }) => capped(t.params.length, 5)),
  T.flag("named_in_request", ({ d, t }) => d.obs.userText.includes(t.name)),
]);
export type ToolFeatureName = (typeof TOOL_FEATURE_TABLE.features)[number]["name"];

function idfTable(tools: readonly ToolInfo[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const t of tools) for (const w of new Set([...t.descWords, ...t.nameWords])) df.set(w, (df.get(w) ?? 0) + 1);
  const n = tools.length;
  const out = new Map<string, number>();
  for (const [w, d] of df) out.set(w, Math.log((n + 1) / d));
  return out;
}

const idfCache = new Map<string, Map<string, number>>();

function idfFor(tools: readonly ToolInfo[]): Map<string, number> {
  return memo(idfCache, tools.map((t) => t.name).join("|"), () => idfTable(tools), 256);
}

function toolRows(d: ToolScan, tools: readonly ToolInfo[]): ToolRow[] {
  return tools.map((t) => ({ d, t, lastHere: d.lastStep?.calls.findIndex((c) => c.name === t.name) ?? -1 }));
}

// ---- Answer or tool ------------------------------------------------------------------------------

/** What the answer features read: the dialogue so far, the tools' features and the candidates. */
interface AnswerRow {
  obs: PolicyObservation;
  userWords: Set<string>;
  toolFeatures: Float32Array;
  candidates: readonly Candidate[];
}

const LAST_OUTCOMES = ["ok", "error", "parse_error"] as const;

function lastOutcome(steps: readonly ObservedStep[]): (typeof LAST_OUTCOMES)[number] | undefined {
  const last = steps[steps.length - 1];
  if (!last) return undefined;
  if (last.kind === "parse_error") return "parse_error";
  return last.results.some(isErrorResult) ? "error" : "ok";
}

/** The best value a tool feature takes over the tool list (0 without tools). */
function bestTool({ toolFeatures }: AnswerRow, name: ToolFeatureName): number {
  let best = 0;
  for (let i = TOOL_FEATURE_TABLE.offset(name); i < toolFeatures.length; i += TOOL_FEATURE_TABLE.width)
    best = Math.max(best, toolFeatures[i]!);
  return best;
}

const CONCRETE_KINDS = new Set<Candidate["kind"]>(["user_quoted", "user_number", "user_phrase"]);

// How well the best tool matches the request, and how many concrete values the request gives: a
// request no tool matches (a missing function) or that names no values (a missing parameter) is
// one to answer with a question.
const A = featuresOf<AnswerRow>();
export const ANSWER_FEATURE_TABLE = featureTable([
  A.countOneHot("steps_this_turn", 4, (r) => r.obs.steps.length),
  A.countOneHot("call_steps_this_turn", 2, (r) => r.obs.steps.filter((s) => s.kind === "calls").length),
  A.oneHot("last_step_outcome", LAST_OUTCOMES, (r) => {
    const o = lastOutcome(r.obs.steps);
    return o ? LAST_OUTCOMES.indexOf(o) : -1;
  }),
  A.flag("first_turn", (r) => r.obs.previousUserTexts.length === 0),
  A.scalar("best_tool_name_match", (r) => bestTool(r, "name_in_request")),
  A.scalar("best_tool_description_match", (r) => bestTool(r, "description_idf_match")),
  A.scalar("best_tool_param_match", (r) => bestTool(r, "param_names_in_request")),
  A.scalar("concrete_values", (r) => capped(r.candidates.filter((c) => CONCRETE_KINDS.has(c.kind)).length, 5)),
  A.scalar("request_words", (r) => capped(r.userWords.size, 40)),
]);

// ---- Parameters: fill or leave out ---------------------------------------------------------------

interface ParamRow {
  ctx: DecisionContext;
  p: ParamInfo;
}

const NUMERIC_TYPES = new Set<ParamType>(["integer", "number"]);

/** The most words of the parameter's name next to any one candidate. */
function bestNeighborMatch({ ctx, p }: ParamRow): number {
  let best = 0;
  for (const c of ctx.candidates) best = Math.max(best, overlap(p.nameWords, c.neighborWords));
  return best;
}

const P = featuresOf<ParamRow>();
export const FILL_FEATURE_TABLE = featureTable([
  P.flag("required", ({ p }) => p.required),
  P.flag("has_default", ({ p }) => p.hasDefault),
  P.oneHot("type", PARAM_TYPES, ({ p }) => PARAM_TYPES.indexOf(p.type)),
  P.scalar("name_next_to_candidate", (r) => capped(bestNeighborMatch(r), 2)),
  P.flag("enum_value_in_request", ({ ctx, p }) => p.enumValues.some((v) => ctx.userLower.includes(v.toLowerCase()))),
  P.scalar("name_in_request", ({ ctx, p }) => share(overlap(p.nameWords, ctx.userWords), p.nameWords.size)),
  P.flag("number_for_numeric_type", ({ ctx, p }) => NUMERIC_TYPES.has(p.type) && ctx.candidates.some((c) => c.numeric !== undefined)),
  P.flag("description_word_in_request", ({ ctx, p }) => overlap(p.descWords, ctx.userWords) > 0),
]);

// ---- Argument candidates -------------------------------------------------------------------------

interface CandRow {
  ctx: DecisionContext;
  p: ParamInfo;
  c: Candidate;
  isNum: boolean;
  isBool: boolean;
}

/** Words of the value itself that are in the parameter's name or description. */
function ownWordsInParam({ p, c }: CandRow): number {
  let own = 0;
  for (const w of c.ownWords) if (p.nameWords.has(w) || p.descWords.has(w)) own++;
  return own;
}

const COPIED_KINDS = new Set<Candidate["kind"]>(["enum", "result_string", "earlier_text"]);

const C = featuresOf<CandRow>();
export const CAND_FEATURE_TABLE = featureTable([
  C.oneHot("kind", CAND_KINDS, ({ c }) => kindIndex(c.kind)),
  C.flag("number_for_numeric_type", ({ p, isNum }) => isNum && NUMERIC_TYPES.has(p.type)),
  C.flag("bool_for_boolean", ({ p, isBool }) => isBool && p.type === "boolean"),
  C.flag("text_for_string", ({ p, isNum, isBool }) => !isNum && !isBool && p.type === "string"),
  C.flag("enum_for_array", ({ p, c }) => p.type === "array" && (c.kind === "all_enum" || c.kind === "enum")),
  C.scalar("neighbors_in_name", ({ p, c }) => capped(overlap(p.nameWords, c.neighborWords), 2)),
  C.scalar("neighbors_in_description", ({ p, c }) => capped(overlap(p.descWords, c.neighborWords), 3)),
  C.scalar("own_words_in_param", (r) => capped(ownWordsInParam(r), 2)),
  C.flag("quoted", ({ c }) => c.quoted),
  C.flag("capitalized", ({ c }) => /^[A-Z]/.test(c.text)),
  C.flag("has_digit", ({ c }) => /\d/.test(c.text)),
  C.flag("file_like", ({ c }) => /\.[A-Za-z0-9]{1,5}$/.test(c.text)),
  C.flag("upper_case", ({ c }) => c.text.length > 1 && c.text === c.text.toUpperCase() && /[A-Z]/.test(c.text)),
  C.scalar("length", ({ c }) => capped(c.text.length, 40)),
  C.flag("used_this_turn", ({ ctx, c }) => ctx.usedValues.has(c.text)),
  C.flag("used_last_step", ({ ctx, c }) => ctx.lastCallValues.has(c.text)),
  C.flag("copied_value_in_request", ({ ctx, c }) => COPIED_KINDS.has(c.kind) && ctx.userLower.includes(c.text.toLowerCase())),
  C.scalar("position", ({ c }) => c.position),
  C.flag("from_last_result", ({ c }) => c.fromLastResult),
  C.flag("has_space", ({ c }) => c.text.includes(" ")),
  C.flag("enum_word_in_request", ({ ctx, c }) => c.kind === "enum" && c.ownWords.some((w) => ctx.userWords.has(w))),
]);

// ---- Sizes and entry points ----------------------------------------------------------------------

export const ANSWER_FEATURES = ANSWER_FEATURE_TABLE.width;
export const TOOL_FEATURES = TOOL_FEATURE_TABLE.width;
export const FILL_FEATURES = FILL_FEATURE_TABLE.width;
export const CAND_FEATURES = CAND_FEATURE_TABLE.width;

/** One vector per row, back to back: [rows × table.width]. */
function vectors<R>(table: FeatureTable<R>, rows: readonly R[]): Float32Array {
  const out = new Float32Array(rows.length * table.width);
  rows.forEach((r, i) => table.write(r, out, i * table.width));
  return out;
}

function lastObservationText(steps: readonly ObservedStep[]): string {
  const s = steps[steps.length - 1];
  if (!s) return "";
  return s.kind === "parse_error" ? (s.feedback ?? "") : [...s.results, s.feedback ?? ""].join("\n");
}

function toolScan(
  obs: PolicyObservation,
  tools: readonly ToolInfo[],
  userWords: Set<string>,
  prevUserWords: Set<string>,
  lastObservation: string,
): ToolScan {
  const last = obs.steps[obs.steps.length - 1];
  const calledCounts = new Map<string, number>();
  for (const s of obs.steps) for (const c of s.calls) calledCounts.set(c.name, (calledCounts.get(c.name) ?? 0) + 1);
  return {
    obs,
    userWords,
    prevUserWords,
    lastObservationWords: contentWords(lastObservation.slice(0, 2000)),
    lastObservationHead: lastObservation.slice(0, 4000),
    idf: idfFor(tools),
    calledCounts,
    earlierCalls: new Set(obs.earlierCalls),
    lastStep: last?.kind === "calls" ? last : undefined,
  };
}

export function decisionContext(obs: PolicyObservation, limits: FeaturizerLimits = DEFAULT_LIMITS): DecisionContext {
  const b = limits.hashBuckets;
  const tools = obs.tools.map((t) => toolInfo(t, b));
  const userWords = contentWords(obs.userText);
  const prevUserWords = contentWords(obs.previousUserTexts.slice(-1).join(" "));
  const lastObservation = lastObservationText(obs.steps);
  const scan = toolScan(obs, tools, userWords, prevUserWords, lastObservation);
  const toolFeatures = vectors(TOOL_FEATURE_TABLE, toolRows(scan, tools));
  const candidates = contextCandidates(obs, limits);
  const usedValues = new Set<string>();
  for (const s of obs.steps) for (const c of s.calls) for (const v of c.values) usedValues.add(v);
  return {
    obs,
    tools,
    userWords,
    prevUserWords,
    lastObservation,
    lastObservationWords: scan.lastObservationWords,
    userBag: hashWords(obs.userText, limits.userWords, b),
    observationBag: hashWords(lastObservation.slice(0, 2000), limits.observationWords, b),
    answerFeatures: vectors(ANSWER_FEATURE_TABLE, [{ obs, userWords, toolFeatures, candidates }]),
    toolFeatures,
    candidates,
    userLower: obs.userText.toLowerCase(),
    usedValues,
    lastCallValues: new Set<string>(scan.lastStep?.calls.flatMap((c) => c.values) ?? []),
  };
}

/** Fill features of one parameter. */
export function fillFeatures(ctx: DecisionContext, p: ParamInfo): Float32Array {
  return vectors(FILL_FEATURE_TABLE, [{ ctx, p }]);
}

/** [candidates × CAND_FEATURES] for one parameter. */
export function candidateFeatures(ctx: DecisionContext, p: ParamInfo, cands: readonly Candidate[]): Float32Array {
  return vectors(
    CAND_FEATURE_TABLE,
    cands.map((c) => ({ ctx, p, c, isNum: c.numeric !== undefined, isBool: c.kind === "bool_true" || c.kind === "bool_false" })),
  );
}
