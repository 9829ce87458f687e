import { encodeValueTracked, encodedStillValid, type TrackedText } from "../py/encode.ts";
import { pyJsonDumps, pyJsonString, pyRepr } from "../py/format.ts";
import { PyDict, PyException, type PyValue } from "../py/value.ts";
import { describeArgumentProblems } from "./argument-problems.ts";
import type { DomainPack, LongContextConstants, ParamSpec, StateInit, ToolContext, ToolDef } from "../domain/types.ts";

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

// Lives with the argument describer, its main user; still exported here for the entry file.
export { toPlainJson } from "./argument-problems.ts";

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

/** A tool's signature, precomputed once per tool (binding runs on every call). */
interface Signature {
  names: string[];
  /** Parameter name → position. */
  index: Map<string, number>;
  hasDefault: boolean[];
  defcount: number;
  /** A parameter named like an Object.prototype member forces a prototype-free args object. */
  plainArgs: boolean;
}

const SIGNATURES = new WeakMap<ToolDef<unknown>, Signature>();

function signatureOf(tool: ToolDef<unknown>): Signature {
  let sig = SIGNATURES.get(tool);
  if (sig === undefined) {
    const names = tool.params.map((p) => p.name);
    const hasDefault = tool.params.map((p) => hasOwnDefault(p));
    const index = new Map<string, number>();
    // findIndex semantics: the first parameter of a name wins.
    names.forEach((n, i) => {
      if (!index.has(n)) index.set(n, i);
    });
    sig = {
      names,
      index,
      hasDefault,
      defcount: hasDefault.filter(Boolean).length,
      plainArgs: !names.some((n) => n in Object.prototype),
    };
    SIGNATURES.set(tool, sig);
  }
  return sig;
}

/** One slot per involved class: its pack, instance state and the episode's call counter. */
interface Instance {
  pack: DomainPack;
  state: unknown;
  ctx: ToolContext;
  /** Calls to this pack's tools in any world of the episode (they may share objects). */
  calls: { n: number };
  /** Encoded view, valid while `calls.n === encodedAt`. */
  encoded: string | undefined;
  encodedAt: number;
  /** Each view attribute's last encoding (see `encodeViewOf`), for the view keys `attrNames`. */
  attrs: TrackedText[] | undefined;
  attrNames: readonly string[] | undefined;
}

interface Bound {
  inst: Instance;
  tool: ToolDef<unknown>;
  sig: Signature;
  qualname: string;
}

/** The tool table of a combination of packs: name → (slot, tool). Built once per combination. */
interface ToolTable {
  packs: readonly DomainPack[];
  entries: Map<string, { slot: number; tool: ToolDef<unknown>; sig: Signature; qualname: string }>;
}

/** Tables by their first pack; each list is short (the few class combinations of a dataset). */
const TOOL_TABLES = new WeakMap<DomainPack, ToolTable[]>();

function toolTable(packs: readonly DomainPack[]): ToolTable {
  const first = packs[0];
  const list = first === undefined ? undefined : TOOL_TABLES.get(first);
  if (list !== undefined) {
    for (const t of list) {
      if (t.packs.length === packs.length && t.packs.every((p, i) => p === packs[i])) return t;
    }
  }
  const entries: ToolTable["entries"] = new Map();
  packs.forEach((pack, slot) => {
    // Later classes shadow earlier ones on a name clash, as the reference's method map does.
    for (const tool of pack.tools) {
      entries.set(tool.name, { slot, tool, sig: signatureOf(tool), qualname: `${pack.meta.className}.${tool.name}` });
    }
  });
  const table = { packs: [...packs], entries };
  if (first !== undefined) {
    const l = list ?? [];
    if (l.length >= 64) l.length = 0;
    l.push(table);
    TOOL_TABLES.set(first, l);
  }
  return table;
}

/** The tool context of a pack in one message mode: it depends on nothing else, so it is shared. */
const CONTEXTS = new WeakMap<DomainPack, { standard: ToolContext; augmented: ToolContext }>();

function contextOf(pack: DomainPack, augmented: boolean): ToolContext {
  let c = CONTEXTS.get(pack);
  if (c === undefined) {
    const make = (aug: boolean): ToolContext => {
      const catalogue = aug ? pack.messages.augmented : pack.messages.standard;
      return { augmented: aug, msg: (code, vars) => renderMessage(pack, catalogue, code, vars) };
    };
    c = { standard: make(false), augmented: make(true) };
    CONTEXTS.set(pack, c);
  }
  return augmented ? c.augmented : c.standard;
}

const CALL_COUNTERS = "@envtune/core:calls:";
const COUNTER_KEYS = new WeakMap<DomainPack, string>();

function counterKey(pack: DomainPack): string {
  let k = COUNTER_KEYS.get(pack);
  if (k === undefined) {
    k = CALL_COUNTERS + pack.meta.name;
    COUNTER_KEYS.set(pack, k);
  }
  return k;
}

/** Per pack, the attribute names of its last view and their `{"name": ` / `, "name": ` texts. */
const VIEW_KEYS = new WeakMap<DomainPack, { names: string[]; texts: string[] }>();

/**
 * `encodeView` with the key texts of the pack's view computed once (views keep their keys), and
 * each attribute's text kept from the instance's last encoding while the attribute still holds
 * the same value with nothing below it changed (a tool run usually changes one or two attributes).
 */
function encodeViewOf(inst: Instance, view: ReadonlyArray<readonly [string, PyValue]>): string {
  const pack = inst.pack;
  const n = view.length;
  if (n === 0) return "{}";
  let keys = VIEW_KEYS.get(pack);
  let same = keys !== undefined && keys.names.length === n;
  for (let i = 0; same && i < n; i++) if (keys!.names[i] !== view[i]![0]) same = false;
  if (!same) {
    const names = view.map(([k]) => k);
    keys = { names, texts: names.map((k, i) => (i === 0 ? "{" : ", ") + pyJsonString(k) + ": ") };
    VIEW_KEYS.set(pack, keys);
  }
  const texts = keys!.texts;
  let attrs = inst.attrs;
  // The texts are per attribute position: a view of other keys starts over.
  if (attrs === undefined || inst.attrNames !== keys!.names) {
    attrs = new Array<TrackedText>(n);
    inst.attrs = attrs;
    inst.attrNames = keys!.names;
  }
  let s = "";
  for (let i = 0; i < n; i++) {
    const v = view[i]![1];
    let rec = attrs[i];
    if (rec === undefined || !encodedStillValid(rec, v)) {
      rec = encodeValueTracked(v);
      attrs[i] = rec;
    }
    s += texts[i]! + rec.text;
  }
  return s + "}";
}

/**
 * One world: the instances of an entry's involved classes, executing calls one at a time with
 * the reference's semantics (no rollback of partial mutations, lookup only among involved classes,
 * CPython argument-binding errors, identical result strings).
 */
export class World {
  readonly augmented: boolean;
  private readonly instances = new Map<string, Instance>();
  private readonly slots: Instance[] = [];
  private readonly table: ToolTable;

  constructor(opts: WorldOptions) {
    this.augmented = opts.augmented ?? false;
    const shared = opts.shared ?? new Map<string, unknown>();
    this.table = toolTable(opts.packs);
    for (const pack of opts.packs) {
      const className = pack.meta.className;
      const cfg = opts.initialConfig.get(className);
      const init: StateInit = { config: cfg instanceof PyDict ? cfg : new PyDict(), longContext: opts.longContext, shared };
      if (opts.constants) init.constants = opts.constants;
      const state = pack.createState(init);
      const key = counterKey(pack);
      let calls = shared.get(key) as { n: number } | undefined;
      if (calls === undefined) {
        calls = { n: 0 };
        shared.set(key, calls);
      }
      const inst: Instance = {
        pack,
        state,
        ctx: contextOf(pack, this.augmented),
        calls,
        encoded: undefined,
        encodedAt: -1,
        attrs: undefined,
        attrNames: undefined,
      };
      this.slots.push(inst);
      this.instances.set(className, inst);
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

  /**
   * `encodeView(view(className))`, cached until a tool of the class's pack runs in this world or
   * in another world of the same episode (worlds given the same `shared` map may share objects).
   */
  encodedView(className: string): string {
    const inst = this.instances.get(className);
    if (!inst) return "{}";
    if (inst.encoded === undefined || inst.encodedAt !== inst.calls.n) {
      inst.encoded = inst.pack.stateless ? "{}" : encodeViewOf(inst, inst.pack.view(inst.state));
      inst.encodedAt = inst.calls.n;
    }
    return inst.encoded;
  }

  /** Whether `name` resolves to a tool in this world. */
  hasTool(name: string): boolean {
    return this.table.entries.has(name);
  }

  /** Executes one call and returns the reference's result string with its classification. */
  call(call: CallLike): CallOutcome {
    const name = call.name;
    const dot = name.indexOf(".");
    if (dot >= 0) {
      // The reference checks the name after its own rewrite: `a.b(...)` is judged by `b`.
      const checked = name.split(".")[1]!;
      if (FORBIDDEN_CALL_NAMES.has(checked)) return forbidden(checked);
      return { result: `${EXEC_ERROR}name '${name.slice(0, dot)}' is not defined`, status: "exception", pyType: "NameError" };
    }
    if (FORBIDDEN_CALL_NAMES.has(name)) return forbidden(name);
    const e = this.table.entries.get(name);
    if (e === undefined) return { result: `${EXEC_ERROR}name '${name}' is not defined`, status: "exception", pyType: "NameError" };
    const inst = this.slots[e.slot]!;
    const toolName = e.tool.name;
    const className = inst.pack.meta.className;
    // Counted before the body runs: a body that raises may already have changed the state.
    inst.calls.n++;
    let value: PyValue;
    try {
      const args = bindWith(e.sig, e.tool, inst.state, e.qualname, call);
      value = e.tool.run(inst.state, args, inst.ctx);
    } catch (err) {
      return this.exceptionOutcome(err, { inst, tool: e.tool, sig: e.sig, qualname: e.qualname }, call, toolName, className);
    }
    try {
      const result = stringifyResult(value);
      const status: CallStatus = value instanceof PyDict && value.has("error") ? "error" : "ok";
      return { tool: toolName, className, result, status };
    } catch (err) {
      return this.exceptionOutcome(err, { inst, tool: e.tool, sig: e.sig, qualname: e.qualname }, call, toolName, className);
    }
  }

  private exceptionOutcome(e: unknown, bound: Bound, call: CallLike, tool: string, className: string): CallOutcome {
    if (e instanceof PyException) {
      let text = e.message;
      if (this.augmented && (e.pyType === "TypeError" || e.pyType === "AttributeError"))
        text += describeArgumentProblems(bound.inst.pack, bound.tool, call, "type_error");
      return { tool, className, result: EXEC_ERROR + text, status: "exception", pyType: e.pyType };
    }
    // A JS error inside a tool body is an envtune bug; the episode must go on regardless.
    const msg = e instanceof Error ? e.message : String(e);
    return {
      tool,
      className,
      result: `${EXEC_ERROR}[envtune] [${bound.inst.pack.meta.name}] internal error in \`${bound.tool.name}\`: ${msg}. Please report this bug.`,
      status: "exception",
      pyType: "InternalError",
    };
  }
}

function forbidden(name: string): CallOutcome {
  return { result: `${EXEC_ERROR}Function call ${name} is not allowed.`, status: "exception", pyType: "PermissionError" };
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
  const template = Object.hasOwn(catalogue, code) ? catalogue[code] : undefined;
  if (template === undefined) {
    throw new PyException(
      "InternalError",
      `[envtune] [${pack.meta.name}] message \`${code}\` is missing from the catalogue. Add it to both catalogues.`,
    );
  }
  if (!vars) return template;
  const parts = compiledTemplate(template);
  if (parts.length === 1) return template;
  // parts alternate literal text and placeholder names: [text, name, text, name, ..., text].
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i]!;
    out += (Object.hasOwn(vars, k) ? vars[k]! : "{" + k + "}") + parts[i + 1]!;
  }
  return out;
}

const TEMPLATES = new Map<string, string[]>();

function compiledTemplate(t: string): string[] {
  let parts = TEMPLATES.get(t);
  if (parts === undefined) {
    parts = t.split(/\{([A-Za-z_][A-Za-z0-9_]*)\}/);
    if (TEMPLATES.size >= 4096) TEMPLATES.clear();
    TEMPLATES.set(t, parts);
  }
  return parts;
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0]!;
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(", ")}, and ${q[q.length - 1]}`;
}

function hasOwnDefault<S>(p: ParamSpec<S>): boolean {
  return Object.hasOwn(p, "default");
}

/**
 * Binds call arguments to a tool's Python signature with CPython 3.11's order of checks and
 * messages: unknown/duplicate keywords, then too many positionals, then missing arguments.
 */
export function bindArguments<S>(tool: ToolDef<S>, self: S, qualname: string, call: CallLike): Record<string, PyValue> {
  return bindWith(signatureOf(tool as ToolDef<unknown>), tool, self, qualname, call);
}

function bindWith<S>(sig: Signature, tool: ToolDef<S>, self: S, qualname: string, call: CallLike): Record<string, PyValue> {
  const params = tool.params;
  const np = params.length;
  const slots: Array<PyValue | undefined> = new Array(np);
  const args = call.args;
  const given = args.length;
  const n = given < np ? given : np;
  for (let i = 0; i < n; i++) slots[i] = args[i];
  const kwargs = call.kwargs;
  for (let j = 0; j < kwargs.length; j++) {
    const [k, v] = kwargs[j]!;
    const idx = sig.index.get(k);
    if (idx === undefined) throw new PyException("TypeError", `${qualname}() got an unexpected keyword argument '${k}'`);
    if (slots[idx] !== undefined) throw new PyException("TypeError", `${qualname}() got multiple values for argument '${k}'`);
    slots[idx] = v;
  }
  if (given > np) {
    const defcount = sig.defcount;
    const total = np + 1;
    const range = defcount ? `from ${total - defcount} to ${total}` : `${total}`;
    const plural = defcount ? "s" : total !== 1 ? "s" : "";
    throw new PyException(
      "TypeError",
      `${qualname}() takes ${range} positional argument${plural} but ${given + 1} ${given + 1 === 1 ? "was" : "were"} given`,
    );
  }
  let missing: string[] | undefined;
  for (let i = 0; i < np; i++) {
    if (slots[i] === undefined && !sig.hasDefault[i]) (missing ??= []).push(sig.names[i]!);
  }
  if (missing) {
    throw new PyException(
      "TypeError",
      `${qualname}() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${quoteList(missing)}`,
    );
  }
  // A plain object keeps V8's fast properties (one hidden class per tool); parameter names that
  // shadow Object.prototype members get a prototype-free object instead.
  const out: Record<string, PyValue> = sig.plainArgs ? {} : Object.create(null);
  for (let i = 0; i < np; i++) {
    const v = slots[i];
    if (v !== undefined) out[sig.names[i]!] = v;
    else {
      const d = params[i]!.default as PyValue | ((s: S) => PyValue);
      out[sig.names[i]!] = typeof d === "function" ? d(self) : d;
    }
  }
  return out;
}
