/**
 * CPython operations that the reference classes apply to values a model can put anywhere: `d[k]`
 * and `d[k] = v` where the class assumes a dict, `x += 1` on counters, `for x in v` and `len(v)`.
 * The error texts are CPython's; the fuzz traces show them verbatim.
 */
import { pyLen } from "./str.ts";
import { PyDict, PyException, PySet, PyTuple, pyTypeName, type PyValue } from "./value.ts";

/** Python `obj[key]` with a str key, where the reference assumes `obj` is a dict (`ticket["id"]`). */
export function pyGetItemStr(obj: PyValue, key: string): PyValue {
  if (obj instanceof PyDict) return obj.getItem(key);
  if (typeof obj === "string") throw new PyException("TypeError", "string indices must be integers, not 'str'");
  if (Array.isArray(obj) || obj instanceof PyTuple) {
    throw new PyException("TypeError", `${Array.isArray(obj) ? "list" : "tuple"} indices must be integers or slices, not str`);
  }
  throw new PyException("TypeError", `'${pyTypeName(obj)}' object is not subscriptable`);
}

/** Python `obj[key] = value` with a str key, where the reference assumes `obj` is a dict. */
export function pySetItemStr(obj: PyValue, key: string, value: PyValue): void {
  if (obj instanceof PyDict) {
    obj.set(key, value);
    return;
  }
  // A list is mutable, so CPython complains about the index type, not about assignment.
  if (Array.isArray(obj)) throw new PyException("TypeError", "list indices must be integers or slices, not str");
  throw new PyException("TypeError", `'${pyTypeName(obj)}' object does not support item assignment`);
}

/** Python `v + 1` (the reference's counters: `self.ticket_counter += 1`). */
export function pyPlusOne(v: PyValue): PyValue {
  switch (typeof v) {
    case "bigint":
      return v + 1n;
    case "number":
      return v + 1;
    case "boolean":
      return (v ? 1n : 0n) + 1n;
    case "string":
      throw new PyException("TypeError", 'can only concatenate str (not "int") to str');
    default:
      if (Array.isArray(v)) throw new PyException("TypeError", 'can only concatenate list (not "int") to list');
      throw new PyException("TypeError", `unsupported operand type(s) for +=: '${pyTypeName(v)}' and 'int'`);
  }
}

/**
 * The items Python's `for x in v` visits (list, tuple, str by code point, dict keys, set), as a
 * snapshot: a loop body that appends to the list sees each original item once, as in CPython.
 */
export function pyIterate(v: PyValue): PyValue[] {
  if (Array.isArray(v)) return v.slice();
  if (typeof v === "string") return [...v];
  if (v instanceof PyTuple) return [...v.items];
  if (v instanceof PyDict) return [...v.keys()];
  if (v instanceof PySet) return [...v.values()];
  throw new PyException("TypeError", `'${pyTypeName(v)}' object is not iterable`);
}

/** The items Python's `for x in v` visits, live (no copy), for loops whose body does not mutate `v`. */
export function pyIter(v: PyValue): Iterable<PyValue> {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return v; // code points, like Python
  if (v instanceof PyTuple) return v.items;
  if (v instanceof PyDict) return v.keys();
  if (v instanceof PySet) return v.values();
  throw new PyException("TypeError", `'${pyTypeName(v)}' object is not iterable`);
}

/** Python `len(v)` (str in code points). */
export function pyLength(v: PyValue): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === "string") return pyLen(v);
  if (v instanceof PyTuple) return v.length;
  if (v instanceof PyDict || v instanceof PySet) return v.size;
  throw new PyException("TypeError", `object of type '${pyTypeName(v)}' has no len()`);
}
