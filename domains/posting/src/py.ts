/**
 * The few CPython semantics TwitterAPI's bodies need beyond core's value model. Kept local because
 * they are tiny and the exact error texts matter (the fuzz traces show them verbatim).
 */
import {
  PyDict,
  PyException,
  PySet,
  PyTuple,
  pyIntFromFloat,
  pyIntFromStr,
  pyLen,
  pyTypeName,
  type PyValue,
} from "@envtune/core";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core";

/** Python `obj[key]` with a str key, as the reference does on tweet dicts (`tweet["mentions"]`). */
export function pyGetItem(obj: PyValue, key: string): PyValue {
  if (obj instanceof PyDict) return obj.getItem(key);
  if (Array.isArray(obj) || obj instanceof PyTuple) {
    const kind = Array.isArray(obj) ? "list" : "tuple";
    throw new PyException("TypeError", `${kind} indices must be integers or slices, not str`);
  }
  if (typeof obj === "string") throw new PyException("TypeError", "string indices must be integers, not 'str'");
  throw new PyException("TypeError", `'${pyTypeName(obj)}' object is not subscriptable`);
}

/** Python `v + 1` (the reference's counters). */
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

/** The items Python's `for x in v` visits (list, tuple, str by code point, dict keys, set). */
export function pyIterate(v: PyValue): PyValue[] {
  // Snapshot arrays so that `lst.extend(lst)` appends each item once, as CPython does.
  if (Array.isArray(v)) return v.slice();
  if (typeof v === "string") return [...v];
  if (v instanceof PyTuple) return [...v.items];
  if (v instanceof PyDict) return [...v.keys()];
  if (v instanceof PySet) return [...v.values()];
  throw new PyException("TypeError", `'${pyTypeName(v)}' object is not iterable`);
}

/** Python `len(v)`. */
export function pyLenOf(v: PyValue): bigint {
  if (Array.isArray(v)) return BigInt(v.length);
  if (typeof v === "string") return BigInt(pyLen(v));
  if (v instanceof PyTuple) return BigInt(v.length);
  if (v instanceof PyDict || v instanceof PySet) return BigInt(v.size);
  throw new PyException("TypeError", `object of type '${pyTypeName(v)}' has no len()`);
}

/** Python `int(v)` for the values a dict key can hold (the reference converts tweet keys with it). */
export function pyInt(v: PyValue): bigint {
  if (typeof v === "string") return pyIntFromStr(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return pyIntFromFloat(v);
  throw new PyException(
    "TypeError",
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`,
  );
}
