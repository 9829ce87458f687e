import { describe, expect, it } from "vitest";
import { ActionParseError } from "./errors.ts";
import { ENVELOPE_REFERENCE_TEXTS, parseEnvelope } from "./envelope.ts";
import { formatCalls } from "./format.ts";

function refOf(text: string): [string, string | undefined] {
  try {
    parseEnvelope(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ActionParseError);
    return [(e as ActionParseError).code, (e as ActionParseError).referenceText];
  }
  return ["ok", undefined];
}

describe("parseEnvelope", () => {
  it("parses a tool call", () => {
    const r = parseEnvelope(
      '  <think> I should list. </think>\n<tool_call>\n[{"name": "ls", "arguments": {"a": true}}, {"name": "pwd"}]\n</tool_call>\n',
    );
    expect(r.kind).toBe("tool_calls");
    if (r.kind !== "tool_calls") return;
    expect(formatCalls(r.calls)).toBe("[ls(a=True), pwd()]");
    expect(r.think).toBe("I should list.");
  });

  it("parses an answer and a single-object tool call", () => {
    expect(parseEnvelope("<think>done</think><answer>\n All set. \n</answer>")).toEqual({
      kind: "answer",
      text: "All set.",
      think: "done",
    });
    const r = parseEnvelope('<think></think><tool_call>{"name": "pwd", "arguments": {}}</tool_call>');
    expect(r.kind === "tool_calls" && formatCalls(r.calls)).toBe("[pwd()]");
  });

  it.each([
    ["no tags at all", "ENVELOPE_MISSING_THINK"],
    ["<think>a</think><think>b</think><answer>x</answer>", "ENVELOPE_MULTIPLE_THINK"],
    ["<think>a</think><tool_call>[]</tool_call><tool_call>[]</tool_call>", "ENVELOPE_MULTIPLE_TOOL_CALL"],
    ["<think>a</think><answer>x</answer><answer>y</answer>", "ENVELOPE_MULTIPLE_ANSWER"],
    ["<think>a</think><tool_call>[]</tool_call><answer>y</answer>", "ENVELOPE_BOTH_ACTIONS"],
    ["<think>a</think> just text", "ENVELOPE_NO_ACTION"],
    ["<think>a</think><answer>x</answer> trailing", "ENVELOPE_TEXT_OUTSIDE"],
    ["Sure! <think>a</think><answer>x</answer>", "ENVELOPE_TEXT_OUTSIDE"],
    ["<think>a</think><answer>x</answer><tool_call>", "ENVELOPE_TEXT_OUTSIDE"],
    ["<think>a<tool_call>[]</tool_call></think><answer>x</answer>", "ENVELOPE_BOTH_ACTIONS"],
    ["<think>unclosed <answer>x</answer>", "ENVELOPE_MISSING_THINK"],
  ] as const)("%j → %s", (text, code) => {
    expect(refOf(text)).toEqual([code, ENVELOPE_REFERENCE_TEXTS[code]]);
  });

  it("returns the reference's invalid-JSON text with Python's message", () => {
    expect(refOf("<think>a</think><tool_call>[{'name': 'ls'}]</tool_call>")).toEqual([
      "ENVELOPE_INVALID_JSON",
      "Error: Invalid JSON inside <tool_call>: Expecting property name enclosed in double quotes: line 1 column 3 (char 2)",
    ]);
    expect(refOf("<think>a</think><tool_call>  </tool_call>")[1]).toBe(
      "Error: Invalid JSON inside <tool_call>: Expecting value: line 1 column 1 (char 0)",
    );
  });

  it("mirrors the reference's removal order (think blocks first)", () => {
    // Removing the think block joins `<tool_` and `call>…</tool_call>` into a new block, which the
    // reference then removes too: no text is left outside, but the counted tool_call is the first one.
    expect(refOf('<think>x</think><tool_call>[{"name": "ls"}]</tool_call>')[0]).toBe("ok");
    expect(refOf("<tool_<think>x</think>call>[]</tool_call><answer>a</answer>")[0]).toBe("ENVELOPE_TEXT_OUTSIDE");
  });

  it("reports bad calls inside a valid envelope with the JSON tool-call codes (no reference text)", () => {
    const [code, ref] = refOf('<think>a</think><tool_call>[{"nam": "ls"}]</tool_call>');
    expect(code).toBe("BAD_TOOL_CALL_SHAPE");
    expect(ref).toBeUndefined();
    const r = parseEnvelope('<think>a</think><tool_call>[{"nam": "ls"}, {"name": "pwd"}]</tool_call>', { dropInvalidItems: true });
    expect(r.kind === "tool_calls" && formatCalls(r.calls)).toBe("[pwd()]");
  });

  it("strips like Python's str.strip (U+0085 and U+001C–U+001F are whitespace, U+FEFF is not)", () => {
    expect(refOf("\u0085\u001c<think>a</think><answer>b</answer>\u2003")[0]).toBe("ok");
    expect(refOf("\ufeff<think>a</think><answer>b</answer>")[0]).toBe("ENVELOPE_TEXT_OUTSIDE");
  });
});
