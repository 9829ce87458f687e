import type { PyDict, PyValue } from "../py/value.ts";

/**
 * A parameter's declared type, named as BFCL's function docs name them (`dict` for an object).
 * `any` (or no type) leaves the value as the model wrote it.
 */
export type ParamType = "string" | "integer" | "number" | "boolean" | "array" | "dict" | "any";

/** One parameter of a tool's Python signature. */
export interface ParamSpec<S = unknown> {
  name: string;
  /**
   * Declared type: with `defineTool`, the argument's TS type in `run`, checked before the body
   * runs. Absent: any `PyValue` (a BFCL port receives whatever the model wrote, as Python does).
   */
  type?: ParamType;
  /** Shown to the model in a schema derived by `toolSchemas`. */
  description?: string;
  /** Extra JSON Schema keywords for a derived schema (`minimum`, `items`, ...). */
  schema?: Readonly<Record<string, unknown>>;
  /** A further condition on a typed value (a non-empty string, a range), checked with the type. */
  check?: (value: never) => boolean;
  /**
   * Absent: the parameter is required. A value: Python's default. A function: a default that
   * depends on the instance (used to reproduce mutable default arguments shared within an episode,
   * e.g. `TwitterAPI.post_tweet(mentions=[])`).
   */
  default?: PyValue | ((self: S) => PyValue);
}

/** What a tool body can ask of the episode it runs in. */
export interface ToolContext {
  /** True when the episode runs with actionable (hint-augmented) messages. */
  readonly augmented: boolean;
  /**
   * Text of message `code` from the pack's catalogue in the episode's mode, with `{name}`
   * placeholders replaced by `vars[name]`.
   */
  msg(code: string, vars?: Record<string, string>): string;
}

/** Arguments bound to the signature: every parameter present, defaults filled in. */
export type BoundArgs = Record<string, PyValue>;

/** A tool: its Python signature and its body. The body may throw a `PyException`. */
export interface ToolDef<S> {
  /** Method name as the model calls it. */
  name: string;
  /** What the tool does, for a schema derived from the parameter list (`toolSchemas`). */
  description?: string;
  /** Parameters in the Python signature's order (not necessarily the function doc's order). */
  params: ParamSpec<S>[];
  run(self: S, args: BoundArgs, ctx: ToolContext): PyValue;
}

/** A tool as the model sees it: OpenAI function-calling layout with a JSON Schema for parameters. */
export interface ToolSchema {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the arguments object. */
  parameters: Record<string, unknown>;
}

/** Immutable long-context constants (upstream `long_context.py`), shared by every episode. */
export type LongContextConstants = ReadonlyMap<string, PyValue>;

/** Everything a pack needs to build one instance of its class for one world of one episode. */
export interface StateInit {
  /**
   * `initial_config[ClassName]` (an empty dict when absent). Shared and read-only: a pack copies
   * what it keeps (the reference deep-copies it too).
   */
  config: PyDict;
  /** The entry is a long-context entry (`"long_context" in category`). */
  longContext: boolean;
  /** The long-context constants; present whenever `longContext` is true. Never mutate them. */
  constants?: LongContextConstants;
  /** Per-episode objects shared by the model world and the ground-truth world of one episode,
   * keyed by pack name (the reference shares module globals and mutable defaults process-wide;
   * envtune scopes that sharing to one episode). */
  shared: Map<string, unknown>;
}

/** Message catalogue: code → template with `{name}` placeholders. */
export type MessageCatalogue = Readonly<Record<string, string>>;

export interface DomainMeta {
  /** Package-style short name, kebab-case (`file-system`). */
  name: string;
  /** Semver of the pack. */
  version: string;
  /** The BFCL class this pack implements (`GorillaFileSystem`). */
  className: string;
  /** The gorilla commit whose behaviour a BFCL port reproduces; absent for any other domain. */
  bfclCommit?: string;
  /** One line for `envtune domains list`. */
  description: string;
}

/** The input of {@link defineDomain}. */
export interface DomainDefinition<S> {
  meta: DomainMeta;
  /** Stateless classes (MathAPI) never load a scenario; their view is empty. */
  stateless?: boolean;
  tools: ToolDef<S>[];
  /** One schema per tool, same names as `tools`. */
  schemas: ToolSchema[];
  createState(init: StateInit): S;
  /** The compared attributes, in the reference's `vars()` order. */
  view(self: S): Array<[string, PyValue]>;
  messages: { standard: MessageCatalogue; augmented: MessageCatalogue };
}

/** A validated, ready-to-run domain pack (what a pack's default export is). */
export interface DomainPack<S = any> extends DomainDefinition<S> {
  readonly kind: "envtune.domain";
  /** Tool lookup by name (built once). */
  readonly toolMap: ReadonlyMap<string, ToolDef<S>>;
  /** OpenAI function-calling tool list. */
  readonly openaiTools: ReadonlyArray<{ type: "function"; function: ToolSchema }>;
  /** Validates an arguments object against the tool's JSON Schema (compiled once with ajv). */
  validateArgs(tool: string, args: unknown): { ok: true } | { ok: false; errors: string[] };
}
