/**
 * Bit-exact double-precision `pow` of glibc (>= 2.28, x86-64 FMA variant), which CPython's `float ** float`
 * calls on Linux. JavaScript's `Math.pow` differs from it in the last bit for about 7% of random inputs
 * (and glibc does not round exact ties to even: `115569177.0 ** 2` is `13356234672457330`, not `x * x`),
 * so `power()` and `standard_deviation()` (`(x - mean) ** 2`) need the very same algorithm: ARM's
 * optimized-routines `pow` (log in ~68 bits with a 128-entry table, then exp with a 128-entry table),
 * evaluated with the fused multiply-adds the FMA build contracts to.
 */
import {
  EXP_INVLN2N,
  EXP_NEGLN2HIN,
  EXP_NEGLN2LON,
  EXP_POLY,
  EXP_SHIFT,
  EXP_TAB_HEX,
  POW_LN2HI,
  POW_LN2LO,
  POW_LOG_POLY,
  POW_LOG_TAB,
} from "./libm-data.ts";
import { decompose } from "./float-bits.ts";

const buf = new DataView(new ArrayBuffer(8));
const MASK64 = (1n << 64n) - 1n;

export function asUint64(x: number): bigint {
  buf.setFloat64(0, x);
  return buf.getBigUint64(0);
}
export function asDouble(bits: bigint): number {
  buf.setBigUint64(0, bits & MASK64);
  return buf.getFloat64(0);
}

// ---------------------------------------------------------------------------------------------
// Exact fused multiply-add

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Scales an exactly representable x * 2^k without intermediate under/overflow. */
function ldexpExact(x: number, k: number): number {
  while (k > 1000) {
    x *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    x *= 2 ** -1000;
    k += 1000;
  }
  return x * 2 ** k;
}

/** The double nearest to s * 2^e (ties to even), with IEEE overflow and gradual underflow. */
export function roundBigToDouble(s: bigint, e: number): number {
  if (s === 0n) return 0;
  const neg = s < 0n;
  let m = neg ? -s : s;
  const bl = bitLength(m);
  // Bits the result may keep: 53, fewer in the subnormal range (lowest bit weight 2^-1074).
  let keep = 53;
  const top = e + bl - 1;
  if (top < -1022) keep = 53 - (-1022 - top);
  const drop = bl - Math.max(keep, 0);
  if (drop > 0) {
    const d = BigInt(drop);
    const q = m >> d;
    const rem = m - (q << d);
    const half = 1n << (d - 1n);
    m = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    e += drop;
  }
  const r = ldexpExact(Number(m), e);
  return neg ? -r : r;
}

const SPLIT = 134217729; // 2^27 + 1

/** Dekker's exact product: a * b = p + err when no over/underflow happens. */
function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}

/** IEEE fused multiply-add: a * b + c rounded once. */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return p + c;
  if (!Number.isFinite(c)) return c; // the exact product is finite
  if (a === 0 || b === 0) return p + c;
  const ap = Math.abs(p);
  if (ap > 2 ** -900 && ap < 2 ** 1000) {
    const err = twoProductErr(a, b, p);
    if (err === 0) return p + c;
    if (c === 0) return p;
  }
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  let mp = ma * mb;
  let ep = ea + eb;
  if (c === 0) return roundBigToDouble(mp, ep);
  const [mc0, ec] = decompose(c);
  let mc = mc0;
  if (ep > ec) {
    mp <<= BigInt(ep - ec);
    ep = ec;
  } else if (ec > ep) {
    mc <<= BigInt(ec - ep);
  }
  const sum = mp + mc;
  if (sum === 0n) return 0;
  return roundBigToDouble(sum, ep);
}

// ---------------------------------------------------------------------------------------------
// pow

/** Exp table as doubles (tail) and as bit patterns (scale). */
const EXP_T_TAIL = new Float64Array(128);
const EXP_T_SBITS: bigint[] = [];
for (let k = 0; k < 128; k++) {
  EXP_T_TAIL[k] = asDouble(BigInt("0x" + EXP_TAB_HEX[2 * k]!));
  EXP_T_SBITS.push(BigInt("0x" + EXP_TAB_HEX[2 * k + 1]!));
}
const [A0, A1, A2, A3, A4, A5, A6] = POW_LOG_POLY as [number, number, number, number, number, number, number];
const [C2, C3, C4, C5] = EXP_POLY as [number, number, number, number];
const OFF = 0x3fe6955500000000n;
const SIGN_BIAS = 0x800n << 7n;
const ASUINT_ONE = 0x3ff0000000000000n;
const ASUINT_INF = 0x7ff0000000000000n;

/** Result of {@link glibcPow}: the double, or the errno CPython turns into an exception. */
export type PowOutcome = { value: number; errno?: "ERANGE" | "EDOM" };

function logInline(ix: bigint): [number, number] {
  const tmp = (ix - OFF) & MASK64;
  const i = Number((tmp >> 45n) & 127n);
  const k = Number(BigInt.asIntN(64, tmp) >> 52n);
  const iz = (ix - (tmp & (0xfffn << 52n))) & MASK64;
  const z = asDouble(iz);
  const kd = k;
  const invc = POW_LOG_TAB[3 * i]!;
  const logc = POW_LOG_TAB[3 * i + 1]!;
  const logctail = POW_LOG_TAB[3 * i + 2]!;
  const r = fma(z, invc, -1.0);
  const t1 = fma(kd, POW_LN2HI, logc);
  const t2 = t1 + r;
  const lo1 = fma(kd, POW_LN2LO, logctail);
  const lo2 = t1 - t2 + r;
  const ar = A0 * r;
  const ar2 = r * ar;
  const ar3 = r * ar2;
  const hi = t2 + ar2;
  const lo3 = fma(ar, r, -ar2);
  const lo4 = t2 - hi + ar2;
  const q = fma(ar2, fma(ar2, fma(r, A6, A5), fma(r, A4, A3)), fma(r, A2, A1));
  const lo = fma(ar3, q, lo1 + lo2 + lo3 + lo4);
  const y = hi + lo;
  return [y, hi - y + lo];
}

function top12(x: number): number {
  buf.setFloat64(0, x);
  return buf.getUint32(0) >>> 20;
}

function specialCase(tmp: number, sbits: bigint, ki: bigint): PowOutcome {
  if ((ki & 0x80000000n) === 0n) {
    // k > 0: the exponent of scale may have overflowed by <= 460.
    const scale = asDouble(sbits - (1009n << 52n));
    const y = fma(scale, tmp, scale) * 2 ** 1009;
    return Number.isFinite(y) ? { value: y } : { value: y, errno: "ERANGE" };
  }
  // k < 0: round once more in the subnormal range.
  sbits = (sbits + (1022n << 52n)) & MASK64;
  const scale = asDouble(sbits);
  // `scale * tmp` is shared with the block below, so the compiler keeps it as a separate product.
  const st = scale * tmp;
  let y = scale + st;
  if (Math.abs(y) < 1.0) {
    const one = y < 0.0 ? -1.0 : 1.0;
    let lo = scale - y + st;
    const hi = one + y;
    lo = one - hi + y + lo;
    y = hi + lo - one;
    if (y === 0) y = sbits >> 63n ? -0 : 0;
  }
  y = 2 ** -1022 * y;
  return y === 0 ? { value: y, errno: "ERANGE" } : { value: y };
}

function expInline(x: number, xtail: number, signBias: bigint): PowOutcome {
  let abstop = top12(x) & 0x7ff;
  const TOP_SMALL = 0x3c9; // top12(0x1p-54)
  const TOP_512 = 0x408;
  if ((abstop - TOP_SMALL) >>> 0 >= TOP_512 - TOP_SMALL) {
    if (abstop - TOP_SMALL < 0) {
      const one = 1.0 + x;
      return { value: signBias ? -one : one };
    }
    if (abstop >= 0x409) {
      // top12(1024.0)
      const neg = signBias !== 0n;
      if (x < 0) return { value: neg ? -0 : 0, errno: "ERANGE" };
      return { value: neg ? -Infinity : Infinity, errno: "ERANGE" };
    }
    abstop = 0;
  }
  let kd = fma(EXP_INVLN2N, x, EXP_SHIFT);
  const ki = asUint64(kd);
  kd -= EXP_SHIFT;
  let r = fma(kd, EXP_NEGLN2LON, fma(kd, EXP_NEGLN2HIN, x));
  r += xtail;
  const idx = Number(ki & 127n);
  const top = ((ki + signBias) << 45n) & MASK64;
  const tail = EXP_T_TAIL[idx]!;
  const sbits = (EXP_T_SBITS[idx]! + top) & MASK64;
  const r2 = r * r;
  const tmp = fma(r2 * r2, fma(r, C5, C4), fma(r2, fma(r, C3, C2), tail + r));
  if (abstop === 0) return specialCase(tmp, sbits, ki);
  const scale = asDouble(sbits);
  return { value: fma(scale, tmp, scale) };
}

/** 0 when not an integer, 1 odd integer, 2 even integer (bit pattern of a finite nonzero double). */
function checkint(iy: bigint): number {
  const e = Number((iy >> 52n) & 0x7ffn);
  if (e < 0x3ff) return 0;
  if (e > 0x3ff + 52) return 2;
  const sh = BigInt(0x3ff + 52 - e);
  if (iy & ((1n << sh) - 1n)) return 0;
  if (iy & (1n << sh)) return 1;
  return 2;
}

const zeroinfnan = (i: bigint): boolean => ((2n * i - 1n) & MASK64) >= 2n * ASUINT_INF - 1n;

/**
 * glibc `pow(x, y)` with its errno: `ERANGE` on overflow (and on underflow to zero, which CPython
 * ignores), `EDOM` for a negative finite x with a non-integer y.
 */
export function glibcPow(x: number, y: number): PowOutcome {
  let signBias = 0n;
  let ix = asUint64(x);
  const iy = asUint64(y);
  let topx = Number(ix >> 52n);
  const topy = Number(iy >> 52n);
  if ((topx - 0x001) >>> 0 >= 0x7ff - 0x001 || ((topy & 0x7ff) - 0x3be) >>> 0 >= 0x43e - 0x3be) {
    if (zeroinfnan(iy)) {
      if (((2n * iy) & MASK64) === 0n) return { value: 1.0 };
      if (ix === ASUINT_ONE) return { value: 1.0 };
      if (((2n * ix) & MASK64) > 2n * ASUINT_INF || ((2n * iy) & MASK64) > 2n * ASUINT_INF) return { value: x + y };
      if (((2n * ix) & MASK64) === 2n * ASUINT_ONE) return { value: 1.0 };
      if (((2n * ix) & MASK64) < 2n * ASUINT_ONE === !(iy >> 63n)) return { value: 0.0 };
      return { value: y * y };
    }
    if (zeroinfnan(ix)) {
      let x2 = x * x;
      if (ix >> 63n && checkint(iy) === 1) x2 = -x2;
      if (((2n * ix) & MASK64) === 0n && iy >> 63n) return { value: 1 / x2, errno: "ERANGE" };
      return { value: iy >> 63n ? 1 / x2 : x2 };
    }
    if (ix >> 63n) {
      const yint = checkint(iy);
      if (yint === 0) return { value: NaN, errno: "EDOM" };
      if (yint === 1) signBias = SIGN_BIAS;
      ix &= 0x7fffffffffffffffn;
      topx &= 0x7ff;
    }
    if (((topy & 0x7ff) - 0x3be) >>> 0 >= 0x43e - 0x3be) {
      if (ix === ASUINT_ONE) return { value: 1.0 };
      if ((topy & 0x7ff) < 0x3be) return { value: ix > ASUINT_ONE ? 1.0 + y : 1.0 - y };
      const over = ix > ASUINT_ONE === topy < 0x800;
      return over ? { value: Infinity, errno: "ERANGE" } : { value: 0, errno: "ERANGE" };
    }
    if (topx === 0) {
      ix = asUint64(x * 2 ** 52) & 0x7fffffffffffffffn;
      ix = (ix - (52n << 52n)) & MASK64;
    }
  }
  const [hi, lo] = logInline(ix);
  const ehi = y * hi;
  const elo = fma(y, lo, fma(y, hi, -ehi));
  return expInline(ehi, elo, signBias);
}
