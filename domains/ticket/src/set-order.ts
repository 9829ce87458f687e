/**
 * Iteration order of CPython 3.11 sets under `PYTHONHASHSEED=0` (the reference traces' setting).
 *
 * `edit_ticket` prints `set(updates.keys()) - valid_fields` with `", ".join(...)`, so with two or
 * more invalid keys the reference's text depends on str hashing (SipHash-1-3 keyed by the hash
 * secret, all zero for seed 0) and on the set table's probing. Reproducing both makes envtune
 * match traces recorded with that seed; under any other seed the reference's order is random.
 * Only this rare error path uses it, so clarity wins over speed (BigInt arithmetic).
 */
import type { PyValue } from "@envtune/core/py";

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

/** CPython's `siphash13(k0=0, k1=0, data)` (Python/pyhash.c), as an unsigned 64-bit value. */
function siphash13(data: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n;
  let v1 = 0x646f72616e646f6dn;
  let v2 = 0x6c7967656e657261n;
  let v3 = 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & M64;
    v2 = (v2 + v3) & M64;
    v1 = rotl(v1, 13n) ^ v0;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v1) & M64;
    v0 = (v0 + v3) & M64;
    v1 = rotl(v1, 17n) ^ v2;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = rotl(v2, 32n);
  };
  const word = (at: number, n: number): bigint => {
    let w = 0n;
    for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(data[at + i]!);
    return w;
  };
  const len = data.length;
  let at = 0;
  for (; len - at >= 8; at += 8) {
    const mi = word(at, 8);
    v3 ^= mi;
    round();
    v0 ^= mi;
  }
  const b = ((BigInt(len) << 56n) | word(at, len - at)) & M64;
  v3 ^= b;
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** The bytes CPython hashes for a str: its compact representation (UCS1, UCS2 or UCS4, little-endian). */
function strBytes(s: string): Uint8Array {
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  const max = cps.reduce((m, c) => Math.max(m, c), 0);
  const width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
  const out = new Uint8Array(cps.length * width);
  cps.forEach((c, i) => {
    for (let k = 0; k < width; k++) out[i * width + k] = (c >>> (8 * k)) & 0xff;
  });
  return out;
}

const MODULUS = (1n << 61n) - 1n;

/** `(Py_uhash_t)hash(v)` under PYTHONHASHSEED=0, or undefined when CPython's value is not reproducible (None, NaN: address based). */
export function pyHash0(v: PyValue): bigint | undefined {
  let h: bigint;
  if (typeof v === "string") {
    if (v.length === 0) return 0n;
    h = BigInt.asIntN(64, siphash13(strBytes(v)));
  } else if (typeof v === "boolean" || typeof v === "bigint") {
    const n = typeof v === "boolean" ? (v ? 1n : 0n) : v;
    const r = (n < 0n ? -n : n) % MODULUS;
    h = n < 0n ? -r : r;
  } else if (typeof v === "number") {
    const d = hashDouble(v);
    if (d === undefined) return undefined;
    h = d;
  } else {
    return undefined;
  }
  if (h === -1n) h = -2n;
  return BigInt.asUintN(64, h);
}

/** CPython's `_Py_HashDouble` (Python/pyhash.c) for finite and infinite values. */
function hashDouble(v: number): bigint | undefined {
  if (Number.isNaN(v)) return undefined;
  if (!Number.isFinite(v)) return v > 0 ? 314159n : -314159n;
  if (Number.isInteger(v)) return pyHashIntLike(BigInt(v));
  // frexp: v = m * 2**e with 0.5 <= |m| < 1.
  let e = v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1;
  let m = v / 2 ** e;
  if (Math.abs(m) >= 1) {
    m /= 2;
    e += 1;
  } else if (Math.abs(m) < 0.5) {
    m *= 2;
    e -= 1;
  }
  let sign = 1n;
  if (m < 0) {
    sign = -1n;
    m = -m;
  }
  let x = 0n;
  while (m) {
    x = ((x << 28n) & MODULUS) | (x >> (61n - 28n));
    m *= 268435456.0;
    e -= 28;
    const y = Math.trunc(m);
    m -= y;
    x += BigInt(y);
    if (x >= MODULUS) x -= MODULUS;
  }
  const eb = BigInt(e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61));
  x = ((x << eb) & MODULUS) | (x >> (61n - eb));
  return x * sign;
}

function pyHashIntLike(n: bigint): bigint {
  const r = (n < 0n ? -n : n) % MODULUS;
  return n < 0n ? -r : r;
}

interface Slot {
  key: PyValue;
  hash: bigint;
}

const LINEAR_PROBES = 9n;
const PERTURB_SHIFT = 5n;
const DUMMY: Slot = { key: null, hash: -1n };

/** A CPython 3.11 set table (Objects/setobject.c), enough to reproduce iteration order. */
class SetTable {
  table: Array<Slot | undefined> = new Array(8);
  mask = 7n;
  fill = 0;
  used = 0;

  private static insertClean(table: Array<Slot | undefined>, mask: bigint, slot: Slot): void {
    let perturb = slot.hash;
    let i = slot.hash & mask;
    for (;;) {
      if (table[Number(i)] === undefined) {
        table[Number(i)] = slot;
        return;
      }
      if (i + LINEAR_PROBES <= mask) {
        for (let j = 1n; j <= LINEAR_PROBES; j++) {
          if (table[Number(i + j)] === undefined) {
            table[Number(i + j)] = slot;
            return;
          }
        }
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & mask;
    }
  }

  resize(minused: number): void {
    let size = 8;
    while (size <= minused) size <<= 1;
    const old = this.table;
    this.table = new Array(size);
    this.mask = BigInt(size - 1);
    this.fill = this.used;
    for (const s of old) if (s !== undefined && s !== DUMMY) SetTable.insertClean(this.table, this.mask, s);
  }

  /** `set_add_entry` for a key known to be absent (dict keys are distinct). */
  add(slot: Slot): void {
    let perturb = slot.hash;
    let i = slot.hash & this.mask;
    for (;;) {
      const probes = i + LINEAR_PROBES <= this.mask ? LINEAR_PROBES : 0n;
      for (let j = 0n; j <= probes; j++) {
        if (this.table[Number(i + j)] === undefined) {
          this.table[Number(i + j)] = slot;
          this.fill++;
          this.used++;
          if (this.fill * 5 >= Number(this.mask) * 3) this.resize(this.used > 50000 ? this.used * 2 : this.used * 4);
          return;
        }
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & this.mask;
    }
  }

  /** `set_merge` into this (empty) set: one resize up front, then a pointer copy or clean inserts. */
  mergeFrom(other: SetTable): void {
    if (other.used === 0) return;
    if ((this.fill + other.used) * 5 >= Number(this.mask) * 3) this.resize((this.used + other.used) * 2);
    if (this.fill === 0 && this.mask === other.mask && other.fill === other.used) {
      this.table = other.table.slice();
    } else {
      for (const s of other.table) if (s !== undefined && s !== DUMMY) SetTable.insertClean(this.table, this.mask, s);
    }
    this.fill = other.used;
    this.used = other.used;
  }

  discard(pred: (k: PyValue) => boolean): void {
    this.table.forEach((s, i) => {
      if (s !== undefined && s !== DUMMY && pred(s.key)) {
        this.table[i] = DUMMY;
        this.used--;
      }
    });
  }

  keys(): PyValue[] {
    const out: PyValue[] = [];
    for (const s of this.table) if (s !== undefined && s !== DUMMY) out.push(s.key);
    return out;
  }
}

/**
 * The iteration order of `set(keys) - other` in CPython 3.11 with PYTHONHASHSEED=0, where `keys`
 * are distinct dict keys in insertion order and `other` is a set of `otherSize` elements
 * (`isInOther` tests membership). Returns undefined when a key's hash is not reproducible.
 */
export function setDifferenceOrder(keys: readonly PyValue[], otherSize: number, isInOther: (k: PyValue) => boolean): PyValue[] | undefined {
  const so = new SetTable();
  for (const key of keys) {
    const hash = pyHash0(key);
    if (hash === undefined) return undefined;
    so.add({ key, hash });
  }
  if (so.used >> 2 > otherSize) {
    // `set_copy_and_difference`: copy, then discard the common elements (leaving dummies).
    const copy = new SetTable();
    copy.mergeFrom(so);
    copy.discard(isInOther);
    return copy.keys();
  }
  const result = new SetTable();
  for (const s of so.table) if (s !== undefined && s !== DUMMY && !isInOther(s.key)) result.add(s);
  return result.keys();
}
