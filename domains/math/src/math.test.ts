import { readFileSync } from "node:fs";
import { parsePythonCalls } from "@envtune/core/actions";
import type { ToolContext } from "@envtune/core/domain";
import { World } from "@envtune/core/exec";
import { PyDict } from "@envtune/core/py";
import { checkDomainTraces, testDomainPack, traceFile } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack from "./index.ts";
import { augmented, standard } from "./messages.ts";

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8");

function world(aug = false): World {
  return new World({ packs: [pack], initialConfig: new PyDict(), longContext: false, augmented: aug });
}

/** Result string of one call string, executed the way the reference executes it. */
function run(call: string, aug = false): string {
  return world(aug).call(parsePythonCalls(call)[0]!).result;
}

testDomainPack(pack, {
  samples: [
    {
      config: new PyDict(),
      calls: ["mean(numbers=[3,16,60])", "logarithm(value=20,base=10,precision=2)", "square_root(number=12.6, precision=10)"],
    },
    { config: PyDict.from({ ignored: 1n }), calls: ["divide(a=1, b=0)", "power(base=10, exponent=64)"], longContext: true },
  ],
});

describe("MathAPI reference traces", () => {
  it("ground_truth.jsonl: every MathAPI result and state identical", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("ground_truth.jsonl") });
    expect(r.mismatches).toEqual([]);
    expect(r.records).toBe(100);
    expect(r.calls).toBe(56);
    expect(r.resultsIdentical).toBe(56);
    expect(r.statesIdentical).toBe(r.states);
  });

  it("fuzz.jsonl: every MathAPI result and state identical, per kind", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("fuzz.jsonl") });
    expect(r.mismatches).toEqual([]);
    expect(r.statesIdentical).toBe(r.states);
    for (const kind of ["gt", "valid", "positional", "bad_value", "missing_required", "extra_kwarg", "forbidden"]) {
      const s = r.byKind.get(kind);
      if (!s) continue;
      expect(s.resultsIdentical, kind).toBe(s.calls);
      expect(s.statesIdentical, kind).toBe(s.turns);
    }
    // wrong_type: all 17 MathAPI calls give the reference's exact text (16 of them errors).
    const wt = r.byKind.get("wrong_type")!;
    expect(wt).toMatchObject({ calls: 17, resultsIdentical: 17, bothErrors: 16 });
    expect(wt.statesIdentical).toBe(wt.turns);
  });

  it("every MathAPI call string in both trace files gives the traced result", () => {
    const names = new Set(pack.tools.map((t) => t.name));
    const w = world();
    const counts: Record<string, [number, number, number]> = {};
    for (const file of ["ground_truth.jsonl", "fuzz.jsonl"]) {
      const c: [number, number, number] = [0, 0, 0];
      for (const line of readFileSync(traceFile(file), "utf8").split("\n")) {
        if (!line.includes("MathAPI")) continue;
        const rec = JSON.parse(line) as { involved_classes: string[]; turns: Array<{ calls: Array<{ call: string; result: string }> }> };
        if (!rec.involved_classes.includes("MathAPI")) continue;
        for (const t of rec.turns) {
          for (const { call, result } of t.calls) {
            const m = /^\s*(\w+)\s*\(/.exec(call);
            if (!m || !names.has(m[1]!)) continue;
            c[0]++;
            let parsed;
            try {
              parsed = parsePythonCalls(call);
            } catch {
              c[2]++; // nested calls: checked one by one below
              continue;
            }
            expect(w.call(parsed[0]!).result, call).toBe(result);
            c[1]++;
          }
        }
      }
      counts[file] = c;
    }
    expect(counts).toEqual({ "ground_truth.jsonl": [56, 56, 0], "fuzz.jsonl": [184, 181, 3] });
  });

  it("nested calls of the fuzz trace: the inner call's raw dict is the argument", () => {
    const ctx: ToolContext = {
      augmented: false,
      msg: (code, vars) => standard[code]!.replace(/\{(\w+)\}/g, (_, k: string) => vars?.[k] ?? ""),
    };
    const tool = (name: string) => pack.toolMap.get(name)!;
    const self = pack.createState({ config: new PyDict(), longContext: false, shared: new Map() });
    // round_number(number=round_number(number=1))
    const inner = tool("round_number").run(self, { number: 1n, decimal_places: 0n }, ctx);
    expect(inner).toEqual(PyDict.from({ result: 1n }));
    const outer = tool("round_number").run(self, { number: inner, decimal_places: 0n }, ctx) as PyDict;
    expect(outer.get("error")).toBe("First input must be a number, second input must be an integer");
    // standard_deviation(numbers=displayCarStatus(option='fuel')): a dict of str keys
    const car = PyDict.from({ fuelLevel: 15.5 });
    expect((tool("standard_deviation").run(self, { numbers: car }, ctx) as PyDict).get("error")).toBe(
      "All elements in the list must be numbers",
    );
    // imperial_si_conversion(value=-5, unit_out='status', unit_in=imperial_si_conversion(value=420.0, unit_in='SYNX', unit_out='Could'))
    const err = tool("imperial_si_conversion").run(self, { value: 420.0, unit_in: "SYNX", unit_out: "Could" }, ctx);
    const res = tool("imperial_si_conversion").run(self, { value: -5n, unit_in: err, unit_out: "status" }, ctx) as PyDict;
    expect(res.get("error")).toBe(
      `Conversion from '{'error': "Conversion from 'SYNX' to 'Could' is not supported"}' to 'status' is not supported`,
    );
  });
});

describe("differential vectors from the Python reference", () => {
  // 2053 call strings over all 17 tools, executed by the unmodified MathAPI under CPython 3.11.7,
  // mpmath 1.3.0, glibc 2.36 (x86-64, FMA): ints/floats/bools/strings/containers, huge ints,
  // subnormals, inf, mpmath strings ('1/3', '2j', '1e401'), precisions 0..2000, Decimal 1..3000.
  it("reproduces every result string", () => {
    const w = world();
    const bad: string[] = [];
    let n = 0;
    for (const line of fixture("reference-calls.jsonl").split("\n")) {
      if (!line) continue;
      const [call, expected] = JSON.parse(line) as [string, string];
      n++;
      const got = w.call(parsePythonCalls(call)[0]!).result;
      if (got !== expected) bad.push(`${call}\n  expected ${expected}\n  got      ${got}`);
    }
    expect(n).toBe(2053);
    expect(bad).toEqual([]);
  });
});

describe("quirks reproduced exactly", () => {
  it.each([
    // int vs float results
    ["mean(numbers=[37])", '{"result": 37.0}'],
    ["max_value(numbers=[37])", '{"result": 37}'],
    ["add(a=32.0, b=50)", '{"result": 82.0}'],
    ["subtract(a=2023, b=2023)", '{"result": 0}'],
    ["divide(a=8, b=1)", '{"result": 8.0}'],
    ["round_number(number=1)", '{"result": 1}'],
    ["round_number(number=30.0)", '{"result": 30.0}'],
    ["round_number(210.65)", '{"result": 211.0}'],
    ["round_number(number=2.675, decimal_places=2)", '{"result": 2.67}'],
    ["round_number(number=2.5, decimal_places=None)", '{"result": 2}'],
    ["round_number(number=2.5, decimal_places=1.0)", '{"error": "First input must be a number, second input must be an integer"}'],
    ["absolute_value(number=True)", '{"result": 1}'],
    // bigints and float layout
    ["power(base=10, exponent=64)", '{"result": 10000000000000000000000000000000000000000000000000000000000000000}'],
    ["power(base=100.0, exponent=-64)", '{"result": 1e-128}'],
    ["power(base=2, exponent=-1)", '{"result": 0.5}'],
    ["power(base=20, exponent=3.14159)", '{"result": 12226.518915288732}'],
    ["divide(a=0.1, b=2023)", '{"result": 4.9431537320810677e-05}'],
    ["divide(a=2023, b=1e+16)", '{"result": 2.023e-13}'],
    [
      "power(base=10, exponent=4300)",
      "Error during execution: Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
    ],
    ["power(base=10.0, exponent=400)", "Error during execution: (34, 'Numerical result out of range')"],
    ["power(base=0, exponent=-1)", "Error during execution: 0.0 cannot be raised to a negative power"],
    ["power(base=-8, exponent=0.5)", "{'result': (1.7319121124709868e-16+2.8284271247461903j)}"],
    ["power(base=-1e300, exponent=1.5)", "Error during execution: complex exponentiation"],
    [
      "mean(numbers=[10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000, 1])",
      "Error during execution: integer division result too large for a float",
    ],
    // float summation order and glibc pow in (x - mean) ** 2
    ["mean(numbers=[227.16,2.552,227.11, 227.09])", '{"result": 170.978}'],
    ["sum_values(numbers=[0.19, 1e-07, 310.11, 227.09])", '{"result": 537.3900001000001}'],
    ["standard_deviation(numbers=[100, 95, 85, 90, 88, 92])", '{"result": 4.85340659285368}'],
    ["standard_deviation(numbers=[452.15, 114.0, 193.1, 636.5])", '{"result": 207.86171296982522}'], // x*x would give ...252
    // unit tables
    ["si_unit_conversion(value=3, unit_in='nm', unit_out='um')", '{"result": 0.0030000000000000005}'],
    ["si_unit_conversion(value=5, unit_in='m', unit_out='m')", '{"result": 5.0}'],
    ["si_unit_conversion(value=1, unit_in='m', unit_out='nm')", '{"result": 999999999.9999999}'],
    ["si_unit_conversion(value=1, unit_in=['a'], unit_out='m')", "Error during execution: unhashable type: 'list'"],
    [
      "si_unit_conversion(value=420.0, unit_in='Rivermist.', unit_out=['a'])",
      `{"error": "Conversion from 'Rivermist.' to '['a']' is not supported"}`,
    ],
    ["imperial_si_conversion(value=100, unit_in='fahrenheit', unit_out='celsius')", '{"result": 37.77777777777778}'],
    ["imperial_si_conversion(value=5, unit_in=1, unit_out=1.0)", '{"result": 5}'],
    [
      "imperial_si_conversion(value=100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000, unit_in='m', unit_out='ft')",
      '{"error": "Conversion resulted in a value too large to represent"}',
    ],
    // mpmath logarithm: mpf/mpc reprs at the call's precision
    ["logarithm(value=36.0,base=6.0,precision=4)", "{'result': mpf('2.0')}"],
    ["logarithm(value=980.0, base=20, precision=10)", "{'result': mpf('2.299121531134')}"],
    ["logarithm(value=1000, base=10, precision=15)", "{'result': mpf('2.9999999999999996')}"],
    ["logarithm(value=420.0, base=10, precision=2.5)", "{'result': mpf('2.625')}"],
    ["logarithm(value=36.0, base=-5, precision=4)", "{'result': mpc(real='0.4628792', imag='-0.9035339')}"],
    ["logarithm(value=0, base=10, precision=5)", "{'result': mpf('-inf')}"],
    ["logarithm(value=5, base=1, precision=5)", '{"error": ""}'],
    ["logarithm(value='1/3', base=10, precision=8)", "{'result': mpf('-0.47712125489')}"],
    ["logarithm(value='Japan', base=10, precision=8)", `{"error": "'NoneType' object has no attribute 'group'"}`],
    ["logarithm(value=15400.0, base='abc', precision=2)", `{"error": "cannot create mpf from 'abc'"}`],
    [
      "logarithm(value=1500.0, base=10, precision=[1])",
      `{"error": "int() argument must be a string, a bytes-like object or a real number, not 'list'"}`,
    ],
    // Decimal square roots
    ["square_root(number=12.6, precision=10)", "{'result': Decimal('3.549647870')}"],
    ["square_root(number=25.0, precision=10)", "{'result': Decimal('5')}"],
    ["square_root(number=12321, precision=2)", "{'result': Decimal('1.1E+2')}"],
    ["square_root(number=1e-300, precision=5)", "{'result': Decimal('1.0000E-150')}"],
    ["square_root(number=-0.0, precision=5)", "{'result': Decimal('-0')}"],
    ["square_root(number=2, precision=0)", "Error during execution: valid range for prec is [1, MAX_PREC]"],
    ["square_root(number=2, precision='5')", '{"error": "Input must be a number or computation resulted in an invalid operation"}'],
    // Python semantics on non-numbers
    ["add(a='a', b='b')", '{"result": "ab"}'],
    ["subtract(a={1, 2}, b={2})", "{'result': {1}}"],
    ["min_value(numbers='hello')", '{"result": "e"}'],
    ["max_value(numbers=['x'])", '{"result": "x"}'],
    ["mean(numbers={1: 'a', 2: 'b'})", '{"result": 1.5}'],
    ["min_value(numbers=None)", '{"error": "Cannot find minimum of an empty list"}'],
    ["standard_deviation(numbers=5)", '{"error": "All elements in the list must be numbers"}'],
    ["divide(a=1, b=False)", '{"error": "Cannot divide by zero"}'],
    ["multiply(a=True, b=3)", '{"result": 3}'],
  ])("%s", (call, expected) => {
    expect(run(call)).toBe(expected);
  });

  it("is stateless: no compared attributes, configuration ignored", () => {
    const w = new World({ packs: [pack], initialConfig: new PyDict([["MathAPI", PyDict.from({ x: 1n })]]), longContext: true });
    expect(w.view("MathAPI")).toEqual([]);
    expect(pack.stateless).toBe(true);
  });
});

describe("messages", () => {
  it("standard and augmented catalogues share codes; hints differ from the reference texts", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    for (const code of Object.keys(standard)) {
      if (code === "precision_too_large") continue; // envtune's own text in both
      expect(augmented[code], code).not.toBe(standard[code]);
    }
  });

  it("augmented mode gives actionable texts for the same failures", () => {
    expect(run("divide(a=1, b=0)")).toBe('{"error": "Cannot divide by zero"}');
    expect(run("divide(a=1, b=0)", true)).toContain("divisor `b` is 0");
    expect(run("si_unit_conversion(value=1, unit_in='feet', unit_out='m')", true)).toContain("'km', 'm', 'cm', 'mm', 'um' and 'nm'");
    expect(run("imperial_si_conversion(value=1, unit_in='m', unit_out='mile')", true)).toContain("'km'/'miles'");
    expect(run("logarithm(value=5, base=1, precision=5)", true)).toContain("base` is 1");
    expect(run("mean(numbers=[])", true)).toContain("non-empty list");
    // results are unchanged
    expect(run("logarithm(value=20,base=10,precision=2)", true)).toBe("{'result': mpf('1.3027')}");
  });

  it("guards precisions CPython would grind on with envtune's own message", () => {
    expect(run("logarithm(value=2, base=10, precision=1000000)")).toBe(
      `{"error": "[envtune] [math] precision 1000000 is above envtune's limit of 20000 digits. Ask for fewer digits."}`,
    );
    expect(run("square_root(number=2, precision=1000000)")).toContain("limit of 50000 digits");
  });
});
