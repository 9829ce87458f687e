/**
 * The lossless trace encoding of Python values (shared/bfcl/traces/README.md, "Lossless value
 * encoding"). `encodeValue` writes it formatted exactly like Python's `json.dumps(encoded)`, so a
 * pack's encoded state can be compared byte for byte with `pyJsonDumps(parsePyJson(traceFragment))`.
 */
import { pyFloatRepr, pyJsonDumps, pyJsonString } from "./format.ts";
import { ENCODED_TEXTS, frozenTail, isFrozenPyValue, markImmutableObject, maybeFrozen } from "./frozen.ts";
import { PyDict, PySet, PyTuple } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

const INT_SAFE = 2n ** 53n;

class EllipsisType implements PyObject {
  readonly pyKind = "object" as const;
  readonly jsonSerializable = false as const;
  pyTypeName(): string {
    return "ellipsis";
  }
  pyRepr(): string {
    return "Ellipsis";
  }
  pyEquals(other: PyValue): boolean {
    return other === this;
  }
  pyEncode(): string {
    return '{"$repr": "Ellipsis", "$type": "ellipsis"}';
  }
  /** A singleton, like Python's `copy.deepcopy(...)`. */
  pyDeepCopy(): PyObject {
    return this;
  }
}

/** Python's `Ellipsis` singleton (ends long_context `WATCH_LIST_EXTENSION`); not JSON serializable. */
export const PY_ELLIPSIS: PyObject = Object.freeze(new EllipsisType());
markImmutableObject(PY_ELLIPSIS);

/**
 * Dicts that {@link decodeEncoded} left undecoded (a `$dir`/`$file`/... object without a hook): they
 * are emitted verbatim again, so an undecoded fragment still round-trips. A WeakSet instead of a
 * marker key keeps them ordinary PyDicts for every other purpose.
 */
const RAW_ENCODED = new WeakSet<PyDict>();

/** Whether `v` is an encoded-object dict that {@link decodeEncoded} kept as is (no hook decoded it). */
export function isRawEncoded(v: PyValue): v is PyDict {
  return v instanceof PyDict && RAW_ENCODED.has(v);
}

function encodeFloat(x: number): string {
  if (Number.isFinite(x) && !Number.isInteger(x)) return pyFloatRepr(x);
  // Integral floats, -0.0, inf and nan keep their float-ness through the tag.
  return '{"$float": "' + pyFloatRepr(x) + '"}';
}

/**
 * JSON text of the lossless encoding of `v`, formatted like Python `json.dumps` with default
 * separators and `ensure_ascii=True`. PyObjects contribute their own `pyEncode()` text.
 */
export function encodeValue(v: PyValue): string {
  switch (typeof v) {
    case "string":
      return pyJsonString(v);
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v > INT_SAFE || v < -INT_SAFE ? '{"$int": "' + v.toString() + '"}' : v.toString();
    case "number":
      return encodeFloat(v);
    default:
      break;
  }
  if (v === null) return "null";
  const cached = ENCODED_TEXTS.get(v);
  if (cached !== undefined) return cached;
  if (maybeFrozen(v)) return ENCODED_TEXTS.put(v, encodeContainer(v));
  return encodeContainer(v);
}

function encodeContainer(v: PyValue & object): string {
  if (Array.isArray(v)) return encodeList(v);
  if (v instanceof PyDict) return encodeDict(v);
  if (v instanceof PyTuple) return '{"$tuple": ' + encodeList(v.items) + "}";
  if (v instanceof PySet) {
    const parts: string[] = [];
    for (const x of v.values()) parts.push(encodeValue(x));
    // Canonical order: by encoded JSON text (ASCII only, so UTF-16 order = code point order).
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return '{"$set": [' + parts.join(", ") + "]}";
  }
  return (v as PyObject).pyEncode();
}

/**
 * Cached encodings of mutable dicts. States are encoded after every turn while most of their
 * dicts (cards, orders, tweets, tickets) did not change. A dict's cached text records what it was
 * made from: every dict below it with its mutation counter, and every list below it with a copy of
 * its elements. Checking that record (a counter compare per dict, an identity compare per list
 * element) replaces re-encoding. A subtree holding anything else mutable (a PyObject, a set) is
 * not cached.
 */
interface DictText {
  ver: number;
  text: string;
  /** Dicts (version in `snaps`) and lists (element copy in `snaps`) below this dict. */
  deps: Array<PyDict | PyValue[]> | null;
  snaps: Array<number | PyValue[]> | null;
}

function fresh(rec: Pick<DictText, "deps" | "snaps">): boolean {
  const deps = rec.deps;
  if (deps === null) return true;
  const snaps = rec.snaps!;
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    if (d instanceof PyDict) {
      if (d.version !== snaps[i]) return false;
    } else {
      const was = snaps[i] as PyValue[];
      if (d.length !== was.length) return false;
      // Object.is: -0.0 and 0.0 encode differently.
      for (let j = 0; j < was.length; j++) if (!Object.is(d[j], was[j])) return false;
    }
  }
  return true;
}

function freshText(d: PyDict): DictText | undefined {
  const rec = d._text as DictText | undefined;
  return rec !== undefined && rec.ver === d.version && fresh(rec) ? rec : undefined;
}

/** Collects what a cached text depends on while encoding; `ok` turns false on anything untrackable. */
interface Deps {
  ok: boolean;
  deps: Array<PyDict | PyValue[]> | null;
  snaps: Array<number | PyValue[]> | null;
}

function addDep(acc: Deps, d: PyDict | PyValue[], snap: number | PyValue[]): void {
  (acc.deps ??= []).push(d);
  (acc.snaps ??= []).push(snap);
}

/** `encodeValue` for a value inside a cached dict, recording its dependencies in `acc`. */
function encodeTracked(v: PyValue, acc: Deps): string {
  if (typeof v !== "object" || v === null) return encodeValue(v);
  if (!acc.ok || isFrozenPyValue(v)) return encodeValue(v);
  if (v instanceof PyDict) {
    const text = encodeDict(v);
    const rec = freshText(v);
    if (rec === undefined) acc.ok = false;
    else {
      addDep(acc, v, v.version);
      if (rec.deps !== null) for (let i = 0; i < rec.deps.length; i++) addDep(acc, rec.deps[i]!, rec.snaps![i]!);
    }
    return text;
  }
  if (Array.isArray(v)) {
    addDep(acc, v, v.slice());
    if (v.length === 0) return "[]";
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ", ";
      s += encodeTracked(v[i] as PyValue, acc);
    }
    return s + "]";
  }
  if (v instanceof PyTuple) {
    // A tuple's items never change; what they hold is tracked like any other value.
    const items = v.items;
    if (items.length === 0) return '{"$tuple": []}';
    let s = '{"$tuple": [';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) s += ", ";
      s += encodeTracked(items[i] as PyValue, acc);
    }
    return s + "]}";
  }
  acc.ok = false;
  return encodeValue(v);
}

/**
 * The encoding of one value with what it was made from, so that a later encoding of the same
 * value can be skipped while nothing it was made from has changed (see {@link encodedStillValid}).
 */
export interface TrackedText {
  /** The value encoded (compared with `Object.is`: a primitive by value, a container by identity). */
  readonly value: PyValue;
  readonly text: string;
  /** False when the value holds something whose changes cannot be tracked (a PyObject, a set). */
  readonly ok: boolean;
  readonly deps: Array<PyDict | PyValue[]> | null;
  readonly snaps: Array<number | PyValue[]> | null;
}

/** `encodeValue(v)`, recording the dicts (mutation counters) and lists (element copies) it read. */
export function encodeValueTracked(v: PyValue): TrackedText {
  if (typeof v !== "object" || v === null) return { value: v, text: encodeValue(v), ok: true, deps: null, snaps: null };
  const acc: Deps = { ok: true, deps: null, snaps: null };
  const text = encodeTracked(v, acc);
  return { value: v, text, ok: acc.ok, deps: acc.deps, snaps: acc.snaps };
}

/**
 * Whether `encodeValue(v)` would give `rec.text` again: `v` is the value `rec` encoded, and every
 * dict and list below it is unchanged (a changed element of a list shows as a different identity,
 * a changed dict as a different mutation counter).
 */
export function encodedStillValid(rec: TrackedText, v: PyValue): boolean {
  return rec.ok && Object.is(rec.value, v) && fresh(rec);
}

// No memo of key texts: a cache that outlives an episode would be keyed on scenario content
// (file names, user ids), which the benchmarks must not reuse across repetitions.
function keyText(k: string): string {
  return pyJsonString(k) + ": ";
}

function encodeDict(v: PyDict): string {
  const rec = v._text as DictText | undefined;
  if (rec !== undefined && rec.ver === v.version && fresh(rec)) return rec.text;
  if (v.size === 0) {
    v._text = { ver: v.version, text: "{}", deps: null, snaps: null };
    return "{}";
  }
  let plain = true;
  for (const k of v.keys()) {
    if (typeof k !== "string" || k.charCodeAt(0) === 0x24 /* $ */) {
      plain = false;
      break;
    }
  }
  if (!plain && RAW_ENCODED.has(v)) return pyJsonDumps(v);
  const acc: Deps = { ok: true, deps: null, snaps: null };
  let s: string;
  if (plain) {
    s = "{";
    let first = true;
    for (const [k, val] of v.entries()) {
      if (!first) s += ", ";
      first = false;
      s += keyText(k as string) + encodeTracked(val, acc);
    }
    s += "}";
  } else {
    // Keys are hashable, hence immutable: only the values need tracking.
    s = '{"$dict": [';
    let first = true;
    for (const [k, val] of v.entries()) {
      if (!first) s += ", ";
      first = false;
      s += "[" + encodeValue(k) + ", " + encodeTracked(val, acc) + "]";
    }
    s += "]}";
  }
  v._text = acc.ok ? { ver: v.version, text: s, deps: acc.deps, snaps: acc.snaps } : undefined;
  return s;
}

function encodeList(items: readonly PyValue[]): string {
  if (items.length === 0) return "[]";
  const ft = frozenTail(items);
  if (ft !== undefined) {
    let head = "";
    for (let i = 0; i < ft.at; i++) head += encodeValue(items[i] as PyValue) + ", ";
    return "[" + head + encodeValue(ft.tail as PyValue[]).slice(1);
  }
  let s = "[";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ", ";
    s += encodeValue(items[i] as PyValue);
  }
  return s + "]";
}

/** Hooks for encoded objects that are not builtin values (`$dir`, `$file`, `$datetime`, `$repr`). */
export interface DecodeHooks {
  /**
   * Called with the tag (`"$dir"`) and its payload, already decoded (children of a `$dir` arrive as
   * whatever this hook returned for them). For `$repr` objects the payload is the whole dict. Return
   * `undefined` to keep the encoded dict as is.
   */
  decodeObject(tag: string, payload: PyValue): PyValue | undefined;
}

function parseFloatRepr(s: string): number {
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  if (s === "nan") return NaN;
  const x = Number(s);
  if (Number.isNaN(x) || s.trim() === "") {
    throw new Error(`[envtune] [core] decodeEncoded: invalid $float payload ${JSON.stringify(s)}. Use a Python float repr.`);
  }
  return x;
}

function badTag(tag: string, why: string): never {
  throw new Error(`[envtune] [core] decodeEncoded: malformed ${tag} value (${why}). Check the trace encoding.`);
}

/**
 * Turns a parsed lossless encoding (from {@link parsePyJson}) back into Python values: `$int` → bigint,
 * `$float` → number, `$tuple`, `$set`, `$dict`, the `Ellipsis` `$repr` → {@link PY_ELLIPSIS}. Other
 * tagged objects go to `hooks.decodeObject`; without a hook (or when it returns undefined) the dict is
 * kept undecoded and {@link encodeValue} writes it back verbatim.
 */
export function decodeEncoded(v: PyValue, hooks?: DecodeHooks): PyValue {
  if (Array.isArray(v)) return v.map((x) => decodeEncoded(x, hooks));
  if (!(v instanceof PyDict)) return v;
  if (RAW_ENCODED.has(v)) return v;
  let firstKey: PyValue | undefined;
  for (const k of v.keys()) {
    firstKey = k;
    break;
  }
  if (typeof firstKey !== "string" || firstKey.charCodeAt(0) !== 0x24) {
    const out = new PyDict();
    for (const [k, val] of v.entries()) out.set(k, decodeEncoded(val, hooks));
    return out;
  }
  const tag = firstKey;
  const payload = v.get(tag) as PyValue;
  switch (tag) {
    case "$int":
      if (typeof payload !== "string") badTag(tag, "payload must be a string");
      return BigInt(payload);
    case "$float":
      if (typeof payload !== "string") badTag(tag, "payload must be a string");
      return parseFloatRepr(payload);
    case "$tuple":
      if (!Array.isArray(payload)) badTag(tag, "payload must be a list");
      return new PyTuple(payload.map((x) => decodeEncoded(x, hooks)));
    case "$set":
      if (!Array.isArray(payload)) badTag(tag, "payload must be a list");
      return new PySet(payload.map((x) => decodeEncoded(x, hooks)));
    case "$dict": {
      if (!Array.isArray(payload)) badTag(tag, "payload must be a list of pairs");
      const out = new PyDict();
      for (const pair of payload) {
        if (!Array.isArray(pair) || pair.length !== 2) badTag(tag, "payload must be a list of pairs");
        out.set(decodeEncoded(pair[0] as PyValue, hooks), decodeEncoded(pair[1] as PyValue, hooks));
      }
      return out;
    }
    default:
      break;
  }
  if (tag === "$repr" && v.get("$type") === "ellipsis" && v.get("$repr") === "Ellipsis") return PY_ELLIPSIS;
  if (hooks) {
    const decodedPayload = tag === "$repr" ? v : decodeEncoded(payload, hooks);
    const r = hooks.decodeObject(tag, decodedPayload);
    if (r !== undefined) return r;
  }
  RAW_ENCODED.add(v);
  return v;
}
