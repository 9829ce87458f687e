import { describe, expect, it } from "vitest";
import { parseAction } from "./action.ts";
import { formatCalls } from "./format.ts";

describe("parseAction", () => {
  it("detects the format", () => {
    const cases: Array<[unknown, string, string]> = [
      ["[cd(folder='x')]", "python", "[cd(folder='x')]"],
      ["ls(a=True)", "python", "[ls(a=True)]"],
      ['[{"name": "ls", "arguments": {"a": true}}]', "json", "[ls(a=True)]"],
      [' \n {"name": "ls"}', "json", "[ls()]"],
      ['<think>x</think><tool_call>[{"name": "pwd"}]</tool_call>', "envelope", "[pwd()]"],
      [[{ id: "1", type: "function", function: { name: "ls", arguments: '{"a": true}' } }], "openai", "[ls(a=True)]"],
      [[{ name: "ls", arguments: { a: true } }], "json", "[ls(a=True)]"],
      ["[]", "python", "[]"],
    ];
    for (const [input, format, calls] of cases) {
      const r = parseAction(input);
      expect(r.ok && r.kind === "tool_calls" && [r.format, formatCalls(r.calls)]).toEqual([format, calls]);
    }
  });

  it("returns answers and think text from the envelope", () => {
    expect(parseAction("<think>t</think><answer>Done.</answer>")).toEqual({
      ok: true,
      format: "envelope",
      kind: "answer",
      answer: "Done.",
      think: "t",
    });
  });

  it("honours an explicit format", () => {
    const r = parseAction("[ls()]", { format: "json" });
    expect(r.ok ? "ok" : r.error.code).toBe("JSON_SYNTAX");
    const o = parseAction('[{"function": {"name": "ls", "arguments": "{}"}}]', { format: "openai" });
    expect(o.ok && o.kind === "tool_calls" && formatCalls(o.calls)).toBe("[ls()]");
    const bad = parseAction("[{", { format: "openai" });
    expect(bad.ok ? "ok" : bad.error.code).toBe("JSON_SYNTAX");
  });

  it("never throws, whatever the input", () => {
    const inputs: unknown[] = [undefined, null, 5, {}, [], [1], "", "<think>", "[f(x=pwd())]", "\0", Symbol("x"), () => 1, new Map()];
    for (const input of inputs) {
      for (const format of ["auto", "python", "json", "openai", "envelope"] as const) {
        const r = parseAction(input, { format });
        if (!r.ok) expect(r.error.code).not.toBe("INTERNAL_ERROR");
      }
    }
    const e = parseAction("<think>a</think>");
    expect(!e.ok && [e.error.code, e.error.referenceText, e.error.feedback]).toEqual([
      "ENVELOPE_NO_ACTION",
      "Error: Response must contain either <tool_call> or <answer> tags",
      "Error: Response must contain either <tool_call> or <answer> tags",
    ]);
    const p = parseAction("[ls(a=true)]");
    expect(!p.ok && p.error.feedback).toBe("Error: bare name true used as a value. Python spells booleans True and False.");
  });
});

describe("maxCalls", () => {
  it("refuses more calls than the limit in every format, without parsing the rest", () => {
    const py = parseAction("[" + "pwd(),".repeat(100_000) + "]", { format: "python", maxCalls: 3 });
    expect(py.ok ? undefined : py.error.code).toBe("TOO_MANY_CALLS");
    const items = Array.from({ length: 4 }, () => ({ name: "pwd", arguments: {} }));
    const js = parseAction(JSON.stringify(items), { format: "json", maxCalls: 3 });
    expect(js.ok ? undefined : js.error.code).toBe("TOO_MANY_CALLS");
    const oa = parseAction(
      items.map((i) => ({ type: "function", function: { name: i.name, arguments: "{}" } })),
      { format: "openai", maxCalls: 3 },
    );
    expect(oa.ok ? undefined : oa.error.code).toBe("TOO_MANY_CALLS");
    const env = parseAction(`<think>t</think><tool_call>${JSON.stringify(items)}</tool_call>`, { format: "envelope", maxCalls: 3 });
    expect(env.ok ? undefined : env.error.code).toBe("TOO_MANY_CALLS");
    const ok = parseAction("[pwd(), pwd(), pwd()]", { format: "python", maxCalls: 3 });
    expect(ok.ok && ok.kind === "tool_calls" ? ok.calls.length : -1).toBe(3);
  });
});
