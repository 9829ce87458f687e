import type { ToolSchema } from "./types.ts";

/** A BFCL function doc (`data/multi_turn_func_doc/*.json`, one per line). */
export interface BfclFuncDoc {
  name: string;
  description: string;
  parameters: BfclParam & { properties?: Record<string, BfclParam>; required?: string[] };
  response?: unknown;
}
interface BfclParam {
  type?: string;
  description?: string;
  items?: BfclParam;
  properties?: Record<string, BfclParam>;
  required?: string[];
  default?: unknown;
}

const ENUM_RE = /\[Enum\]:\s*\[([^\]]*)\]/;

/**
 * Maps a BFCL parameter doc to JSON Schema (2020-12). BFCL spells types the Python way
 * (`dict`, `float`, `tuple`, `any`) and hides enums inside descriptions; JSON Schema users
 * (validators, LLM tool lists, the embedded policy) need them explicit.
 */
export function bfclParamToJsonSchema(p: BfclParam): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (p.type) {
    case "string":
      out.type = "string";
      break;
    case "integer":
      out.type = "integer";
      break;
    case "float":
    case "number":
      out.type = "number";
      break;
    case "boolean":
      out.type = "boolean";
      break;
    case "array":
      out.type = "array";
      if (p.items) out.items = bfclParamToJsonSchema(p.items);
      break;
    case "tuple":
      out.type = "array";
      if (p.items) out.items = bfclParamToJsonSchema(p.items);
      break;
    case "dict":
    case "object":
      out.type = "object";
      if (p.properties) {
        out.properties = Object.fromEntries(Object.entries(p.properties).map(([k, v]) => [k, bfclParamToJsonSchema(v)]));
      }
      if (p.required?.length) out.required = [...p.required];
      break;
    case "any":
    case undefined:
      break;
    default:
      throw new Error(`[envtune] [core] Unknown BFCL parameter type \`${p.type}\`. Extend bfclParamToJsonSchema.`);
  }
  if (p.description !== undefined) {
    out.description = p.description;
    const m = ENUM_RE.exec(p.description);
    if (m && out.type === "string") {
      const values = [...m[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)].map((x) => x[1] ?? x[2]);
      if (values.length) out.enum = values;
    }
  }
  if ("default" in p) {
    // BFCL writes Python's `None` default as the string "None".
    out.default = p.default === "None" ? null : p.default;
    if (out.default === null && typeof out.type === "string") out.type = [out.type, "null"];
  }
  return out;
}

/** Converts one BFCL function doc to an OpenAI-style tool schema with a JSON Schema for its arguments. */
export function bfclDocToToolSchema(doc: BfclFuncDoc): ToolSchema {
  const props = doc.parameters.properties ?? {};
  const parameters: Record<string, unknown> = {
    type: "object",
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, bfclParamToJsonSchema(v)])),
    required: [...(doc.parameters.required ?? [])],
    additionalProperties: false,
  };
  return { name: doc.name, description: doc.description, parameters };
}
