/**
 * What is wrong with a call's arguments according to its tool's JSON Schema, as one actionable
 * sentence. The world appends it to a CPython type error in the augmented environment; the episode
 * engine adds it to failed calls or uses it to reject calls (`validateArguments`). The texts are
 * part of the environment's behaviour: change them and recorded augmented traces change too.
 */
import { pyRepr } from "../py/format.ts";
import { PyDict, PySet, PyTuple, type PyValue } from "../py/value.ts";
import type { DomainPack, ToolDef } from "../domain/types.ts";
import type { CallLike } from "./world.ts";

/**
 * Which sentence: `type_error` follows a raised TypeError/AttributeError (always given, with the
 * schema's problems when there are any); `mismatch` explains a call whose arguments break the
 * schema (none when they fit or when there are more positionals than parameters, an arity error
 * the executor itself reports).
 */
export type ArgumentProblemStyle = "type_error" | "mismatch";

/** The hint for `call` to `tool` of `pack` in the given style; undefined when there is none. */
export function describeArgumentProblems(
  pack: DomainPack,
  tool: ToolDef<unknown>,
  call: CallLike,
  style: ArgumentProblemStyle,
): string | undefined {
  if (style === "mismatch" && call.args.length > tool.params.length) return undefined;
  const check = pack.validateArgs(tool.name, plainArguments(tool, call));
  if (style === "mismatch") {
    if (check.ok) return undefined;
    return `the arguments of '${tool.name}' do not match its parameters: ${check.errors.join("; ")}. Expected ${tool.name}(${signature(pack, tool.name, true)}). Fix the arguments and call it again.`;
  }
  const problems = check.ok ? "" : ` Problems: ${check.errors.join("; ")}.`;
  return ` (Hint: an argument of \`${tool.name}\` has the wrong type or shape.${problems} Expected arguments: ${tool.name}(${signature(pack, tool.name, false)}). Fix the value's type and call it again.)`;
}

/** The call's arguments by parameter name as plain JSON (positionals past the last parameter dropped). */
function plainArguments(tool: ToolDef<unknown>, call: CallLike): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  call.args.forEach((v, i) => {
    const p = tool.params[i];
    if (p) args[p.name] = toPlainJson(v);
  });
  for (const [k, v] of call.kwargs) args[k] = toPlainJson(v);
  return args;
}

/** `name: type, ...` from the tool's JSON Schema; `markOptional` writes optional ones as `name?`. */
function signature(pack: DomainPack, toolName: string, markOptional: boolean): string {
  const schema = pack.schemas.find((s) => s.name === toolName);
  const props = (schema?.parameters.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = new Set(((schema?.parameters.required ?? []) as string[]).map(String));
  return Object.entries(props)
    .map(
      ([k, p]) =>
        `${k}${markOptional && !required.has(k) ? "?" : ""}: ${Array.isArray(p.type) ? p.type.join(" | ") : String(p.type ?? "any")}`,
    )
    .join(", ");
}

/** Plain-JSON view of a Python value, for JSON Schema validation of arguments. */
export function toPlainJson(v: PyValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toPlainJson);
  if (v instanceof PyTuple) return v.items.map(toPlainJson);
  if (v instanceof PySet) return [...v].map(toPlainJson);
  if (v instanceof PyDict) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of v) o[typeof k === "string" ? k : String(k)] = toPlainJson(val);
    return o;
  }
  if (v !== null && typeof v === "object") return pyRepr(v);
  return v;
}
