/**
 * One entry point for every action format. Never throws: any failure comes back as
 * `{ ok: false, error }` with a stable {@link ActionErrorCode}.
 */
import { ActionParseError } from "./errors.ts";
import { parseEnvelope } from "./envelope.ts";
import { parseJsonToolCalls, parseOpenAIToolCalls, type JsonToolCallOptions } from "./json-calls.ts";
import { DEFAULT_MAX_INPUT_LENGTH, parsePythonCalls, type PythonParseOptions } from "./python.ts";
import type { ToolCall } from "./types.ts";

export type ActionFormat = "python" | "json" | "openai" | "envelope";

export interface ParseActionOptions extends PythonParseOptions, JsonToolCallOptions {
  /**
   * `auto` (default): the envelope when the text has a `<think>`, `<tool_call>` or `<answer>` tag;
   * JSON when it starts with `{` or with `[` followed by `{`; else Python calls. Non-string input is
   * OpenAI `tool_calls` when its items have a `function` object, else a parsed JSON value.
   */
  format?: "auto" | ActionFormat;
}

export type ParseActionResult =
  | { ok: true; format: ActionFormat; kind: "tool_calls"; calls: ToolCall[]; think?: string }
  | { ok: true; format: "envelope"; kind: "answer"; answer: string; think: string }
  | { ok: false; format: ActionFormat; error: ActionParseError };

const ENVELOPE_TAGS = ["<think>", "<tool_call>", "<answer>", "</think>", "</tool_call>", "</answer>"];

function detect(input: unknown): ActionFormat {
  if (typeof input !== "string") {
    const looksOpenAI =
      Array.isArray(input) &&
      input.length > 0 &&
      input.every((x) => typeof x === "object" && x !== null && typeof (x as Record<string, unknown>).function === "object");
    return looksOpenAI ? "openai" : "json";
  }
  if (ENVELOPE_TAGS.some((t) => input.includes(t))) return "envelope";
  let i = 0;
  const ws = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
  while (i < input.length && ws(input.charCodeAt(i))) i++;
  const c = input.charCodeAt(i);
  if (c === 123) return "json";
  if (c === 91) {
    i++;
    while (i < input.length && ws(input.charCodeAt(i))) i++;
    if (input.charCodeAt(i) === 123) return "json";
  }
  return "python";
}

/** Parses a model action in the given (or detected) format; never throws. */
export function parseAction(input: unknown, opts: ParseActionOptions = {}): ParseActionResult {
  let format: ActionFormat = "python";
  try {
    format = !opts.format || opts.format === "auto" ? detect(input) : opts.format;
    switch (format) {
      case "envelope": {
        const env = parseEnvelope(input as string, opts);
        return env.kind === "answer"
          ? { ok: true, format, kind: "answer", answer: env.text, think: env.think }
          : { ok: true, format, kind: "tool_calls", calls: env.calls, think: env.think };
      }
      case "json":
        return { ok: true, format, kind: "tool_calls", calls: parseJsonToolCalls(input, opts) };
      case "openai": {
        const max = opts.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH;
        if (typeof input === "string" && input.length > max) {
          throw new ActionParseError(
            "INPUT_TOO_LARGE",
            `input of ${input.length} characters exceeds the limit of ${max}`,
            "Send a shorter action.",
          );
        }
        return {
          ok: true,
          format,
          kind: "tool_calls",
          calls: parseOpenAIToolCalls(typeof input === "string" ? JSON.parse(input) : input, opts),
        };
      }
      case "python":
        return { ok: true, format, kind: "tool_calls", calls: parsePythonCalls(input as string, opts) };
    }
  } catch (e) {
    if (e instanceof ActionParseError) return { ok: false, format, error: e };
    if (format === "openai" && e instanceof SyntaxError) {
      return {
        ok: false,
        format,
        error: new ActionParseError("JSON_SYNTAX", `invalid JSON: ${e.message}`, "Pass the tool_calls array (or its JSON text).", {
          cause: e,
        }),
      };
    }
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      format,
      error: new ActionParseError(
        "INTERNAL_ERROR",
        `unexpected failure while parsing: ${msg}`,
        "This is a bug in envtune; please report it with the input.",
        { cause: e },
      ),
    };
  }
  return {
    ok: false,
    format,
    error: new ActionParseError("BAD_INPUT", `unknown format ${String(format)}`, 'Use "auto", "python", "json", "openai" or "envelope".'),
  };
}
