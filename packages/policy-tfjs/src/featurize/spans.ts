/**
 * Text scans: the spans of a user text or a tool result that can become argument values (quoted
 * text, numbers, capitalized phrases, identifier-like words, JSON values with their keys), plus the
 * values an LLM would derive from them (ISO dates, two-decimal roundings, tags, lists).
 */
import { pyRound } from "@envtune/core";
import { isStopword, splitIdentifier, stem, words } from "../tokenize.ts";
import type { CandKind } from "./candidates.ts";

const NUMBER_RE = /^[-+]?\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$/;

function parseNumber(tok: string): number | undefined {
  if (!NUMBER_RE.test(tok)) return undefined;
  const n = Number(tok.replace(/[$,%+]/g, ""));
  return Number.isFinite(n) ? n : undefined;
}

export function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n);
}

/** A value found in a text, before it becomes a candidate. */
export interface RawSpan {
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
const MONTH =
  "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
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
  while ((m = re.exec(text)) !== null)
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length, kind: "user_tag", quoted: false });
  for (const prefix of ["#", "@"]) {
    const group = out.filter((t) => t.kind === "user_tag" && t.text.startsWith(prefix));
    if (group.length >= 2) out.push(listSpan(group));
  }
  return out;
}

export function listSpan(items: readonly RawSpan[]): RawSpan {
  const values = items.map((t) => t.numeric ?? t.text);
  return {
    text: values.join(", "),
    start: items[0]!.start,
    end: items[items.length - 1]!.end,
    kind: "value_list",
    quoted: false,
    items: values,
  };
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

/** Spans of a user text: quoted text, capitalized phrases, numbers and words, then derived values. */
export function userSpans(text: string): RawSpan[] {
  const out = [...quotedSpans(text), ...phraseSpans(text), ...tokenSpans(text)];
  out.push(...dateSpans(text), ...tagSpans(text), ...roundedSpans(out), ...numberListSpan(out));
  return out;
}

function quotedSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  for (const re of QUOTE_RES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const inner = m[1]!;
      if (inner.trim() === "") continue;
      const num = parseNumber(inner.trim());
      out.push({
        text: inner,
        start: m.index,
        end: m.index + m[0].length,
        kind: "user_quoted",
        quoted: true,
        ...(num !== undefined ? { numeric: num } : {}),
      });
    }
  }
  return out;
}

function phraseSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  PHRASE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PHRASE_RE.exec(text)) !== null)
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length, kind: "user_phrase", quoted: false });
  return out;
}

/** Numbers and identifier-like words (stopwords aside), and the parts of hyphenated words. */
function tokenSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
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
    if (tok.length < 2 || isStopword(tok.toLowerCase())) continue;
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
  return out;
}

export function resultSpans(result: string, maxChars: number): RawSpan[] {
  const text = result.length > maxChars ? result.slice(0, maxChars) : result;
  const t = text.trim();
  // A truncated JSON text does not parse; it is scanned as plain text instead.
  if ((t.startsWith("{") || t.startsWith("[")) && text.length === result.length) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) return withDerived(jsonSpans(parsed));
  }
  return withDerived(plainResultSpans(text));
}

/** String and number values of a parsed JSON result, each with its key's words; bounded. */
function jsonSpans(parsed: unknown): RawSpan[] {
  const out: RawSpan[] = [];
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
      out.push({
        text: numberText(v),
        start: 0,
        end: 0,
        kind: "result_number",
        quoted: false,
        numeric: v,
        keyWords: splitIdentifier(key).map(stem),
      });
    } else if (Array.isArray(v)) {
      for (const x of v.slice(0, 12)) walk(x, key);
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 16)) walk(x, k);
    }
  };
  walk(parsed, "");
  return out;
}

/** Python reprs and plain text: quoted items (list reprs), else identifier-like tokens. */
function plainResultSpans(text: string): RawSpan[] {
  const out: RawSpan[] = [];
  const re = /'([^'\n]{1,120}?)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < 16)
    out.push({ text: m[1]!, start: m.index, end: m.index + m[0].length, kind: "result_string", quoted: false });
  if (out.length > 0) return out;
  TOKEN_RE.lastIndex = 0;
  while ((m = TOKEN_RE.exec(text)) !== null && out.length < 12) {
    let tok = m[0];
    while (/[.,:]$/.test(tok)) tok = tok.slice(0, -1);
    const num = parseNumber(tok);
    if (num !== undefined)
      out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "result_number", quoted: false, numeric: num });
    else if (tok.length >= 3 && !isStopword(tok.toLowerCase()))
      out.push({ text: tok, start: m.index, end: m.index + tok.length, kind: "result_string", quoted: false });
  }
  return out;
}

function withDerived(spans: RawSpan[]): RawSpan[] {
  return [...spans, ...roundedSpans(spans), ...numberListSpan(spans)];
}

export function neighborWordsOf(text: string, start: number, end: number, n = 3): string[] {
  const left = words(text.slice(Math.max(0, start - 80), start)).filter((w) => !isStopword(w));
  const right = words(text.slice(end, end + 80)).filter((w) => !isStopword(w));
  return [...left.slice(-n), ...right.slice(0, n)];
}

/** Whether a tool result is an error (the engine's execution errors and `{"error": ...}` results). */
export function isErrorResult(r: string): boolean {
  return r.startsWith("Error during execution:") || /^\{"error"/.test(r) || r.startsWith("Error:");
}
