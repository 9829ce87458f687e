/**
 * The slice of mpmath 1.3.0 (pure-Python backend) that `MathAPI.logarithm` reaches:
 * `mp.dps = precision; mpmath.log(value) / mpmath.log(base)` and the repr of the result.
 *
 * Results must match digit for digit, so the algorithms are mpmath's own, on raw
 * `(sign, man, exp, bc)` tuples with the same rounding steps: exact conversion of ints and floats,
 * `mpf_log` (Taylor series with cached `log(a)` values up to 2500 bits, AGM above), `mpf_div`
 * rounded once, `mpc` results for negative arguments, and `to_str(x, repr_dps(prec))`.
 * Where mpmath's result depends on process history (memoised constants, cache contents) or on
 * CPython's float `**`, the port uses the same fixed-point integers up to the last bits, which the
 * 20+ guard bits of every function keep out of the printed digits.
 */
import { PyException, pyFloatFromStr, pyIntFromStr, pyLower, pyRepr, pyStrip, type PyObject, type PyValue } from "@envtune/core/py";
import { decompose } from "./float-bits.ts";
import { glibcPow } from "./libm.ts";

/** A raw mpf: `(-1)**sign * man * 2**exp`, `man` odd (normalized), `bc` = bit count of `man`. */
export type Mpf = readonly [sign: number, man: bigint, exp: number, bc: number];
/** Rounding modes: nearest, floor, ceiling, up (away from 0), down (toward 0). */
export type Rnd = "n" | "f" | "c" | "u" | "d";

export const fzero: Mpf = [0, 0n, 0, 0];
export const fone: Mpf = [0, 1n, 0, 1];
export const fnone: Mpf = [1, 1n, 0, 1];
export const ften: Mpf = [0, 5n, 1, 3];
export const fnan: Mpf = [0, 0n, -123, -1];
export const finf: Mpf = [0, 0n, -456, -2];
export const fninf: Mpf = [1, 0n, -789, -3];

const ROUND_FAST: Rnd = "d";

export function mpfEq(s: Mpf, t: Mpf): boolean {
  return s[0] === t[0] && s[1] === t[1] && s[2] === t[2] && s[3] === t[3];
}

// ---------------------------------------------------------------------------------------------
// Integer helpers

/** Number of bits of a nonnegative bigint. */
export function bitcount(n: bigint): number {
  if (n < 0x100000000n) return n === 0n ? 0 : 32 - Math.clz32(Number(n));
  const s = n.toString(16);
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0]!, 16)));
}

function trailing(n: bigint): number {
  if (n === 0n) return 0;
  let t = 0;
  while ((n & 0xffffffffn) === 0n) {
    n >>= 32n;
    t += 32;
  }
  const lo = Number(n & 0xffffffffn);
  return t + (31 - Math.clz32(lo & -lo));
}

/** Python's `//` for bigints (floor division). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

const shl = (x: bigint, n: number): bigint => (n >= 0 ? x << BigInt(n) : x >> BigInt(-n));

const B2_100 = 1n << 100n;
const B2_200 = 1n << 200n;
const B2_400 = 1n << 400n;
const B2_800 = 1n << 800n;

/** CPython `float ** float` for the positive finite operands mpmath's integer square root uses. */
function pyPowPos(x: number, y: number): number {
  if (x === 0) return y < 0 ? Infinity : 0;
  if (x === 1) return 1;
  return glibcPow(x, y).value;
}

/** mpmath `giant_steps(start, target)`: precisions for a quadratically convergent iteration. */
function giantSteps(start: number, target: number): number[] {
  const L = [target];
  while (L[L.length - 1]! > start * 2) L.push(Math.floor(L[L.length - 1]! / 2) + 2);
  return L.reverse();
}

/**
 * mpmath `isqrt_fast_python`: approximate floor square root (float start, Newton steps),
 * reproduced with CPython's float arithmetic so the fixed-point values match bit for bit.
 */
export function isqrtFast(x: bigint): bigint {
  if (x < B2_800) {
    let y = BigInt(Math.trunc(pyPowPos(Number(x), 0.5)));
    if (x >= B2_100) {
      y = (y + x / y) >> 1n;
      if (x >= B2_200) {
        y = (y + x / y) >> 1n;
        if (x >= B2_400) y = (y + x / y) >> 1n;
      }
    }
    return y;
  }
  let bc = bitcount(x);
  const guardBits = 10;
  x <<= BigInt(2 * guardBits);
  bc += 2 * guardBits;
  bc += bc & 1;
  const hbc = bc >> 1;
  const startprec = Math.min(50, hbc);
  let r = BigInt(Math.trunc(2.0 ** (2 * startprec) * pyPowPos(Number(x >> BigInt(bc - 2 * startprec)), -0.5)));
  let pp = startprec;
  let p = startprec;
  for (p of giantSteps(startprec, hbc)) {
    const r2 = (r * r) >> BigInt(2 * pp - p);
    const xr2 = ((x >> BigInt(bc - p)) * r2) >> BigInt(p);
    r = (r * ((3n << BigInt(p)) - xr2)) >> BigInt(pp + 1);
    pp = p;
  }
  return (r * (x >> BigInt(hbc))) >> BigInt(p + guardBits);
}

// ---------------------------------------------------------------------------------------------
// Normalization and conversion

function shiftsDown(rnd: Rnd, sign: number): boolean {
  switch (rnd) {
    case "f":
      return sign === 0;
    case "c":
      return sign === 1;
    case "d":
      return true;
    default:
      return false;
  }
}

/** mpmath `normalize`/`normalize1`: round `man` to `prec` bits, strip trailing zero bits. */
export function normalize(sign: number, man: bigint, exp: number, bc: number, prec: number, rnd: Rnd): Mpf {
  if (man === 0n) return fzero;
  const n = bc - prec;
  if (n > 0) {
    if (rnd === "n") {
      const t = man >> BigInt(n - 1);
      if ((t & 1n) === 1n && ((t & 2n) !== 0n || (man & ((1n << BigInt(n - 1)) - 1n)) !== 0n)) man = (t >> 1n) + 1n;
      else man = t >> 1n;
    } else if (shiftsDown(rnd, sign)) man >>= BigInt(n);
    else man = -(-man >> BigInt(n));
    exp += n;
    bc = prec;
  }
  if ((man & 1n) === 0n) {
    const t = trailing(man);
    man >>= BigInt(t);
    exp += t;
    bc -= t;
  }
  if (man === 1n) bc = 1;
  return [sign, man, exp, bc];
}

/** mpmath `from_man_exp`: exact when `prec` is 0. */
export function fromManExp(man: bigint, exp: number, prec = 0, rnd: Rnd = ROUND_FAST): Mpf {
  let sign = 0;
  if (man < 0n) {
    sign = 1;
    man = -man;
  }
  const bc = bitcount(man);
  if (!prec) {
    if (man === 0n) return fzero;
    if ((man & 1n) === 0n) {
      const t = trailing(man);
      return [sign, man >> BigInt(t), exp + t, bc - t];
    }
    return [sign, man, exp, bc];
  }
  return normalize(sign, man, exp, bc, prec, rnd);
}

export const fromInt = (n: bigint): Mpf => fromManExp(n, 0);

/** Exact mpf of a double (`-0.0` becomes zero, as mpmath has no signed zero). */
export function fromFloat(x: number): Mpf {
  if (x !== x) return fnan;
  if (x === Infinity) return finf;
  if (x === -Infinity) return fninf;
  if (x === 0) return fzero;
  const [m, e] = decompose(x);
  return fromManExp(m, e);
}

/** mpmath `to_fixed`: floor(s * 2^prec) as an integer. */
export function toFixed(s: Mpf, prec: number): bigint {
  const [sign, man, exp] = s;
  const offset = exp + prec;
  const m = sign ? -man : man;
  return offset >= 0 ? m << BigInt(offset) : m >> BigInt(-offset);
}

/** mpmath `to_int` (truncation toward zero). */
function toInt(s: Mpf): bigint {
  const [sign, man, exp] = s;
  if (exp >= 0) return (sign ? -man : man) << BigInt(exp);
  const v = man >> BigInt(-exp);
  return sign ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

export function mpfNeg(s: Mpf): Mpf {
  const [sign, man, exp, bc] = s;
  if (man === 0n) {
    if (exp) {
      if (mpfEq(s, finf)) return fninf;
      if (mpfEq(s, fninf)) return finf;
    }
    return s;
  }
  return [1 - sign, man, exp, bc];
}

export function mpfAbs(s: Mpf): Mpf {
  const [sign, man, exp, bc] = s;
  if (man === 0n && exp) return mpfEq(s, fninf) ? finf : s;
  return sign ? [0, man, exp, bc] : s;
}

export function mpfSign(s: Mpf): number {
  if (s[1] === 0n) {
    if (mpfEq(s, finf)) return 1;
    if (mpfEq(s, fninf)) return -1;
    return 0;
  }
  return s[0] ? -1 : 1;
}

export function mpfShift(s: Mpf, n: number): Mpf {
  const [sign, man, exp, bc] = s;
  if (man === 0n) return s;
  return [sign, man, exp + n, bc];
}

export function mpfPos(s: Mpf, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  if (prec) {
    const [sign, man, exp, bc] = s;
    if (man === 0n && exp) return s;
    return normalize(sign, man, exp, bc, prec, rnd);
  }
  return s;
}

/** mpmath `mpf_add` (prec 0 = exact), including its shortcut for far-apart exponents. */
export function mpfAdd(s: Mpf, t: Mpf, prec = 0, rnd: Rnd = ROUND_FAST, sub = 0): Mpf {
  let ssign = s[0];
  let sman = s[1];
  const sexp = s[2];
  const sbc = s[3];
  let [tsign, tman, texp, tbc] = t;
  tsign ^= sub;
  if (sman !== 0n && tman !== 0n) {
    let offset = sexp - texp;
    if (offset) {
      if (offset > 0) {
        if (offset > 100 && prec) {
          const delta = sbc + sexp - tbc - texp;
          if (delta > prec + 4) {
            offset = prec + 4;
            sman <<= BigInt(offset);
            if (tsign === ssign) sman += 1n;
            else sman -= 1n;
            return normalize(ssign, sman, sexp - offset, bitcount(sman), prec, rnd);
          }
        }
        let man: bigint;
        if (ssign === tsign) man = tman + (sman << BigInt(offset));
        else {
          man = ssign ? tman - (sman << BigInt(offset)) : (sman << BigInt(offset)) - tman;
          if (man >= 0n) ssign = 0;
          else {
            man = -man;
            ssign = 1;
          }
        }
        const bc = bitcount(man);
        return normalize(ssign, man, texp, bc, prec || bc, rnd);
      }
      if (offset < -100 && prec) {
        const delta = tbc + texp - sbc - sexp;
        if (delta > prec + 4) {
          offset = prec + 4;
          tman <<= BigInt(offset);
          if (ssign === tsign) tman += 1n;
          else tman -= 1n;
          return normalize(tsign, tman, texp - offset, bitcount(tman), prec, rnd);
        }
      }
      let man: bigint;
      if (ssign === tsign) man = sman + (tman << BigInt(-offset));
      else {
        man = tsign ? sman - (tman << BigInt(-offset)) : (tman << BigInt(-offset)) - sman;
        if (man >= 0n) ssign = 0;
        else {
          man = -man;
          ssign = 1;
        }
      }
      const bc = bitcount(man);
      return normalize(ssign, man, sexp, bc, prec || bc, rnd);
    }
    let man: bigint;
    if (ssign === tsign) man = tman + sman;
    else {
      man = ssign ? tman - sman : sman - tman;
      if (man >= 0n) ssign = 0;
      else {
        man = -man;
        ssign = 1;
      }
    }
    const bc = bitcount(man);
    return normalize(ssign, man, texp, bc, prec || bc, rnd);
  }
  if (sub) t = mpfNeg(t);
  [tsign, tman, texp, tbc] = t;
  if (sman === 0n) {
    if (sexp) {
      if (mpfEq(s, t) || tman !== 0n || !texp) return s;
      return fnan;
    }
    if (tman !== 0n) return normalize(tsign, tman, texp, tbc, prec || tbc, rnd);
    return t;
  }
  if (texp) return t;
  if (sman !== 0n) return normalize(ssign, sman, sexp, sbc, prec || sbc, rnd);
  return s;
}

export const mpfSub = (s: Mpf, t: Mpf, prec = 0, rnd: Rnd = ROUND_FAST): Mpf => mpfAdd(s, t, prec, rnd, 1);

/** mpmath `mpf_mul` (prec 0 = exact). */
export function mpfMul(s: Mpf, t: Mpf, prec = 0, rnd: Rnd = ROUND_FAST): Mpf {
  const [ssign, sman, sexp] = s;
  const [tsign, tman, texp] = t;
  const sign = ssign ^ tsign;
  const man = sman * tman;
  if (man !== 0n) {
    const bc = bitcount(man);
    if (prec) return normalize(sign, man, sexp + texp, bc, prec, rnd);
    return [sign, man, sexp + texp, bc];
  }
  const sSpecial = sman === 0n && sexp !== 0;
  const tSpecial = tman === 0n && texp !== 0;
  if (!sSpecial && !tSpecial) return fzero;
  if (mpfEq(s, fnan) || mpfEq(t, fnan)) return fnan;
  if (tman === 0n && texp) [s, t] = [t, s];
  if (mpfEq(t, fzero)) return fnan;
  return mpfSign(s) * mpfSign(t) === 1 ? finf : fninf;
}

/** `ZeroDivisionError()` raised without a message, as mpmath does (`str(e)` is empty). */
const zeroDivision = (): PyException => new PyException("ZeroDivisionError", "");

/** mpmath `mpf_div`: correctly rounded quotient. */
export function mpfDiv(s: Mpf, t: Mpf, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  const [ssign, sman, sexp, sbc] = s;
  const [tsign, tman, texp, tbc] = t;
  if (sman === 0n || tman === 0n) {
    if (mpfEq(s, fzero)) {
      if (mpfEq(t, fzero)) throw zeroDivision();
      if (mpfEq(t, fnan)) return fnan;
      return fzero;
    }
    if (mpfEq(t, fzero)) throw zeroDivision();
    const sSpecial = sman === 0n && sexp !== 0;
    const tSpecial = tman === 0n && texp !== 0;
    if (sSpecial && tSpecial) return fnan;
    if (mpfEq(s, fnan) || mpfEq(t, fnan)) return fnan;
    if (!tSpecial) {
      if (mpfEq(t, fzero)) return fnan;
      return mpfSign(s) * mpfSign(t) === 1 ? finf : fninf;
    }
    return fzero;
  }
  const sign = ssign ^ tsign;
  if (tman === 1n) return normalize(sign, sman, sexp - texp, sbc, prec, rnd);
  let extra = prec - sbc + tbc + 5;
  if (extra < 5) extra = 5;
  const num = sman << BigInt(extra);
  let quot = num / tman;
  const rem = num - quot * tman;
  if (rem !== 0n) {
    quot = (quot << 1n) + 1n;
    extra += 1;
    return normalize(sign, quot, sexp - texp - extra, bitcount(quot), prec, rnd);
  }
  return normalize(sign, quot, sexp - texp - extra, bitcount(quot), prec, rnd);
}

const RECIPROCAL_RND: Record<Rnd, Rnd> = { d: "u", u: "d", f: "c", c: "f", n: "n" };

/** mpmath `mpf_pow_int`. */
export function mpfPowInt(s: Mpf, n: bigint, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  const sign = s[0];
  let man = s[1];
  let exp = s[2];
  const bc = s[3];
  if (man === 0n && exp) {
    if (mpfEq(s, finf)) return n > 0n ? s : n === 0n ? fnan : fzero;
    if (mpfEq(s, fninf)) return n > 0n ? ((n & 1n) === 1n ? fninf : finf) : n === 0n ? fnan : fzero;
    return fnan;
  }
  if (n === 0n) return fone;
  if (n === 1n) return mpfPos(s, prec, rnd);
  if (n === 2n) {
    if (man === 0n) return fzero;
    const m2 = man * man;
    if (m2 === 1n) return [0, 1n, exp + exp, 1];
    return normalize(0, m2, exp + exp, bitcount(m2), prec, rnd);
  }
  if (n === -1n) return mpfDiv(fone, s, prec, rnd);
  if (n < 0n) {
    const inverse = mpfPowInt(s, -n, prec + 5, RECIPROCAL_RND[rnd]);
    return mpfDiv(fone, inverse, prec, rnd);
  }
  const resultSign = sign & Number(n & 1n);
  if (man === 1n) return [resultSign, 1n, exp * Number(n), 1];
  if (bc * Number(n) < 1000) {
    const m = man ** n;
    return normalize(resultSign, m, exp * Number(n), bitcount(m), prec, rnd);
  }
  const roundsDown = rnd === "n" || shiftsDown(rnd, resultSign);
  const workprec = prec + 4 * bitcount(n) + 4;
  let pm = 1n;
  let pe = 0;
  for (;;) {
    if ((n & 1n) === 1n) {
      pm = pm * man;
      pe = pe + exp;
      const pbc = bitcount(pm);
      if (pbc > workprec) {
        pm = roundsDown ? pm >> BigInt(pbc - workprec) : -(-pm >> BigInt(pbc - workprec));
        pe += pbc - workprec;
      }
      n -= 1n;
      if (n === 0n) break;
    }
    man = man * man;
    exp = exp + exp;
    const mbc = bitcount(man);
    if (mbc > workprec) {
      man = roundsDown ? man >> BigInt(mbc - workprec) : -(-man >> BigInt(mbc - workprec));
      exp += mbc - workprec;
    }
    n = n / 2n;
  }
  return normalize(resultSign, pm, pe, bitcount(pm), prec, rnd);
}

/** mpmath `mpf_perturb`: x plus a tiny epsilon of the given sign, in directed rounding. */
function mpfPerturb(x: Mpf, epsSign: number, prec: number, rnd: Rnd): Mpf {
  if (rnd === "n") return mpfPos(x, prec, rnd);
  const [sign, , exp, bc] = x;
  const eps: Mpf = [epsSign, 1n, exp + bc - prec - 1, 1];
  const away = sign ? (rnd === "d" || rnd === "c") !== (epsSign === 1) : (rnd === "u" || rnd === "c") !== (epsSign === 1);
  return away ? mpfAdd(x, eps, prec, rnd) : mpfPos(x, prec, rnd);
}

// ---------------------------------------------------------------------------------------------
// Constants

/**
 * mpmath's `constant_memo` computes a constant at `int(prec*1.05+10)` bits and serves lower
 * precisions by shifting that value, so its last bits depend on what the process asked for
 * before. envtune computes at a precision that depends only on the request (the next power of two
 * above mpmath's choice) to stay deterministic; the difference is far below the 20 guard bits.
 */
function constantMemo(f: (prec: number) => bigint): (prec: number) => bigint {
  const memo = new Map<number, bigint>();
  return (prec) => {
    const want = Math.trunc(prec * 1.05 + 10);
    let bucket = 64;
    while (bucket < want) bucket *= 2;
    let v = memo.get(bucket);
    if (v === undefined) {
      v = f(bucket);
      memo.set(bucket, v);
    }
    return v >> BigInt(bucket - prec);
  };
}

function bspAcot(q: bigint, a: number, b: number, hyperbolic: boolean): [bigint, bigint, bigint] {
  if (b - a === 1) {
    const a1 = BigInt(2 * a + 3);
    return [hyperbolic || a & 1 ? 1n : -1n, a1 * q * q, a1];
  }
  const m = Math.floor((a + b) / 2);
  const [p1, q1, r1] = bspAcot(q, a, m, hyperbolic);
  const [p2, q2, r2] = bspAcot(q, m, b, hyperbolic);
  return [q2 * p1 + r1 * p2, q1 * q2, r1 * r2];
}

function acotFixed(a: bigint, prec: number, hyperbolic: boolean): bigint {
  const N = Math.trunc((0.35 * prec) / Math.log(Number(a)) + 20);
  const [p, q] = bspAcot(a, 0, N, hyperbolic);
  return ((p + q) << BigInt(prec)) / (q * a);
}

function machin(coefs: Array<[number, number]>, prec: number, hyperbolic: boolean): bigint {
  const extraprec = 10;
  let s = 0n;
  for (const [a, b] of coefs) s += BigInt(a) * acotFixed(BigInt(b), prec + extraprec, hyperbolic);
  return s >> BigInt(extraprec);
}

export const ln2Fixed = constantMemo((prec) =>
  machin(
    [
      [18, 26],
      [-2, 4801],
      [8, 8749],
    ],
    prec,
    true,
  ),
);
export const ln10Fixed = constantMemo((prec) =>
  machin(
    [
      [46, 31],
      [34, 49],
      [20, 161],
    ],
    prec,
    true,
  ),
);

const CHUD_A = 13591409n;
const CHUD_B = 545140134n;
const CHUD_C = 640320n;
const CHUD_D = 12n;
const CHUD_C3_24 = CHUD_C ** 3n / 24n;

function bsChudnovsky(a: number, b: number): [bigint, bigint, bigint] {
  if (b - a === 1) {
    const bb = BigInt(b);
    const g = BigInt((6 * b - 5) * (2 * b - 1)) * BigInt(6 * b - 1);
    const p = bb ** 3n * CHUD_C3_24;
    const q = (b & 1 ? -1n : 1n) * g * (CHUD_A + CHUD_B * bb);
    return [g, p, q];
  }
  const mid = Math.floor((a + b) / 2);
  const [g1, p1, q1] = bsChudnovsky(a, mid);
  const [g2, p2, q2] = bsChudnovsky(mid, b);
  return [g1 * g2, p1 * p2, q1 * p2 + q2 * g1];
}

export const piFixed = constantMemo((prec) => {
  const N = Math.trunc(prec / 3.3219280948 / 14.181647462 + 2);
  const [, p, q] = bsChudnovsky(0, N);
  const sqrtC = isqrtFast(CHUD_C << BigInt(2 * prec));
  return (p * CHUD_C * sqrtC) / ((q + CHUD_A * p) * CHUD_D);
});

function defMpfConstant(fixed: (prec: number) => bigint): (prec: number, rnd?: Rnd) => Mpf {
  return (prec, rnd = ROUND_FAST) => {
    const wp = prec + 20;
    let v = fixed(wp);
    if (rnd === "u" || rnd === "c") v += 1n;
    return normalize(0, v, -wp, bitcount(v), prec, rnd);
  };
}

export const mpfPi = defMpfConstant(piFixed);
const mpfLn2 = defMpfConstant(ln2Fixed);
const mpfLn10 = defMpfConstant(ln10Fixed);

// ---------------------------------------------------------------------------------------------
// Logarithm

const LOG_TAYLOR_PREC = 2500;
const LOG_TAYLOR_SHIFT = 9;
const LOG_AGM_MAG_PREC_RATIO = 20;

const CACHE_PREC_STEPS: number[] = [22, 22];
for (let k = 1; k <= bitcount(BigInt(LOG_TAYLOR_PREC)); k++) {
  const v = Math.min(2 ** k, LOG_TAYLOR_PREC) + 20;
  for (let i = 0; i < 2 ** (k - 1); i++) CACHE_PREC_STEPS.push(v);
}

/** `log_taylor_cached` values: a pure function of (n, precision), shared process-wide like mpmath's. */
const logTaylorCache = new Map<string, [bigint, bigint]>();

function logTaylor(x: bigint, prec: number, r = 0): bigint {
  const P = BigInt(prec);
  for (let i = 0; i < r; i++) x = isqrtFast(x << P);
  const one = 1n << P;
  let v = floorDiv((x - one) << P, x + one);
  const sign = v < 0n;
  if (sign) v = -v;
  const v2 = (v * v) >> P;
  const v4 = (v2 * v2) >> P;
  let s0 = v;
  let s1 = v / 3n;
  v = (v * v4) >> P;
  let k = 5n;
  while (v) {
    s0 += v / k;
    k += 2n;
    s1 += v / k;
    v = (v * v4) >> P;
    k += 2n;
  }
  s1 = (s1 * v2) >> P;
  const s = (s0 + s1) << BigInt(1 + r);
  return sign ? -s : s;
}

function logTaylorCached(x: bigint, prec: number): bigint {
  const P = BigInt(prec);
  const n = x >> BigInt(prec - LOG_TAYLOR_SHIFT);
  const cachedPrec = CACHE_PREC_STEPS[prec]!;
  const dprec = BigInt(cachedPrec - prec);
  const key = n.toString() + ":" + cachedPrec;
  let entry = logTaylorCache.get(key);
  if (!entry) {
    const a0 = n << BigInt(cachedPrec - LOG_TAYLOR_SHIFT);
    entry = [a0, logTaylor(a0, cachedPrec, 8)];
    logTaylorCache.set(key, entry);
  }
  const a = entry[0] >> dprec;
  const logA = entry[1] >> dprec;
  const u = ((x - a) << P) / a;
  let v = (u << P) / ((2n << P) + u);
  const v2 = (v * v) >> P;
  const v4 = (v2 * v2) >> P;
  let s0 = v;
  let s1 = v / 3n;
  v = (v * v4) >> P;
  let k = 5n;
  while (v) {
    s0 += v / k;
    k += 2n;
    s1 += v / k;
    v = (v * v4) >> P;
    k += 2n;
  }
  s1 = (s1 * v2) >> P;
  return logA + ((s0 + s1) << 1n);
}

function agmFixed(a: bigint, b: bigint): bigint {
  let i = 0;
  for (;;) {
    const anew = (a + b) >> 1n;
    const d = a - anew;
    if (i > 4 && (d < 0n ? -d : d) < 8n) return a;
    b = isqrtFast(a * b);
    a = anew;
    i += 1;
  }
}

function logAgm(x: bigint, prec: number): bigint {
  const P = BigInt(prec);
  const x2 = (x * x) >> P;
  let s = x2;
  let a = x2;
  let b = x2;
  while (a) {
    b = (b * x2) >> P;
    a = (a * b) >> P;
    s += a;
  }
  s += 1n << P;
  s = (s * s) >> BigInt(prec - 2);
  s = (s * isqrtFast(x << P)) >> P;
  let t = x;
  a = x;
  b = x;
  while (a) {
    b = (b * x2) >> P;
    a = (a * b) >> P;
    t += a;
  }
  t = (1n << P) + (t << 1n);
  t = (t * t) >> P;
  const p = agmFixed(s, t);
  return (piFixed(prec) << P) / p;
}

/** Signals mpmath's `ComplexResult` (log of a negative number) to the caller. */
class ComplexResult extends Error {}

/** mpmath `mpf_log`. */
export function mpfLog(x: Mpf, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  const [sign, man, exp, bc] = x;
  if (man === 0n) {
    if (mpfEq(x, fzero)) return fninf;
    if (mpfEq(x, finf)) return finf;
    if (mpfEq(x, fnan)) return fnan;
  }
  if (sign) throw new ComplexResult();
  let wp = prec + 20;
  if (man === 1n) {
    if (!exp) return fzero;
    return fromManExp(BigInt(exp) * ln2Fixed(wp), -wp, prec, rnd);
  }
  const mag = exp + bc;
  const absMag = Math.abs(mag);
  if (absMag <= 1) {
    const tsign = 1 - absMag;
    const tman = tsign ? (1n << BigInt(bc)) - man : man - (1n << BigInt(bc - 1));
    const tbc = bitcount(tman);
    const cancellation = bc - tbc;
    if (cancellation > wp) {
      const t = normalize(tsign, tman, absMag - bc, tbc, tbc, "n");
      return mpfPerturb(t, tsign, prec, rnd);
    }
    wp += cancellation;
  }
  if (absMag > 10000 && bitcount(BigInt(absMag)) > wp) {
    return fromManExp(BigInt(exp) * ln2Fixed(wp), -wp, prec, rnd);
  }
  let m: bigint;
  if (wp <= LOG_TAYLOR_PREC) {
    m = logTaylorCached(shl(man, wp - bc), wp);
    if (mag) m += BigInt(mag) * ln2Fixed(wp);
  } else {
    const optimalMag = Math.floor(-wp / LOG_AGM_MAG_PREC_RATIO);
    const n = optimalMag - mag;
    const xs = mpfShift(x, n);
    wp += -optimalMag;
    m = -logAgm(toFixed(xs, wp), wp);
    m -= BigInt(n) * ln2Fixed(wp);
  }
  return fromManExp(m, -wp, prec, rnd);
}

/** mpmath `mpf_log_hypot`: log(sqrt(a^2 + b^2)). */
function mpfLogHypot(a: Mpf, b: Mpf, prec: number, rnd: Rnd): Mpf {
  if (b[1] === 0n) [a, b] = [b, a];
  if (a[1] === 0n) {
    if (b[1] === 0n) {
      if (mpfEq(a, fzero) && mpfEq(b, fzero)) return fninf;
      if (mpfEq(a, fnan) || mpfEq(b, fnan)) return fnan;
      return finf;
    }
    if (mpfEq(a, fzero)) return mpfLog(mpfAbs(b), prec, rnd);
    if (mpfEq(a, fnan)) return fnan;
    return finf;
  }
  const a2 = mpfMul(a, a);
  const b2 = mpfMul(b, b);
  const extra = 20;
  let h2 = mpfAdd(a2, b2, prec + extra);
  const cancelled = mpfAdd(h2, fnone, 10);
  const magCancelled = cancelled[2] + cancelled[3];
  if (mpfEq(cancelled, fzero) || magCancelled < Math.floor(-extra / 2)) {
    h2 = mpfAdd(a2, b2, prec + extra - Math.min(a2[2], b2[2]));
  }
  return mpfShift(mpfLog(h2, prec, rnd), -1);
}

// ---------------------------------------------------------------------------------------------
// Inverse tangent (only reached through complex arguments given as strings, e.g. '1+2j')

/**
 * atan(t / 2^prec) * 2^prec for |t| <= 2^prec, with a few units of error in the last place,
 * like mpmath's fixed-point `atan_taylor`/`atan_newton` (the caller keeps 30 guard bits).
 */
function atanFixed(t: bigint, prec: number): bigint {
  const g = 16;
  const P = BigInt(prec + g);
  const one = 1n << P;
  let x = t << BigInt(g);
  // atan(x) = 2 atan(x / (1 + sqrt(1 + x^2))), repeated until x is small.
  let doublings = 0;
  while ((x < 0n ? -x : x) > one >> 4n) {
    const root = isqrtFast((((x * x) >> P) + one) << P);
    x = (x << P) / (one + root);
    doublings++;
  }
  const x2 = (x * x) >> P;
  let term = x;
  let sum = 0n;
  let k = 1n;
  let neg = false;
  while (term !== 0n) {
    sum += neg ? -(term / k) : term / k;
    term = (term * x2) >> P;
    k += 2n;
    neg = !neg;
  }
  return (sum << BigInt(doublings)) >> BigInt(g);
}

function mpfAtan(x: Mpf, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  const [sign, man, exp, bc] = x;
  if (man === 0n) {
    if (mpfEq(x, fzero)) return fzero;
    if (mpfEq(x, finf)) return mpfShift(mpfPi(prec, rnd), -1);
    if (mpfEq(x, fninf)) return mpfNeg(mpfShift(mpfPi(prec, NEGATIVE_RND[rnd]), -1));
    return fnan;
  }
  const mag = exp + bc;
  if (mag > prec + 20) return sign ? mpfNeg(mpfShift(mpfPi(prec, NEGATIVE_RND[rnd]), -1)) : mpfShift(mpfPi(prec, rnd), -1);
  if (-mag > prec + 20) return mpfPerturb(x, 1 - sign, prec, rnd);
  const wp = prec + 30 + Math.abs(mag);
  let xv = x;
  let reciprocal = false;
  if (mag >= 2) {
    xv = mpfDiv(fone, x, wp);
    reciprocal = true;
  }
  let t = toFixed(xv, wp);
  if (sign) t = -t;
  let a = atanFixed(t, wp);
  if (reciprocal) a = (piFixed(wp) >> 1n) + 1n - a;
  if (sign) a = -a;
  return fromManExp(a, -wp, prec, rnd);
}

const NEGATIVE_RND: Record<Rnd, Rnd> = { d: "d", u: "u", f: "c", c: "f", n: "n" };

/** mpmath `mpf_atan2(y, x)`. */
function mpfAtan2(y: Mpf, x: Mpf, prec: number, rnd: Rnd = ROUND_FAST): Mpf {
  const [xsign, xman] = x;
  const [ysign, yman] = y;
  if (yman === 0n) {
    if (mpfEq(y, fzero) && !mpfEq(x, fnan)) {
      if (mpfSign(x) >= 0) return fzero;
      return mpfPi(prec, rnd);
    }
    if (mpfEq(y, finf) || mpfEq(y, fninf)) {
      if (mpfEq(x, finf) || mpfEq(x, fninf)) return fnan;
      if (mpfEq(y, finf)) return mpfShift(mpfPi(prec, rnd), -1);
      return mpfNeg(mpfShift(mpfPi(prec, NEGATIVE_RND[rnd]), -1));
    }
    return fnan;
  }
  if (ysign) return mpfNeg(mpfAtan2(mpfNeg(y), x, prec, NEGATIVE_RND[rnd]));
  if (xman === 0n) {
    if (mpfEq(x, fnan)) return fnan;
    if (mpfEq(x, finf)) return fzero;
    if (mpfEq(x, fninf)) return mpfPi(prec, rnd);
    if (mpfEq(y, fzero)) return fzero;
    return mpfShift(mpfPi(prec, rnd), -1);
  }
  const tquo = mpfAtan(mpfDiv(y, x, prec + 4), prec + 4);
  if (xsign) return mpfAdd(mpfPi(prec + 4), tquo, prec, rnd);
  return mpfPos(tquo, prec, rnd);
}

// ---------------------------------------------------------------------------------------------
// Complex

export type Mpc = readonly [Mpf, Mpf];

function mpcLog(z: Mpc, prec: number, rnd: Rnd): Mpc {
  return [mpfLogHypot(z[0], z[1], prec, rnd), mpfAtan2(z[1], z[0], prec, rnd)];
}

/** (a+bi)/(c+di). */
function mpcDiv(z: Mpc, w: Mpc, prec: number, rnd: Rnd): Mpc {
  const [a, b] = z;
  const [c, d] = w;
  const wp = prec + 10;
  const mag = mpfAdd(mpfMul(c, c), mpfMul(d, d), wp);
  const t = mpfAdd(mpfMul(a, c), mpfMul(b, d), wp);
  const u = mpfSub(mpfMul(b, c), mpfMul(a, d), wp);
  return [mpfDiv(t, mag, prec, rnd), mpfDiv(u, mag, prec, rnd)];
}

function mpcDivMpf(z: Mpc, p: Mpf, prec: number, rnd: Rnd): Mpc {
  return [mpfDiv(z[0], p, prec, rnd), mpfDiv(z[1], p, prec, rnd)];
}

function mpcMpfDiv(p: Mpf, z: Mpc, prec: number, rnd: Rnd): Mpc {
  const [a, b] = z;
  const m = mpfAdd(mpfMul(a, a), mpfMul(b, b), prec + 10);
  return [mpfDiv(mpfMul(a, p), m, prec, rnd), mpfDiv(mpfNeg(mpfMul(b, p)), m, prec, rnd)];
}

// ---------------------------------------------------------------------------------------------
// Decimal output

const LOG2_10 = 3.3219280948873626; // Python's math.log(10, 2)

/** mpmath `prec_to_dps`. */
export function precToDps(n: number): number {
  return Math.max(1, Math.trunc(pyRoundHalfEven(n / 3.3219280948873626) - 1));
}

/** mpmath `repr_dps`. */
export function reprDps(n: number): number {
  const dps = precToDps(n);
  return dps === 15 ? 17 : dps + 3;
}

/** Python `round(x)` of a float (half to even), as a JS number. */
function pyRoundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** mpmath `to_digits_exp`: sign, digits (rounded toward zero) and decimal exponent. */
function toDigitsExp(s: Mpf, dps: number): [string, string, number] {
  let sign = "";
  if (s[0]) {
    sign = "-";
    s = mpfNeg(s);
  }
  const man = s[1];
  let exp = s[2];
  let bc = s[3];
  if (man === 0n) return ["", "0", 0];
  const bitprec = Math.trunc(dps * LOG2_10) + 10;
  const expFrom1 = exp + bc;
  let exponent = 0;
  if (Math.abs(expFrom1) > 3500) {
    const expprec = bitcount(BigInt(Math.abs(exp))) + 5;
    let tmp = fromInt(BigInt(exp));
    tmp = mpfMul(tmp, mpfLn2(expprec));
    tmp = mpfDiv(tmp, mpfLn10(expprec), expprec);
    const b = toInt(tmp);
    s = mpfDiv(s, mpfPowInt(ften, b, bitprec), bitprec);
    exp = s[2];
    bc = s[3];
    exponent = Number(b);
  }
  const fixprec = Math.max(bitprec - exp - bc, 0);
  const fixdps = Math.trunc(fixprec / LOG2_10 + 0.5);
  const sf = toFixed(s, fixprec);
  const sd = (sf * 10n ** BigInt(fixdps)) >> BigInt(fixprec);
  const digits = sd.toString();
  exponent += digits.length - fixdps - 1;
  return [sign, digits, exponent];
}

/** mpmath `to_str(s, dps)` with its defaults (strip zeros, fixed notation near unit magnitude). */
export function toStr(s: Mpf, dps: number): string {
  if (s[1] === 0n) {
    if (mpfEq(s, fzero)) return dps ? "0.0" : ".0";
    if (mpfEq(s, finf)) return "+inf";
    if (mpfEq(s, fninf)) return "-inf";
    if (mpfEq(s, fnan)) return "nan";
    throw new Error("[envtune] [math] invalid mpf value. This is a bug in the mpmath port.");
  }
  const minFixed = Math.min(-Math.floor(dps / 3), -5);
  const maxFixed = dps;
  const de = toDigitsExp(s, dps + 3);
  const sign = de[0];
  let digits = de[1];
  let exponent = de[2];
  if (!dps) {
    if ("56789".includes(digits[0]!)) exponent += 1;
    digits = ".0";
  } else {
    if (digits.length > dps && "56789".includes(digits[dps]!)) {
      digits = digits.slice(0, dps);
      let i = dps - 1;
      while (i >= 0 && digits[i] === "9") i--;
      if (i >= 0) digits = digits.slice(0, i) + String(Number(digits[i]) + 1) + "0".repeat(dps - i - 1);
      else {
        digits = "1" + "0".repeat(dps - 1);
        exponent += 1;
      }
    } else digits = digits.slice(0, dps);
    let split: number;
    if (minFixed < exponent && exponent < maxFixed) {
      if (exponent < 0) {
        digits = "0".repeat(-exponent) + digits;
        split = 1;
      } else {
        split = exponent + 1;
        if (split > dps) digits += "0".repeat(split - dps);
      }
      exponent = 0;
    } else split = 1;
    digits = digits.slice(0, split) + "." + digits.slice(split);
    digits = digits.replace(/0+$/, "");
    if (digits.endsWith(".")) digits += "0";
  }
  if (exponent === 0 && dps) return sign + digits;
  if (exponent >= 0) return sign + digits + "e+" + exponent;
  return sign + digits + "e" + exponent;
}

// ---------------------------------------------------------------------------------------------
// Python objects

/** An `mpmath.mpf` result; its repr uses the working precision of the call that made it. */
export class PyMpf implements PyObject {
  readonly pyKind = "object" as const;
  readonly jsonSerializable = false as const;
  readonly value: Mpf;
  readonly prec: number;
  constructor(value: Mpf, prec: number) {
    this.value = value;
    this.prec = prec;
  }
  pyTypeName(): string {
    return "mpf";
  }
  /** The digits inside `mpf('...')`. */
  digits(): string {
    return toStr(this.value, reprDps(this.prec));
  }
  pyRepr(): string {
    return `mpf('${this.digits()}')`;
  }
  pyEquals(other: PyValue): boolean {
    return other instanceof PyMpf && mpfEq(other.value, this.value) && !mpfEq(this.value, fnan);
  }
  pyEncode(): string {
    return JSON.stringify({ $repr: this.pyRepr(), $type: "mpf" });
  }
}

/** An `mpmath.mpc` result (log of a negative or complex argument). */
export class PyMpc implements PyObject {
  readonly pyKind = "object" as const;
  readonly jsonSerializable = false as const;
  readonly value: Mpc;
  readonly prec: number;
  constructor(value: Mpc, prec: number) {
    this.value = value;
    this.prec = prec;
  }
  pyTypeName(): string {
    return "mpc";
  }
  pyRepr(): string {
    const dps = reprDps(this.prec);
    return `mpc(real='${toStr(this.value[0], dps)}', imag='${toStr(this.value[1], dps)}')`;
  }
  pyEquals(other: PyValue): boolean {
    return other instanceof PyMpc && mpfEq(other.value[0], this.value[0]) && mpfEq(other.value[1], this.value[1]);
  }
  pyEncode(): string {
    return JSON.stringify({ $repr: this.pyRepr(), $type: "mpc" });
  }
}

// ---------------------------------------------------------------------------------------------
// Context: mp.dps, conversion of arguments, log

/** The working precision after `mp.dps = n` (n already converted by `int()`). */
export function dpsToPrec(n: bigint): number {
  // (int(n)+1) * 3.3219280948873626 is computed in floats, then rounded half to even.
  const f = Number(n + 1n) * 3.3219280948873626;
  if (!Number.isFinite(f)) throw new PyException("OverflowError", "int too large to convert to float");
  return Math.max(1, pyRoundHalfEven(f));
}

type MpNum = { kind: "mpf"; v: Mpf } | { kind: "mpc"; v: Mpc };

const SPECIAL_STR = new Map<string, Mpf>([
  ["inf", finf],
  ["+inf", finf],
  ["-inf", fninf],
  ["nan", fnan],
]);

/** Python `int(s)` as mpmath's string parser calls it: ValueError on failure. */
const intOf = (s: string): bigint => pyIntFromStr(s);

/** mpmath `str_to_man_exp` (base 10). */
function strToManExp(x: string): [bigint, number] {
  x = pyLower(x).replace(/l+$/, "");
  pyFloatFromStr(x); // validates the literal like float(x)
  const parts = x.split("e");
  let exp = 0;
  if (parts.length !== 1) {
    x = parts[0]!;
    exp = Number(intOf(parts[1]!));
  }
  const dot = x.split(".");
  if (dot.length === 2) {
    const a = dot[0]!;
    const b = dot[1]!.replace(/0+$/, "");
    exp -= b.length;
    x = a + b;
  }
  return [intOf(x), exp];
}

/** mpmath `from_str`; raises ValueError (`PyException`) for invalid literals. */
function fromStr(x: string, prec: number, rnd: Rnd): Mpf {
  x = pyStrip(pyLower(x));
  const special = SPECIAL_STR.get(x);
  if (special) return special;
  if (x.includes("/")) {
    const parts = x.split("/");
    if (parts.length !== 2) throw new PyException("ValueError", `too many values to unpack (expected 2)`);
    const p = intOf(parts[0]!.replace(/l+$/, ""));
    const q = intOf(parts[1]!.replace(/l+$/, ""));
    return mpfDiv(fromInt(p), fromInt(q), prec, rnd);
  }
  const [man, exp] = strToManExp(x);
  if (Math.abs(exp) > 400) {
    // from_int(man, prec+10) and mpf_pow_int use mpmath's default rounding (round_fast).
    const s = fromManExp(man, 0, prec + 10, ROUND_FAST);
    return mpfMul(s, mpfPowInt(ften, BigInt(exp), prec + 10), prec, rnd);
  }
  if (exp >= 0) return fromManExp(man * 10n ** BigInt(exp), 0, prec, rnd);
  return mpfDiv(fromInt(man), fromInt(10n ** BigInt(-exp)), prec, rnd);
}

const GET_COMPLEX = /^\(?(?<re>[+-]?\d*(\.\d*)?(e[+-]?\d+)?)??(?<im>[+-]?\d*(\.\d*)?(e[+-]?\d+)?j)?\)?$/;

/** mpmath `ctx.convert(x)` for the argument of `log`, plus its string fallbacks. */
function convert(x: PyValue, prec: number): MpNum {
  if (x instanceof PyMpf) return { kind: "mpf", v: x.value };
  if (x instanceof PyMpc) return { kind: "mpc", v: x.value };
  if (typeof x === "bigint") return { kind: "mpf", v: fromInt(x) };
  if (typeof x === "boolean") return { kind: "mpf", v: x ? fone : fzero };
  if (typeof x === "number") return { kind: "mpf", v: fromFloat(x) };
  const cx = complexParts(x);
  if (cx) return { kind: "mpc", v: [fromFloat(cx[0]), fromFloat(cx[1])] };
  if (typeof x === "string") {
    try {
      return { kind: "mpf", v: fromStr(x, prec, "n") };
    } catch (e) {
      if (!(e instanceof PyException && e.pyType === "ValueError")) throw e;
    }
    if (pyLower(x).includes("j")) {
      const y = pyLower(x).replace(/ /g, "");
      const m = GET_COMPLEX.exec(y);
      if (!m) throw new PyException("AttributeError", "'NoneType' object has no attribute 'group'");
      const re: PyValue = m.groups!.re ? m.groups!.re : 0n;
      const imRaw = m.groups!.im;
      if (imRaw === undefined) throw new PyException("AttributeError", "'NoneType' object has no attribute 'rstrip'");
      const im = imRaw.replace(/j+$/, "");
      const a = toMpf(convert(re, prec), prec);
      const b = toMpf(convert(im, prec), prec);
      return { kind: "mpc", v: [a, b] };
    }
  }
  throw new PyException("TypeError", "cannot create mpf from " + pyRepr(x));
}

/** `ctx.mpf(v)` as `mpc(re, im)` applies it: round an mpf to the working precision. */
function toMpf(n: MpNum, prec: number): Mpf {
  if (n.kind === "mpc") throw new PyException("TypeError", "cannot create mpf from a complex number");
  const [sign, man, exp, bc] = n.v;
  if (man === 0n && exp) return n.v;
  return normalize(sign, man, exp, bc, prec, "n");
}

/** Real and imaginary part of a Python complex produced elsewhere (see pyops), if x is one. */
let complexParts: (x: PyValue) => [number, number] | undefined = () => undefined;
/** @internal lets pyops register its complex type without an import cycle. */
export function _setComplexParts(fn: (x: PyValue) => [number, number] | undefined): void {
  complexParts = fn;
}

/** `mpmath.log(x)` at the given working precision (rounding to nearest). */
function ln(x: MpNum, prec: number): MpNum {
  if (x.kind === "mpf") {
    try {
      return { kind: "mpf", v: mpfLog(x.v, prec, "n") };
    } catch (e) {
      if (!(e instanceof ComplexResult)) throw e;
      return { kind: "mpc", v: mpcLog([x.v, fzero], prec, "n") };
    }
  }
  return { kind: "mpc", v: mpcLog(x.v, prec, "n") };
}

function divide(a: MpNum, b: MpNum, prec: number): MpNum {
  if (a.kind === "mpf" && b.kind === "mpf") return { kind: "mpf", v: mpfDiv(a.v, b.v, prec, "n") };
  if (a.kind === "mpf" && b.kind === "mpc") return { kind: "mpc", v: mpcMpfDiv(a.v, b.v, prec, "n") };
  if (a.kind === "mpc" && b.kind === "mpf") return { kind: "mpc", v: mpcDivMpf(a.v, b.v, prec, "n") };
  return { kind: "mpc", v: mpcDiv(a.v as Mpc, b.v as Mpc, prec, "n") };
}

/** `mpmath.log(value) / mpmath.log(base)` at working precision `prec` bits. */
export function logQuotient(value: PyValue, base: PyValue, prec: number): PyMpf | PyMpc {
  const lv = ln(convert(value, prec), prec);
  const lb = ln(convert(base, prec), prec);
  const q = divide(lv, lb, prec);
  return q.kind === "mpf" ? new PyMpf(q.v, prec) : new PyMpc(q.v, prec);
}
