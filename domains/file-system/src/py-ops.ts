/**
 * The few CPython operators the file-system methods apply to untyped arguments (`if x:`, `len(x)`,
 * `s.encode()`) that core does not provide, with CPython's error texts. The reference's tool bodies run these on whatever
 * the model passed, so a wrong-typed argument fails (or succeeds) exactly where Python's would.
 */
import { PyException, pyLength } from "@envtune/core/py";
import type { PyValue } from "@envtune/core/py";

// Python `bool(v)` lives in core so every pack shares one definition. Domain objects (File,
// Directory) define no `__len__`/`__bool__`, so they are truthy.
export { pyTruthy } from "@envtune/core/py";

/** Python `len(v)` as an int (shared CPython semantics in core). */
export const pyLenOf = (v: PyValue): bigint => BigInt(pyLength(v));

/** Python `len(s.encode("utf-8"))`; lone surrogates raise like CPython's strict encoder. */
export function utf8Length(s: string): bigint {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else throw surrogateError(s, i);
    } else if (c >= 0xdc00 && c <= 0xdfff) throw surrogateError(s, i);
    else n += 3;
  }
  return BigInt(n);
}

function surrogateError(s: string, i: number): PyException {
  // CPython reports the position in code points, not UTF-16 units.
  const pos = [...s.slice(0, i)].length;
  const hex = s.charCodeAt(i).toString(16);
  return new PyException(
    "UnicodeEncodeError",
    `'utf-8' codec can't encode character '\\u${hex}' in position ${pos}: surrogates not allowed`,
  );
}

/** CPython's default recursion limit; deeper walks only happen on cyclic trees (see `cp` of a directory into itself). */
export const RECURSION_LIMIT = 1000;

export function recursionError(suffix = ""): PyException {
  return new PyException("RecursionError", "maximum recursion depth exceeded" + suffix);
}
