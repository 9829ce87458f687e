/**
 * Correctly rounded sin and cos of a double, for CPython's complex power (`(-8) ** 0.5`).
 * glibc's sin/cos are not bit-for-bit reproducible cheaply, but they are correctly rounded in all
 * but about 0.1% of cases, against a few percent for JavaScript's `Math.sin`/`Math.cos`.
 * Method: exact reduction of x modulo pi/2 with enough bits of pi, then Taylor series in
 * fixed point with more than 100 guard bits, then one rounding to the nearest double.
 */
import { decompose } from "./float-bits.ts";
import { roundBigToDouble } from "./libm.ts";
import { piFixed } from "./mpmath.ts";

/** sin and cos of r / 2^L for |r| <= ~pi/4 * 2^L, in the same fixed point. */
function sinCosFixed(r: bigint, L: number): [bigint, bigint] {
  const P = BigInt(L);
  const r2 = (r * r) >> P;
  // sin: r - r^3/3! + ...; cos: 1 - r^2/2! + ...
  let s = r;
  let term = r;
  let k = 1n;
  while (term !== 0n) {
    term = -((term * r2) >> P) / ((k + 1n) * (k + 2n));
    s += term;
    k += 2n;
  }
  let c = 1n << P;
  term = c;
  k = 0n;
  while (term !== 0n) {
    term = -((term * r2) >> P) / ((k + 1n) * (k + 2n));
    c += term;
    k += 2n;
  }
  return [s, c];
}

/** [sin(x), cos(x)], each correctly rounded (up to a negligible chance near rounding ties). */
export function sinCos(x: number): [number, number] {
  if (!Number.isFinite(x)) return [NaN, NaN];
  if (Math.abs(x) < 2 ** -27) return [x, 1];
  const [m, e] = decompose(x);
  const extra = Math.max(0, e + 53);
  const L = Math.max(0, -e) + 140 + extra;
  const halfPi = piFixed(L) >> 1n;
  const X = m << BigInt(L + e);
  // k = round(X / halfPi)
  let k = X / halfPi;
  let R = X - k * halfPi;
  if (2n * R > halfPi) {
    k += 1n;
    R -= halfPi;
  } else if (2n * R < -halfPi) {
    k -= 1n;
    R += halfPi;
  }
  const [s, c] = sinCosFixed(R, L);
  const q = Number(((k % 4n) + 4n) % 4n);
  const sinF = q === 0 ? s : q === 1 ? c : q === 2 ? -s : -c;
  const cosF = q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
  return [roundBigToDouble(sinF, -L), roundBigToDouble(cosF, -L)];
}
