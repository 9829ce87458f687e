import type { PyObject } from "../py/value.ts";

/**
 * Whether `v` is Python's `Ellipsis` (any PyObject of type `ellipsis`; the parsers produce core's
 * `PY_ELLIPSIS` singleton for the literal `...`).
 */
export function isPyEllipsis(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Partial<PyObject>;
  return o.pyKind === "object" && typeof o.pyTypeName === "function" && o.pyTypeName() === "ellipsis";
}
