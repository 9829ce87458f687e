import { encodeValue } from "../py/encode.ts";
import { pyJsonString } from "../py/format.ts";
import type { PyValue } from "../py/value.ts";

/** Encodes a class's compared attributes as one JSON object text, in `vars()` order. */
export function encodeView(view: ReadonlyArray<readonly [string, PyValue]>): string {
  const n = view.length;
  if (n === 0) return "{}";
  let s = "{";
  for (let i = 0; i < n; i++) {
    const [k, v] = view[i]!;
    if (i > 0) s += ", ";
    s += pyJsonString(k) + ": " + encodeValue(v);
  }
  return s + "}";
}
