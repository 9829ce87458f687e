/**
 * Prompt texts built from function docs, cached: thousands of episodes share a handful of
 * (classes, withheld functions, style) combinations, and a system prompt is ~27k characters.
 */
import { freezePyValue, parsePyJson, type BfclFuncDoc, type DomainPack, type PyValue } from "@envtune/core";
import { systemPrompt, type SystemPromptStyle } from "./prompts.ts";

/** BFCL function docs by class; without them the packs' schemas are the docs. */
export type FuncDocs = ReadonlyMap<string, readonly BfclFuncDoc[]>;

// Function docs are immutable dataset values: parse each once, freeze it so its printed text is cached.
const docValueCache = new WeakMap<object, PyValue>();
function docValue(d: object): PyValue {
  let v = docValueCache.get(d);
  if (v === undefined) {
    v = freezePyValue(parsePyJson(JSON.stringify(d)));
    docValueCache.set(d, v);
  }
  return v;
}

/** Function docs (as Python values, for `json.dumps`) of the packs' tools that pass `keep`. */
export function functionDocs(packs: readonly DomainPack[], funcDocs: FuncDocs | undefined, keep: (name: string) => boolean): PyValue[] {
  const out: PyValue[] = [];
  for (const p of packs) {
    const docs = funcDocs?.get(p.meta.className);
    const items: Array<{ name: string }> = docs ? [...docs] : p.schemas;
    for (const d of items) if (keep(d.name)) out.push(docValue(d));
  }
  return out;
}

// Keyed by the docs map (a dataset's), so a dataset's prompts go when the dataset does.
const PACK_SCHEMAS_KEY = {};
const promptCache = new WeakMap<object, Map<string, string>>();

/** The system prompt for the packs' tools less the withheld ones, built once per combination. */
export function cachedSystemPrompt(
  style: SystemPromptStyle,
  packs: readonly DomainPack[],
  funcDocs: FuncDocs | undefined,
  withheld: ReadonlySet<string>,
): string {
  const owner: object = funcDocs ?? PACK_SCHEMAS_KEY;
  let byKey = promptCache.get(owner);
  if (!byKey) promptCache.set(owner, (byKey = new Map()));
  const key = `${style}\u0000${packs.map((p) => p.meta.className).join(",")}\u0000${[...withheld].sort().join(",")}`;
  let text = byKey.get(key);
  if (text === undefined) {
    text = systemPrompt(
      style,
      functionDocs(packs, funcDocs, (n) => !withheld.has(n)),
    );
    byKey.set(key, text);
  }
  return text;
}
