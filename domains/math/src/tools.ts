/**
 * The 17 MathAPI tools. Each body mirrors its Python method statement by statement: the same
 * checks in the same order, the same operators (with CPython's coercions and exceptions), and the
 * same exceptions caught (`except TypeError` in most, `except Exception` in `logarithm`,
 * `except OverflowError` in the conversions); everything else propagates as a `PyException`.
 */
import type { ToolContext, ToolDef } from "@envtune/core/domain";
import {
  PyDict,
  PyException,
  pyEquals,
  pyIntFromFloat,
  pyIntFromStr,
  pyMax,
  pyMin,
  pyRichCompare,
  pyRound,
  pyStr,
  pyTrueDiv,
  pyTypeName,
  toFloat,
  type PyValue,
} from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import { PyDecimal, decFromNumber, decSqrt, decimalPrecision } from "./decimal.ts";
import { dpsToPrec, logQuotient } from "./mpmath.ts";
import { abs, add, floatPow, isIntOrFloat, iterate, length, mul, pow, sub, sum, truthy } from "./pyops.ts";
import type { MathState } from "./state.ts";

/** envtune's limits where CPython would grind for minutes (documented deviation). */
export const MAX_LOG_DPS = 20_000;
export const MAX_SQRT_PREC = 50_000;

const ok = (v: PyValue): PyDict => PyDict.from({ result: v });
const err = (ctx: ToolContext, code: string, vars?: Record<string, string>): PyDict => PyDict.from({ error: ctx.msg(code, vars) });

/** Runs `body`, turning a Python exception of type `caught` into the tool's error dict. */
function catching(caught: string, onError: () => PyDict, body: () => PyValue): PyValue {
  try {
    return body();
  } catch (e) {
    if (e instanceof PyException && e.pyType === caught) return onError();
    throw e;
  }
}

/** Python `int(x)` as `mp.dps = x` applies it. */
function pyInt(x: PyValue): bigint {
  if (typeof x === "bigint" || typeof x === "boolean" || typeof x === "number") return pyIntFromFloat(x);
  if (typeof x === "string") return pyIntFromStr(x);
  throw new PyException("TypeError", `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(x)}'`);
}

/** Python `round(number, ndigits)`. */
function pyRoundCall(number: PyValue, ndigits: PyValue): PyValue {
  if (!(typeof number === "bigint" || typeof number === "number" || typeof number === "boolean")) {
    throw new PyException("TypeError", `type ${pyTypeName(number)} doesn't define __round__ method`);
  }
  if (ndigits === null) return pyRound(number);
  if (typeof ndigits !== "bigint" && typeof ndigits !== "boolean") {
    throw new PyException("TypeError", `'${pyTypeName(ndigits)}' object cannot be interpreted as an integer`);
  }
  const nd = typeof ndigits === "boolean" ? (ndigits ? 1n : 0n) : ndigits;
  if (typeof number !== "number" && nd < 0n) {
    // int.__round__ with more negative digits than the number has: always 0 (and 10**-nd may be huge).
    const n = typeof number === "boolean" ? (number ? 1n : 0n) : number;
    if (-nd > BigInt((n < 0n ? -n : n).toString().length + 1)) return 0n;
  }
  return pyRound(number, nd);
}

const TO_METERS = new PyDict([
  ["km", 1000n],
  ["m", 1n],
  ["cm", 0.01],
  ["mm", 0.001],
  ["um", 1e-6],
  ["nm", 1e-9],
]);
// {unit: 1 / factor}: true division, so every entry is a float (1 / 1e-9 == 999999999.9999999).
const FROM_METERS = new PyDict([...TO_METERS.entries()].map(([k, f]) => [k, 1 / Number(f)] as [PyValue, PyValue]));

const IMPERIAL = new Map<string, number>([
  ["cm_to_in", 0.393701],
  ["in_to_cm", 2.54],
  ["m_to_ft", 3.28084],
  ["ft_to_m", 0.3048],
  ["m_to_yd", 1.09361],
  ["yd_to_m", 0.9144],
  ["km_to_miles", 0.621371],
  ["miles_to_km", 1.60934],
  ["kg_to_lb", 2.20462],
  ["lb_to_kg", 0.453592],
  ["celsius_to_fahrenheit", 1.8],
  ["fahrenheit_to_celsius", 5 / 9],
]);

type Num = bigint | number | boolean;

/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<MathState>();

export const tools: ToolDef<MathState>[] = [
  tool({
    name: "absolute_value",
    params: [{ name: "number" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "abs_not_number"),
        () => ok(abs(a.number)),
      );
    },
  }),
  tool({
    name: "add",
    params: [{ name: "a" }, { name: "b" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "inputs_not_numbers"),
        () => ok(add(a.a, a.b)),
      );
    },
  }),
  tool({
    name: "divide",
    params: [{ name: "a" }, { name: "b" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "inputs_not_numbers"),
        () => {
          if (pyEquals(a.b, 0n)) return err(ctx, "divide_by_zero");
          return ok(pyTrueDiv(a.a, a.b));
        },
      );
    },
  }),
  tool({
    name: "imperial_si_conversion",
    params: [{ name: "value" }, { name: "unit_in" }, { name: "unit_out" }],
    run(_s, a, ctx) {
      const value = a.value;
      const unitIn = a.unit_in;
      const unitOut = a.unit_out;
      if (!isIntOrFloat(value)) return err(ctx, "value_not_number");
      if (pyEquals(unitIn, unitOut)) return ok(value);
      const inText = pyStr(unitIn);
      const outText = pyStr(unitOut);
      const factor = IMPERIAL.get(`${inText}_to_${outText}`);
      if (factor === undefined) return err(ctx, "imperial_unsupported", { unit_in: inText, unit_out: outText });
      return catching(
        "OverflowError",
        () => err(ctx, "conversion_overflow"),
        () => {
          if (unitIn === "celsius" && unitOut === "fahrenheit") return ok(add(mul(value, factor), 32n));
          if (unitIn === "fahrenheit" && unitOut === "celsius") return ok(mul(sub(value, 32n) as Num, factor));
          return ok(mul(value, factor));
        },
      );
    },
  }),
  tool({
    name: "logarithm",
    params: [{ name: "value" }, { name: "base" }, { name: "precision" }],
    run(_s, a, ctx) {
      try {
        // mp.dps = precision: int() of it, then the bit precision mpmath derives from it.
        const dps = pyInt(a.precision);
        const prec = dpsToPrec(dps);
        if (dps > BigInt(MAX_LOG_DPS)) {
          return err(ctx, "precision_too_large", { precision: dps.toString(), limit: String(MAX_LOG_DPS) });
        }
        return ok(logQuotient(a.value, a.base, prec));
      } catch (e) {
        if (!(e instanceof PyException)) throw e;
        const code = e.pyType === "ZeroDivisionError" ? "logarithm_division_by_zero" : "logarithm_failed";
        return err(ctx, code, { detail: e.message });
      }
    },
  }),
  tool({
    name: "max_value",
    params: [{ name: "numbers" }],
    run(_s, a, ctx) {
      if (!truthy(a.numbers)) return err(ctx, "max_empty");
      return catching(
        "TypeError",
        () => err(ctx, "numbers_not_numeric"),
        () => ok(pyMax(iterate(a.numbers))),
      );
    },
  }),
  tool({
    name: "mean",
    params: [{ name: "numbers" }],
    run(_s, a, ctx) {
      const numbers = a.numbers;
      if (!truthy(numbers)) return err(ctx, "mean_empty");
      return catching(
        "TypeError",
        () => err(ctx, "numbers_not_numeric"),
        () => {
          const total = sum(iterate(numbers));
          return ok(pyTrueDiv(total, BigInt(length(numbers))));
        },
      );
    },
  }),
  tool({
    name: "min_value",
    params: [{ name: "numbers" }],
    run(_s, a, ctx) {
      if (!truthy(a.numbers)) return err(ctx, "min_empty");
      return catching(
        "TypeError",
        () => err(ctx, "numbers_not_numeric"),
        () => ok(pyMin(iterate(a.numbers))),
      );
    },
  }),
  tool({
    name: "multiply",
    params: [{ name: "a" }, { name: "b" }],
    run(_s, a, ctx) {
      const x = a.a;
      const y = a.b;
      if (!isIntOrFloat(x) || !isIntOrFloat(y)) return err(ctx, "inputs_not_numbers");
      return ok(mul(x, y));
    },
  }),
  tool({
    name: "percentage",
    params: [{ name: "part" }, { name: "whole" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "inputs_not_numbers"),
        () => {
          if (pyEquals(a.whole, 0n)) return err(ctx, "whole_zero");
          return ok(pyTrueDiv(a.part, a.whole) * 100);
        },
      );
    },
  }),
  tool({
    name: "power",
    params: [{ name: "base" }, { name: "exponent" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "inputs_not_numbers"),
        () => ok(pow(a.base, a.exponent)),
      );
    },
  }),
  tool({
    name: "round_number",
    params: [{ name: "number" }, { name: "decimal_places", default: 0n }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "round_invalid"),
        () => ok(pyRoundCall(a.number, a.decimal_places)),
      );
    },
  }),
  tool({
    name: "si_unit_conversion",
    params: [{ name: "value" }, { name: "unit_in" }, { name: "unit_out" }],
    run(_s, a, ctx) {
      const value = a.value;
      const unitIn = a.unit_in;
      const unitOut = a.unit_out;
      if (!isIntOrFloat(value)) return err(ctx, "value_not_number");
      // `unit_in not in to_meters or unit_out not in from_meters`: unhashable units raise TypeError.
      if (!TO_METERS.has(unitIn) || !FROM_METERS.has(unitOut)) {
        return err(ctx, "si_unsupported", { unit_in: pyStr(unitIn), unit_out: pyStr(unitOut) });
      }
      return catching(
        "OverflowError",
        () => err(ctx, "conversion_overflow"),
        () => {
          const inMeters = mul(value, TO_METERS.get(unitIn) as Num);
          return ok(mul(inMeters, FROM_METERS.get(unitOut) as Num));
        },
      );
    },
  }),
  tool({
    name: "square_root",
    params: [{ name: "number" }, { name: "precision" }],
    run(_s, a, ctx) {
      const number = a.number;
      return catching(
        "TypeError",
        () => err(ctx, "sqrt_invalid"),
        () => {
          if (pyRichCompare(number, 0n, "<")) return err(ctx, "sqrt_negative");
          const prec = decimalPrecision(a.precision);
          if (prec > BigInt(MAX_SQRT_PREC)) {
            return err(ctx, "precision_too_large", { precision: prec.toString(), limit: String(MAX_SQRT_PREC) });
          }
          // `number < 0` succeeded, so number is an int, bool or float here.
          return ok(new PyDecimal(decSqrt(decFromNumber(number as Num), Number(prec))));
        },
      );
    },
  }),
  tool({
    name: "standard_deviation",
    params: [{ name: "numbers" }],
    run(_s, a, ctx) {
      const numbers = a.numbers;
      if (!truthy(numbers)) return err(ctx, "std_empty");
      return catching(
        "TypeError",
        () => err(ctx, "numbers_not_numeric"),
        () => {
          const items = iterate(numbers);
          const n = BigInt(length(numbers));
          const mean = pyTrueDiv(sum(items), n);
          let squares: PyValue = 0n;
          for (const x of items) {
            const d = sub(x, mean) as number;
            squares = add(squares, floatPow(d, 2));
          }
          return ok(Math.sqrt(toFloat(pyTrueDiv(squares, n))));
        },
      );
    },
  }),
  tool({
    name: "subtract",
    params: [{ name: "a" }, { name: "b" }],
    run(_s, a, ctx) {
      return catching(
        "TypeError",
        () => err(ctx, "inputs_not_numbers"),
        () => ok(sub(a.a, a.b)),
      );
    },
  }),
  tool({
    name: "sum_values",
    params: [{ name: "numbers" }],
    run(_s, a, ctx) {
      if (!truthy(a.numbers)) return err(ctx, "sum_empty");
      return catching(
        "TypeError",
        () => err(ctx, "numbers_not_numeric"),
        () => ok(sum(iterate(a.numbers))),
      );
    },
  }),
];
