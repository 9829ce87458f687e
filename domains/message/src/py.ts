/**
 * The few CPython semantics MessageAPI's bodies need beyond core's value model. Kept local because
 * they are tiny and the exact error texts matter (the fuzz traces show them verbatim).
 */
import { PyDict, PyException, pyAttributeError, pyEquals, pyLen, type PyValue } from "@envtune/core/py";

// Python `bool(v)` lives in core so every pack shares one definition.
export { pyTruthy } from "@envtune/core/py";
// `x += 1` on counters is shared CPython semantics, also in core.
export { pyPlusOne } from "@envtune/core/py";

/** Python `x in d.values()` (linear `==`, identity first). */
export function pyInValues(seq: Iterable<PyValue>, x: PyValue): boolean {
  for (const v of seq) if (v === x || pyEquals(v, x)) return true;
  return false;
}

/** Python `str.zfill(width)`: zeros after a leading sign, width in code points. */
export function pyZfill(s: string, width: number): string {
  const len = pyLen(s);
  if (len >= width) return s;
  const pad = "0".repeat(width - len);
  if (s.startsWith("+") || s.startsWith("-")) return s[0] + pad + s.slice(1);
  return pad + s;
}

/** `list(d.items())[0]` on an inbox item: its first (receiver, content) pair. */
export function firstItem(item: PyValue): [PyValue, PyValue] {
  if (!(item instanceof PyDict)) {
    return pyAttributeError(item, "items");
  }
  for (const kv of item.entries()) return kv;
  throw new PyException("IndexError", "list index out of range");
}
