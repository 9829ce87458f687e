/**
 * The Environment Tuning paper's response envelope: `<think>…</think>` then exactly one of
 * `<tool_call>[JSON]</tool_call>` or `<answer>…</answer>`. The checks, their order and the error
 * strings are those of the paper's `utils.parse_model_response` (each error carries the exact
 * string as `referenceText`, the text the reference shows the model). Tag matching reproduces its
 * non-greedy `re.findall`/`re.sub` with plain index scans (linear time, no regex backtracking).
 */
import { ActionParseError } from "./errors.ts";
import { toolCallsFromJsonValue, type JsonToolCallOptions } from "./json-calls.ts";
import { PyJsonDecodeError, pyJsonLoads } from "./pyjson.ts";
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_LENGTH } from "./python.ts";
import { pyStrip } from "../py/str.ts";
import type { ToolCall } from "./types.ts";

export type Envelope = { kind: "tool_calls"; calls: ToolCall[]; think: string } | { kind: "answer"; text: string; think: string };

export type EnvelopeOptions = JsonToolCallOptions;

/** The paper's error strings, verbatim. */
export const ENVELOPE_REFERENCE_TEXTS = {
  ENVELOPE_MISSING_THINK: "Error: Missing <think></think> tags",
  ENVELOPE_MULTIPLE_THINK: "Error: Multiple <think></think> tag pairs found. Only one pair is allowed.",
  ENVELOPE_MULTIPLE_TOOL_CALL: "Error: Multiple <tool_call></tool_call> tag pairs found. Only one pair is allowed.",
  ENVELOPE_MULTIPLE_ANSWER: "Error: Multiple <answer></answer> tag pairs found. Only one pair is allowed.",
  ENVELOPE_BOTH_ACTIONS: "Error: Response cannot contain both <tool_call> and <answer> tags",
  ENVELOPE_NO_ACTION: "Error: Response must contain either <tool_call> or <answer> tags",
  ENVELOPE_TEXT_OUTSIDE: "Error: Response must not contain text outside the required XML tags",
  /** Followed by Python's `json.JSONDecodeError` text. */
  ENVELOPE_INVALID_JSON: "Error: Invalid JSON inside <tool_call>: ",
} as const;

interface Match {
  start: number;
  end: number;
  inner: string;
}

/** `re.findall(r"<tag>([\s\S]*?)</tag>", s)` with match spans. */
function findAll(s: string, tag: string): Match[] {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  const out: Match[] = [];
  let i = 0;
  for (;;) {
    const a = s.indexOf(open, i);
    if (a === -1) break;
    const b = s.indexOf(close, a + open.length);
    if (b === -1) break;
    out.push({ start: a, end: b + close.length, inner: s.slice(a + open.length, b) });
    i = b + close.length;
  }
  return out;
}

/** `re.sub(r"<tag>[\s\S]*?</tag>", "", s)`. */
function removeAll(s: string, tag: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of findAll(s, tag)) {
    parts.push(s.slice(last, m.start));
    last = m.end;
  }
  parts.push(s.slice(last));
  return parts.join("");
}

const HINT =
  "Answer with <think>your reasoning</think> followed by exactly one <tool_call>[...]</tool_call> or <answer>...</answer>, and nothing else.";

function fail(code: keyof typeof ENVELOPE_REFERENCE_TEXTS, detail: string): ActionParseError {
  return new ActionParseError(code, detail, HINT, { referenceText: ENVELOPE_REFERENCE_TEXTS[code] });
}

/**
 * Parses one assistant message in the paper's format.
 *
 * @throws ActionParseError with an `ENVELOPE_*` code and the paper's `referenceText`, or, for a
 *   well-formed envelope whose JSON is not a list of `{name, arguments}` calls, the JSON tool-call
 *   codes (`BAD_TOOL_CALL_SHAPE`, ...; the paper silently drops such items, see `dropInvalidItems`).
 */
export function parseEnvelope(text: string, opts: EnvelopeOptions = {}): Envelope {
  if (typeof text !== "string")
    throw new ActionParseError("BAD_INPUT", `expected a string, got ${text === null ? "null" : typeof text}`, "Pass the model's text.");
  const max = opts.maxInputLength ?? DEFAULT_MAX_INPUT_LENGTH;
  if (text.length > max)
    throw new ActionParseError(
      "INPUT_TOO_LARGE",
      `input of ${text.length} characters exceeds the limit of ${max}`,
      "Send a shorter response.",
    );
  const response = pyStrip(text);
  const think = findAll(response, "think");
  if (think.length === 0) throw fail("ENVELOPE_MISSING_THINK", "missing <think></think> tags");
  if (think.length > 1) throw fail("ENVELOPE_MULTIPLE_THINK", `${think.length} <think></think> pairs; only one is allowed`);
  const tool = findAll(response, "tool_call");
  if (tool.length > 1) throw fail("ENVELOPE_MULTIPLE_TOOL_CALL", `${tool.length} <tool_call></tool_call> pairs; only one is allowed`);
  const answer = findAll(response, "answer");
  if (answer.length > 1) throw fail("ENVELOPE_MULTIPLE_ANSWER", `${answer.length} <answer></answer> pairs; only one is allowed`);
  const hasTool = tool.length > 0;
  const hasAnswer = answer.length > 0;
  if (hasTool && hasAnswer) throw fail("ENVELOPE_BOTH_ACTIONS", "both <tool_call> and <answer> present");
  if (!hasTool && !hasAnswer) throw fail("ENVELOPE_NO_ACTION", "neither <tool_call> nor <answer> present");
  // Same order as the reference: the think blocks go first, then the action blocks of what remains.
  const cleaned = removeAll(removeAll(response, "think"), hasTool ? "tool_call" : "answer");
  if (pyStrip(cleaned) !== "") throw fail("ENVELOPE_TEXT_OUTSIDE", "text outside the <think>, <tool_call> and <answer> tags");
  const thinkText = pyStrip((think[0] as Match).inner);
  if (!hasTool) return { kind: "answer", text: pyStrip((answer[0] as Match).inner), think: thinkText };
  const body = pyStrip((tool[0] as Match).inner);
  let value;
  try {
    value = pyJsonLoads(body, { maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH });
  } catch (e) {
    if (!(e instanceof PyJsonDecodeError)) throw e;
    throw new ActionParseError(
      "ENVELOPE_INVALID_JSON",
      `invalid JSON inside <tool_call>: ${e.message}`,
      'Put a JSON list of calls inside <tool_call>: [{"name": "tool_name", "arguments": {"param": "value"}}].',
      {
        referenceText: ENVELOPE_REFERENCE_TEXTS.ENVELOPE_INVALID_JSON + e.message,
        cause: e,
      },
    );
  }
  return { kind: "tool_calls", calls: toolCallsFromJsonValue(value, opts), think: thinkText };
}
