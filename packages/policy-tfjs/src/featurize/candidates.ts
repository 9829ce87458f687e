/**
 * Argument candidates: the values a parameter can take, copied from the dialogue (see `spans.ts`)
 * or offered by the parameter's schema (enums, "all of them", description numbers and literals,
 * booleans), filtered by the schema's type, and how a chosen one is written into the call.
 */
import { hashWords, words, DEFAULT_HASH_BUCKETS } from "../tokenize.ts";
import type { PolicyObservation } from "../observation.ts";
import { DEFAULT_LIMITS, type FeaturizerLimits } from "./limits.ts";
import { memo } from "./memo.ts";
import { listSpan, neighborWordsOf, numberText, resultSpans, userSpans, type RawSpan } from "./spans.ts";
import { PARAM_TYPES, type ParamInfo } from "./tool-info.ts";

/** Where an argument candidate comes from. */
export const CAND_KINDS = [
  "user_quoted",
  "user_word",
  "user_phrase",
  "user_number",
  "result_string",
  "result_number",
  "earlier_text",
  "enum",
  "bool_true",
  "bool_false",
  "all_enum",
  "param_number",
  // Values derived from the dialogue rather than copied verbatim: what an LLM writes without a tool.
  "derived_date",
  "derived_number",
  "user_tag",
  "value_list",
  "param_literal",
] as const;
export type CandKind = (typeof CAND_KINDS)[number];
const KIND_INDEX = new Map<CandKind, number>(CAND_KINDS.map((k, i) => [k, i]));

/** How a chosen value is written into the call's JSON arguments. */
export const VALUE_FORMS = ["string", "bare", "list"] as const;
export type ValueForm = (typeof VALUE_FORMS)[number];

/** Rows of the form table: one per (parameter type, candidate kind) pair. */
export const FORM_ROWS = PARAM_TYPES.length * CAND_KINDS.length;

export interface Candidate {
  /** The value's text as copied. */
  text: string;
  kind: CandKind;
  /** The numeric value, for number-like candidates. */
  numeric?: number;
  /** For `all_enum`: the list it stands for. */
  list?: string[];
  /** For `value_list`: the values it stands for (strings or numbers), written as a JSON list. */
  items?: Array<string | number>;
  quoted: boolean;
  /** Stemmed words around the value (and the JSON key it came from). */
  neighborWords: Set<string>;
  /** Stemmed words of the value itself. */
  ownWords: string[];
  tokenBag: number[];
  neighborBag: number[];
  /** Relative position in its source text (0 = start). */
  position: number;
  fromLastResult: boolean;
  key: string;
}

const KIND_PRIORITY: Record<CandKind, number> = {
  user_quoted: 0,
  user_number: 1,
  user_phrase: 2,
  result_string: 3,
  result_number: 3,
  user_word: 4,
  earlier_text: 5,
  enum: 0,
  bool_true: 0,
  bool_false: 0,
  all_enum: 0,
  param_number: 0,
  derived_date: 1,
  user_tag: 1,
  value_list: 2,
  derived_number: 3,
  param_literal: 0,
};

function makeCandidate(s: RawSpan, srcText: string, buckets: number, fromLast: boolean): Candidate {
  const nb = s.keyWords ? s.keyWords : srcText ? neighborWordsOf(srcText, s.start, s.end) : [];
  const own = words(s.text, 8);
  return {
    text: s.text,
    kind: s.kind,
    ...(s.numeric !== undefined ? { numeric: s.numeric } : {}),
    ...(s.items ? { items: s.items } : {}),
    quoted: s.quoted,
    neighborWords: new Set(nb),
    ownWords: own,
    tokenBag: hashWords(s.text, 4, buckets),
    neighborBag: nb.slice(0, 6).map((w) => hashWords(w, 1, buckets)[0] ?? 1),
    position: srcText.length ? s.start / srcText.length : 0,
    fromLastResult: fromLast,
    key: `${s.kind}\u0000${s.text}\u0000${nb.join(" ")}`,
  };
}

const DERIVED_KINDS = new Set<CandKind>(["derived_date", "derived_number", "user_tag", "value_list"]);

const spanCache = new Map<string, Candidate[]>();

function cachedCandidates(key: string, make: () => Candidate[]): Candidate[] {
  return memo(spanCache, key, make);
}

const soleNumberCache = new Map<string, RawSpan | null>();

/** The number of a result that holds exactly one (a count, a balance), else null. */
function soleNumber(result: string, maxChars: number): RawSpan | null {
  return memo(soleNumberCache, `${maxChars}\u0000${result}`, () => {
    const nums = resultSpans(result, maxChars).filter((s) => s.kind === "result_number");
    return nums.length === 1 ? nums[0]! : null;
  });
}

/** The copyable values of the dialogue (user text, results, earlier turns), deduplicated and capped. */
export function contextCandidates(obs: PolicyObservation, limits: FeaturizerLimits = DEFAULT_LIMITS): Candidate[] {
  const b = limits.hashBuckets;
  const all: Candidate[] = [];
  all.push(
    ...cachedCandidates(`u${b}\u0000${obs.userText}`, () => userSpans(obs.userText).map((s) => makeCandidate(s, obs.userText, b, false))),
  );
  const lastIdx = obs.steps.length - 1;
  obs.steps.forEach((step, i) => {
    for (const r of step.results) {
      const last = i === lastIdx;
      all.push(
        ...cachedCandidates(`r${b}${last ? 1 : 0}\u0000${r}`, () =>
          resultSpans(r, limits.resultChars).map((s) => makeCandidate(s, s.keyWords ? "" : r.slice(0, limits.resultChars), b, last)),
        ),
      );
    }
  });
  for (const r of obs.earlierResults.slice(-3)) {
    all.push(
      ...cachedCandidates(`e${b}\u0000${r}`, () =>
        resultSpans(r, limits.resultChars).map((s) =>
          makeCandidate({ ...s, kind: "earlier_text" }, s.keyWords ? "" : r.slice(0, limits.resultChars), b, false),
        ),
      ),
    );
  }
  // Values the earlier steps and turns computed one per result (three counts, then their mean).
  const sole = [...obs.earlierResults.slice(-6), ...obs.steps.flatMap((s) => s.results)].flatMap(
    (r) => soleNumber(r, limits.resultChars) ?? [],
  );
  if (sole.length >= 2) all.push(makeCandidate(listSpan(sole.slice(-12)), "", b, false));
  for (const t of obs.previousUserTexts.slice(-2)) {
    all.push(
      ...cachedCandidates(`p${b}\u0000${t}`, () =>
        userSpans(t)
          .filter((s) => s.kind !== "user_word")
          .map((s) => makeCandidate({ ...s, kind: DERIVED_KINDS.has(s.kind) ? s.kind : "earlier_text" }, t, b, false)),
      ),
    );
  }
  // Deduplicate by text, keeping the most informative source; then cap by priority.
  const byText = new Map<string, Candidate>();
  for (const c of all) {
    const prev = byText.get(c.text);
    if (!prev || KIND_PRIORITY[c.kind] < KIND_PRIORITY[prev.kind]) byText.set(c.text, c);
  }
  const uniq = [...byText.values()];
  uniq.sort((x, y) => KIND_PRIORITY[x.kind] - KIND_PRIORITY[y.kind] || x.position - y.position);
  return uniq.slice(0, limits.contextCandidates);
}

const paramCandCache = new Map<string, Candidate[]>();

/** Short literals a parameter's description offers: quoted ('l' for lines, "."), and (Buy/Sell) alternatives. */
function descriptionLiterals(description: string): string[] {
  const out = new Set<string>();
  const q = /(?<![A-Za-z0-9])['"]([^'"\n]{1,20})['"](?![A-Za-z0-9])/g;
  let m: RegExpExecArray | null;
  while ((m = q.exec(description)) !== null) out.add(m[1]!);
  const alt = /\(([A-Za-z]+(?:\/[A-Za-z]+)+)\)/g;
  while ((m = alt.exec(description)) !== null) for (const v of m[1]!.split("/")) out.add(v);
  return [...out].slice(0, 8);
}

/** Candidates that belong to a parameter: its enum values, "all of them" for enum lists, numbers in its description, booleans. */
export function paramCandidates(p: ParamInfo, buckets = DEFAULT_HASH_BUCKETS): Candidate[] {
  return memo(paramCandCache, `${buckets}\u0000${p.key}`, () => {
    const out: Candidate[] = [];
    const mk = (text: string, kind: CandKind, extra: Partial<Candidate> = {}): Candidate => ({
      text,
      kind,
      quoted: false,
      neighborWords: new Set(),
      ownWords: words(text, 8),
      tokenBag: hashWords(text, 4, buckets),
      neighborBag: [],
      position: 0,
      fromLastResult: false,
      key: `${kind}\u0000${text}\u0000${p.key}`,
      ...extra,
    });
    for (const v of p.enumValues.slice(0, 16)) out.push(mk(v, "enum"));
    if (p.type === "array" && p.enumValues.length > 1) out.push(mk(p.enumValues.join(", "), "all_enum", { list: [...p.enumValues] }));
    for (const n of p.descNumbers) out.push(mk(numberText(n), "param_number", { numeric: n }));
    for (const v of descriptionLiterals(p.description)) if (!p.enumValues.includes(v)) out.push(mk(v, "param_literal"));
    out.push(mk("true", "bool_true"), mk("false", "bool_false"));
    return out;
  });
}

/** Argument candidates for one parameter: the context's values plus the parameter's own. */
export function argCandidates(
  ctx: { readonly candidates: readonly Candidate[] },
  p: ParamInfo,
  buckets = DEFAULT_HASH_BUCKETS,
  constrain = true,
): Candidate[] {
  const all = [...ctx.candidates, ...paramCandidates(p, buckets)];
  if (!constrain) return all;
  const kept = all.filter((c) => fitsSchema(p, c));
  // Never leave a parameter without options: fall back to everything the dialogue offers.
  return kept.length ? kept : all;
}

const BOOL_KINDS = new Set<CandKind>(["bool_true", "bool_false"]);

/**
 * Schema-constrained value proposals (as JSON-Schema-constrained decoding does for LLMs): an enum
 * parameter takes its enum values, a boolean true/false, a number the numbers in view, a string
 * any copied text. How the value is *written* (the form head) is still free, so a value can still
 * come out malformed or of the wrong JSON type.
 */
export function fitsSchema(p: ParamInfo, c: Candidate): boolean {
  const isBool = BOOL_KINDS.has(c.kind);
  switch (p.type) {
    case "boolean":
      return isBool;
    case "integer":
    case "number":
      return c.numeric !== undefined;
    case "string":
      return p.enumValues.length
        ? c.kind === "enum"
        : !isBool && c.kind !== "param_number" && c.kind !== "all_enum" && c.kind !== "enum" && c.kind !== "value_list";
    case "array":
      return p.enumValues.length ? c.kind === "enum" || c.kind === "all_enum" : !isBool && c.kind !== "param_number" && c.kind !== "enum";
    case "object":
      return true;
  }
}

/** Row of the form table for a (parameter type, candidate kind) pair. */
export function formRow(p: ParamInfo, c: Candidate): number {
  return PARAM_TYPES.indexOf(p.type) * CAND_KINDS.length + KIND_INDEX.get(c.kind)!;
}

export function kindIndex(k: CandKind): number {
  return KIND_INDEX.get(k)!;
}

/** Writes a chosen value in the given form (JSON text). `bare` writes the text as is, which is not always valid JSON. */
export function renderValue(c: Candidate, form: ValueForm): string {
  if (c.kind === "value_list" && c.items) {
    if (form === "list") return JSON.stringify(c.items);
    if (form === "string") return JSON.stringify(c.text);
    return c.text;
  }
  if (c.kind === "all_enum" && c.list) {
    if (form === "list") return JSON.stringify(c.list);
    if (form === "string") return JSON.stringify(c.text);
    return c.text;
  }
  const bare =
    c.kind === "bool_true" ? "true" : c.kind === "bool_false" ? "false" : c.numeric !== undefined ? numberText(c.numeric) : c.text;
  switch (form) {
    case "string":
      return JSON.stringify(c.kind === "bool_true" || c.kind === "bool_false" ? bare : c.text);
    case "bare":
      return bare;
    case "list":
      return `[${c.numeric !== undefined || c.kind === "bool_true" || c.kind === "bool_false" ? bare : JSON.stringify(c.text)}]`;
  }
}
