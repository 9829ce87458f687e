/**
 * JSON tool calls: the paper's `<tool_call>` content (`[{"name": ..., "arguments": {...}}]`),
 * OpenAI `tool_calls`, and BFCL's FC decoder input (`[{"name": "<json args>"}]`). Every argument
 * becomes a keyword argument; JSON values map to PyValues as Python's `json.loads` maps them
 * (ints → bigint, numbers with `.` or an exponent → float, objects → PyDict).
 */
import { PyDict, PySet, PyTuple, type PyValue } from "../py/value.ts";
import { ActionParseError, tooManyCalls } from "./errors.ts";
import { PyJsonDecodeError, pyJsonLoads } from "./pyjson.ts";
import { PY_KEYWORDS } from "./pylex.ts";
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_LENGTH } from "./python.ts";
import { pyStrip } from "../py/str.ts";
import type { ToolCall } from "./types.ts";

export interface JsonToolCallOptions {
  /** Longest text accepted, in UTF-16 code units (default 1 MiB). */
  maxInputLength?: number;
  /** Deepest nesting accepted (default 100). */
  maxDepth?: number;
  /**
   * Silently skip malformed items (not an object, missing/empty/invalid `name`, bad `arguments`)
   * instead of failing, like the paper's `parse_tool_calls`, which drops them. Default false.
   */
  dropInvalidItems?: boolean;
  /** Most calls one action may hold (`TOO_MANY_CALLS` past it); default no limit. */
  maxCalls?: number;
}

const SHAPE_HINT = 'Send a JSON list of calls: [{"name": "tool_name", "arguments": {"param": "value"}}].';
const IDENT = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Whether `name` is a Python identifier that is not a reserved word. */
export function isPyIdentifier(name: string): boolean {
  return IDENT.test(name) && !PY_KEYWORDS.has(name);
}

/** Whether `name` is a tool name a call string can carry: identifiers joined by dots. */
export function isToolName(name: string): boolean {
  return name.length > 0 && name.split(".").every(isPyIdentifier);
}

function jsonError(e: PyJsonDecodeError, context: string): ActionParseError {
  return new ActionParseError(
    "JSON_SYNTAX",
    `${context}invalid JSON: ${e.message}`,
    "Send valid JSON (double-quoted keys and strings, no trailing commas).",
    {
      position: e.pos,
      cause: e,
    },
  );
}

/** `json.loads` with the envtune error mapping; `context` prefixes the message. */
export function loadJson(text: string, opts: JsonToolCallOptions = {}, context = ""): PyValue {
  const max = opts.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH;
  if (text.length > max)
    throw new ActionParseError(
      "INPUT_TOO_LARGE",
      `${context}input of ${text.length} characters exceeds the limit of ${max}`,
      "Send a shorter action.",
    );
  try {
    return pyJsonLoads(text, { maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH });
  } catch (e) {
    if (e instanceof PyJsonDecodeError) throw jsonError(e, context);
    throw e;
  }
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyDict) return "object";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float";
  return typeof v;
}

/**
 * Converts an already-parsed JavaScript value (e.g. from `JSON.parse` or an API client) into a
 * PyValue: integral numbers → int (bigint), other numbers → float, plain objects → PyDict.
 * PyValues (bigint, PyDict, ...) pass through. `JSON.parse` has already lost `1.0` vs `1`; pass the
 * text instead when that matters.
 */
export function jsonValueToPy(v: unknown, maxDepth = DEFAULT_MAX_DEPTH, depth = 0): PyValue {
  if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) && !Object.is(v, -0) ? BigInt(v) : v;
  if (typeof v === "object") {
    if (depth >= maxDepth) throw new ActionParseError("TOO_DEEP", `value nested deeper than ${maxDepth} levels`, "Flatten the arguments.");
    if (Array.isArray(v)) return v.map((x) => jsonValueToPy(x, maxDepth, depth + 1));
    if (v instanceof PyDict) {
      const d = new PyDict();
      for (const [k, x] of v.entries()) d.set(k, jsonValueToPy(x, maxDepth, depth + 1));
      return d;
    }
    if (v instanceof PyTuple || v instanceof PySet) return v;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) {
      const d = new PyDict();
      for (const k of Object.keys(v)) d.set(k, jsonValueToPy((v as Record<string, unknown>)[k], maxDepth, depth + 1));
      return d;
    }
  }
  throw new ActionParseError(
    "BAD_TOOL_CALL_SHAPE",
    `value of JavaScript type ${v === undefined ? "undefined" : typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v} is not JSON`,
    SHAPE_HINT,
  );
}

/** Keyword arguments from an arguments dict (keys must be Python identifiers). */
function kwargsOf(args: PyDict, index: number): Array<[string, PyValue]> {
  const out: Array<[string, PyValue]> = [];
  for (const [k, v] of args.entries()) {
    if (typeof k !== "string" || !isPyIdentifier(k)) {
      throw new ActionParseError(
        "BAD_ARGUMENT_NAME",
        `argument name ${JSON.stringify(String(k))} of call ${index + 1} is not a Python identifier`,
        "Use the parameter names of the tool.",
      );
    }
    out.push([k, v]);
  }
  return out;
}

function toolName(raw: unknown, index: number): string {
  if (typeof raw !== "string") {
    throw new ActionParseError(
      "BAD_TOOL_CALL_SHAPE",
      `call ${index + 1} has ${raw === undefined ? "no" : `a ${typeName(raw)}`} "name"`,
      SHAPE_HINT,
    );
  }
  const name = pyStrip(raw);
  if (!isToolName(name)) {
    throw new ActionParseError(
      "BAD_TOOL_NAME",
      `tool name ${JSON.stringify(raw)} of call ${index + 1} is not a valid function name`,
      "Use a tool name exactly as listed.",
    );
  }
  return name;
}

function argumentsDict(raw: PyValue | undefined, index: number, opts: JsonToolCallOptions, allowEmptyString: boolean): PyDict {
  if (raw === undefined || raw === null) return new PyDict();
  if (raw instanceof PyDict) return raw;
  if (typeof raw === "string") {
    if (allowEmptyString && pyStrip(raw) === "") return new PyDict();
    const v = loadJson(raw, opts, `"arguments" of call ${index + 1}: `);
    if (v instanceof PyDict) return v;
    throw new ActionParseError(
      "BAD_TOOL_CALL_SHAPE",
      `"arguments" of call ${index + 1} is a JSON ${typeName(v)}, not an object`,
      SHAPE_HINT,
    );
  }
  throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `"arguments" of call ${index + 1} is a ${typeName(raw)}, not an object`, SHAPE_HINT);
}

/** The calls of a decoded JSON value: a list of `{name, arguments}` objects or one such object. */
export function toolCallsFromJsonValue(value: PyValue, opts: JsonToolCallOptions = {}): ToolCall[] {
  let items: PyValue[];
  if (Array.isArray(value)) items = value;
  else if (value instanceof PyDict) items = [value];
  else
    throw new ActionParseError(
      "BAD_TOOL_CALL_SHAPE",
      `expected a list of tool calls or one tool call object, got a JSON ${typeName(value)}`,
      SHAPE_HINT,
    );
  if (opts.maxCalls !== undefined && items.length > opts.maxCalls) throw tooManyCalls(opts.maxCalls);
  const out: ToolCall[] = [];
  items.forEach((item, i) => {
    try {
      if (!(item instanceof PyDict)) {
        throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `call ${i + 1} is a JSON ${typeName(item)}, not an object`, SHAPE_HINT);
      }
      const name = toolName(item.get("name"), i);
      const args = argumentsDict(item.get("arguments"), i, opts, false);
      out.push({ name, args: [], kwargs: kwargsOf(args, i) });
    } catch (e) {
      if (!(opts.dropInvalidItems && e instanceof ActionParseError && e.code !== "TOO_DEEP" && e.code !== "INPUT_TOO_LARGE")) throw e;
    }
  });
  return out;
}

/**
 * Parses JSON tool calls: `[{"name": "cd", "arguments": {"folder": "x"}}, ...]` or one such object;
 * `arguments` may be an object, a JSON string of an object, or absent/null (no arguments). Accepts
 * the JSON text (preferred: keeps `1` vs `1.0`) or an already-parsed value.
 *
 * @throws ActionParseError `JSON_SYNTAX`, `BAD_TOOL_CALL_SHAPE`, `BAD_TOOL_NAME`, `BAD_ARGUMENT_NAME`, ...
 */
export function parseJsonToolCalls(input: string | unknown, opts: JsonToolCallOptions = {}): ToolCall[] {
  const value = typeof input === "string" ? loadJson(input, opts) : jsonValueToPy(input, opts.maxDepth);
  return toolCallsFromJsonValue(value, opts);
}

/**
 * OpenAI chat-completions `tool_calls`: `[{id, type: "function", function: {name, arguments}}]`,
 * `arguments` being a JSON text (an empty string means no arguments) or, as some servers send, an
 * object. Returns the calls in order (match them to ids by index).
 */
export function parseOpenAIToolCalls(toolCalls: unknown, opts: JsonToolCallOptions = {}): ToolCall[] {
  const hint =
    'Pass the message\'s tool_calls array: [{"id": "...", "type": "function", "function": {"name": "...", "arguments": "{...}"}}].';
  if (!Array.isArray(toolCalls))
    throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `tool_calls is a ${typeName(toolCalls)}, not an array`, hint);
  if (opts.maxCalls !== undefined && toolCalls.length > opts.maxCalls) throw tooManyCalls(opts.maxCalls);
  const out: ToolCall[] = [];
  toolCalls.forEach((tc: unknown, i) => {
    try {
      if (typeof tc !== "object" || tc === null || Array.isArray(tc))
        throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `tool call ${i + 1} is not an object`, hint);
      const rec = tc as Record<string, unknown>;
      if (rec.type !== undefined && rec.type !== "function") {
        throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `tool call ${i + 1} has type ${JSON.stringify(rec.type)}, not "function"`, hint);
      }
      const fn = rec.function;
      if (typeof fn !== "object" || fn === null || Array.isArray(fn))
        throw new ActionParseError("BAD_TOOL_CALL_SHAPE", `tool call ${i + 1} has no "function" object`, hint);
      const f = fn as Record<string, unknown>;
      const name = toolName(f.name, i);
      const rawArgs = f.arguments;
      const args = argumentsDict(
        typeof rawArgs === "string" || rawArgs === undefined ? rawArgs : jsonValueToPy(rawArgs, opts.maxDepth),
        i,
        opts,
        true,
      );
      out.push({ name, args: [], kwargs: kwargsOf(args, i) });
    } catch (e) {
      if (!(opts.dropInvalidItems && e instanceof ActionParseError && e.code !== "TOO_DEEP" && e.code !== "INPUT_TOO_LARGE")) throw e;
    }
  });
  return out;
}

/**
 * BFCL's FC decoder input (`convert_to_function_call`): a list of `{tool_name: arguments}` dicts
 * (or one dict), each key one call, `arguments` a JSON text or an object.
 */
export function parseBfclFcCalls(input: string | unknown, opts: JsonToolCallOptions = {}): ToolCall[] {
  const value = typeof input === "string" ? loadJson(input, opts) : jsonValueToPy(input, opts.maxDepth);
  const items = value instanceof PyDict ? [value] : value;
  if (!Array.isArray(items)) {
    throw new ActionParseError(
      "BAD_TOOL_CALL_SHAPE",
      `expected a list of {tool_name: arguments} objects, got a JSON ${typeName(value)}`,
      'Send [{"tool_name": {"param": "value"}}].',
    );
  }
  const out: ToolCall[] = [];
  items.forEach((item, i) => {
    if (!(item instanceof PyDict))
      throw new ActionParseError(
        "BAD_TOOL_CALL_SHAPE",
        `item ${i + 1} is a JSON ${typeName(item)}, not an object`,
        'Send [{"tool_name": {"param": "value"}}].',
      );
    for (const [k, v] of item.entries()) {
      const name = toolName(k, out.length);
      const args = argumentsDict(v, out.length, opts, false);
      out.push({ name, args: [], kwargs: kwargsOf(args, out.length) });
    }
  });
  return out;
}
