/** The exact binary value of a double, shared by the pack's libm, trig, mpmath and decimal ports. */

const f64 = new DataView(new ArrayBuffer(8));

/**
 * A finite double as `(-1)^sign · mant · 2^exp` with an integer `mant` (53 bits for normal
 * numbers, fewer for subnormals, 0 for ±0; `sign` keeps -0 apart from 0).
 */
export function floatParts(x: number): { sign: 0 | 1; mant: bigint; exp: number } {
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const sign = (hi >>> 31) as 0 | 1;
  return biased === 0 ? { sign, mant: frac, exp: -1074 } : { sign, mant: frac | (1n << 52n), exp: biased - 1075 };
}

/** A finite double as `[m, e]` with `x = m · 2^e`, the sign in `m`. */
export function decompose(x: number): [bigint, number] {
  const p = floatParts(x);
  return [p.sign ? -p.mant : p.mant, p.exp];
}
