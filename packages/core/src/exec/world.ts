import { pyJsonDumps, pyRepr } from "../py/format.ts";
import { PyDict, PyException, PyTuple, PySet, type PyValue } from "../py/value.ts";
import type { DomainPack, LongContextConstants, ParamSpec, ToolContext, ToolDef } from "../domain/types.ts";

/** A parsed tool call: positional and keyword arguments as Python values. */
export interface CallLike {
  name: string;
  args: readonly PyValue[];
  kwargs: ReadonlyArray<readonly [string, PyValue]>;
}

/**
 * How a call ended. `error` = the tool returned a dict with an `"error"` key (the reference's soft
 * error); `exception` = something raised and the result reads `Error during execution: ...`.
 */
export type CallStatus = "ok" | "error" | "exception";

export interface CallOutcome {
  /** Exactly the string the reference returns to the model. */
  result: string;
  status: CallStatus;
  /** The tool that ran (absent for unknown/forbidden names). */
  tool?: string;
  className?: string;
  /** Python exception class for `exception` outcomes (`TypeError`, `NameError`, ...). */
  pyType?: string;
}

/** Names the reference refuses to execute whatever they are bound to. */
export const FORBIDDEN_CALL_NAMES: ReadonlySet<string> = new Set(["kill", "exit", "quit", "remove", "unlink", "popen", "Popen", "run"]);

const EXEC_ERROR = "Error during execution: ";

export interface WorldOptions {
  /** The involved classes' packs, in the entry's `involved_classes` order (instantiation order). */
  packs: readonly DomainPack[];
  /** The entry's `initial_config` (read-only; packs copy what they keep). */
  initialConfig: PyDict;
  longContext: boolean;
  constants?: LongContextConstants;
  /** Actionable (hint) messages instead of the reference's texts. */
  augmented?: boolean;
  /**
   * Objects shared by the worlds of one episode (model world and ground-truth world), where the
   * reference shares module-level objects. Pass the same Map to both worlds of an episode.
   */
  shared?: Map<string, unknown>;
}

interface Bound {
  pack: DomainPack;
  state: unknown;
  tool: ToolDef<unknown>;
  ctx: ToolContext;
  qualname: string;
}

interface Instance {
  pack: DomainPack;
  state: unknown;
}

/**
 * One world: the instances of an entry's involved classes, executing calls one at a time with
 * the reference's semantics (no rollback of partial mutations, lookup only among involved classes,
 * CPython argument-binding errors, identical result strings).
 */
export class World {
  readonly augmented: boolean;
  private readonly instances = new Map<string, Instance>();
  private readonly tools = new Map<string, Bound>();

  constructor(opts: WorldOptions) {
    this.augmented = opts.augmented ?? false;
    const shared = opts.shared ?? new Map<string, unknown>();
    for (const pack of opts.packs) {
      const className = pack.meta.className;
      const cfg = opts.initialConfig.get(className);
      const state = pack.createState({
        config: cfg instanceof PyDict ? cfg : new PyDict(),
        longContext: opts.longContext,
        ...(opts.constants ? { constants: opts.constants } : {}),
        shared,
      });
      this.instances.set(className, { pack, state });
      const catalogue = this.augmented ? pack.messages.augmented : pack.messages.standard;
      const ctx: ToolContext = {
        augmented: this.augmented,
        msg: (code, vars) => renderMessage(pack, catalogue, code, vars),
      };
      // Later classes shadow earlier ones on a name clash, as the reference's method map does.
      for (const tool of pack.tools) this.tools.set(tool.name, { pack, state, tool, ctx, qualname: `${className}.${tool.name}` });
    }
  }

  /** Class names of this world, in instantiation order. */
  get classNames(): string[] {
    return [...this.instances.keys()];
  }

  /** The pack instance state of a class (for checkers and debuggers). */
  stateOf(className: string): unknown {
    return this.instances.get(className)?.state;
  }

  /** The compared attributes of a class, in the reference's `vars()` order. */
  view(className: string): Array<[string, PyValue]> {
    const inst = this.instances.get(className);
    if (!inst) return [];
    return inst.pack.stateless ? [] : inst.pack.view(inst.state);
  }

  /** Whether `name` resolves to a tool in this world. */
  hasTool(name: string): boolean {
    return this.tools.has(name);
  }

  /** Executes one call and returns the reference's result string with its classification. */
  call(call: CallLike): CallOutcome {
    const name = call.name;
    const dot = name.indexOf(".");
    // The reference checks the name after its own rewrite: `a.b(...)` is judged by `b`.
    const checked = dot >= 0 ? name.split(".")[1]! : name;
    if (FORBIDDEN_CALL_NAMES.has(checked)) {
      return { result: `${EXEC_ERROR}Function call ${checked} is not allowed.`, status: "exception", pyType: "PermissionError" };
    }
    const bound = dot >= 0 ? undefined : this.tools.get(name);
    if (!bound) {
      const head = dot >= 0 ? name.slice(0, dot) : name;
      return { result: `${EXEC_ERROR}name '${head}' is not defined`, status: "exception", pyType: "NameError" };
    }
    const where = { tool: bound.tool.name, className: bound.pack.meta.className };
    let value: PyValue;
    try {
      const args = bindArguments(bound.tool, bound.state, bound.qualname, call);
      value = bound.tool.run(bound.state, args, bound.ctx);
    } catch (e) {
      return { ...where, ...this.exceptionOutcome(e, bound, call) };
    }
    try {
      const result = stringifyResult(value);
      const status: CallStatus = value instanceof PyDict && value.has("error") ? "error" : "ok";
      return { ...where, result, status };
    } catch (e) {
      return { ...where, ...this.exceptionOutcome(e, bound, call) };
    }
  }

  private exceptionOutcome(e: unknown, bound: Bound, call: CallLike): Omit<CallOutcome, "tool" | "className"> {
    if (e instanceof PyException) {
      let text = e.message;
      if (this.augmented && (e.pyType === "TypeError" || e.pyType === "AttributeError")) text += typeHint(bound, call);
      return { result: EXEC_ERROR + text, status: "exception", pyType: e.pyType };
    }
    // A JS error inside a tool body is an envtune bug; the episode must go on regardless.
    const msg = e instanceof Error ? e.message : String(e);
    return {
      result: `${EXEC_ERROR}[envtune] [${bound.pack.meta.name}] internal error in \`${bound.tool.name}\`: ${msg}. Please report this bug.`,
      status: "exception",
      pyType: "InternalError",
    };
  }
}

/** The reference's stringification: str as is, dict via json.dumps (repr on failure), else repr. */
export function stringifyResult(value: PyValue): string {
  if (typeof value === "string") return value;
  if (value instanceof PyDict) {
    try {
      return pyJsonDumps(value);
    } catch (e) {
      if (e instanceof PyException) return pyRepr(value);
      throw e;
    }
  }
  return pyRepr(value);
}

function renderMessage(pack: DomainPack, catalogue: Readonly<Record<string, string>>, code: string, vars?: Record<string, string>): string {
  const template = catalogue[code];
  if (template === undefined) {
    throw new PyException("InternalError", `[envtune] [${pack.meta.name}] message \`${code}\` is missing from the catalogue. Add it to both catalogues.`);
  }
  if (!vars) return template;
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (Object.hasOwn(vars, k) ? vars[k]! : m));
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0]!;
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(", ")}, and ${q[q.length - 1]}`;
}

function hasDefault<S>(p: ParamSpec<S>): boolean {
  return Object.hasOwn(p, "default");
}

/**
 * Binds call arguments to a tool's Python signature with CPython 3.11's order of checks and
 * messages: unknown/duplicate keywords, then too many positionals, then missing arguments.
 */
export function bindArguments<S>(tool: ToolDef<S>, self: S, qualname: string, call: CallLike): Record<string, PyValue> {
  const params = tool.params;
  const slots: Array<PyValue | undefined> = new Array(params.length);
  const given = call.args.length;
  const n = Math.min(given, params.length);
  for (let i = 0; i < n; i++) slots[i] = call.args[i];
  for (const [k, v] of call.kwargs) {
    const idx = params.findIndex((p) => p.name === k);
    if (idx < 0) throw new PyException("TypeError", `${qualname}() got an unexpected keyword argument '${k}'`);
    if (slots[idx] !== undefined) throw new PyException("TypeError", `${qualname}() got multiple values for argument '${k}'`);
    slots[idx] = v;
  }
  if (given > params.length) {
    const defcount = params.filter(hasDefault).length;
    const total = params.length + 1;
    const sig = defcount ? `from ${total - defcount} to ${total}` : `${total}`;
    const plural = defcount ? "s" : total !== 1 ? "s" : "";
    throw new PyException("TypeError", `${qualname}() takes ${sig} positional argument${plural} but ${given + 1} ${given + 1 === 1 ? "was" : "were"} given`);
  }
  const missing: string[] = [];
  params.forEach((p, i) => {
    if (slots[i] === undefined && !hasDefault(p)) missing.push(p.name);
  });
  if (missing.length) {
    throw new PyException(
      "TypeError",
      `${qualname}() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${quoteList(missing)}`,
    );
  }
  const out: Record<string, PyValue> = Object.create(null);
  params.forEach((p, i) => {
    const v = slots[i];
    if (v !== undefined) out[p.name] = v;
    else {
      const d = p.default as PyValue | ((s: S) => PyValue);
      out[p.name] = typeof d === "function" ? d(self) : d;
    }
  });
  return out;
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

/** Augmented mode: turn a cryptic CPython type error into a pointer at the argument and its expected type. */
function typeHint(bound: Bound, call: CallLike): string {
  const args: Record<string, unknown> = {};
  call.args.forEach((v, i) => {
    const p = bound.tool.params[i];
    if (p) args[p.name] = toPlainJson(v);
  });
  for (const [k, v] of call.kwargs) args[k] = toPlainJson(v);
  const check = bound.pack.validateArgs(bound.tool.name, args);
  const schema = bound.pack.schemas.find((s) => s.name === bound.tool.name);
  const props = (schema?.parameters.properties ?? {}) as Record<string, { type?: unknown }>;
  const sig = Object.entries(props)
    .map(([k, p]) => `${k}: ${Array.isArray(p.type) ? p.type.join(" | ") : String(p.type ?? "any")}`)
    .join(", ");
  const problems = check.ok ? "" : ` Problems: ${check.errors.join("; ")}.`;
  return ` (Hint: an argument of \`${bound.tool.name}\` has the wrong type or shape.${problems} Expected arguments: ${bound.tool.name}(${sig}). Fix the value's type and call it again.)`;
}
