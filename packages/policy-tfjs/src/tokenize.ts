/**
 * Text → hashed token ids. Words are lowercased, identifiers are split at snake_case and camelCase
 * boundaries (`get_zipcode_based_on_city`, `pressBrakePedal`), and a light stemmer folds plural and
 * -ing/-ed forms, so the user's words, tool names, descriptions and results share one vocabulary
 * without a fixed word list: any new domain's words hash into the same table.
 */

/** Hash buckets of the embedding table; bucket 0 is reserved for padding. */
export const DEFAULT_HASH_BUCKETS = 8192;

const STOPWORDS = new Set(
  (
    "a an the of to in on at by for from with and or not no is are was were be been being it its this that these those " +
    "i me my mine we our you your he she they them their his her as if then than so such into onto over under about " +
    "do does did done can could would should will shall may might must have has had please also just now some any all " +
    "what which who whom whose when where why how there here up down out off again further once very too more most " +
    "get set make let want like need use using used one two new current currently given e g eg"
  ).split(" "),
);

export function isStopword(w: string): boolean {
  return STOPWORDS.has(w);
}

/** FNV-1a 32-bit. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket in [1, buckets). */
export function hashToken(t: string, buckets = DEFAULT_HASH_BUCKETS): number {
  return 1 + (fnv1a(t) % (buckets - 1));
}

/** Light suffix stripping: plural s/es, -ing, -ed. */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return w.slice(0, -3) + "y";
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ing") && w.length > 5) return w.slice(0, -3);
  if (w.endsWith("ed") && w.length > 4) return w.slice(0, -2);
  if (w.endsWith("es") && /(ch|sh|x|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")) return w.slice(0, -1);
  return w;
}

/** Splits an identifier or phrase into lowercase word parts (snake_case, camelCase, digits). */
export function splitIdentifier(s: string): string[] {
  // Fast path: a plain lowercase word (most words of free text).
  if (/^[a-z0-9]+$/.test(s)) return [s];
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

const wordCache = new Map<string, string[]>();
const stemCache = new Map<string, string>();

function stemCached(w: string): string {
  let s = stemCache.get(w);
  if (s === undefined) {
    if (stemCache.size > 200_000) stemCache.clear();
    s = stem(w);
    stemCache.set(w, s);
  }
  return s;
}

/** Word tokens of free text, stemmed and lowercased (identifiers inside the text are split too). */
export function words(text: string, max = Infinity): string[] {
  // Episodes show the same texts over and over (G rollouts of one task, every step of a turn).
  const key = max === Infinity ? text : `${max}\u0000${text}`;
  const hit = wordCache.get(key);
  if (hit) return hit;
  const out = wordsUncached(text, max);
  if (wordCache.size > 20_000) wordCache.clear();
  wordCache.set(key, out);
  return out;
}

function wordsUncached(text: string, max: number): string[] {
  const out: string[] = [];
  const re = /[A-Za-z0-9_]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) {
    for (const part of splitIdentifier(m[0])) {
      out.push(stemCached(part));
      if (out.length >= max) break;
    }
  }
  return out;
}

/** Content words (stopwords removed) as a set. */
export function contentWords(text: string, max = Infinity): Set<string> {
  return new Set(words(text, max).filter((w) => !isStopword(w)));
}

/** Hashed ids of a text's words (at most `max`). */
const hashCache = new Map<string, number>();

export function hashWords(text: string, max: number, buckets = DEFAULT_HASH_BUCKETS): number[] {
  return words(text, max).map((w) => {
    const k = buckets === DEFAULT_HASH_BUCKETS ? w : `${buckets}\u0000${w}`;
    let h = hashCache.get(k);
    if (h === undefined) {
      if (hashCache.size > 200_000) hashCache.clear();
      h = hashToken(w, buckets);
      hashCache.set(k, h);
    }
    return h;
  });
}
