/**
 * Fuzzing the four parsers that see untrusted model output: seeded fast-check runs over random
 * token soup and over mutations of real call strings from the traces (100,000+ inputs per parser),
 * plus adversarial 1 MB inputs. Properties: nothing but ActionParseError is ever thrown, every error
 * carries a code from ACTION_ERROR_CODES (never INTERNAL_ERROR) and a hint, successful Python
 * parses re-format to a fixed point, and 1 MB inputs finish (with a result or an error).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pyJsonDumps } from "../py/format.ts";
import { PyDict } from "../py/value.ts";
import { parseAction } from "./action.ts";
import { parseEnvelope } from "./envelope.ts";
import { ActionParseError, isActionErrorCode } from "./errors.ts";
import { formatCalls, formatValue } from "./format.ts";
import { parseJsonToolCalls } from "./json-calls.ts";
import { parsePythonCalls, parsePythonLiteral } from "./python.ts";
import type { ToolCall } from "./types.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(repoRoot, "../shared");
const SEED = 20250615;
const RANDOM_RUNS = 40_000;
const MUTATION_RUNS = 65_000;

// ---- seeds from the traces ----------------------------------------------------------------------

function traceCallStrings(file: string, limitRecords: number): string[] {
  const out: string[] = [];
  const lines = readFileSync(path.join(sharedDir, "bfcl/traces", file), "utf8").split("\n");
  for (const line of lines.slice(0, limitRecords)) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { turns: Array<{ calls: Array<{ call: string }> }> };
    for (const t of rec.turns) {
      const calls = t.calls.map((c) => c.call);
      if (calls.length) out.push("[" + calls.join(", ") + "]");
    }
  }
  return out;
}

const callLists = [...traceCallStrings("ground_truth.jsonl", 200), ...traceCallStrings("fuzz.jsonl", 300)];
const parsedLists: ToolCall[][] = callLists.flatMap((s) => {
  try {
    return [parsePythonCalls(s)];
  } catch {
    return [];
  }
});
const literals: string[] = parsedLists.flatMap((cs) =>
  cs.flatMap((c) => [...c.args, ...c.kwargs.map(([, v]) => v)].map((v) => formatValue(v))),
);
const jsonCalls: string[] = parsedLists.map((cs) =>
  pyJsonDumps(
    cs.map((c) => {
      const args = new PyDict();
      for (const [k, v] of c.kwargs) args.set(k, v);
      return PyDict.from({ name: c.name, arguments: args });
    }),
  ),
);
const envelopes: string[] = jsonCalls.map((j, i) =>
  i % 3 === 0
    ? `<think>I will answer.</think>\n<answer>Done: ${j.slice(0, 40)}</answer>`
    : `<think>Plan step ${i}.</think>\n<tool_call>\n${j}\n</tool_call>`,
);

// ---- generators -----------------------------------------------------------------------------------

const PY_PIECES = [
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ",",
  ":",
  "=",
  ".",
  "'",
  '"',
  "'''",
  '"""',
  "\\",
  "\\n",
  "\\x4",
  "\\u12",
  "\\N{",
  "#",
  "\n",
  "\r\n",
  "\t",
  " ",
  "-",
  "+",
  "*",
  "**",
  "/",
  "%",
  "<",
  "==",
  ":=",
  "...",
  "0",
  "1",
  "9",
  "1_0",
  "0x",
  "0o7",
  "0b1",
  "1e",
  ".5",
  "5.",
  "1j",
  "_",
  "a",
  "x",
  "ls",
  "cd",
  "True",
  "None",
  "false",
  "lambda",
  "if",
  "for",
  "not",
  "r'",
  "b'",
  "f'",
  "u'",
  "set()",
  "pwd()",
  "f(x=1)",
  "é",
  "😀",
  "\u00a0",
  "\u000b",
  "\0",
  "\ud800",
  "`",
  "```",
  "```python\n",
  "$",
  "@",
  "~",
  "!",
];
const JSON_PIECES = [
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  '"',
  '\\"',
  "\\",
  "\\u",
  "\\ud83d",
  "\\n",
  "\\q",
  " ",
  "\n",
  "\t",
  "-",
  "+",
  ".",
  "e",
  "E",
  "0",
  "1",
  "1e400",
  "NaN",
  "Infinity",
  "-Infinity",
  "true",
  "false",
  "null",
  "nul",
  '"name"',
  '"arguments"',
  '"ls"',
  '"a b"',
  '"class"',
  "{}",
  "[]",
  "\x01",
  "\ufeff",
  "é",
  "😀",
  "\ud800",
  "'",
];
const ENV_PIECES = [
  "<think>",
  "</think>",
  "<tool_call>",
  "</tool_call>",
  "<answer>",
  "</answer>",
  "<",
  ">",
  "/",
  "think",
  "tool_",
  "call>",
  " ",
  "\n",
  "\u0085",
  "\u2003",
  "\ufeff",
  "x",
  '[{"name": "ls"}]',
  '{"name": "pwd", "arguments": {}}',
  "[",
  "]",
  "{",
  "}",
  '"',
  ",",
];

const soup = (pieces: readonly string[]): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(""));

function mutations(seeds: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(2), fc.nat(pieces.length - 1));
  return fc.tuple(fc.nat(seeds.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([i, edits]) => {
    let s = seeds[i] as string;
    for (const [where, op, p] of edits) {
      const pos = Math.floor(where * (s.length + 1));
      const piece = pieces[p] as string;
      if (op === 0) s = s.slice(0, pos) + piece + s.slice(pos);
      else if (op === 1) s = s.slice(0, pos) + s.slice(pos + 1 + (p % 3));
      else s = s.slice(0, pos) + piece + s.slice(pos + 1);
    }
    return s;
  });
}

// ---- properties -------------------------------------------------------------------------------------

interface Tally {
  ok: number;
  errors: Map<string, number>;
}

function newTally(): Tally {
  return { ok: 0, errors: new Map() };
}

/** Runs `f`; fails on anything but a well-formed ActionParseError. */
function checked<T>(tally: Tally, input: string, f: () => T): T | undefined {
  try {
    const r = f();
    tally.ok++;
    return r;
  } catch (e) {
    const shown = JSON.stringify(input).slice(0, 300);
    if (!(e instanceof ActionParseError)) throw new Error(`non-ActionParseError for ${shown}: ${String(e)}`, { cause: e });
    if (!isActionErrorCode(e.code) || e.code === "INTERNAL_ERROR") throw new Error(`bad code ${e.code} for ${shown}`, { cause: e });
    if (!e.hint || !e.message.startsWith("[envtune] [actions] "))
      throw new Error(`malformed error for ${shown}: ${e.message}`, { cause: e });
    tally.errors.set(e.code, (tally.errors.get(e.code) ?? 0) + 1);
    return undefined;
  }
}

function runFuzz(name: string, arbs: Array<[fc.Arbitrary<string>, number]>, f: (s: string, t: Tally) => void): Tally {
  const tally = newTally();
  const t0 = performance.now();
  let n = 0;
  arbs.forEach(([arb, numRuns], k) => {
    fc.assert(
      fc.property(arb, (s) => {
        n++;
        f(s, tally);
      }),
      { numRuns, seed: SEED + k, endOnFailure: true },
    );
  });
  const ms = performance.now() - t0;
  console.info(
    `[fuzz] ${name}: ${n} inputs in ${(ms / 1000).toFixed(2)} s — ok ${tally.ok}, errors ${JSON.stringify(Object.fromEntries(tally.errors))}`,
  );
  expect(n).toBeGreaterThanOrEqual(100_000);
  return tally;
}

describe("fuzz: no exception but ActionParseError, stable codes", () => {
  it("parsePythonCalls (and re-formatting is a fixed point)", () => {
    const tally = runFuzz(
      "parsePythonCalls",
      [
        [soup(PY_PIECES), RANDOM_RUNS],
        [mutations(callLists, PY_PIECES), MUTATION_RUNS],
      ],
      (s, t) => {
        const calls = checked(t, s, () => parsePythonCalls(s));
        if (calls) {
          const text = formatCalls(calls);
          if (formatCalls(parsePythonCalls(text)) !== text) throw new Error(`not a fixed point: ${JSON.stringify(s)} → ${text}`);
        }
      },
    );
    expect(tally.ok).toBeGreaterThan(1000);
  });

  it("parsePythonLiteral", () => {
    runFuzz(
      "parsePythonLiteral",
      [
        [soup(PY_PIECES), RANDOM_RUNS],
        [mutations(literals, PY_PIECES), MUTATION_RUNS],
      ],
      (s, t) => {
        checked(t, s, () => parsePythonLiteral(s));
      },
    );
  });

  it("parseJsonToolCalls", () => {
    runFuzz(
      "parseJsonToolCalls",
      [
        [soup(JSON_PIECES), RANDOM_RUNS],
        [mutations(jsonCalls, JSON_PIECES), MUTATION_RUNS],
      ],
      (s, t) => {
        checked(t, s, () => parseJsonToolCalls(s));
      },
    );
  });

  it("parseEnvelope (and parseAction never throws)", () => {
    runFuzz(
      "parseEnvelope",
      [
        [soup(ENV_PIECES), RANDOM_RUNS],
        [mutations(envelopes, [...ENV_PIECES, ...JSON_PIECES]), MUTATION_RUNS],
      ],
      (s, t) => {
        checked(t, s, () => parseEnvelope(s));
        const r = parseAction(s);
        if (!r.ok && r.error.code === "INTERNAL_ERROR") throw new Error(`parseAction internal error for ${JSON.stringify(s)}`);
      },
    );
  });
});

describe("adversarial 1 MB inputs finish with a result or an error", () => {
  const MB = 1 << 20;
  const fill = (unit: string, prefix = "", suffix = ""): string => {
    const n = Math.floor((MB - prefix.length - suffix.length) / unit.length);
    return prefix + unit.repeat(n) + suffix;
  };
  const manyKwargs = (): string => {
    const parts: string[] = [];
    let len = 10;
    for (let i = 0; len < MB - 20; i++) {
      const p = `a${i}=${i}`;
      parts.push(p);
      len += p.length + 2;
    }
    return "[f(" + parts.join(", ") + ")]";
  };
  const outcome = (f: () => unknown): string => {
    try {
      f();
      return "ok";
    } catch (e) {
      if (!(e instanceof ActionParseError)) throw e;
      return e.code;
    }
  };
  const cases: Array<[string, string, (s: string) => unknown, string]> = [
    ["deep brackets", fill("["), parsePythonCalls, "TOO_DEEP"],
    ["deep brackets in a value", fill("[", "f(x=", ""), parsePythonCalls, "TOO_DEEP"],
    ["deep parens", fill("("), parsePythonCalls, "TOO_DEEP"],
    ["deep unary minus", fill("-", "f(x=", "1)"), parsePythonCalls, "TOO_DEEP"],
    ["one long string", fill("a", "[echo(content='", "')]"), parsePythonCalls, "ok"],
    ["long string of escapes", fill("\\n", "[echo(content='", "')]"), parsePythonCalls, "ok"],
    ["many quotes", fill("'"), parsePythonCalls, "PY_SYNTAX"],
    ["many adjacent strings", fill("'a' "), parsePythonCalls, "NOT_A_CALL"],
    ["many triple quotes", fill("'''"), parsePythonCalls, "PY_SYNTAX"],
    ["unterminated string", fill("a", "[f(x='"), parsePythonCalls, "PY_SYNTAX"],
    ["many calls", fill("ls(), ", "[", "]"), parsePythonCalls, "ok"],
    ["many kwargs", manyKwargs(), parsePythonCalls, "ok"],
    ["many duplicate kwargs", fill("a=1, ", "[f(", "b=2)]"), parsePythonCalls, "DUPLICATE_KEYWORD"],
    ["many bare names", fill("x, ", "[f(", ")]"), parsePythonCalls, "BARE_NAME"],
    ["many nested calls", fill("g(), ", "[f(", ")]"), parsePythonCalls, "NESTED_CALL"],
    ["many non-calls", fill("1, ", "[", "]"), parsePythonCalls, "NOT_A_CALL"],
    ["many unhashable keys", fill("[]: 1, ", "[f(x={", "})]"), parsePythonCalls, "UNHASHABLE_KEY"],
    ["huge decimal int", fill("1", "f(x=", ")"), parsePythonCalls, "INT_TOO_LARGE"],
    ["huge hex int", fill("f", "f(x=0x", ")"), parsePythonCalls, "ok"],
    ["comments", fill("#"), parsePythonCalls, "PY_SYNTAX"],
    ["backslashes", fill("\\"), parsePythonCalls, "PY_SYNTAX"],
    ["long literal list", fill("1, ", "[", "]"), parsePythonLiteral, "ok"],
    ["literal deep dicts", fill("{1:"), parsePythonLiteral, "TOO_DEEP"],
    ["json deep arrays", fill("["), parseJsonToolCalls, "TOO_DEEP"],
    ["json deep objects", fill('{"a":'), parseJsonToolCalls, "TOO_DEEP"],
    ["json long string", fill("a", '[{"name": "echo", "arguments": {"content": "', '"}}]'), parseJsonToolCalls, "ok"],
    ["json many escapes", fill("\\ud83d\\ude00", '[{"name": "echo", "arguments": {"content": "', '"}}]'), parseJsonToolCalls, "ok"],
    ["json huge int", fill("1"), parseJsonToolCalls, "INT_TOO_LARGE"],
    ["json many quotes", fill('"'), parseJsonToolCalls, "JSON_SYNTAX"],
    ["envelope many think tags", fill("<think>"), parseEnvelope, "ENVELOPE_MISSING_THINK"],
    ["envelope many pairs", fill("<think></think>"), parseEnvelope, "ENVELOPE_MULTIPLE_THINK"],
    ["envelope many opening tool tags", fill("<tool_call>", "<think>x</think>"), parseEnvelope, "ENVELOPE_NO_ACTION"],
    ["envelope deep JSON", fill("[", "<think>x</think><tool_call>", "</tool_call>"), parseEnvelope, "TOO_DEEP"],
    ["envelope long answer", fill("a", "<think>x</think><answer>", "</answer>"), parseEnvelope, "ok"],
    ["over the limit", "[" + " ".repeat(MB) + "]", parsePythonCalls, "INPUT_TOO_LARGE"],
  ];
  it.each(cases)("%s", (_name, input, f, expected) => {
    expect(input.length).toBeLessThanOrEqual(MB + 2);
    const t0 = performance.now();
    expect(outcome(() => f(input))).toBe(expected);
    const ms = performance.now() - t0;
    console.info(`[adversarial] ${_name}: ${ms.toFixed(1)} ms`);
  });
});
