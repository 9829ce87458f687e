import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PY_ELLIPSIS } from "./encode.ts";
import { pyFloatRepr, pyFormatFixed, pyJsonDumps, pyRepr, pyRound, pyStr } from "./format.ts";
import { parsePyJson, parsePyJsonLines } from "./json.ts";
import { PyDict, PyException, PySet, PyTuple } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(repoRoot, "../shared");
const vectors = JSON.parse(readFileSync(path.join(here, "__fixtures__/cpython-vectors.json"), "utf8")) as {
  floats: string[];
  str_repr: [string, string][];
  rounds: [string, number | null, [string, string]][];
  fixed: [string, number, string][];
  int_round: [string, number, string][];
};

const num = (r: string): number => (r === "inf" ? Infinity : r === "-inf" ? -Infinity : r === "nan" ? NaN : Number(r));
const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PyException) return `${e.pyType}: ${e.message}`;
    throw e;
  }
  return "no error";
};

describe("pyFloatRepr", () => {
  it("matches CPython repr for 3000+ doubles", () => {
    let ok = 0;
    for (const r of vectors.floats) {
      expect(pyFloatRepr(num(r))).toBe(r);
      ok++;
    }
    expect(ok).toBeGreaterThan(3000);
  });
  it("handles the layout boundaries and specials", () => {
    expect(pyFloatRepr(3)).toBe("3.0");
    expect(pyFloatRepr(-0)).toBe("-0.0");
    expect(pyFloatRepr(1e-5)).toBe("1e-05");
    expect(pyFloatRepr(0.0001)).toBe("0.0001");
    expect(pyFloatRepr(1e16)).toBe("1e+16");
    expect(pyFloatRepr(1234567890123456.8)).toBe("1234567890123456.8");
    expect(pyFloatRepr(1.5e300)).toBe("1.5e+300");
    expect(pyFloatRepr(5e-324)).toBe("5e-324");
    expect(pyFloatRepr(NaN)).toBe("nan");
    expect(pyFloatRepr(-Infinity)).toBe("-inf");
    expect(pyFloatRepr(10100)).toBe("10100.0");
  });
});

describe("pyRepr / pyStr", () => {
  it("matches CPython str repr (quotes, escapes, printable non-ASCII) for 320 strings", () => {
    for (const [s, r] of vectors.str_repr) expect(pyRepr(s)).toBe(r);
  });
  it("prints containers like Python", () => {
    const d = new PyDict([
      ["k", null],
      [1n, [1.0, "b", true]],
      [new PyTuple([1n]), new PySet()],
    ]);
    expect(pyRepr(d)).toBe("{'k': None, 1: [1.0, 'b', True], (1,): set()}");
    expect(pyRepr(new PyTuple([]))).toBe("()");
    expect(pyRepr(new PyTuple([1n, "a"]))).toBe("(1, 'a')");
    expect(pyRepr(new PySet(["x", 2n]))).toBe("{'x', 2}");
    expect(pyRepr(new PyDict())).toBe("{}");
    expect(pyRepr([])).toBe("[]");
    expect(pyRepr(PY_ELLIPSIS)).toBe("Ellipsis");
    expect(pyStr("it's")).toBe("it's");
    expect(pyStr(null)).toBe("None");
    expect(pyStr([["a"], "it's"])).toBe(`[['a'], "it's"]`);
  });
  it("marks recursive containers like Py_ReprEnter", () => {
    const l: PyValue[] = [1n];
    l.push(l);
    expect(pyRepr(l)).toBe("[1, [...]]");
    const d = new PyDict();
    d.set("self", d);
    expect(pyRepr(d)).toBe("{'self': {...}}");
  });
  it("enforces the 4300-digit int conversion limit", () => {
    expect(pyRepr(10n ** 64n)).toBe("1" + "0".repeat(64));
    expect(pyRepr(-(10n ** 4299n))).toHaveLength(4301);
    expect(err(() => pyRepr(10n ** 4300n))).toBe(
      "ValueError: Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
    );
  });
  it("sets str(KeyError(k)) to repr(k)", () => {
    expect(err(() => new PyDict().getItem("d"))).toBe("KeyError: 'd'");
    expect(err(() => new PyDict().getItem(3n))).toBe("KeyError: 3");
    expect(err(() => new PyDict().pop(new PyTuple([1.5, "it's", null])))).toBe(`KeyError: (1.5, "it's", None)`);
    expect(err(() => new PyDict().getItem(new PyTuple([true])))).toBe("KeyError: (True,)");
  });
});

describe("pyJsonDumps", () => {
  it("uses Python's defaults: separators, ensure_ascii with surrogate pairs, key conversion", () => {
    const d = new PyDict([
      [1.5, 1n],
      [true, 2n],
      [null, 3n],
      [NaN, 4n],
      ["é\x7f\u{1F600}", [Infinity, new PyTuple([1n])]],
      [7n, -0],
    ]);
    expect(pyJsonDumps(d)).toBe('{"1.5": 1, "true": 2, "null": 3, "NaN": 4, "\\u00e9\\u007f\\ud83d\\ude00": [Infinity, [1]], "7": -0.0}');
    expect(pyJsonDumps("caf\u00e9 \u2615")).toBe('"caf\\u00e9 \\u2615"');
    expect(pyJsonDumps('\b\f\n\r\t"\\/\x01')).toBe('"\\b\\f\\n\\r\\t\\"\\\\/\\u0001"');
    expect(pyJsonDumps("é\u2028", { ensureAscii: false })).toBe('"é\u2028"');
    expect(pyJsonDumps(new PyDict())).toBe("{}");
    expect(pyJsonDumps([1e-5, 3.0, 1e16, -Infinity])).toBe("[1e-05, 3.0, 1e+16, -Infinity]");
  });
  it("raises Python's TypeErrors for unserializable values", () => {
    expect(err(() => pyJsonDumps(new PyDict([[1n, new PySet([1n])]])))).toBe("TypeError: Object of type set is not JSON serializable");
    expect(err(() => pyJsonDumps(new PyDict([[new PyTuple([1n, 2n]), 1n]])))).toBe(
      "TypeError: keys must be str, int, float, bool or None, not tuple",
    );
    const mpf: PyObject = {
      pyKind: "object",
      jsonSerializable: false,
      pyTypeName: () => "mpf",
      pyRepr: () => "mpf('2.0')",
      pyEquals: () => false,
      pyEncode: () => "{}",
    };
    expect(err(() => pyJsonDumps(PyDict.from({ result: mpf })))).toBe("TypeError: Object of type mpf is not JSON serializable");
    expect(pyRepr(PyDict.from({ result: mpf }))).toBe("{'result': mpf('2.0')}");
    expect(pyStr(mpf)).toBe("mpf('2.0')");
    expect(pyStr({ ...mpf, pyStr: () => "2.0" })).toBe("2.0");
    expect(pyStr([{ ...mpf, pyStr: () => "2.0" }])).toBe("[mpf('2.0')]");
    const l: PyValue[] = [];
    l.push(l);
    expect(err(() => pyJsonDumps(l))).toBe("ValueError: Circular reference detected");
  });
});

describe("pyRound", () => {
  it("matches CPython round(x, n) for 1500+ floats (half-even on the exact binary value)", () => {
    for (const [x, nd, [kind, expected]] of vectors.rounds) {
      const got = (() => {
        try {
          const r = nd === null ? pyRound(num(x)) : pyRound(num(x), BigInt(nd));
          return typeof r === "bigint" ? ["int", r.toString()] : ["float", pyFloatRepr(r)];
        } catch (e) {
          if (e instanceof PyException) return ["error", `${e.pyType}: ${e.message}`];
          throw e;
        }
      })();
      expect([x, nd, got]).toEqual([x, nd, [kind, expected]]);
    }
  });
  it("keeps ints as ints (and rounds them half-even for negative ndigits)", () => {
    for (const [n, nd, expected] of vectors.int_round) expect(pyRound(BigInt(n), BigInt(nd))).toBe(BigInt(expected));
    expect(pyRound(5n)).toBe(5n);
    expect(pyRound(true)).toBe(1n);
    expect(pyRound(2.675, 2n)).toBe(2.67);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(2.5)).toBe(2n);
    expect(err(() => pyRound(2.5, 1.5))).toBe("TypeError: 'float' object cannot be interpreted as an integer");
  });
});

describe("pyFormatFixed", () => {
  it('matches CPython f"{x:.Nf}" for 1500+ floats', () => {
    for (const [x, d, expected] of vectors.fixed) expect([x, d, pyFormatFixed(num(x), d)]).toEqual([x, d, expected]);
  });
  it("converts ints to float first and keeps the sign of negative zero", () => {
    expect(pyFormatFixed(10n ** 30n, 2)).toBe("1000000000000000019884624838656.00");
    expect(pyFormatFixed(5n, 2)).toBe("5.00");
    expect(pyFormatFixed(-0.001, 2)).toBe("-0.00");
    expect(pyFormatFixed(0.125, 2)).toBe("0.12");
    expect(pyFormatFixed(2.5, 0)).toBe("2");
    expect(pyFormatFixed(Infinity, 2)).toBe("inf");
    expect(err(() => pyFormatFixed(10n ** 400n, 2))).toBe("OverflowError: int too large to convert to float");
  });
});

describe("trace result strings", () => {
  const records = ["ground_truth.jsonl", "fuzz.jsonl"].map((f) =>
    parsePyJsonLines(readFileSync(path.join(sharedDir, "bfcl/traces", f), "utf8")),
  );
  const results: string[] = [];
  for (const recs of records) {
    for (const rec of recs) {
      for (const turn of (rec as PyDict).getItem("turns") as PyDict[]) {
        for (const call of turn.getItem("calls") as PyDict[]) results.push(call.getItem("result") as string);
      }
    }
  }

  it("re-dumps every json.dumps result byte for byte (floats, escapes, key order)", () => {
    let dicts = 0;
    let withFloatLayout = 0;
    for (const r of results) {
      if (!r.startsWith("{")) continue;
      let v: PyValue;
      try {
        v = parsePyJson(r);
      } catch {
        continue; // str(dict) fallbacks (mpf etc.) are Python reprs, not JSON
      }
      expect(pyJsonDumps(v)).toBe(r);
      dicts++;
      if (/e[-+]\d\d|\d\.0[,}\]]/.test(r)) withFloatLayout++;
    }
    expect(dicts).toBeGreaterThan(8000);
    expect(withFloatLayout).toBeGreaterThan(100);
  });

  it("reproduces repr'd list and scalar results whose elements are JSON-like", () => {
    // `str(list)` results like "['RMS', 'ZETA']" or "[1, 2.0]": convert the Python literal to JSON
    // (only for simple ones: no quotes inside strings) and print it back with pyRepr.
    let n = 0;
    for (const r of results) {
      if (!/^\[.*\]$/s.test(r) || /\\|"/.test(r)) continue;
      const json = r
        .replace(/'/g, '"')
        .replace(/\bTrue\b/g, "true")
        .replace(/\bFalse\b/g, "false")
        .replace(/\bNone\b/g, "null");
      let v: PyValue;
      try {
        v = parsePyJson(json);
      } catch {
        continue;
      }
      expect(pyRepr(v)).toBe(r);
      n++;
    }
    expect(n).toBeGreaterThan(20);
  });
});
