/**
 * Python `copy.deepcopy` over PyValues. A memo keeps aliasing inside the copied structure (two
 * references to one list stay two references to one new list), exactly like CPython's memo dict.
 */
import { isPyObject } from "./format.ts";
import { PyDict, PySet, PyTuple } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

/** A PyObject that knows how to deep-copy itself (Python `__deepcopy__`). */
export interface DeepCopyablePyObject extends PyObject {
  pyDeepCopy(memo: Map<object, PyValue>): PyValue;
}

/**
 * Python `copy.deepcopy(v)`: containers are copied recursively (shared sub-objects stay shared
 * within the copy); PyObjects are copied by their optional `pyDeepCopy(memo)` method, else shared.
 * Pass a `memo` to copy several roots as one structure (like passing Python's memo dict).
 */
export function pyDeepCopy<T extends PyValue>(v: T, memo: Map<object, PyValue> = new Map()): T {
  return copyInner(v, memo) as T;
}

function copyInner(v: PyValue, memo: Map<object, PyValue>): PyValue {
  if (typeof v !== "object" || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (Array.isArray(v)) {
    const out: PyValue[] = [];
    memo.set(v, out);
    for (const x of v) out.push(copyInner(x, memo));
    return out;
  }
  if (v instanceof PyDict) {
    const out = new PyDict();
    memo.set(v, out);
    // Keys are hashable (str, numbers, None, tuples of those): deepcopy returns them unchanged.
    out._fillMapped(v, (val) => copyInner(val, memo));
    return out;
  }
  if (v instanceof PyTuple) {
    const items = v.items.map((x) => copyInner(x, memo));
    // Like CPython: a tuple whose items all copy to themselves is returned as is.
    const same = items.every((x, i) => x === v.items[i]);
    const out = same ? v : new PyTuple(items);
    memo.set(v, out);
    return out;
  }
  if (v instanceof PySet) {
    const out = new PySet();
    memo.set(v, out);
    for (const x of v.values()) out.add(copyInner(x, memo));
    return out;
  }
  if (isPyObject(v)) {
    const fn = (v as Partial<DeepCopyablePyObject>).pyDeepCopy;
    if (typeof fn === "function") {
      const out = fn.call(v, memo);
      memo.set(v, out);
      return out;
    }
    return v;
  }
  return v;
}
