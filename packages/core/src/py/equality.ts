/**
 * Python `==` and ordering (`<`, `sorted`, `min`, `max`) over PyValues.
 * Numbers compare exactly across int/float/bool (`2**53 + 1 != 2.0**53`), strs by code point.
 */
import { isPyObject } from "./format.ts";
import { PyDict, PyException, PySet, PyTuple, pyTypeName } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";
import { pyCodePointCompare } from "./str.ts";

type Num = bigint | number | boolean;

const isNum = (v: PyValue): v is Num => typeof v === "bigint" || typeof v === "number" || typeof v === "boolean";

/** Three-way numeric comparison, exact across int/float; NaN when unordered (a NaN is involved). */
export function pyNumCompare(a: Num, b: Num): number {
  if (typeof a === "boolean") a = a ? 1n : 0n;
  if (typeof b === "boolean") b = b ? 1n : 0n;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "bigint") return -intVsFloat(b as number, a);
  return intVsFloat(a, b as bigint);
}

/** Compares float f with int n exactly. */
function intVsFloat(f: number, n: bigint): number {
  if (f !== f) return NaN;
  if (f === Infinity) return 1;
  if (f === -Infinity) return -1;
  // Fast path: both exactly representable as doubles.
  if (n >= -9007199254740992n && n <= 9007199254740992n) {
    const nn = Number(n);
    return f < nn ? -1 : f > nn ? 1 : 0;
  }
  const fl = BigInt(Math.floor(f));
  if (fl < n) return -1;
  if (fl > n) return 1;
  return f === Math.floor(f) ? 0 : 1;
}

/** Python `a == b` (`1 == 1.0 == True`, `"1" != 1`, dict/set unordered, list != tuple, NaN != NaN). */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  switch (typeof a) {
    case "string":
      return a === b;
    case "bigint":
    case "number":
    case "boolean":
      return isNum(b) && pyNumCompare(a, b) === 0;
    default:
      break;
  }
  if (a === null) return b === null;
  if (isPyObject(a)) return a.pyEquals(b);
  if (isPyObject(b)) return b.pyEquals(a);
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && seqEquals(a, b);
  if (a instanceof PyTuple) return b instanceof PyTuple && seqEquals(a.items, b.items);
  if (a instanceof PyDict) {
    if (!(b instanceof PyDict) || a.size !== b.size) return false;
    for (const [k, va] of a.entries()) {
      const vb = b.get(k);
      if (vb === undefined || !identicalOrEqual(va, vb)) return false;
    }
    return true;
  }
  if (a instanceof PySet) {
    if (!(b instanceof PySet) || a.size !== b.size) return false;
    for (const x of a.values()) if (!b.has(x)) return false;
    return true;
  }
  return false;
}

/** CPython's `PyObject_RichCompareBool`: identity implies equality for containers' elements. */
function identicalOrEqual(a: PyValue, b: PyValue): boolean {
  if (a === b && typeof a === "object") return true;
  return pyEquals(a, b);
}

function seqEquals(a: readonly PyValue[], b: readonly PyValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!identicalOrEqual(a[i] as PyValue, b[i] as PyValue)) return false;
  return true;
}

/** Python rich comparison operators for ordering. */
export type PyOrderOp = "<" | "<=" | ">" | ">=";

function notSupported(op: PyOrderOp, a: PyValue, b: PyValue): PyException {
  return new PyException("TypeError", `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function applyOp(op: PyOrderOp, c: number): boolean {
  // NaN (unordered) makes every operator false, like IEEE comparisons.
  switch (op) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Optional ordering hook for domain objects (Python `__lt__` and friends). */
interface OrderedPyObject extends PyObject {
  pyCompare(other: PyValue): number | undefined;
}

function hasOrder(v: PyValue): v is OrderedPyObject {
  return isPyObject(v) && typeof (v as { pyCompare?: unknown }).pyCompare === "function";
}

/**
 * Python `a <op> b` (`<`, `<=`, `>`, `>=`), raising the CPython TypeError
 * `'<' not supported between instances of 'str' and 'int'` for unorderable operands.
 */
export function pyRichCompare(a: PyValue, b: PyValue, op: PyOrderOp): boolean {
  if (isNum(a) && isNum(b)) return applyOp(op, pyNumCompare(a, b));
  if (typeof a === "string" && typeof b === "string") return applyOp(op, pyCodePointCompare(a, b));
  if (Array.isArray(a) && Array.isArray(b)) return seqCompare(a, b, op);
  if (a instanceof PyTuple && b instanceof PyTuple) return seqCompare(a.items, b.items, op);
  if (a instanceof PySet && b instanceof PySet) return setCompare(a, b, op);
  if (hasOrder(a)) {
    const c = a.pyCompare(b);
    if (c !== undefined) return applyOp(op, c);
  }
  if (hasOrder(b)) {
    const c = b.pyCompare(a);
    if (c !== undefined) return applyOp(op, -c);
  }
  throw notSupported(op, a, b);
}

function seqCompare(a: readonly PyValue[], b: readonly PyValue[], op: PyOrderOp): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as PyValue;
    const y = b[i] as PyValue;
    if (!identicalOrEqual(x, y)) return pyRichCompare(x, y, op);
  }
  return applyOp(op, a.length - b.length);
}

function isSubset(a: PySet, b: PySet): boolean {
  if (a.size > b.size) return false;
  for (const x of a.values()) if (!b.has(x)) return false;
  return true;
}

function setCompare(a: PySet, b: PySet, op: PyOrderOp): boolean {
  switch (op) {
    case "<":
      return a.size < b.size && isSubset(a, b);
    case "<=":
      return isSubset(a, b);
    case ">":
      return a.size > b.size && isSubset(b, a);
    default:
      return isSubset(b, a);
  }
}

/** Python `a < b`. */
export function pyLt(a: PyValue, b: PyValue): boolean {
  return pyRichCompare(a, b, "<");
}

/**
 * Three-way comparator for sorting with Python's `<` ordering: numbers cross-type, strs by code
 * point, lists/tuples lexicographic. Raises `'<' not supported between instances of 'X' and 'Y'`
 * (X = type of a) for unorderable operands. Unordered values (NaN) compare as 0.
 * Prefer {@link pySorted} when the exact TypeError text of a failing `sorted()` matters.
 */
export function pyCompare(a: PyValue, b: PyValue): number {
  if (typeof a === "string" && typeof b === "string") return pyCodePointCompare(a, b);
  if (isNum(a) && isNum(b)) {
    const c = pyNumCompare(a, b);
    return c === c ? c : 0;
  }
  if (pyLt(a, b)) return -1;
  if (pyLt(b, a)) return 1;
  return 0;
}

export interface PySortOptions {
  /** Python `key=`: called once per item, in list order. */
  key?: (v: PyValue) => PyValue;
  /** Python `reverse=True` (stable, like Python: equal items keep their order). */
  reverse?: boolean;
}

/**
 * Python `sorted(items, key=..., reverse=...)`, returning a new list. For lists shorter than 64 it
 * performs exactly CPython's comparisons (count_run + binary insertion sort), so a mixed-type list
 * raises the very TypeError CPython raises (`sorted([1, 'a'])` → `'<' not supported between
 * instances of 'str' and 'int'`). Longer lists use a stable merge sort with the same ordering (same
 * result; only which pair fails first can differ).
 */
export function pySorted(items: Iterable<PyValue>, opts: PySortOptions = {}): PyValue[] {
  const values = [...items];
  const keyFn = opts.key;
  const keys = keyFn ? values.map((v) => keyFn(v)) : values.slice();
  const n = values.length;
  if (n < 2) return values;
  // Python reverses before and after sorting so reverse=True stays stable.
  if (opts.reverse) {
    values.reverse();
    keys.reverse();
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n < 64) {
    cpythonSmallSort(keys, idx);
  } else {
    const k = keys;
    idx.sort((i, j) => {
      if (pyLt(k[j] as PyValue, k[i] as PyValue)) return 1;
      if (pyLt(k[i] as PyValue, k[j] as PyValue)) return -1;
      return 0;
    });
  }
  const out = idx.map((i) => values[i] as PyValue);
  if (opts.reverse) out.reverse();
  return out;
}

/** CPython listsort for n < 64 (one run): count_run, reverse a strictly descending run, binarysort. */
function cpythonSmallSort(keys: PyValue[], idx: number[]): void {
  const n = keys.length;
  const swapRange = (lo: number, hi: number): void => {
    for (let i = lo, j = hi - 1; i < j; i++, j--) {
      const tk = keys[i] as PyValue;
      keys[i] = keys[j] as PyValue;
      keys[j] = tk;
      const ti = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = ti;
    }
  };
  let run = 2;
  if (pyLt(keys[1] as PyValue, keys[0] as PyValue)) {
    while (run < n && pyLt(keys[run] as PyValue, keys[run - 1] as PyValue)) run++;
    swapRange(0, run);
  } else {
    while (run < n && !pyLt(keys[run] as PyValue, keys[run - 1] as PyValue)) run++;
  }
  for (let start = run; start < n; start++) {
    const pivot = keys[start] as PyValue;
    const pivotIdx = idx[start] as number;
    let l = 0;
    let r = start;
    do {
      const p = l + ((r - l) >> 1);
      if (pyLt(pivot, keys[p] as PyValue)) r = p;
      else l = p + 1;
    } while (l < r);
    for (let p = start; p > l; p--) {
      keys[p] = keys[p - 1] as PyValue;
      idx[p] = idx[p - 1] as number;
    }
    keys[l] = pivot;
    idx[l] = pivotIdx;
  }
}

function minMax(name: "min" | "max", items: Iterable<PyValue>, key?: (v: PyValue) => PyValue, dflt?: { value: PyValue }): PyValue {
  let best: PyValue | undefined;
  let bestKey: PyValue = null;
  let seen = false;
  const op: PyOrderOp = name === "min" ? "<" : ">";
  for (const item of items) {
    const k = key ? key(item) : item;
    if (!seen) {
      best = item;
      bestKey = k;
      seen = true;
    } else if (pyRichCompare(k, bestKey, op)) {
      best = item;
      bestKey = k;
    }
  }
  if (!seen) {
    if (dflt) return dflt.value;
    throw new PyException("ValueError", `${name}() arg is an empty sequence`);
  }
  return best as PyValue;
}

/** Python `min(iterable, key=..., default=...)` with CPython's comparison order (`item < current`). */
export function pyMin(items: Iterable<PyValue>, opts: { key?: (v: PyValue) => PyValue; default?: PyValue } = {}): PyValue {
  return minMax("min", items, opts.key, "default" in opts ? { value: opts.default as PyValue } : undefined);
}

/** Python `max(iterable, key=..., default=...)` with CPython's comparison order (`item > current`). */
export function pyMax(items: Iterable<PyValue>, opts: { key?: (v: PyValue) => PyValue; default?: PyValue } = {}): PyValue {
  return minMax("max", items, opts.key, "default" in opts ? { value: opts.default as PyValue } : undefined);
}

/** Python `x in container` for list/tuple/set/dict(keys)/str (substring). */
export function pyContains(container: PyValue, x: PyValue): boolean {
  if (typeof container === "string") {
    if (typeof x !== "string") {
      throw new PyException("TypeError", `'in <string>' requires string as left operand, not ${pyTypeName(x)}`);
    }
    return container.includes(x);
  }
  if (Array.isArray(container)) return container.some((y) => identicalOrEqual(y, x));
  if (container instanceof PyTuple) return container.items.some((y) => identicalOrEqual(y, x));
  if (container instanceof PyDict || container instanceof PySet) return container.has(x);
  throw new PyException("TypeError", `argument of type '${pyTypeName(container)}' is not iterable`);
}
