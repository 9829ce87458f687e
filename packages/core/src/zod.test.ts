import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvtuneError } from "./errors.ts";
import { formatZodIssues, parseOrThrow } from "./zod.ts";

const schema = z.object({ a: z.object({ b: z.array(z.number().int()) }), c: z.string() }).strict();
const opts = { code: "INVALID_THING", scope: "test", what: "The thing is invalid.", hint: "Fix the listed fields." };

describe("parseOrThrow", () => {
  it("returns the parsed value", () => {
    expect(parseOrThrow(schema, { a: { b: [1] }, c: "x" }, opts)).toEqual({ a: { b: [1] }, c: "x" });
  });

  it("throws an EnvtuneError with the code, scope, hint and every issue as a dot-path", () => {
    let err: unknown;
    try {
      parseOrThrow(schema, { a: { b: [1, 1.5] }, d: 1 }, { ...opts, prefix: "thing" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvtuneError);
    const e = err as EnvtuneError;
    expect(e).toMatchObject({ code: "INVALID_THING", scope: "test", hint: "Fix the listed fields." });
    expect(e.details).toEqual([
      expect.stringMatching(/^thing\.a\.b\.1: /),
      expect.stringMatching(/^thing\.c: /),
      expect.stringMatching(/^thing: Unrecognized key: "d"/),
    ]);
    expect(e.message).toContain("[envtune] [test] The thing is invalid. Fix the listed fields.\n  - thing.a.b.1: ");
  });

  it("names an issue on the value itself by `root`", () => {
    expect(() => parseOrThrow(schema, 3, { ...opts, root: "(config)" })).toThrow(
      expect.objectContaining({ details: [expect.stringMatching(/^\(config\): /)] }),
    );
    expect(formatZodIssues(z.string().safeParse(1).error!.issues)).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
