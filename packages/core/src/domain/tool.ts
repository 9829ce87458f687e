import { EnvtuneError } from "../errors.ts";
import type { PyDict, PyValue } from "../py/value.ts";
import { isPyDict } from "../py/value.ts";
import type { BoundArgs, ParamSpec, ParamType, ToolContext, ToolDef, ToolSchema } from "./types.ts";

/**
 * The JS value a declared parameter type guarantees (the Python value model: `int` is a bigint,
 * `float` a number). `"number"` accepts an `int` too, as a Python `float` parameter does.
 */
export interface PyTypeOf {
  string: string;
  integer: bigint;
  number: number | bigint;
  boolean: boolean;
  array: PyValue[];
  dict: PyDict;
  any: PyValue;
}

/**
 * One argument's type from its parameter spec. An untyped parameter is any `PyValue`: a BFCL port
 * receives whatever the model wrote, as the Python method does. Never `undefined`: the executor
 * binds every parameter (a default fills an omitted one), and a `null` default adds `null`.
 */
type ArgOf<P> = (P extends { type: infer T extends ParamType } ? PyTypeOf[T] : PyValue) | (P extends { default: null } ? null : never);

/** The arguments object `run` receives, derived from the parameter list (an `as const`-like tuple). */
export type ArgsOf<P extends readonly TypedParam<any>[]> = { [E in P[number] as E["name"]]: ArgOf<E> };

type Untyped<S> = Omit<ParamSpec<S>, "type" | "check">;
/** A parameter whose `check` sees the value its `type` guarantees. */
export type TypedParam<S> =
  | { [T in ParamType]: Untyped<S> & { type: T; check?: (value: PyTypeOf[T]) => boolean } }[ParamType]
  | (Untyped<S> & { type?: undefined; check?: (value: PyValue) => boolean });

/** The input of {@link defineTool}: a tool whose `run` is typed by its own parameter list. */
export interface TypedToolSpec<S, P extends readonly TypedParam<S>[]> {
  name: string;
  /** Shown to the model when the pack derives its schemas with {@link toolSchemas}. */
  description?: string;
  params: P;
  run(self: S, args: ArgsOf<P>, ctx: ToolContext): PyValue;
  /**
   * Answer to a call whose argument does not fit its parameter's `type` or `check` (the body is not
   * run). Overrides the `reject` given to `defineTool`; one of them is required as soon as a
   * parameter declares a `type` or `check`.
   */
  reject?: Rejecter<S>;
}

/** Answers an argument that misfits its parameter (typically a soft `{"error": ...}` dict). */
export type Rejecter<S> = (ctx: ToolContext, param: ParamSpec<S>, value: PyValue) => PyValue;

const matchers: Record<ParamType, (v: PyValue) => boolean> = {
  string: (v) => typeof v === "string",
  integer: (v) => typeof v === "bigint",
  number: (v) => typeof v === "number" || typeof v === "bigint",
  boolean: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v),
  dict: (v) => isPyDict(v),
  any: () => true,
};

/** Whether `value` fits `param` (its declared type, a `null` default, then its `check`). */
export function argumentFits<S>(param: ParamSpec<S>, value: PyValue): boolean {
  if (value === null && "default" in param && param.default === null) return true;
  if (param.type && !matchers[param.type](value)) return false;
  // `check` was typed against the value its `type` guarantees, which the line above just verified.
  return param.check ? (param.check as (v: PyValue) => boolean)(value) : true;
}

/**
 * Defines a tool whose `run` receives typed arguments derived from `params`, without casts.
 * Parameters with a `type` or `check` are verified in signature order before the body runs, and a
 * misfit is answered by `reject`; untyped parameters pass through as the model wrote them (what a
 * BFCL port needs, since Python does not check annotations). Usage:
 * `defineTool<MyState>({ reject })({ name, params: [{ name: "id", type: "string" }], run(self, { id }) {...} })`
 * — curried so that the state type is named once while the parameter tuple is inferred.
 */
export function defineTool<S>(defaults: { reject?: Rejecter<S> } = {}) {
  return <const P extends readonly TypedParam<S>[]>(spec: TypedToolSpec<S, P>): ToolDef<S> => {
    const checked = spec.params.filter((p) => p.type !== undefined || p.check !== undefined);
    // The executor binds every declared name, so the bound record is exactly `ArgsOf<P>` once the
    // checked parameters fit; this is the one place that says so.
    const body = spec.run as (self: S, args: BoundArgs, ctx: ToolContext) => PyValue;
    const base = {
      name: spec.name,
      params: [...spec.params],
      ...(spec.description === undefined ? {} : { description: spec.description }),
    };
    if (checked.length === 0) return { ...base, run: body };
    const reject = spec.reject ?? defaults.reject;
    if (!reject) {
      throw new EnvtuneError(
        "TOOL_WITHOUT_REJECT",
        "core",
        `Tool \`${spec.name}\` declares typed parameters but says nothing about arguments that do not fit them.`,
        "Pass `reject` to `defineTool<State>({ reject })` or to the tool, returning the message the model reads.",
      );
    }
    return {
      ...base,
      run(self, args, ctx) {
        for (const p of checked) if (!argumentFits(p, args[p.name]!)) return reject(ctx, p, args[p.name]!);
        return body(self, args, ctx);
      },
    };
  };
}

const jsonType: Record<ParamType, string | undefined> = {
  string: "string",
  integer: "integer",
  number: "number",
  boolean: "boolean",
  array: "array",
  dict: "object",
  any: undefined,
};

/** JSON has no bigint: defaults are written as numbers. */
const jsonDefault = (v: PyValue): unknown => (typeof v === "bigint" ? Number(v) : v);

/**
 * The JSON Schema (2020-12) of one tool's arguments, derived from its typed parameter list: the
 * parameter list is the single source, so signature and schema cannot disagree. A parameter
 * without a default is required; `schema` adds keywords the type cannot say (`minimum`, `items`).
 */
export function toolSchema<S>(tool: ToolDef<S>, describe: (description: string) => string = (d) => d): ToolSchema {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of tool.params) {
    const prop: Record<string, unknown> = {};
    const t = p.type ? jsonType[p.type] : undefined;
    if (t) prop.type = t;
    if (p.description !== undefined) prop.description = p.description;
    Object.assign(prop, p.schema);
    if (!("default" in p)) required.push(p.name);
    else if (typeof p.default !== "function") prop.default = jsonDefault(p.default as PyValue);
    properties[p.name] = prop;
  }
  return {
    name: tool.name,
    description: describe(tool.description ?? ""),
    parameters: { type: "object", properties, required, additionalProperties: false },
  };
}

/** {@link toolSchema} for every tool of a pack, in order. */
export function toolSchemas(tools: readonly ToolDef<any>[], describe?: (description: string) => string): ToolSchema[] {
  return tools.map((t) => toolSchema(t, describe));
}
