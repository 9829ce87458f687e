import { describe, expect, it } from "vitest";
import { decompose, floatParts } from "./float-bits.ts";

describe("floatParts / decompose", () => {
  it("gives the exact binary value of normal, subnormal and signed-zero doubles", () => {
    expect(floatParts(1)).toEqual({ sign: 0, mant: 1n << 52n, exp: -52 });
    expect(floatParts(-0.75)).toEqual({ sign: 1, mant: 3n << 51n, exp: -53 });
    expect(floatParts(5e-324)).toEqual({ sign: 0, mant: 1n, exp: -1074 });
    expect(floatParts(-0)).toEqual({ sign: 1, mant: 0n, exp: -1074 });
    expect(floatParts(Number.MAX_VALUE)).toEqual({ sign: 0, mant: (1n << 53n) - 1n, exp: 971 });
  });
  it("round-trips: m · 2^e is x", () => {
    for (const x of [1, -2.5, 0.1, 1e300, -3e-310, 123456.789]) {
      const [m, e] = decompose(x);
      // m < 2^53 and 2^e (e >= -1074) are both exact doubles, so the product is exact.
      const back = Number(m) * 2 ** e;
      expect(back).toBe(x);
    }
  });
});
