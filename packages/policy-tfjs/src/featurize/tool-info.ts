/**
 * Static tool information: what the featurizer reads from a tool's JSON Schema (parameter types,
 * required, defaults, enums, numbers in descriptions, word sets and hashed bags), cached per tool.
 */
import type { ToolSchema } from "@envtune/core";
import { contentWords, hashWords, isStopword, splitIdentifier, stem, DEFAULT_HASH_BUCKETS } from "../tokenize.ts";

/** Parameter types as the policy distinguishes them. */
export const PARAM_TYPES = ["string", "integer", "number", "boolean", "array", "object"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

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

function paramInfo(toolName: string, name: string, s: Record<string, unknown>, required: boolean, buckets: number): ParamInfo {
  const description = typeof s.description === "string" ? s.description : "";
  const descNumbers = [...description.matchAll(/(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])/g)]
    .map((m) => Number(m[1]))
    .filter((x) => Number.isFinite(x))
    .slice(0, 4);
  return {
    name,
    description,
    type: schemaType(s),
    required,
    hasDefault: "default" in s,
    enumValues: enumOf(s, description),
    descNumbers: [...new Set(descNumbers)],
    nameWords: new Set(splitIdentifier(name).map(stem)),
    descWords: contentWords(description.replace(ENUM_IN_DESC, ""), 40),
    nameBag: splitIdentifier(name).map((w) => hashWord(stem(w), buckets)),
    descBag: hashWords(description.replace(ENUM_IN_DESC, ""), 24, buckets),
    key: `${toolName}\u0000${name}\u0000${description}`,
  };
}

export function toolInfo(schema: ToolSchema, buckets = DEFAULT_HASH_BUCKETS): ToolInfo {
  const key = `${schema.name}\u0000${schema.description}`;
  const hit = toolCache.get(key);
  if (hit) return hit;
  const props = (schema.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.parameters.required) ? (schema.parameters.required as string[]) : []);
  // BFCL descriptions start with a sentence shared by every tool of the class; the part after
  // "Tool description:" is what tells tools apart (when present).
  const desc = schema.description.includes("Tool description:")
    ? schema.description.slice(schema.description.indexOf("Tool description:") + 17)
    : schema.description;
  const params = Object.entries(props).map(([name, s]) => paramInfo(schema.name, name, s, required.has(name), buckets));
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
