/**
 * CPython's `random.Random`: MT19937 seeded by `init_by_array`, with the same derived draws
 * (`getrandbits`, `_randbelow_with_getrandbits`, `randint`, `random`, `uniform`) so ids and
 * tokens drawn by the BFCL reference come out identical.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * Seeding costs two passes over the 624-word state and the first draw a third (the twist); BFCL
 * seeds every instance with one of a handful of seeds on every episode reset. Both states are
 * computed once per seed and shared read-only until an instance needs its second twist (after 624
 * draws), when it takes a private copy.
 */
interface SeededState {
  seeded: Uint32Array;
  /** The state after the first twist (what the first draw of a fresh instance produces). */
  twisted?: Uint32Array;
}
const SEEDED = new Map<bigint, SeededState>();
const SEEDED_MAX = 256;

export class PyRandom {
  /** The MT state; shared with {@link SEEDED} (seeded or first twist, never written) while `pristine` is set. */
  private mt: Uint32Array;
  private mti = N + 1;
  private pristine: SeededState | undefined;

  /** `random.Random(seed)` for an int seed (the only kind BFCL uses). */
  constructor(seed: bigint | number) {
    this.mt = EMPTY_STATE;
    this.seed(seed);
  }

  /** `Random.seed(int)`: the key is the 32-bit little-endian words of `abs(seed)`. */
  seed(seed: bigint | number): void {
    let n = typeof seed === "bigint" ? seed : BigInt(Math.trunc(seed));
    if (n < 0n) n = -n;
    let c = SEEDED.get(n);
    if (c === undefined) {
      const key: number[] = [];
      let m = n;
      while (m > 0n) {
        key.push(Number(m & 0xffffffffn));
        m >>= 32n;
      }
      if (key.length === 0) key.push(0);
      c = { seeded: initByArray(key) };
      if (SEEDED.size >= SEEDED_MAX) SEEDED.clear();
      SEEDED.set(n, c);
    }
    this.mt = c.seeded;
    this.pristine = c;
    this.mti = N;
  }

  /** One 32-bit output of MT19937 (`genrand_uint32`). */
  genrandUint32(): number {
    if (this.mti >= N) {
      const p = this.pristine;
      if (p === undefined) twist(this.mt);
      else if (this.mt === p.seeded) {
        // Draws only read the state, so the first 624 come from the shared twisted state too
        // (most instances never draw more; a private copy cost more than their draws).
        p.twisted ??= twist(p.seeded.slice());
        this.mt = p.twisted;
      } else {
        this.mt = twist(this.mt.slice());
        this.pristine = undefined;
      }
      this.mti = 0;
    }
    let y = this.mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)`: words least significant first; the last word keeps its top bits. */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) throw new RangeError("number of bits must be non-negative");
    if (k === 0) return 0n;
    if (k <= 32) return BigInt(this.genrandUint32() >>> (32 - k));
    let result = 0n;
    let shift = 0n;
    for (let remaining = k; remaining > 0; remaining -= 32) {
      let r = this.genrandUint32();
      if (remaining < 32) r >>>= 32 - remaining;
      result |= BigInt(r) << shift;
      shift += 32n;
    }
    return result;
  }

  /** `_randbelow_with_getrandbits(n)`: rejection sampling on `n.bit_length()` bits. */
  randbelow(n: bigint): bigint {
    if (n <= 0n) throw new RangeError("randbelow requires n > 0");
    // n.bit_length(); every id range BFCL draws from fits 32 bits, where clz32 gives it directly.
    const k = n <= 0xffffffffn ? 32 - Math.clz32(Number(n)) : n.toString(2).length;
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `randint(a, b)`, both ends included. */
  randint(a: bigint, b: bigint): bigint {
    const width = b - a + 1n;
    if (width <= 0n) throw new RangeError(`empty range for randint(${a}, ${b})`);
    return a + this.randbelow(width);
  }

  /** `random()`: 53-bit float in [0, 1). */
  random(): number {
    const a = this.genrandUint32() >>> 5;
    const b = this.genrandUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `uniform(a, b) = a + (b - a) * random()`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** `choice(seq)`: `seq[randbelow(len(seq))]`. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError("Cannot choose from an empty sequence");
    return seq[Number(this.randbelow(BigInt(seq.length)))]!;
  }
}

const EMPTY_STATE = new Uint32Array(N);

function initGenrand(s: number): Uint32Array {
  const mt = new Uint32Array(N);
  mt[0] = s >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
    // 1812433253 * prev + i, modulo 2^32, without losing precision in doubles
    mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  return mt;
}

function initByArray(key: number[]): Uint32Array {
  const mt = initGenrand(19650218);
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
    mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
    mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
  }
  mt[0] = 0x80000000;
  return mt;
}

/** Regenerates the 624 words in place (the first half of `genrand_uint32`). */
function twist(mt: Uint32Array): Uint32Array {
  let kk = 0;
  for (; kk < N - M; kk++) {
    const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
    mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
  for (; kk < N - 1; kk++) {
    const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
    mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
  const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
  mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  return mt;
}
