/**
 * The Python value model shared by every domain pack.
 *
 * BFCL behaviour depends on distinctions JavaScript does not make: `3` vs `3.0`, dict insertion
 * order with integer keys, tuples vs lists, arbitrary-precision ints. The mapping is:
 *
 * | Python              | TypeScript                         |
 * |---------------------|------------------------------------|
 * | `None`              | `null`                             |
 * | `bool`              | `boolean`                          |
 * | `int` (any size)    | `bigint`                           |
 * | `float`             | `number`                           |
 * | `str`               | `string`                           |
 * | `list`              | `PyValue[]` (a plain, mutable JS array) |
 * | `tuple`             | {@link PyTuple}                    |
 * | `dict`              | {@link PyDict}                     |
 * | `set`               | {@link PySet}                      |
 * | class instances     | {@link PyObject} (domain defined, e.g. `Directory`) |
 *
 * Using `bigint` for `int` makes the compiler reject accidental int/float mixing, which is exactly
 * the class of bug a port of Python code makes most often.
 */
import { pyFloatRepr, pyStrRepr } from "./scalar-repr.ts";

export type PyValue = null | boolean | bigint | number | string | PyValue[] | PyTuple | PyDict | PySet | PyObject;

/** A Python object that is not a builtin container: the domain decides its repr, equality and encoding. */
export interface PyObject {
  readonly pyKind: "object";
  /** Python `type(x).__name__`, used in TypeError/AttributeError texts. */
  pyTypeName(): string;
  /** Python `repr(x)`. */
  pyRepr(): string;
  /** Python `x == other`. */
  pyEquals(other: PyValue): boolean;
  /** Lossless trace encoding (`{"$dir": ...}` etc.) as a JSON text fragment. */
  pyEncode(): string;
  /** Python `str(x)` when it differs from the repr (`__str__`: mpf, Decimal, datetime). */
  pyStr?(): string;
  /** Whether `json.dumps` can serialize it (false for mpf, Decimal ... so the dict falls back to `str()`). */
  readonly jsonSerializable?: false;
}

/** Python tuple: immutable, ordered, compares equal only to tuples. */
export class PyTuple {
  readonly pyKind = "tuple" as const;
  readonly items: readonly PyValue[];
  constructor(items: readonly PyValue[]) {
    this.items = items;
  }
  get length(): number {
    return this.items.length;
  }
}

/**
 * Hash-key of a Python value, so that keys that Python considers equal (`1 == 1.0 == True`)
 * share one slot. Returns `undefined` for unhashable values (list, dict, set).
 */
export function pyHashKey(v: PyValue): string | undefined {
  switch (typeof v) {
    case "string":
      return "s" + v;
    case "bigint":
      return "n" + v.toString();
    case "boolean":
      return v ? "n1" : "n0";
    case "number":
      if (Number.isInteger(v)) return "n" + BigInt(v).toString();
      if (Number.isNaN(v)) return "fnan";
      return "f" + v.toString();
    case "object": {
      if (v === null) return "N";
      if (v instanceof PyTuple) {
        const parts: string[] = [];
        for (const it of v.items) {
          const k = pyHashKey(it);
          if (k === undefined) return undefined;
          parts.push(k);
        }
        return "t(" + parts.map((p) => p.length + ":" + p).join(",") + ")";
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

// Tuple keys are interned to one symbol per content hash, so Map lookups stay primitive-keyed.
const TUPLE_KEYS = new Map<string, symbol>();

/**
 * The Map key of a hashable Python value: Python-equal values (`1 == 1.0 == True`) map to one
 * primitive. Strings and ints key as themselves, so str/int-keyed dicts allocate nothing per key.
 */
function canonKey(v: PyValue): unknown {
  switch (typeof v) {
    case "string":
    case "bigint":
      return v;
    case "boolean":
      return v ? 1n : 0n;
    case "number":
      return Number.isInteger(v) ? BigInt(v) : v;
    default: {
      if (v === null) return null;
      if (v instanceof PyTuple) {
        const h = pyHashKey(v);
        if (h === undefined) throw unhashable(firstUnhashable(v));
        let sym = TUPLE_KEYS.get(h);
        if (sym === undefined) {
          sym = Symbol(h);
          TUPLE_KEYS.set(h, sym);
        }
        return sym;
      }
      throw unhashable(v);
    }
  }
}

/** Python hashes a tuple item by item, so the error names the first unhashable item's type. */
function firstUnhashable(t: PyTuple): PyValue {
  for (const it of t.items) {
    if (it instanceof PyTuple) {
      if (pyHashKey(it) === undefined) return firstUnhashable(it);
    } else if (pyHashKey(it) === undefined) return it;
  }
  return t;
}

function unhashable(v: PyValue): PyException {
  return new PyException("TypeError", `unhashable type: '${pyTypeName(v)}'`);
}

/**
 * Python dict: insertion ordered, keyed by Python equality. Keys may be any hashable value
 * (str, int, float, bool, None, tuple).
 */
export class PyDict {
  readonly pyKind = "dict" as const;
  /** canonical key → value, in insertion order. */
  private vals = new Map<unknown, PyValue>();
  /** canonical key → original key object, only where they differ (`True`, `1.0`, tuples). */
  private origKeys: Map<unknown, PyValue> | undefined;
  // True private fields: bookkeeping that structural comparisons (toEqual) must not see.
  #locked = false;
  /** Bumped by every mutation, so cached texts of this dict can be checked for staleness. */
  #ver = 0;
  #text: unknown = undefined;

  constructor(entries?: Iterable<readonly [PyValue, PyValue]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** Builds a str-keyed dict from an object literal (property order = insertion order). */
  static from(obj: Record<string, PyValue>): PyDict {
    const d = new PyDict();
    for (const k of Object.keys(obj)) d.set(k, obj[k] as PyValue);
    return d;
  }

  get size(): number {
    return this.vals.size;
  }

  /** Mutation counter: any `set`, `delete`, `pop` or `clear` changes it. */
  get version(): number {
    return this.#ver;
  }

  /** Whether {@link freezePyValue} made this dict immutable (every mutation then throws). */
  get frozen(): boolean {
    return this.#locked;
  }

  /** @internal Use {@link freezePyValue}, which freezes the values too. */
  _lock(): void {
    this.#locked = true;
  }

  /** @internal The trace-encoding cache of encode.ts (checked against `version` there). */
  get _text(): unknown {
    return this.#text;
  }
  set _text(v: unknown) {
    this.#text = v;
  }

  private origOf(c: unknown): PyValue {
    const o = this.origKeys?.get(c);
    return o === undefined ? (c as PyValue) : o;
  }

  has(k: PyValue): boolean {
    return this.vals.has(canonKey(k));
  }

  /** `d.get(k)`; returns `undefined` when absent (Python's `KeyError` is the caller's choice). */
  get(k: PyValue): PyValue | undefined {
    return this.vals.get(canonKey(k));
  }

  /** `d[k]`: raises `KeyError` like Python when absent. */
  getItem(k: PyValue): PyValue {
    const v = this.vals.get(canonKey(k));
    if (v === undefined) throw new PyException("KeyError", pyReprForKeyError(k));
    return v;
  }

  /** `d[k] = v`: an existing key keeps its position and its original key object. */
  set(k: PyValue, v: PyValue): this {
    if (this.#locked) throw frozenMutation("dict");
    this.#ver++;
    const c = canonKey(k);
    if (!this.vals.has(c) && c !== k) (this.origKeys ??= new Map()).set(c, k);
    this.vals.set(c, v);
    return this;
  }

  delete(k: PyValue): boolean {
    if (this.#locked) throw frozenMutation("dict");
    this.#ver++;
    const c = canonKey(k);
    this.origKeys?.delete(c);
    return this.vals.delete(c);
  }

  /** `d.pop(k)`: raises `KeyError` when absent and no default is given. */
  pop(k: PyValue, ...dflt: [PyValue] | []): PyValue {
    if (this.#locked) throw frozenMutation("dict");
    this.#ver++;
    const c = canonKey(k);
    const v = this.vals.get(c);
    if (v === undefined) {
      if (dflt.length) return dflt[0] as PyValue;
      throw new PyException("KeyError", pyReprForKeyError(k));
    }
    this.vals.delete(c);
    this.origKeys?.delete(c);
    return v;
  }

  clear(): void {
    if (this.#locked) throw frozenMutation("dict");
    this.#ver++;
    this.vals.clear();
    this.origKeys = undefined;
  }

  keys(): IterableIterator<PyValue> {
    // Without substituted keys the Map's own iterators are the answer (no generator overhead).
    if (this.origKeys === undefined) return this.vals.keys() as IterableIterator<PyValue>;
    return this.mappedKeys();
  }
  private *mappedKeys(): IterableIterator<PyValue> {
    for (const c of this.vals.keys()) yield this.origOf(c);
  }
  values(): IterableIterator<PyValue> {
    return this.vals.values();
  }
  entries(): IterableIterator<[PyValue, PyValue]> {
    if (this.origKeys === undefined) return this.vals.entries() as IterableIterator<[PyValue, PyValue]>;
    return this.mappedEntries();
  }
  private *mappedEntries(): IterableIterator<[PyValue, PyValue]> {
    for (const [c, v] of this.vals.entries()) yield [this.origOf(c), v];
  }
  [Symbol.iterator](): IterableIterator<[PyValue, PyValue]> {
    return this.entries();
  }

  /** Shallow copy (`dict.copy()`): same key and value objects, new table. */
  copy(): PyDict {
    // The canonical keys are already computed: copying the tables skips re-hashing every key.
    const d = new PyDict();
    d.vals = new Map(this.vals);
    if (this.origKeys !== undefined) d.origKeys = new Map(this.origKeys);
    return d;
  }

  /**
   * @internal Fills this (new, empty) dict with `src`'s keys (shared: hashable keys are immutable)
   * and `mapValue` of its values, in order. Used by `pyDeepCopy`.
   */
  _fillMapped(src: PyDict, mapValue: (v: PyValue) => PyValue): void {
    if (this.#locked) throw frozenMutation("dict");
    this.#ver++;
    for (const [c, v] of src.vals) this.vals.set(c, mapValue(v));
    if (src.origKeys !== undefined) {
      this.origKeys ??= new Map();
      for (const [c, k] of src.origKeys) this.origKeys.set(c, k);
    }
  }
}

/** Python set: unordered for equality; iteration follows insertion order (documented deviation: CPython's order is hash based). */
export class PySet {
  readonly pyKind = "set" as const;
  private readonly slots = new Map<unknown, PyValue>();
  #locked = false;
  constructor(items?: Iterable<PyValue>) {
    if (items) for (const it of items) this.add(it);
  }
  get size(): number {
    return this.slots.size;
  }
  /** Whether {@link freezePyValue} made this set immutable. */
  get frozen(): boolean {
    return this.#locked;
  }
  /** @internal Use {@link freezePyValue}. */
  _lock(): void {
    this.#locked = true;
  }
  add(v: PyValue): this {
    if (this.#locked) throw frozenMutation("set");
    const c = canonKey(v);
    if (!this.slots.has(c)) this.slots.set(c, v);
    return this;
  }
  has(v: PyValue): boolean {
    return this.slots.has(canonKey(v));
  }
  delete(v: PyValue): boolean {
    if (this.#locked) throw frozenMutation("set");
    return this.slots.delete(canonKey(v));
  }
  values(): IterableIterator<PyValue> {
    return this.slots.values();
  }
  [Symbol.iterator](): IterableIterator<PyValue> {
    return this.slots.values();
  }
}

// A shared immutable value (long-context constants, read-only tables) must be copied before a
// tool changes it; reaching this is an envtune bug, not a Python error.
function frozenMutation(kind: string): Error {
  return new Error(
    `[envtune] [core] A frozen ${kind} (a value shared by every episode) was about to be mutated. Copy it (pyDeepCopy or .copy()) before changing it.`,
  );
}

/**
 * A Python exception raised by a tool body. The executor turns it into
 * `"Error during execution: " + message`, exactly like `str(e)` in the reference.
 */
export class PyException extends Error {
  /** Python exception class name (`TypeError`, `KeyError`, `ValueError`, ...). */
  readonly pyType: string;
  constructor(pyType: string, message: string) {
    // A Python exception is control flow of the modelled program, raised and caught in bulk (every
    // wrong call a model makes) and always turned into a result string: a JS stack trace for it
    // would cost more than the rest of the raise (measured: 3.5% of checking the fuzz trace).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = "PyException";
    this.pyType = pyType;
  }
}

/** Python `type(v).__name__`. */
export function pyTypeName(v: PyValue): string {
  switch (typeof v) {
    case "string":
      return "str";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    default:
      if (v === null) return "NoneType";
      if (Array.isArray(v)) return "list";
      if (v instanceof PyDict) return "dict";
      if (v instanceof PyTuple) return "tuple";
      if (v instanceof PySet) return "set";
      return (v as PyObject).pyTypeName();
  }
}

// `str(KeyError(k))` is `repr(k)`. Keys are hashable, so scalars and tuples suffice here.
function hashableRepr(v: PyValue): string {
  switch (typeof v) {
    case "string":
      return pyStrRepr(v);
    case "bigint":
      return v.toString();
    case "number":
      return pyFloatRepr(v);
    case "boolean":
      return v ? "True" : "False";
    default:
      if (v === null) return "None";
      if (v instanceof PyTuple) {
        const items = v.items.map(hashableRepr);
        return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
      }
      return String(v);
  }
}
let reprHook: (v: PyValue) => string = hashableRepr;
/** @internal lets a caller override KeyError texts (kept for compatibility; defaults to Python's repr). */
export function _setKeyErrorRepr(fn: (v: PyValue) => string): void {
  reprHook = fn;
}
function pyReprForKeyError(k: PyValue): string {
  return reprHook(k);
}

/** Type guards, handy in tool bodies that must mirror Python's dynamic typing. */
export const isPyInt = (v: PyValue): v is bigint => typeof v === "bigint";
export const isPyFloat = (v: PyValue): v is number => typeof v === "number";
export const isPyStr = (v: PyValue): v is string => typeof v === "string";
export const isPyBool = (v: PyValue): v is boolean => typeof v === "boolean";
export const isPyList = (v: PyValue): v is PyValue[] => Array.isArray(v);
export const isPyDict = (v: PyValue): v is PyDict => v instanceof PyDict;
export const isPyTuple = (v: PyValue): v is PyTuple => v instanceof PyTuple;
export const isPySet = (v: PyValue): v is PySet => v instanceof PySet;
/** Python `numbers.Number`-ish check used by tools: int, float or bool. */
export const isPyNumber = (v: PyValue): v is bigint | number | boolean =>
  typeof v === "bigint" || typeof v === "number" || typeof v === "boolean";
