import { describe, expect, it } from "vitest";
import { PyDict } from "../py/value.ts";
import { ActionParseError, type ActionErrorCode } from "./errors.ts";
import { formatCalls } from "./format.ts";
import { jsonValueToPy, parseBfclFcCalls, parseJsonToolCalls, parseOpenAIToolCalls } from "./json-calls.ts";

function codeOf(f: () => unknown): ActionErrorCode | "ok" {
  try {
    f();
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(ActionParseError);
    return (e as ActionParseError).code;
  }
}

describe("parseJsonToolCalls", () => {
  it.each([
    ['[{"name": "cd", "arguments": {"folder": "x"}}, {"name": "ls", "arguments": {}}]', "[cd(folder='x'), ls()]"],
    ['{"name": "ls", "arguments": {"a": true}}', "[ls(a=True)]"],
    ['[{"name": "mean", "arguments": "{\\"numbers\\": [1, 2.0, 3e2]}"}]', "[mean(numbers=[1, 2.0, 300.0])]"],
    ['[{"name": " pwd "}]', "[pwd()]"],
    ['[{"name": "pwd", "arguments": null}]', "[pwd()]"],
    ['[{"name": "GorillaFileSystem.ls", "arguments": {}, "id": "x"}]', "[GorillaFileSystem.ls()]"],
    ['[{"name": "f", "arguments": {"d": {"k": [null, {"n": -0.0}]}}}]', "[f(d={'k': [None, {'n': -0.0}]})]"],
    ["[]", "[]"],
  ])("%s", (text, expected) => {
    expect(formatCalls(parseJsonToolCalls(text))).toBe(expected);
  });

  it("accepts already-parsed values (integral numbers become ints)", () => {
    expect(formatCalls(parseJsonToolCalls([{ name: "f", arguments: { a: 1, b: 1.5, c: [true, null], d: { e: "x" } } }]))).toBe(
      "[f(a=1, b=1.5, c=[True, None], d={'e': 'x'})]",
    );
    expect(jsonValueToPy(-0)).toBe(-0);
    expect(jsonValueToPy(new PyDict([["k", 1n]]))).toEqual(new PyDict([["k", 1n]]));
  });

  it.each<[unknown, ActionErrorCode]>([
    ["not json", "JSON_SYNTAX"],
    ['[{"name": "f", "arguments": "{bad"}]', "JSON_SYNTAX"],
    ['"just a string"', "BAD_TOOL_CALL_SHAPE"],
    ["[1]", "BAD_TOOL_CALL_SHAPE"],
    ['[{"arguments": {}}]', "BAD_TOOL_CALL_SHAPE"],
    ['[{"name": 5}]', "BAD_TOOL_CALL_SHAPE"],
    ['[{"name": "f", "arguments": [1]}]', "BAD_TOOL_CALL_SHAPE"],
    ['[{"name": "f", "arguments": "[1]"}]', "BAD_TOOL_CALL_SHAPE"],
    ['[{"name": ""}]', "BAD_TOOL_NAME"],
    ['[{"name": "rm -rf"}]', "BAD_TOOL_NAME"],
    ['[{"name": "a..b"}]', "BAD_TOOL_NAME"],
    ['[{"name": "class"}]', "BAD_TOOL_NAME"],
    ['[{"name": "f", "arguments": {"my key": 1}}]', "BAD_ARGUMENT_NAME"],
    ['[{"name": "f", "arguments": {"class": 1}}]', "BAD_ARGUMENT_NAME"],
    [[{ name: "f", arguments: { a: undefined } }], "BAD_TOOL_CALL_SHAPE"],
    [[{ name: "f", arguments: { a: new Date(0) } }], "BAD_TOOL_CALL_SHAPE"],
    ['[{"name": "f", "arguments": ' + "[".repeat(200) + "]".repeat(200) + "}]", "TOO_DEEP"],
    ["[" + " ".repeat(1 << 20) + "]", "INPUT_TOO_LARGE"],
  ])("%j → %s", (input, code) => {
    expect(codeOf(() => parseJsonToolCalls(input))).toBe(code);
  });

  it("drops malformed items on request, like the paper's parse_tool_calls", () => {
    const text = '[1, {"name": ""}, {"name": "ls", "arguments": {"a": true}}, {"name": "x y"}, {"name": "pwd", "arguments": 3}]';
    expect(formatCalls(parseJsonToolCalls(text, { dropInvalidItems: true }))).toBe("[ls(a=True)]");
  });

  it("quotes Python's JSON error", () => {
    try {
      parseJsonToolCalls("[{]");
    } catch (e) {
      expect((e as ActionParseError).detail).toBe(
        "invalid JSON: Expecting property name enclosed in double quotes: line 1 column 3 (char 2)",
      );
      expect((e as ActionParseError).position).toBe(2);
    }
  });
});

describe("parseOpenAIToolCalls", () => {
  it("reads function name and JSON arguments", () => {
    const calls = parseOpenAIToolCalls([
      { id: "call_1", type: "function", function: { name: "cd", arguments: '{"folder": "docs", "n": 2.0}' } },
      { id: "call_2", type: "function", function: { name: "pwd", arguments: "" } },
      { id: "call_3", function: { name: "ls", arguments: { a: true } } },
    ]);
    expect(formatCalls(calls)).toBe("[cd(folder='docs', n=2.0), pwd(), ls(a=True)]");
  });

  it.each<[unknown, ActionErrorCode]>([
    [{}, "BAD_TOOL_CALL_SHAPE"],
    [[null], "BAD_TOOL_CALL_SHAPE"],
    [[{ type: "function" }], "BAD_TOOL_CALL_SHAPE"],
    [[{ type: "code", function: { name: "f" } }], "BAD_TOOL_CALL_SHAPE"],
    [[{ function: { name: "f", arguments: "{" } }], "JSON_SYNTAX"],
    [[{ function: { name: "f", arguments: "[]" } }], "BAD_TOOL_CALL_SHAPE"],
    [[{ function: { name: "f f", arguments: "{}" } }], "BAD_TOOL_NAME"],
  ])("%j → %s", (input, code) => {
    expect(codeOf(() => parseOpenAIToolCalls(input))).toBe(code);
  });
});

describe("parseBfclFcCalls", () => {
  it("reads {name: args} items like convert_to_function_call", () => {
    expect(formatCalls(parseBfclFcCalls([{ cd: '{"folder": "x"}' }, { ls: "{}", pwd: {} }]), { separator: "," })).toBe(
      "[cd(folder='x'), ls(), pwd()]",
    );
    expect(formatCalls(parseBfclFcCalls({ ls: '{"a": true}' }))).toBe("[ls(a=True)]");
    expect(codeOf(() => parseBfclFcCalls("I cannot help with that."))).toBe("JSON_SYNTAX");
    expect(codeOf(() => parseBfclFcCalls([{ ls: "not json" }]))).toBe("JSON_SYNTAX");
  });
});
