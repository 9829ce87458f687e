/**
 * The few CPython semantics TicketAPI's bodies need beyond core's value model: truthiness,
 * subscription, `+= 1` and ordering against an int. Kept local because they are tiny and the
 * exact error texts matter (the fuzz traces show them verbatim).
 */
import { PyDict, PyException, PyTuple, pyTypeName, type PyValue } from "@envtune/core";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core";

/** Python `obj[key]` with a str key, as the reference does on ticket dicts (`ticket["id"]`). */
export function pyGetItem(obj: PyValue, key: string): PyValue {
  if (obj instanceof PyDict) return obj.getItem(key);
  if (Array.isArray(obj) || obj instanceof PyTuple) {
    const kind = Array.isArray(obj) ? "list" : "tuple";
    throw new PyException("TypeError", `${kind} indices must be integers or slices, not str`);
  }
  if (typeof obj === "string") throw new PyException("TypeError", "string indices must be integers, not 'str'");
  throw new PyException("TypeError", `'${pyTypeName(obj)}' object is not subscriptable`);
}

/** Python `obj[key] = value` on what the reference assumes is a dict. */
export function pySetItem(obj: PyValue, key: PyValue, value: PyValue): void {
  if (obj instanceof PyDict) {
    obj.set(key, value);
    return;
  }
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
 * Python `v < n` / `v > n` for an int `n`. Only numbers (bool, int, float) order against an int;
 * any other type raises the TypeError CPython prints.
 */
export function pyCmpInt(v: PyValue, op: "<" | ">", n: bigint): boolean {
  let x: bigint | number;
  if (typeof v === "bigint" || typeof v === "number") x = v;
  else if (typeof v === "boolean") x = v ? 1n : 0n;
  else throw new PyException("TypeError", `'${op}' not supported between instances of '${pyTypeName(v)}' and 'int'`);
  // JS relational operators compare number with bigint exactly (NaN compares false, like Python).
  return op === "<" ? x < n : x > n;
}
