/**
 * Python formatting: `repr`/`str`, `json.dumps` (default arguments), float layout, rounding.
 * Every function here is a contract the domain packs rely on; see docs/bfcl-behaviour.md §2.3.
 */
import type { PyValue } from "./value.ts";

const todo = (name: string): never => {
  throw new Error(`[envtune] [core] ${name} is not implemented yet.`);
};

/** Python `repr(x)` for every PyValue (`'a'`, `3.0`, `[1, 'b']`, `{'k': None}`, `(1,)`, `set()`, `True`). */
export function pyRepr(v: PyValue): string {
  return todo("pyRepr " + String(v));
}
/** Python `str(x)`: a str is itself, everything else is its repr. */
export function pyStr(v: PyValue): string {
  return typeof v === "string" ? v : pyRepr(v);
}
/** Python `repr(float)`: shortest round-trip digits, `1e-05`, `1e+16`, `3.0`, `inf`, `nan`. */
export function pyFloatRepr(x: number): string {
  return todo("pyFloatRepr " + x);
}
/**
 * Python `json.dumps(v)` with default arguments (`, `/`: ` separators, `ensure_ascii=True`,
 * `allow_nan=True`). Throws a {@link PyException} `TypeError` like Python for unserializable values
 * (set, tuple keys, PyObjects without jsonSerializable, ...).
 */
export function pyJsonDumps(v: PyValue, opts?: { ensureAscii?: boolean }): string {
  return todo("pyJsonDumps " + String(v) + String(opts));
}
/** Python `round(x, n)`: half-to-even on the exact binary value; int in → int out; `round(x)` → int. */
export function pyRound(x: number | bigint | boolean, ndigits?: bigint | number | null): number | bigint {
  return todo("pyRound " + String(x) + String(ndigits));
}
/** Python `f"{x:.{digits}f}"` (exact binary value, half-to-even). */
export function pyFormatFixed(x: number | bigint, digits: number): string {
  return todo("pyFormatFixed " + String(x) + digits);
}
