import { describe, expect, expectTypeOf, it } from "vitest";
import { EnvtuneError } from "../errors.ts";
import { PyDict, type PyValue } from "../py/index.ts";
import { defineTool, toolSchema } from "./tool.ts";
import type { ParamSpec, ToolContext } from "./types.ts";

interface Counter {
  n: bigint;
}
const ctx: ToolContext = { augmented: false, msg: (code, vars) => `${code} ${JSON.stringify(vars ?? {})}` };
const reject = (_: ToolContext, p: ParamSpec<Counter>, v: PyValue): PyValue => PyDict.from({ error: `bad ${p.name}: ${String(v)}` });
const tool = defineTool<Counter>({ reject });

const add = tool({
  name: "add",
  description: "Add to the counter.",
  params: [
    { name: "by", type: "integer", check: (b) => b > 0n, description: "How much.", schema: { minimum: 1 } },
    { name: "label", type: "string", default: null },
    { name: "note", default: "x" },
  ],
  run(self, { by, label, note }) {
    // Compile-time half of the test: `tsc -b` fails if the derived argument types drift.
    expectTypeOf(by).toEqualTypeOf<bigint>();
    expectTypeOf(label).toEqualTypeOf<string | null>();
    expectTypeOf(note).toEqualTypeOf<PyValue>();
    self.n += by;
    return label === null ? self.n : `${label}=${self.n}`;
  },
});

describe("defineTool", () => {
  it("runs the body with typed arguments when every checked parameter fits", () => {
    const s = { n: 1n };
    expect(add.run(s, { by: 2n, label: null, note: "x" }, ctx)).toBe(3n);
    expect(add.run(s, { by: 1n, label: "n", note: 5n }, ctx)).toBe("n=4");
  });

  it("answers the first misfitting parameter in signature order with reject, and never runs the body", () => {
    const s = { n: 1n };
    const answer = (args: Record<string, PyValue>) => (add.run(s, args, ctx) as PyDict).get("error");
    expect(answer({ by: "2", label: 7n, note: null })).toBe("bad by: 2");
    expect(answer({ by: 0n, label: null, note: null })).toBe("bad by: 0");
    expect(answer({ by: 2.0, label: null, note: null })).toBe("bad by: 2");
    expect(answer({ by: 2n, label: 7n, note: null })).toBe("bad label: 7");
    expect(s.n).toBe(1n);
  });

  it("keeps untyped parameters as the model wrote them, with no wrapper (what BFCL ports need)", () => {
    const run = (_: Counter, { x }: { x: PyValue }) => x;
    const t = defineTool<Counter>()({ name: "echo", params: [{ name: "x" }], run });
    expect(t.run).toBe(run);
  });

  it("refuses typed parameters without a reject, with a stable code", () => {
    const define = () => defineTool<Counter>()({ name: "t", params: [{ name: "x", type: "string" }], run: () => null });
    let caught: unknown;
    try {
      define();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EnvtuneError);
    expect((caught as EnvtuneError).code).toBe("TOOL_WITHOUT_REJECT");
  });
});

describe("toolSchema", () => {
  it("derives the arguments' JSON Schema from the parameter list: types, descriptions, extras, defaults, required", () => {
    expect(toolSchema(add, (d) => `Counter. ${d}`)).toEqual({
      name: "add",
      description: "Counter. Add to the counter.",
      parameters: {
        type: "object",
        properties: {
          by: { type: "integer", description: "How much.", minimum: 1 },
          label: { type: "string", default: null },
          note: { default: "x" },
        },
        required: ["by"],
        additionalProperties: false,
      },
    });
  });

  it("writes bigint defaults as JSON numbers", () => {
    const t = tool({ name: "t", params: [{ name: "d", type: "integer", default: 14n }], run: () => null });
    expect(toolSchema(t).parameters.properties).toEqual({ d: { type: "integer", default: 14 } });
  });
});
