import { describe, expect, it } from "vitest";
import { defineDomain } from "../domain/define.ts";
import { PyDict, PyException, type PyValue } from "../py/value.ts";
import { World, type CallLike } from "./world.ts";

// The hint texts are part of the augmented environment's behaviour: these pin them byte for byte.
const pack = defineDomain<{ n: bigint }>({
  meta: { name: "hints", version: "0.1.0", className: "HintAPI", description: "A test pack." },
  tools: [
    {
      name: "bump",
      params: [{ name: "by" }, { name: "note", default: null }],
      run: (s, a) => ((s.n += a.by as bigint), new PyDict([["n", s.n]])),
    },
    {
      name: "strip",
      params: [{ name: "text" }],
      run: (_s, a) => {
        if (typeof a.text !== "string") throw new PyException("AttributeError", `'${typeof a.text}' object has no attribute 'rstrip'`);
        return a.text.trim();
      },
    },
    { name: "any3", params: [{ name: "a" }, { name: "b" }, { name: "c" }], run: () => "ok" },
  ],
  schemas: [
    {
      name: "bump",
      description: "Bump.",
      parameters: { type: "object", properties: { by: { type: "integer" }, note: { type: ["string", "null"] } }, required: ["by"] },
    },
    { name: "strip", description: "Strip.", parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
    { name: "any3", description: "Any.", parameters: { type: "object", properties: { a: {}, b: {}, c: {} }, required: ["a", "b", "c"] } },
  ],
  createState: () => ({ n: 0n }),
  view: (s) => [["n", s.n]],
  messages: { standard: {}, augmented: {} },
});

const call = (name: string, args: PyValue[] = [], kwargs: Array<[string, PyValue]> = []): CallLike => ({ name, args, kwargs });
const world = (augmented: boolean) => new World({ packs: [pack], initialConfig: new PyDict(), longContext: false, augmented });

describe("World: augmented type-error hints", () => {
  it("points at the wrong argument and the expected signature", () => {
    const w = world(true);
    expect(w.call(call("strip", [5n])).result).toMatchInlineSnapshot(
      `"Error during execution: 'bigint' object has no attribute 'rstrip' (Hint: an argument of \`strip\` has the wrong type or shape. Problems: text must be string. Expected arguments: strip(text: string). Fix the value's type and call it again.)"`,
    );
    expect(w.call(call("bump")).result).toMatchInlineSnapshot(
      `"Error during execution: HintAPI.bump() missing 1 required positional argument: 'by' (Hint: an argument of \`bump\` has the wrong type or shape. Problems: (arguments) must have required property 'by'. Expected arguments: bump(by: integer, note: string | null). Fix the value's type and call it again.)"`,
    );
    expect(w.call(call("bump", ["x", null, 3n])).result).toMatchInlineSnapshot(
      `"Error during execution: HintAPI.bump() takes from 2 to 3 positional arguments but 4 were given (Hint: an argument of \`bump\` has the wrong type or shape. Problems: by must be integer. Expected arguments: bump(by: integer, note: string | null). Fix the value's type and call it again.)"`,
    );
    expect(
      w.call(
        call(
          "bump",
          [],
          [
            ["by", 1n],
            ["zzz", 2n],
          ],
        ),
      ).result,
    ).toMatchInlineSnapshot(
      `"Error during execution: HintAPI.bump() got an unexpected keyword argument 'zzz' (Hint: an argument of \`bump\` has the wrong type or shape. Expected arguments: bump(by: integer, note: string | null). Fix the value's type and call it again.)"`,
    );
    expect(w.call(call("any3", [1n])).result).toMatchInlineSnapshot(
      `"Error during execution: HintAPI.any3() missing 2 required positional arguments: 'b' and 'c' (Hint: an argument of \`any3\` has the wrong type or shape. Problems: (arguments) must have required property 'b'; (arguments) must have required property 'c'. Expected arguments: any3(a: any, b: any, c: any). Fix the value's type and call it again.)"`,
    );
  });

  it("keeps the reference text in the standard environment", () => {
    expect(world(false).call(call("strip", [5n])).result).toMatchInlineSnapshot(
      `"Error during execution: 'bigint' object has no attribute 'rstrip'"`,
    );
  });
});
