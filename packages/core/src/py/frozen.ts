/**
 * Immutable Python values and their cached texts.
 *
 * Long-context constants and read-only tables (TradingBot's stocks, the MA lists) are shared by
 * every episode and printed over and over (`json.dumps` of a result, the trace encoding of a
 * state). Once a value is frozen nothing can change it (arrays are `Object.freeze`d, dicts and sets
 * refuse mutation), so its texts can be computed once and reused: that is what makes a
 * long-context `get_stock_info` (two lists of thousands of floats) cost microseconds instead of
 * milliseconds. Freezing never changes what a value prints or how it compares; copies of a frozen
 * value (`pyDeepCopy`, `dict.copy()`, `list.slice()`) are ordinary mutable values.
 */
import { PyDict, PyException, PySet, PyTuple } from "./value.ts";
import type { PyValue } from "./value.ts";

/** Containers whose whole subtree is immutable (only these have cached texts). */
const IMMUTABLE = new WeakSet<object>();

/** PyObjects known to be immutable (e.g. `Ellipsis`), which may appear inside frozen values. */
const IMMUTABLE_OBJECTS = new WeakSet<object>();

/** Declares a PyObject immutable, so that containers holding it can be frozen with cached texts. */
export function markImmutableObject(o: object): void {
  IMMUTABLE_OBJECTS.add(o);
}

/**
 * Freezes `v` and everything inside it, in place, and returns it. Lists become frozen arrays,
 * dicts and sets refuse mutation (an attempt throws an envtune internal error instead of silently
 * changing a value every episode shares). Containers holding a PyObject that is not known to be
 * immutable are frozen too but get no cached texts.
 */
export function freezePyValue<T extends PyValue>(v: T): T {
  freezeInner(v, new Set());
  return v;
}

/** Returns whether the subtree is fully immutable. */
function freezeInner(v: PyValue, path: Set<object>): boolean {
  if (typeof v !== "object" || v === null) return true;
  if (IMMUTABLE.has(v)) return true;
  if (IMMUTABLE_OBJECTS.has(v)) return true;
  // A cycle cannot be given a finite cached text; freeze it but do not mark it.
  if (path.has(v)) return false;
  path.add(v);
  let all = true;
  if (Array.isArray(v)) {
    for (const x of v) all = freezeInner(x, path) && all;
    Object.freeze(v);
  } else if (v instanceof PyTuple) {
    for (const x of v.items) all = freezeInner(x, path) && all;
    Object.freeze(v.items);
  } else if (v instanceof PyDict) {
    for (const [k, x] of v.entries()) all = freezeInner(k, path) && freezeInner(x, path) && all;
    v._lock();
  } else if (v instanceof PySet) {
    for (const x of v.values()) all = freezeInner(x, path) && all;
    v._lock();
  } else all = false;
  path.delete(v);
  if (all) IMMUTABLE.add(v);
  return all;
}

/** Whether `v` is a frozen container whose texts may be cached (primitives are trivially immutable). */
export function isFrozenPyValue(v: PyValue): boolean {
  return typeof v !== "object" || v === null || IMMUTABLE.has(v) || IMMUTABLE_OBJECTS.has(v);
}

/** The cheap pre-check the printers use before a WeakMap lookup. */
export function maybeFrozen(x: object): boolean {
  if (Array.isArray(x)) return Object.isFrozen(x);
  if (x instanceof PyDict || x instanceof PySet) return x.frozen;
  return x instanceof PyTuple && Object.isFrozen(x.items);
}

export interface TextCache {
  get(x: object): string | undefined;
  /** Returns `text` after remembering it for `x` (only when `x` is a cacheable frozen value). */
  put(x: object, text: string): string;
}

function textCache(): TextCache {
  const m = new WeakMap<object, string>();
  return {
    get: (x) => (maybeFrozen(x) ? m.get(x) : undefined),
    put: (x, text) => {
      if (IMMUTABLE.has(x)) m.set(x, text);
      return text;
    },
  };
}

/** `json.dumps(x)` (default arguments) of frozen values. */
export const JSON_TEXTS: TextCache = textCache();
/** `repr(x)` of frozen values. */
export const REPR_TEXTS: TextCache = textCache();
/** The lossless trace encoding of frozen values. */
export const ENCODED_TEXTS: TextCache = textCache();

/** The TypeError `json.dumps` raises for a frozen value, remembered so that it is raised again without re-walking the value. */
const JSON_FAILURES = new WeakMap<object, PyException>();

export function cachedJsonFailure(x: object): PyException | undefined {
  return maybeFrozen(x) ? JSON_FAILURES.get(x) : undefined;
}

export function rememberJsonFailure(x: object, e: PyException): void {
  if (IMMUTABLE.has(x)) JSON_FAILURES.set(x, e);
}

/** Lists made by {@link pyListConcat} whose tail is a frozen list, with where the tail starts. */
const CONCATS = new WeakMap<object, { at: number; tail: readonly PyValue[] }>();
/** Tails shorter than this are printed element by element (the bookkeeping would not pay). */
const CONCAT_MIN_TAIL = 32;

/**
 * `head + tail` (Python list concatenation): a new, ordinary mutable list. When `tail` is frozen
 * (a long-context extension list), the printers reuse its cached text for the tail part for as
 * long as the new list still ends with exactly the tail's elements.
 */
export function pyListConcat(head: readonly PyValue[], tail: readonly PyValue[]): PyValue[] {
  const out = head.concat(tail);
  if (tail.length >= CONCAT_MIN_TAIL && IMMUTABLE.has(tail)) CONCATS.set(out, { at: head.length, tail });
  return out;
}

/** The frozen tail of a list made by {@link pyListConcat}, if the list still ends with it unchanged. */
export function frozenTail(x: readonly PyValue[]): { at: number; tail: readonly PyValue[] } | undefined {
  if (x.length < CONCAT_MIN_TAIL) return undefined;
  const c = CONCATS.get(x);
  if (c === undefined) return undefined;
  const { at, tail } = c;
  if (x.length !== at + tail.length) return undefined;
  for (let i = 0; i < tail.length; i++) if (!Object.is(x[at + i], tail[i])) return undefined;
  return c;
}
