import { describe, expect, it } from "vitest";
import { ActionParseError } from "./errors.ts";
import { formatValue } from "./format.ts";
import { PyJsonDecodeError, pyJsonLoads } from "./pyjson.ts";

function pyErr(text: string): string {
  try {
    pyJsonLoads(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PyJsonDecodeError);
    return (e as PyJsonDecodeError).message;
  }
  throw new Error("expected a PyJsonDecodeError");
}

describe("pyJsonLoads", () => {
  // Expected texts are CPython 3.11.7's `str(json.JSONDecodeError)` for the same input.
  it.each([
    ["", "Expecting value: line 1 column 1 (char 0)"],
    ["[", "Expecting value: line 1 column 2 (char 1)"],
    ["[1,]", "Expecting value: line 1 column 4 (char 3)"],
    ['{"a":1,}', "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ["{a:1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
    ['"abc', "Unterminated string starting at: line 1 column 1 (char 0)"],
    ['"a\\qb"', "Invalid \\escape: line 1 column 3 (char 2)"],
    ['"\\u12"', "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
    ['"\\u0041', "Invalid \\uXXXX escape: line 1 column 3 (char 2)"],
    ["[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"],
    ["1 2", "Extra data: line 1 column 3 (char 2)"],
    ["nul", "Expecting value: line 1 column 1 (char 0)"],
    ["-", "Expecting value: line 1 column 1 (char 0)"],
    ['"a\nb"', "Invalid control character at: line 1 column 3 (char 2)"],
    ["01", "Extra data: line 1 column 2 (char 1)"],
    ["1.", "Extra data: line 1 column 2 (char 1)"],
    ['{"a":', "Expecting value: line 1 column 6 (char 5)"],
    ["{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
    ['{"a":1', "Expecting ',' delimiter: line 1 column 7 (char 6)"],
    [" [] x", "Extra data: line 1 column 5 (char 4)"],
    ['[\n  {"a": 1}\n  {"b": 2}]', "Expecting ',' delimiter: line 3 column 3 (char 15)"],
    ['["😀😀", x]', "Expecting value: line 1 column 8 (char 7)"],
    ["\ufeff[]", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
  ])("%j → %s", (text, message) => {
    expect(pyErr(text)).toBe(message);
  });

  it.each([
    ['{"a": [1, 2.0, -3e2, true, false, null], "b": {}}', "{'a': [1, 2.0, -300.0, True, False, None], 'b': {}}"],
    ['"caf\\u00e9 \\ud83d\\ude00 \\n\\/"', "'café 😀 \\n/'"],
    ["[NaN, Infinity, -Infinity, 1e400, -0.0, -0]", "[nan, inf, -inf, inf, -0.0, 0]"],
    ['{"a": 1, "b": 2, "a": 3}', "{'a': 3, 'b': 2}"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    [" \t\n[ ] \r\n", "[]"],
  ])("%s", (text, repr) => {
    expect(formatValue(pyJsonLoads(text))).toBe(repr);
  });

  it("caps nesting and int size where CPython would raise something other than JSONDecodeError", () => {
    expect(() => pyJsonLoads("[".repeat(101) + "]".repeat(101))).toThrow(ActionParseError);
    expect(formatValue(pyJsonLoads("[".repeat(100) + "]".repeat(100))).length).toBe(200);
    expect(() => pyJsonLoads("1".repeat(4301))).toThrow(/INT_TOO_LARGE|4300/);
  });
});
