import { readFileSync } from "node:fs";
import { PyException } from "@envtune/core/py";
import { describe, expect, it } from "vitest";
import { decFromNumber, decSqrt, decToString } from "./decimal.ts";
import { fma, glibcPow, roundBigToDouble } from "./libm.ts";
import { dpsToPrec, fromFloat, fromInt, mpfDiv, mpfLog, reprDps, toStr } from "./mpmath.ts";
import { PyComplex, floatPow } from "./pyops.ts";
import { sinCos } from "./trig.ts";

/** Python `float.fromhex` for the `float.hex()` strings of the fixtures (exact). */
function fromHex(s: string): number {
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  if (s === "nan") return NaN;
  const m = /^(-?)0x([01])\.([0-9a-f]*)p([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`bad hex float ${s}`);
  const frac = m[3] ?? "";
  const mant = BigInt("0x" + m[2] + frac);
  const v = roundBigToDouble(mant, Number(m[4]) - 4 * frac.length);
  return m[1] ? -v : v;
}

describe("glibc pow", () => {
  // 1500 pairs over the whole double range (random bit patterns, subnormals, huge y near 1,
  // squares of 27-bit integers, negative bases with integral exponents) and CPython's result.
  const rows = JSON.parse(readFileSync(new URL("./__fixtures__/glibc-pow.json", import.meta.url), "utf8")) as Array<
    [string, string, string]
  >;

  it("matches CPython's float ** on every fixture pair", () => {
    const bad: string[] = [];
    for (const [xs, ys, rs] of rows) {
      const x = fromHex(xs);
      const y = fromHex(ys);
      let got: string;
      try {
        const r = floatPow(x, y);
        got = r instanceof PyComplex ? "complex" : Object.is(r, -0) ? "-0x0.0p+0" : r === 0 ? "0x0.0p+0" : String(r);
        if (!(r instanceof PyComplex)) {
          const want = rs.startsWith("0x") || rs.startsWith("-0x") || rs === "inf" || rs === "-inf" || rs === "nan" ? fromHex(rs) : rs;
          if (typeof want === "number" ? !Object.is(r, want) && !(r !== r && want !== want) : true)
            bad.push(`${x} ** ${y}: ${got} vs ${rs}`);
        }
      } catch (e) {
        got = e instanceof PyException ? e.pyType : String(e);
        if (got !== rs) bad.push(`${x} ** ${y}: ${got} vs ${rs}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("rounds exact ties the way glibc does, not to even", () => {
    expect(glibcPow(115569177, 2).value).toBe(13356234672457330);
    expect(115569177 * 115569177).toBe(13356234672457328);
  });

  it("reports overflow like errno ERANGE", () => {
    expect(glibcPow(10, 400)).toEqual({ value: Infinity, errno: "ERANGE" });
    expect(() => floatPow(10, 400)).toThrow("(34, 'Numerical result out of range')");
  });
});

describe("exact helpers", () => {
  it("fma rounds once", () => {
    const a = 1 + 2 ** -30;
    expect(fma(a, a, -(1 + 2 ** -29))).toBe(2 ** -60);
    expect(fma(2, 3, 4)).toBe(10);
    expect(fma(1e308, 10, -Infinity)).toBe(-Infinity);
  });

  it("roundBigToDouble handles ties, subnormals and overflow", () => {
    expect(roundBigToDouble((1n << 53n) + 1n, 0)).toBe(2 ** 53);
    expect(roundBigToDouble((1n << 53n) + 3n, 0)).toBe(2 ** 53 + 4);
    expect(roundBigToDouble(3n, -1076)).toBe(5e-324); // 0.75 * 2^-1074 rounds up to the smallest subnormal
    expect(roundBigToDouble(1n, 1024)).toBe(Infinity);
  });

  it("sinCos is correctly rounded (glibc agrees in all but ~0.1% of arguments)", () => {
    expect(sinCos(Math.PI * 0.5)).toEqual([1, 6.123233995736766e-17]);
    expect(sinCos(1e22)).toEqual([-0.8522008497671888, 0.523214785395139]);
    expect(sinCos(1e-30)).toEqual([1e-30, 1]);
  });
});

describe("mpmath port", () => {
  it("maps dps to bits and back like mpmath", () => {
    expect(dpsToPrec(15n)).toBe(53);
    expect(dpsToPrec(0n)).toBe(3);
    expect(dpsToPrec(-7n)).toBe(1);
    expect(dpsToPrec(2n)).toBe(10);
    expect(reprDps(53)).toBe(17);
    expect(reprDps(10)).toBe(5);
  });

  it("prints like mpf.__repr__", () => {
    const q = (v: number, b: number, dps: bigint) => {
      const prec = dpsToPrec(dps);
      return toStr(mpfDiv(mpfLog(fromFloat(v), prec, "n"), mpfLog(fromFloat(b), prec, "n"), prec, "n"), reprDps(prec));
    };
    expect(q(20, 10, 2n)).toBe("1.3027");
    expect(q(980, 20, 10n)).toBe("2.299121531134");
    expect(q(36, 6, 4n)).toBe("2.0");
    expect(q(1e-300, 10, 15n)).toBe("-299.99999999999994");
    expect(toStr(fromInt(10n ** 30n), 17)).toBe("1.0e+30");
    expect(toStr(fromFloat(1e-7), 17)).toBe("9.9999999999999995e-8");
  });
});

describe("decimal port", () => {
  const sqrt = (x: number | bigint, prec: number) => decToString(decSqrt(decFromNumber(x), prec));
  it("is exact from floats and correctly rounded", () => {
    expect(decToString(decFromNumber(0.1))).toBe("0.1000000000000000055511151231257827021181583404541015625");
    expect(sqrt(2023, 5)).toBe("44.978");
    expect(sqrt(1, 4)).toBe("1");
    expect(sqrt(100, 1)).toBe("1E+1");
    expect(sqrt(1e300, 5)).toBe("1.0000E+150");
    expect(sqrt(1e-7, 30)).toBe("0.000316227766016837926044937601771");
    expect(sqrt(0, 200)).toBe("0");
    expect(sqrt(Infinity, 3)).toBe("Infinity");
    expect(sqrt(NaN, 3)).toBe("NaN");
  });
});
