/**
 * Canonical Python call strings for {@link ToolCall}s: `name(a=1, b='x')`, values written with
 * core `pyRepr` (so `3.0`, `'it\'s'`, `(1,)`, `{'k': None}` read exactly as Python prints them).
 * `parsePythonCalls(formatCalls(calls))` gives back the same calls for every value the parser can
 * produce, except non-finite floats (`inf`, `nan` have no literal).
 */
import { pyRepr } from "../py/format.ts";
import { PyDict, PySet, PyTuple, type PyValue } from "../py/value.ts";
import { isPyEllipsis } from "./ellipsis.ts";
import type { ToolCall } from "./types.ts";

export interface FormatCallOptions {
  /**
   * Text between arguments: `", "` (default, what the BFCL prompting decoder emits) or `","`
   * (the BFCL FC decoder's `name(k=repr(v),...)`).
   */
  separator?: string;
  /**
   * Parameter names of a tool in signature order. When given and it returns names, positional
   * arguments are written in keyword form (`sort('a')` → `sort(file_name='a')`); without it (or
   * for a tool it returns `undefined` for, or when there are more positional arguments than
   * names) they stay positional, the call's own form.
   */
  paramNames?: (toolName: string) => readonly string[] | undefined;
}

const MAX_FORMAT_DEPTH = 1000;

/**
 * Python source for a value: `repr()` for scalars, containers written out, `...` for Ellipsis
 * (whose repr, `Ellipsis`, would read back as a bare name).
 */
export function formatValue(v: PyValue, depth = 0): string {
  if (depth > MAX_FORMAT_DEPTH)
    throw new RangeError("[envtune] [actions] Value nested too deeply to format (cyclic?). Pass a finite, acyclic value.");
  if (v === null || typeof v !== "object") return pyRepr(v);
  if (Array.isArray(v)) return "[" + v.map((x) => formatValue(x, depth + 1)).join(", ") + "]";
  if (v instanceof PyTuple) {
    if (v.items.length === 1) return "(" + formatValue(v.items[0] as PyValue, depth + 1) + ",)";
    return "(" + v.items.map((x) => formatValue(x, depth + 1)).join(", ") + ")";
  }
  if (v instanceof PyDict) {
    const parts: string[] = [];
    for (const [k, x] of v.entries()) parts.push(formatValue(k, depth + 1) + ": " + formatValue(x, depth + 1));
    return "{" + parts.join(", ") + "}";
  }
  if (v instanceof PySet) {
    if (v.size === 0) return "set()";
    return "{" + [...v.values()].map((x) => formatValue(x, depth + 1)).join(", ") + "}";
  }
  if (isPyEllipsis(v)) return "...";
  return pyRepr(v);
}

/** One call as Python source, e.g. `cd(folder='docs')`. */
export function formatCall(call: ToolCall, opts: FormatCallOptions = {}): string {
  const sep = opts.separator ?? ", ";
  const parts: string[] = [];
  const names = call.args.length > 0 ? opts.paramNames?.(call.name) : undefined;
  const keywordize =
    names !== undefined && call.args.length <= names.length && call.args.every((_, i) => !call.kwargs.some(([k]) => k === names[i]));
  call.args.forEach((a, i) => parts.push(keywordize ? `${names[i] as string}=${formatValue(a)}` : formatValue(a)));
  for (const [k, v] of call.kwargs) parts.push(`${k}=${formatValue(v)}`);
  return `${call.name}(${parts.join(sep)})`;
}

/** A call list as Python source, e.g. `[cd(folder='docs'), ls(a=True)]` (`[]` when empty). */
export function formatCalls(calls: readonly ToolCall[], opts: FormatCallOptions = {}): string {
  return "[" + calls.map((c) => formatCall(c, opts)).join(", ") + "]";
}
