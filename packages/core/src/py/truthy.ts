import { PyDict, PySet, PyTuple, type PyValue } from "./value.ts";

/**
 * Python `bool(v)`: empty containers, `0`, `0.0`, `""` and `None` are false; NaN is true. A
 * PyObject may define `pyBool()` (complex numbers do); other objects are true, as in Python.
 */
export function pyTruthy(v: PyValue): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "bigint":
      return v !== 0n;
    case "number":
      return v !== 0;
    case "string":
      return v.length > 0;
    default:
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof PyTuple) return v.length > 0;
      if (v instanceof PyDict || v instanceof PySet) return v.size > 0;
      {
        const b = (v as { pyBool?: () => boolean }).pyBool;
        return typeof b === "function" ? b.call(v) : true;
      }
  }
}
