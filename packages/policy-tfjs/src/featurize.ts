/**
 * Featurization: turns a {@link PolicyObservation} into the inputs of the policy network.
 *
 * Everything is generic over domains. Tools, parameters and argument candidates are described by
 * (a) hashed word bags that go through a learned embedding table and (b) a few fixed, hand-made
 * comparison features (word overlap between the user's text and a tool's name/description,
 * whether a value is quoted, looks like a number, sits next to a word of the parameter's name…).
 * The network learns how much each matters; at initialization it is random.
 *
 * Argument values come only from the dialogue (spans of the user's text or of tool results), the
 * parameter's enum values, numbers and booleans: the policy copies, it never looks answers up.
 */
import { pyRound, type ToolSchema } from "@envtune/core";
import { contentWords, hashWords, isStopword, splitIdentifier, stem, words, DEFAULT_HASH_BUCKETS } from "./tokenize.ts";
import type { ObservedStep, PolicyObservation } from "./observation.ts";

// ---- Sizes and feature layouts -----------------------------------------------------------------

/** Parameter types as the policy distinguishes them. */
export const PARAM_TYPES = ["string", "integer", "number", "boolean", "array", "object"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

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

export const ANSWER_FEATURES = 17;
export const TOOL_FEATURES = 15;
export const FILL_FEATURES = 13;
export const CAND_FEATURES = CAND_KINDS.length + 20;
export const FORM_ROWS = PARAM_TYPES.length * CAND_KINDS.length;

export interface FeaturizerLimits {
  /** Words of the user text that go into its bag. */
  userWords: number;
  /** Words of the latest observation that go into its bag. */
  observationWords: number;
  /** Context candidates (copied spans) per decision. */
  contextCandidates: number;
  /** Characters of one result string that are scanned for values. */
  resultChars: number;
  hashBuckets: number;
  /** Propose only values that fit the parameter's schema type (see {@link fitsSchema}). */
  schemaConstrained: boolean;
}

export const DEFAULT_LIMITS: FeaturizerLimits = { userWords: 64, observationWords: 48, contextCandidates: 40, resultChars: 3000, hashBuckets: DEFAULT_HASH_BUCKETS, schemaConstrained: true };

// ---- Static tool information (cached) ----------------------------------------------------------

export interface ParamInfo {
  name: string;
  description: string;
  type: ParamType;
  required: boolean;
  hasDefault: boolean;
  /** Enum values (from the schema, the array items' schema, or a `[Enum]: [...]` description). */
  enumValues: string[];
  /** Numbers written in the description (e.g. a range "between 0 and 1"). */
  descNumbers: number[];
  nameWords: Set<string>;
  descWords: Set<string>;
  nameBag: number[];
  descBag: number[];
  key: string;
}

export interface ToolInfo {
  name: string;
  description: string;
  params: ParamInfo[];
  nameWords: Set<string>;
  descWords: Set<string>;
  paramWords: Set<string>;
  nameBag: number[];
  descBag: number[];
  requiredCount: number;
  key: string;
}

const toolCache = new Map<string, ToolInfo>();
const ENUM_IN_DESC = /\[Enum\]:\s*\[([^\]]*)\]/;

function schemaType(s: Record<string, unknown>): ParamType {
  const t = Array.isArray(s.type) ? (s.type as unknown[]).find((x) => x !== "null") : s.type;
  switch (t) {
    case "string":
      return "string";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return "array";
    default:
      return "object";
  }
}

function enumOf(s: Record<string, unknown>, description: string): string[] {
  const direct = Array.isArray(s.enum) ? s.enum : undefined;
  const items = typeof s.items === "object" && s.items !== null ? (s.items as Record<string, unknown>) : undefined;
  const fromItems = items && Array.isArray(items.enum) ? items.enum : undefined;
  const list = direct ?? fromItems;
  if (list) return list.filter((v): v is string => typeof v === "string");
  const m = ENUM_IN_DESC.exec(description);
  if (!m) return [];
  return [...m[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)].map((x) => (x[1] ?? x[2])!);
}

export function toolInfo(schema: ToolSchema, buckets = DEFAULT_HASH_BUCKETS): ToolInfo {
  const key = `${schema.name}\u0000${schema.description}`;
  const hit = toolCache.get(key);
  if (hit) return hit;
  const props = (schema.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.parameters.required) ? (schema.parameters.required as string[]) : []);
  // BFCL descriptions start with a sentence shared by every tool of the class; the part after
  // "Tool description:" is what tells tools apart (when present).
  const desc = schema.description.includes("Tool description:") ? schema.description.slice(schema.description.indexOf("Tool description:") + 17) : schema.description;
  const params: ParamInfo[] = Object.entries(props).map(([name, s]) => {
    const description = typeof s.description === "string" ? s.description : "";
    const descNumbers = [...description.matchAll(/(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])/g)].map((m) => Number(m[1])).filter((x) => Number.isFinite(x)).slice(0, 4);
    return {
      name,
      description,
      type: schemaType(s),
      required: required.has(name),
      hasDefault: "default" in s,
      enumValues: enumOf(s, description),
      descNumbers: [...new Set(descNumbers)],
      nameWords: new Set(splitIdentifier(name).map(stem)),
      descWords: contentWords(description.replace(ENUM_IN_DESC, ""), 40),
      nameBag: splitIdentifier(name).map((w) => hashWord(stem(w), buckets)),
      descBag: hashWords(description.replace(ENUM_IN_DESC, ""), 24, buckets),
      key: `${schema.name}\u0000${name}\u0000${description}`,
    };
  });
  const nameParts = splitIdentifier(schema.name).map(stem);
  const info: ToolInfo = {
    name: schema.name,
    description: schema.description,
    params,
    nameWords: new Set(nameParts.filter((w) => !isStopword(w))),
    descWords: contentWords(desc, 60),
    paramWords: new Set(params.flatMap((p) => [...p.nameWords].filter((w) => !isStopword(w)))),
    nameBag: nameParts.map((w) => hashWord(w, buckets)),
    descBag: hashWords(desc, 32, buckets),
    requiredCount: params.filter((p) => p.required).length,
    key,
  };
  toolCache.set(key, info);
  return info;
}

function hashWord(w: string, buckets: number): number {
  return hashWords(w, 1, buckets)[0] ?? 1;
}

// ---- Candidates --------------------------------------------------------------------------------

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

const NUMBER_RE = /^[-+]?\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$/;

function parseNumber(tok: string): number | undefined {
  if (!NUMBER_RE.test(tok)) return undefined;
  const n = Number(tok.replace(/[$,%+]/g, ""));
  return Number.isFinite(n) ? n : undefined;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n);
}

interface RawSpan {
  text: string;
  start: number;
  end: number;
  kind: CandKind;
  quoted: boolean;
  numeric?: number;
  keyWords?: string[];
  items?: Array<string | number>;
}

// ---- Derived values ------------------------------------------------------------------------------
// An LLM writes "2026-11-15" for "November 15th, 2026", rounds 43.852552 to two decimals when
// asked, and lists "#A and #B" as ["#A", "#B"]. A copy-only policy cannot; these spans give it the
// same normalizations, generically (no tool or domain names involved).

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const DAY = "(\\d{1,2})(?:st|nd|rd|th)?";
const DATE_RES: Array<{ re: RegExp; m: number; d: number; y: number }> = [
  { re: new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+(\\d{4})\\b`, "gi"), m: 1, d: 2, y: 3 },
  { re: new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, "gi"), m: 2, d: 1, y: 3 },
  { re: /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g, m: 1, d: 2, y: 3 },
];

function isoDate(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Dates written in words or as M/D/YYYY, as ISO `YYYY-MM-DD` spans. */
function dateSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  for (const { re, m, d, y } of DATE_RES) {
    re.lastIndex = 0;
    let x: RegExpExecArray | null;
    while ((x = re.exec(text)) !== null) {
      const mon = /^\d+$/.test(x[m]!) ? Number(x[m]) : MONTHS.indexOf(x[m]!.slice(0, 3).toLowerCase()) + 1;
      const iso = isoDate(Number(x[y]), mon, Number(x[d]));
      if (iso) out.push({ text: iso, start: x.index, end: x.index + x[0].length, kind: "derived_date", quoted: false });
    }
  }
  return out;
}

/** `#tag` and `@mention` tokens, and each kind as one list when there are several. */
function tagSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  const re = /(?<![\w#@])[#@][A-Za-z0-9_]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ text: m[0], start: m.index, end: m.index + m[0].length, kind: "user_tag", quoted: false });
  for (const prefix of ["#", "@"]) {
    const group = out.filter((t) => t.kind === "user_tag" && t.text.startsWith(prefix));
    if (group.length >= 2) out.push(listSpan(group));
  }
  return out;
}

function listSpan(items: readonly RawSpan[]): RawSpan {
  const values = items.map((t) => t.numeric ?? t.text);
  return { text: values.join(", "), start: items[0]!.start, end: items[items.length - 1]!.end, kind: "value_list", quoted: false, items: values };
}

/** The numbers of one source as one list (e.g. the scores in a file, to average). */
function numberListSpan(spans: readonly RawSpan[]): RawSpan[] {
  const nums = spans.filter((s) => s.numeric !== undefined && s.kind !== "value_list");
  return nums.length >= 2 && nums.length <= 12 ? [listSpan(nums)] : [];
}

/** Numbers with more than two decimals, rounded to two exactly as Python's `round(x, 2)`. */
function roundedSpans(spans: readonly RawSpan[]): RawSpan[] {
  const out: RawSpan[] = [];
  for (const s of spans) {
    if (s.numeric === undefined || s.kind === "value_list") continue;
    const r = pyRound(s.numeric, 2);
    if (r !== s.numeric) out.push({ ...s, text: numberText(r), numeric: r, kind: "derived_number", quoted: false });
  }
  return out;
}

const QUOTE_RES = [/(?<![A-Za-z0-9])'([^'\n]{1,200}?)'(?![A-Za-z0-9])/g, /"([^"\n]{1,200}?)"/g, /`([^`\n]{1,200}?)`/g];
const TOKEN_RE = /[A-Za-z0-9$][A-Za-z0-9_.@/$%,:+-]*[A-Za-z0-9%]|[A-Za-z0-9]/g;
const PHRASE_RE = /\b[A-Z][a-zA-Z]+(?:[ -](?:[A-Z][a-zA-Z]+|of|de|la|and))*(?:[ -][A-Z][a-zA-Z]+)\b/g;

function userSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  for (const re of QUOTE_RES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const inner = m[1]!;
      if (inner.trim() === "") continue;
      const num = parseNumber(inner.trim());
      out.push({ text: inner, start: m.index, end: m.index + m[0].length, kind: "user_quoted", quoted: true, ...(num !== undefined ? { numeric: num } : {}) });
    }
  }
  PHRASE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PHRASE_RE.exec(text)) !== null) out.push({ text: m[0], start: m.index, end: m.index + m[0].length, kind: "user_phrase", quoted: false });
  TOKEN_RE.lastIndex = 0;
  while ((m = TOKEN_RE.exec(text)) !== null) {
    // Trailing punctuation of a sentence is not part of the value.
    let tok = m[0];
    while (/[.,:]$/.test(tok)) tok = tok.slice(0, -1);
    if (tok === "") continue;
    const num = parseNumber(tok);
    if (num !== undefined) {
      out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "user_number", quoted: false, numeric: num });
      continue;
    }
    const lower = tok.toLowerCase();
    if (tok.length < 2 || isStopword(lower)) continue;
    out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "user_word", quoted: false });
    // "first-class seat" asks for class "first": the parts of a hyphenated word are values too.
    if (/^[A-Za-z]+(-[A-Za-z]+)+$/.test(tok)) {
      let at = m.index;
      for (const part of tok.split("-")) {
        if (part.length >= 2) out.push({ text: part, start: at, end: at + part.length, kind: "user_word", quoted: false });
        at += part.length + 1;
      }
    }
  }
  out.push(...dateSpans(text), ...tagSpans(text), ...roundedSpans(out), ...numberListSpan(out));
  return out;
}

function resultSpans(result: string, maxChars: number): RawSpan[] {
  const text = result.length > maxChars ? result.slice(0, maxChars) : result;
  const out: RawSpan[] = [];
  let parsed: unknown;
  const t = text.trim();
  if ((t.startsWith("{") || t.startsWith("[")) && text.length === result.length) {
    try {
      parsed = JSON.parse(t);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed !== undefined) {
    let budget = 24;
    const walk = (v: unknown, key: string): void => {
      if (budget <= 0) return;
      if (typeof v === "string") {
        if (v.length > 0 && v.length <= 120) {
          budget--;
          out.push({ text: v, start: 0, end: 0, kind: "result_string", quoted: false, keyWords: splitIdentifier(key).map(stem) });
        }
      } else if (typeof v === "number") {
        budget--;
        out.push({ text: numberText(v), start: 0, end: 0, kind: "result_number", quoted: false, numeric: v, keyWords: splitIdentifier(key).map(stem) });
      } else if (Array.isArray(v)) {
        for (const x of v.slice(0, 12)) walk(x, key);
      } else if (typeof v === "object" && v !== null) {
        for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 16)) walk(x, k);
      }
    };
    walk(parsed, "");
    return withDerived(out);
  }
  // Python reprs and plain text: quoted items (list reprs) and identifier-like tokens.
  const re = /'([^'\n]{1,120}?)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < 16) out.push({ text: m[1]!, start: m.index, end: m.index + m[0].length, kind: "result_string", quoted: false });
  if (out.length === 0) {
    TOKEN_RE.lastIndex = 0;
    while ((m = TOKEN_RE.exec(text)) !== null && out.length < 12) {
      let tok = m[0];
      while (/[.,:]$/.test(tok)) tok = tok.slice(0, -1);
      const num = parseNumber(tok);
      if (num !== undefined) out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "result_number", quoted: false, numeric: num });
      else if (tok.length >= 3 && !isStopword(tok.toLowerCase())) out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "result_string", quoted: false });
    }
  }
  return withDerived(out);
}

function withDerived(spans: RawSpan[]): RawSpan[] {
  return [...spans, ...roundedSpans(spans), ...numberListSpan(spans)];
}

function neighborWordsOf(text: string, start: number, end: number, n = 3): string[] {
  const left = words(text.slice(Math.max(0, start - 80), start)).filter((w) => !isStopword(w));
  const right = words(text.slice(end, end + 80)).filter((w) => !isStopword(w));
  return [...left.slice(-n), ...right.slice(0, n)];
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

/** Per-text work memoized across decisions (the G rollouts of a task see the same texts); bounded. */
function memo<T>(cache: Map<string, T>, key: string, make: () => T, max = 5000): T {
  if (cache.has(key)) return cache.get(key)!;
  const v = make();
  if (cache.size > max) cache.clear();
  cache.set(key, v);
  return v;
}

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
  all.push(...cachedCandidates(`u${b}\u0000${obs.userText}`, () => userSpans(obs.userText).map((s) => makeCandidate(s, obs.userText, b, false))));
  const lastIdx = obs.steps.length - 1;
  obs.steps.forEach((step, i) => {
    for (const r of step.results) {
      const last = i === lastIdx;
      all.push(...cachedCandidates(`r${b}${last ? 1 : 0}\u0000${r}`, () => resultSpans(r, limits.resultChars).map((s) => makeCandidate(s, s.keyWords ? "" : r.slice(0, limits.resultChars), b, last))));
    }
  });
  for (const r of obs.earlierResults.slice(-3)) {
    all.push(...cachedCandidates(`e${b}\u0000${r}`, () => resultSpans(r, limits.resultChars).map((s) => makeCandidate({ ...s, kind: "earlier_text" }, s.keyWords ? "" : r.slice(0, limits.resultChars), b, false))));
  }
  // Values the earlier steps and turns computed one per result (three counts, then their mean).
  const sole = [...obs.earlierResults.slice(-6), ...obs.steps.flatMap((s) => s.results)].flatMap((r) => soleNumber(r, limits.resultChars) ?? []);
  if (sole.length >= 2) all.push(makeCandidate(listSpan(sole.slice(-12)), "", b, false));
  for (const t of obs.previousUserTexts.slice(-2)) {
    all.push(...cachedCandidates(`p${b}\u0000${t}`, () => userSpans(t).filter((s) => s.kind !== "user_word").map((s) => makeCandidate({ ...s, kind: DERIVED_KINDS.has(s.kind) ? s.kind : "earlier_text" }, t, b, false))));
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

// ---- Features ----------------------------------------------------------------------------------

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}

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

function lastObservationText(steps: readonly ObservedStep[]): string {
  const s = steps[steps.length - 1];
  if (!s) return "";
  return s.kind === "parse_error" ? (s.feedback ?? "") : [...s.results, s.feedback ?? ""].join("\n");
}

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

export function decisionContext(obs: PolicyObservation, limits: FeaturizerLimits = DEFAULT_LIMITS): DecisionContext {
  const b = limits.hashBuckets;
  const tools = obs.tools.map((t) => toolInfo(t, b));
  const userWords = contentWords(obs.userText);
  const prevUserWords = contentWords(obs.previousUserTexts.slice(-1).join(" "));
  const lastObservation = lastObservationText(obs.steps);
  const lastObservationWords = contentWords(lastObservation.slice(0, 2000));
  const lastObsLower = lastObservation.slice(0, 4000);

  const a = new Float32Array(ANSWER_FEATURES);
  const attempt = Math.min(obs.steps.length, 4);
  a[attempt] = 1;
  const callSteps = obs.steps.filter((s) => s.kind === "calls").length;
  a[5 + Math.min(callSteps, 2)] = 1;
  const last = obs.steps[obs.steps.length - 1];
  if (last) {
    if (last.kind === "parse_error") a[10] = 1;
    else if (last.results.some(isErrorResult)) a[9] = 1;
    else a[8] = 1;
  }
  a[11] = obs.previousUserTexts.length === 0 ? 1 : 0;
  // How well the best tool matches the request, and how many concrete values the request gives:
  // a request no tool matches (a missing function) or that names no values (a missing parameter)
  // is one to answer with a question.

  const idf = idfFor(tools);
  const tf = new Float32Array(tools.length * TOOL_FEATURES);
  const lastStep = last?.kind === "calls" ? last : undefined;
  const calledCounts = new Map<string, number>();
  for (const s of obs.steps) for (const c of s.calls) calledCounts.set(c.name, (calledCounts.get(c.name) ?? 0) + 1);
  const earlier = new Set(obs.earlierCalls);
  tools.forEach((t, i) => {
    const o = i * TOOL_FEATURES;
    const nameHit = overlap(t.nameWords, userWords);
    tf[o] = t.nameWords.size ? nameHit / t.nameWords.size : 0;
    tf[o + 1] = nameHit > 0 ? 1 : 0;
    let num = 0;
    let den = 0;
    for (const w of t.descWords) {
      const v = idf.get(w) ?? 0;
      den += v;
      if (userWords.has(w)) num += v;
    }
    tf[o + 2] = den > 0 ? num / den : 0;
    tf[o + 3] = Math.min(overlap(t.descWords, userWords), 5) / 5;
    tf[o + 4] = lastObsLower.includes(t.name) ? 1 : 0;
    tf[o + 5] = t.nameWords.size ? overlap(t.nameWords, lastObservationWords) / t.nameWords.size : 0;
    tf[o + 6] = Math.min(calledCounts.get(t.name) ?? 0, 2) / 2;
    const lastHere = lastStep?.calls.findIndex((c) => c.name === t.name) ?? -1;
    tf[o + 7] = lastHere >= 0 ? 1 : 0;
    tf[o + 8] = lastHere >= 0 && isErrorResult(lastStep!.results[lastHere] ?? "") ? 1 : 0;
    tf[o + 9] = earlier.has(t.name) ? 1 : 0;
    tf[o + 10] = t.requiredCount === 0 ? 1 : 0;
    tf[o + 11] = t.nameWords.size ? overlap(t.nameWords, prevUserWords) / t.nameWords.size : 0;
    tf[o + 12] = t.paramWords.size ? overlap(t.paramWords, userWords) / t.paramWords.size : 0;
    tf[o + 13] = Math.min(t.params.length, 5) / 5;
    tf[o + 14] = obs.userText.includes(t.name) ? 1 : 0;
  });

  let bestName = 0;
  let bestDesc = 0;
  let bestParam = 0;
  for (let i = 0; i < tools.length; i++) {
    bestName = Math.max(bestName, tf[i * TOOL_FEATURES]!);
    bestDesc = Math.max(bestDesc, tf[i * TOOL_FEATURES + 2]!);
    bestParam = Math.max(bestParam, tf[i * TOOL_FEATURES + 12]!);
  }
  const candidates = contextCandidates(obs, limits);
  const concrete = candidates.filter((c) => c.kind === "user_quoted" || c.kind === "user_number" || c.kind === "user_phrase").length;
  a[12] = bestName;
  a[13] = bestDesc;
  a[14] = bestParam;
  a[15] = Math.min(concrete, 5) / 5;
  a[16] = Math.min(userWords.size, 40) / 40;

  const usedValues = new Set<string>();
  for (const s of obs.steps) for (const c of s.calls) for (const v of c.values) usedValues.add(v);
  const lastCallValues = new Set<string>(lastStep?.calls.flatMap((c) => c.values) ?? []);

  return {
    obs,
    tools,
    userWords,
    prevUserWords,
    lastObservation,
    lastObservationWords,
    userBag: hashWords(obs.userText, limits.userWords, b),
    observationBag: hashWords(lastObservation.slice(0, 2000), limits.observationWords, b),
    answerFeatures: a,
    toolFeatures: tf,
    candidates,
    userLower: obs.userText.toLowerCase(),
    usedValues,
    lastCallValues,
  };
}

export function isErrorResult(r: string): boolean {
  return r.startsWith("Error during execution:") || /^\{"error"/.test(r) || r.startsWith("Error:");
}

const NUMERIC_TYPES = new Set<ParamType>(["integer", "number"]);

/** Fill features of one parameter. */
export function fillFeatures(ctx: DecisionContext, p: ParamInfo): Float32Array {
  const f = new Float32Array(FILL_FEATURES);
  f[0] = p.required ? 1 : 0;
  f[1] = p.hasDefault ? 1 : 0;
  f[2 + PARAM_TYPES.indexOf(p.type)] = 1;
  let best = 0;
  let numeric = 0;
  for (const c of ctx.candidates) {
    best = Math.max(best, overlap(p.nameWords, c.neighborWords));
    if (c.numeric !== undefined) numeric++;
  }
  f[8] = Math.min(best, 2) / 2;
  f[9] = p.enumValues.some((v) => ctx.userLower.includes(v.toLowerCase())) ? 1 : 0;
  f[10] = p.nameWords.size ? overlap(p.nameWords, ctx.userWords) / p.nameWords.size : 0;
  f[11] = numeric > 0 && NUMERIC_TYPES.has(p.type) ? 1 : 0;
  f[12] = overlap(p.descWords, ctx.userWords) > 0 ? 1 : 0;
  return f;
}

/** Argument candidates for one parameter: the context's values plus the parameter's own. */
export function argCandidates(ctx: DecisionContext, p: ParamInfo, buckets = DEFAULT_HASH_BUCKETS, constrain = true): Candidate[] {
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
      return p.enumValues.length ? c.kind === "enum" : !isBool && c.kind !== "param_number" && c.kind !== "all_enum" && c.kind !== "enum" && c.kind !== "value_list";
    case "array":
      return p.enumValues.length ? c.kind === "enum" || c.kind === "all_enum" : !isBool && c.kind !== "param_number" && c.kind !== "enum";
    case "object":
      return true;
  }
}

/** [candidates × CAND_FEATURES] for one parameter. */
export function candidateFeatures(ctx: DecisionContext, p: ParamInfo, cands: readonly Candidate[]): Float32Array {
  const K = CAND_KINDS.length;
  const f = new Float32Array(cands.length * CAND_FEATURES);
  const numericParam = NUMERIC_TYPES.has(p.type);
  cands.forEach((c, i) => {
    const o = i * CAND_FEATURES;
    f[o + KIND_INDEX.get(c.kind)!] = 1;
    const isNum = c.numeric !== undefined;
    const isBool = c.kind === "bool_true" || c.kind === "bool_false";
    f[o + K] = isNum && numericParam ? 1 : 0;
    f[o + K + 1] = isBool && p.type === "boolean" ? 1 : 0;
    f[o + K + 2] = !isNum && !isBool && p.type === "string" ? 1 : 0;
    f[o + K + 3] = p.type === "array" && (c.kind === "all_enum" || c.kind === "enum") ? 1 : 0;
    f[o + K + 4] = Math.min(overlap(p.nameWords, c.neighborWords), 2) / 2;
    f[o + K + 5] = Math.min(overlap(p.descWords, c.neighborWords), 3) / 3;
    let own = 0;
    for (const w of c.ownWords) if (p.nameWords.has(w) || p.descWords.has(w)) own++;
    f[o + K + 6] = Math.min(own, 2) / 2;
    f[o + K + 7] = c.quoted ? 1 : 0;
    f[o + K + 8] = /^[A-Z]/.test(c.text) ? 1 : 0;
    f[o + K + 9] = /\d/.test(c.text) ? 1 : 0;
    f[o + K + 10] = /\.[A-Za-z0-9]{1,5}$/.test(c.text) ? 1 : 0;
    f[o + K + 11] = c.text.length > 1 && c.text === c.text.toUpperCase() && /[A-Z]/.test(c.text) ? 1 : 0;
    f[o + K + 12] = Math.min(c.text.length, 40) / 40;
    f[o + K + 13] = ctx.usedValues.has(c.text) ? 1 : 0;
    f[o + K + 14] = ctx.lastCallValues.has(c.text) ? 1 : 0;
    f[o + K + 15] = c.kind === "enum" || c.kind === "result_string" || c.kind === "earlier_text" ? (ctx.userLower.includes(c.text.toLowerCase()) ? 1 : 0) : 0;
    f[o + K + 16] = c.position;
    f[o + K + 17] = c.fromLastResult ? 1 : 0;
    f[o + K + 18] = c.text.includes(" ") ? 1 : 0;
    f[o + K + 19] = c.kind === "enum" && c.ownWords.some((w) => ctx.userWords.has(w)) ? 1 : 0;
  });
  return f;
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
  const bare = c.kind === "bool_true" ? "true" : c.kind === "bool_false" ? "false" : c.numeric !== undefined ? numberText(c.numeric) : c.text;
  switch (form) {
    case "string":
      return JSON.stringify(c.kind === "bool_true" || c.kind === "bool_false" ? bare : c.text);
    case "bare":
      return bare;
    case "list":
      return `[${c.numeric !== undefined || c.kind === "bool_true" || c.kind === "bool_false" ? bare : JSON.stringify(c.text)}]`;
  }
}
