import { describe, expect, it } from "vitest";
import { defineDomain } from "../domain/define.ts";
import { PyDict, PyException, type PyValue } from "../py/value.ts";
import { World, type CallLike } from "./world.ts";

interface Counter {
  n: bigint;
}

const pack = defineDomain<Counter>({
  meta: { name: "counter", version: "0.1.0", className: "CounterAPI", description: "A test pack." },
  tools: [
    {
      name: "bump",
      params: [{ name: "by" }, { name: "note", default: null }],
      run: (s, a) => ((s.n += a.by as bigint), new PyDict([["n", s.n]])),
    },
    { name: "reset", params: [], run: (s) => ((s.n = 0n), null) },
    {
      name: "fail",
      params: [{ name: "kind" }],
      run: (_s, a, ctx) => {
        if (a.kind === "soft") return PyDict.from({ error: ctx.msg("fail.soft", { kind: "soft" }) });
        throw new PyException("AttributeError", "'bool' object has no attribute 'rstrip'");
      },
    },
    { name: "three", params: [{ name: "a" }, { name: "b" }, { name: "c" }], run: () => "ok" },
  ],
  schemas: [
    {
      name: "bump",
      description: "Bump.",
      parameters: { type: "object", properties: { by: { type: "integer" }, note: { type: ["string", "null"] } }, required: ["by"] },
    },
    { name: "reset", description: "Reset.", parameters: { type: "object", properties: {} } },
    { name: "fail", description: "Fail.", parameters: { type: "object", properties: { kind: { type: "string" } }, required: ["kind"] } },
    {
      name: "three",
      description: "Three.",
      parameters: { type: "object", properties: { a: {}, b: {}, c: {} }, required: ["a", "b", "c"] },
    },
  ],
  createState: (init) => ({ n: (init.config.get("n") as bigint | undefined) ?? 0n }),
  view: (s) => [["n", s.n]],
  messages: { standard: { "fail.soft": "soft failure: {kind}" }, augmented: { "fail.soft": "soft failure: {kind}. Try another kind." } },
});

const call = (name: string, args: PyValue[] = [], kwargs: Array<[string, PyValue]> = []): CallLike => ({ name, args, kwargs });
const world = (augmented = false) =>
  new World({ packs: [pack], initialConfig: new PyDict([["CounterAPI", PyDict.from({ n: 5n })]]), longContext: false, augmented });

describe("World.call argument binding (CPython 3.11 texts)", () => {
  it("reports missing arguments with Python's list grammar", () => {
    const w = world();
    expect(w.call(call("bump")).result).toBe("Error during execution: CounterAPI.bump() missing 1 required positional argument: 'by'");
    expect(w.call(call("three", [1n])).result).toBe(
      "Error during execution: CounterAPI.three() missing 2 required positional arguments: 'b' and 'c'",
    );
    expect(w.call(call("three")).result).toBe(
      "Error during execution: CounterAPI.three() missing 3 required positional arguments: 'a', 'b', and 'c'",
    );
  });
  it("reports unexpected and duplicate keywords before positional count", () => {
    const w = world();
    expect(w.call(call("bump", [1n, 2n, 3n], [["zzz", 1n]])).result).toBe(
      "Error during execution: CounterAPI.bump() got an unexpected keyword argument 'zzz'",
    );
    expect(w.call(call("bump", [1n], [["by", 2n]])).result).toBe(
      "Error during execution: CounterAPI.bump() got multiple values for argument 'by'",
    );
  });
  it("reports too many positionals counting self", () => {
    const w = world();
    expect(w.call(call("reset", [1n])).result).toBe(
      "Error during execution: CounterAPI.reset() takes 1 positional argument but 2 were given",
    );
    expect(w.call(call("bump", [1n, 2n, 3n])).result).toBe(
      "Error during execution: CounterAPI.bump() takes from 2 to 3 positional arguments but 4 were given",
    );
    expect(w.call(call("three", [1n, 2n, 3n, 4n])).result).toBe(
      "Error during execution: CounterAPI.three() takes 4 positional arguments but 5 were given",
    );
  });
  it("refuses forbidden and unknown names like the reference", () => {
    const w = world();
    expect(w.call(call("popen", [], [["x", 1n]])).result).toBe("Error during execution: Function call popen is not allowed.");
    expect(w.call(call("os.kill")).result).toBe("Error during execution: Function call kill is not allowed.");
    expect(w.call(call("nope")).result).toBe("Error during execution: name 'nope' is not defined");
    expect(w.call(call("CounterAPI.bump", [1n])).result).toBe("Error during execution: name 'CounterAPI' is not defined");
  });
  it("keeps partial state and classifies outcomes", () => {
    const w = world();
    const ok = w.call(call("reset"));
    expect(ok.status).toBe("ok");
    expect(w.view("CounterAPI")).toEqual([["n", 0n]]);
    const ex = w.call(call("fail", ["hard"]));
    expect(ex.status).toBe("exception");
    expect(ex.pyType).toBe("AttributeError");
    expect(ex.result).toBe("Error during execution: 'bool' object has no attribute 'rstrip'");
  });
  it("adds an actionable hint to cryptic type errors only in augmented mode", () => {
    const std = world(false).call(call("fail", [true]));
    const aug = world(true).call(call("fail", [true]));
    expect(std.result).toBe("Error during execution: 'bool' object has no attribute 'rstrip'");
    expect(aug.result.startsWith(std.result)).toBe(true);
    expect(aug.result).toContain("kind must be string");
  });
  it("loads the class's slice of initial_config", () => {
    expect(world().view("CounterAPI")).toEqual([["n", 5n]]);
  });
});

describe("defineDomain", () => {
  it("reports every problem at once with dot-paths", () => {
    expect(() =>
      defineDomain({
        meta: { name: "Bad Name", version: "x", className: "1x", bfclCommit: "abc", description: "" },
        tools: [],
        schemas: [],
        createState: () => ({}),
        view: () => [],
        messages: { standard: {}, augmented: {} },
      }),
    ).toThrowError(/meta\.name[\s\S]*meta\.version[\s\S]*meta\.className[\s\S]*tools/);
  });
  it("checks schemas against signatures and catalogues against each other", () => {
    try {
      defineDomain<object>({
        meta: { name: "x", version: "0.1.0", className: "X", bfclCommit: "abcdef0", description: "d" },
        tools: [{ name: "t", params: [{ name: "a" }], run: () => null }],
        schemas: [{ name: "t", description: "", parameters: { type: "object", properties: { b: {} } } }],
        createState: () => ({}),
        view: () => [],
        messages: { standard: { one: "1" }, augmented: { two: "2" } },
      });
      expect.unreachable();
    } catch (e) {
      const details = (e as { details: string[] }).details;
      expect(details).toEqual([
        "schemas.0.parameters.properties: missing parameter `a` of tool `t`",
        "tools.0.params: schema parameter `b` is not in the signature of `t`",
        "messages.augmented: missing code `one`",
        "messages.standard: missing code `two`",
      ]);
      expect((e as { code: string }).code).toBe("INVALID_DOMAIN_PACK");
    }
  });
});
