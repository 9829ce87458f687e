/**
 * The call-string fast path must return exactly what the full parser returns, or step aside. It is
 * checked against the full parser on every call string of the reference traces and decoder vectors,
 * on mutations of them, and on generated calls.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyDict, PySet, PyTuple, type PyValue } from "../py/value.ts";
import { fastParseCall } from "./fast-call.ts";
import { parsePythonCalls } from "./python.ts";
import type { ToolCall } from "./types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(here, "../../../..", "../shared");

function sameValue(a: PyValue, b: PyValue): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Object.is(a, b);
  if (typeof a !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]!));
  if (a instanceof PyTuple || a instanceof PyDict || a instanceof PySet) return false;
  return a === b;
}

function sameCall(a: ToolCall, b: ToolCall): boolean {
  return (
    a.name === b.name &&
    a.args.length === b.args.length &&
    a.args.every((x, i) => sameValue(x, b.args[i]!)) &&
    a.kwargs.length === b.kwargs.length &&
    a.kwargs.every(([k, v], i) => k === b.kwargs[i]![0] && sameValue(v, b.kwargs[i]![1]))
  );
}

/** Full-parser verdict: the single call, or undefined for errors and other shapes. `{}` options bypass the fast path. */
function full(text: string): ToolCall | "other" | "error" {
  try {
    const calls = parsePythonCalls(text, {});
    return calls.length === 1 && calls[0]!.name.indexOf(".") < 0 ? calls[0]! : "other";
  } catch {
    return "error";
  }
}

function check(text: string): boolean {
  const fast = fastParseCall(text);
  if (fast === undefined) return true;
  const f = full(text);
  if (typeof f === "string") throw new Error(`fast path accepted ${JSON.stringify(text)}, the full parser says ${f}`);
  if (!sameCall(fast, f)) throw new Error(`fast path differs on ${JSON.stringify(text)}`);
  return true;
}

function traceCalls(): string[] {
  const out: string[] = [];
  for (const f of ["ground_truth.jsonl", "fuzz.jsonl"]) {
    for (const line of readFileSync(path.join(sharedDir, "bfcl/traces", f), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { turns: Array<{ calls: Array<{ call: string }> }> };
      for (const t of r.turns) for (const c of t.calls) out.push(c.call);
    }
  }
  for (const line of readFileSync(path.join(sharedDir, "bfcl/traces/decoder_cases.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const v = JSON.parse(line) as { input: unknown; decoded?: string[] };
    if (typeof v.input === "string") out.push(v.input);
    for (const d of v.decoded ?? []) out.push(d);
  }
  return out;
}

describe("fastParseCall", () => {
  const calls = traceCalls();

  it("agrees with the full parser on every trace call string and takes most of them", () => {
    let taken = 0;
    for (const c of calls) {
      check(c);
      if (fastParseCall(c) !== undefined) taken++;
    }
    expect(taken / calls.length).toBeGreaterThan(0.8);
  });

  it("agrees on every one-character deletion, duplication and substitution of GT calls", () => {
    const subs = ["'", '"', "\\", " ", "\n", ",", "=", "(", ")", "[", "]", "-", ".", "0", "e", "_", "#", "j", "x", "\u00e9", "\t", "\f"];
    const sample = calls.filter((_, i) => i % 7 === 0).slice(0, 600);
    for (const c of sample) {
      for (let i = 0; i < c.length; i++) {
        check(c.slice(0, i) + c.slice(i + 1));
        check(c.slice(0, i) + c[i] + c.slice(i));
        for (const s of subs) check(c.slice(0, i) + s + c.slice(i + 1));
      }
    }
  });

  it("agrees on generated calls", () => {
    const atom = fc.oneof(
      fc.constantFrom(
        "True",
        "False",
        "None",
        "0",
        "-0",
        "00",
        "007",
        "1.",
        ".5",
        "-0.0",
        "1e3",
        "1_0",
        "0x1f",
        "12345678901234567890",
        "3.25",
        "-7",
        "[]",
        "[ ]",
        "[1,]",
        "set()",
        "{}",
        "(1,)",
      ),
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.string({ maxLength: 8 }).map((s) => `'${s}'`),
      fc.string({ maxLength: 8 }).map((s) => `"${s}"`),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        atom,
        fc.array(tie("v"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
      ),
    })).v as fc.Arbitrary<string>;
    const key = fc.constantFrom("a", "b", "file_name", "True", "lambda", "x1", "_k");
    const arg = fc.oneof(
      value,
      fc.tuple(key, fc.constantFrom("=", " = ", "=="), value).map(([k, eq, v]) => k + eq + v),
    );
    const call = fc
      .tuple(
        fc.constantFrom("ls", "cd", "post_tweet", "None", "a.b"),
        fc.array(arg, { maxLength: 4 }),
        fc.constantFrom(", ", ",", " ,  ", ",\t"),
      )
      .map(([n, as, sep]) => `${n}(${as.join(sep)})`);
    fc.assert(fc.property(call, check), { numRuns: 3000 });
  });

  it("steps aside for what it does not handle", () => {
    for (const t of [
      "cd(folder='a\\nb')",
      "cd(folder='x') ",
      "[cd(folder='x')]",
      "cd (folder='x')",
      "f(a=1, a=2)",
      "f(a=1, 2)",
      "f(a={'k': 1})",
      "f(a=(1,))",
      "f(a=r'x')",
      "f(a='x' 'y')",
      "f(a=1,)",
      "f(a='''x''')",
      "x.f()",
      "lambda()",
      "f(a=1e5)",
    ]) {
      expect(fastParseCall(t), t).toBeUndefined();
    }
    expect(fastParseCall("f('it''s')")).toBeUndefined();
    expect(fastParseCall(`post_tweet(content="it's", tags=['#a', "#b"], mentions=[])`)).toEqual({
      name: "post_tweet",
      args: [],
      kwargs: [
        ["content", "it's"],
        ["tags", ["#a", "#b"]],
        ["mentions", []],
      ],
    });
  });
});
