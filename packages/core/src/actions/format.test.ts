import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PY_ELLIPSIS } from "../py/encode.ts";
import { PyDict, PySet, PyTuple, type PyValue } from "../py/value.ts";
import { formatCall, formatCalls, formatValue } from "./format.ts";
import { isPyIdentifier } from "./json-calls.ts";
import { parsePythonCalls } from "./python.ts";
import type { ToolCall } from "./types.ts";

/** Strict structural identity: int vs float, -0.0, tuple vs list, dict/set order all matter. */
function sameValue(a: PyValue, b: PyValue): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i] as PyValue));
  if (a instanceof PyTuple)
    return b instanceof PyTuple && a.items.length === b.items.length && a.items.every((x, i) => sameValue(x, b.items[i] as PyValue));
  if (a instanceof PyDict) {
    if (!(b instanceof PyDict) || a.size !== b.size) return false;
    const ea = [...a.entries()];
    const eb = [...b.entries()];
    return ea.every(([k, v], i) => sameValue(k, (eb[i] as [PyValue, PyValue])[0]) && sameValue(v, (eb[i] as [PyValue, PyValue])[1]));
  }
  if (a instanceof PySet) {
    const va = [...a.values()];
    const vb = b instanceof PySet ? [...b.values()] : [];
    return b instanceof PySet && va.length === vb.length && va.every((x, i) => sameValue(x, vb[i] as PyValue));
  }
  return a === b;
}

function sameCalls(a: readonly ToolCall[], b: readonly ToolCall[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (c, i) =>
        c.name === b[i]?.name &&
        c.args.length === b[i].args.length &&
        c.args.every((x, j) => sameValue(x, b[i]?.args[j] as PyValue)) &&
        c.kwargs.length === b[i].kwargs.length &&
        c.kwargs.every(([k, v], j) => k === b[i]?.kwargs[j]?.[0] && sameValue(v, b[i]?.kwargs[j]?.[1] as PyValue)),
    )
  );
}

const identifier = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/)
  .filter(isPyIdentifier)
  .map((s) => s);
const scalar: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);
const hashable: fc.Arbitrary<PyValue> = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }).map((xs) => new PyTuple(xs)),
);
const { value: pyValue } = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(tie("value"), { maxLength: 3 }).map((xs) => new PyTuple(xs)),
    fc.array(fc.tuple(hashable, tie("value")), { maxLength: 3 }).map((es) => new PyDict(es)),
    fc.array(hashable, { maxLength: 3 }).map((xs) => new PySet(xs)),
    fc.constant(PY_ELLIPSIS),
  ),
}));
const toolCall: fc.Arbitrary<ToolCall> = fc.record({
  name: fc.array(identifier, { minLength: 1, maxLength: 3 }).map((p) => p.join(".")),
  args: fc.array(pyValue, { maxLength: 3 }),
  kwargs: fc.uniqueArray(fc.tuple(identifier, pyValue), { maxLength: 4, selector: ([k]) => k }),
});

describe("formatCall / formatValue", () => {
  it("writes Python source with repr'd values", () => {
    const call: ToolCall = {
      name: "f",
      args: ["a"],
      kwargs: [
        ["b", 1n],
        ["c", 1],
        ["d", "it's"],
        ["e", new PyTuple([1n])],
        [
          "f",
          new PyDict([
            ["k", null],
            [2n, [true, -0]],
          ]),
        ],
        ["g", new PySet()],
        ["h", new PySet([1n])],
        ["i", PY_ELLIPSIS],
        ["j", 1e-5],
        ["k", 1e16],
        ["l", 'say "hi" \n'],
      ],
    };
    expect(formatCall(call)).toBe(
      "f('a', b=1, c=1.0, d=\"it's\", e=(1,), f={'k': None, 2: [True, -0.0]}, g=set(), h={1}, i=..., j=1e-05, k=1e+16, l='say \"hi\" \\n')",
    );
    expect(
      formatCall(
        {
          name: "f",
          args: [],
          kwargs: [
            ["a", 1n],
            ["b", null],
          ],
        },
        { separator: "," },
      ),
    ).toBe("f(a=1,b=None)");
    expect(formatCalls([])).toBe("[]");
    expect(formatValue(new PyTuple([]))).toBe("()");
  });

  it("puts positional arguments in keyword form when parameter names are known", () => {
    const names = (tool: string) => (tool === "cp" ? ["source", "destination"] : undefined);
    expect(formatCalls(parsePythonCalls("[cp('a', 'b'), sort('x'), cp('a', source='b')]"), { paramNames: names })).toBe(
      "[cp(source='a', destination='b'), sort('x'), cp('a', source='b')]",
    );
  });

  it("round-trips: parsePythonCalls(formatCalls(x)) equals x", () => {
    fc.assert(
      fc.property(fc.array(toolCall, { maxLength: 3 }), (calls) => {
        const text = formatCalls(calls);
        const back = parsePythonCalls(text);
        if (!sameCalls(back, calls)) throw new Error(`round trip failed for ${text}`);
      }),
      { numRuns: 3000, seed: 20250615 },
    );
  });
});
