import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pyDeepCopy } from "./copy.ts";
import { decodeEncoded, encodeValue } from "./encode.ts";
import { pyCompare, pyEquals, pySorted } from "./equality.ts";
import { pyFloatRepr, pyFormatFixed, pyJsonDumps, pyRepr, pyRound } from "./format.ts";
import { parsePyJson } from "./json.ts";
import { pyCodePointCompare, pyLen, pySplit, pyStrip } from "./str.ts";
import { PyDict, PyException, PySet, PyTuple } from "./value.ts";
import type { PyValue } from "./value.ts";

const RUNS = { numRuns: 300, seed: 20250615 };

const double = fc.oneof(
  fc.double(),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e-5, 1e16, 5e-324, 2.675, 0.125),
);
const bigint = fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.bigInt({ min: -5n, max: 5n }));
const str = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 5 }),
  fc.string({ unit: "binary", maxLength: 5 }),
);
const scalar: fc.Arbitrary<PyValue> = fc.oneof(fc.constant(null), fc.boolean(), bigint, double, str);
const hashable: fc.Arbitrary<PyValue> = fc.oneof(
  scalar,
  fc.array(fc.oneof(bigint, str), { maxLength: 3 }).map((xs) => new PyTuple(xs)),
);

/** Any PyValue, including ones json.dumps rejects (sets, tuple keys). */
const anyValue: fc.Arbitrary<PyValue> = fc.letrec<{ v: PyValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(tie("v"), { maxLength: 3 }).map((xs) => new PyTuple(xs)),
    fc.array(fc.tuple(hashable, tie("v")), { maxLength: 4 }).map((es) => new PyDict(es)),
    fc.array(hashable, { maxLength: 4 }).map((xs) => new PySet(xs)),
  ),
})).v;

/** Values json.dumps accepts and json.loads gives back (str keys, no sets). */
const jsonValue: fc.Arbitrary<PyValue> = fc.letrec<{ v: PyValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(tie("v"), { maxLength: 3 }).map((xs) => new PyTuple(xs)),
    fc.array(fc.tuple(str, tie("v")), { maxLength: 4 }).map((es) => new PyDict(es)),
  ),
})).v;

/** Strict structural equality, tuples read as lists (what a JSON round trip keeps). */
function sameJson(a: PyValue, b: PyValue): boolean {
  if (a instanceof PyTuple) a = [...a.items];
  if (typeof a === "number") return typeof b === "number" && Object.is(a, b);
  if (typeof a !== "object" || a === null) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i] as PyValue));
  if (a instanceof PyDict) {
    if (!(b instanceof PyDict) || a.size !== b.size) return false;
    const ka = [...a.entries()];
    const kb = [...b.entries()];
    return ka.every(([k, v], i) => k === (kb[i] as [PyValue, PyValue])[0] && sameJson(v, (kb[i] as [PyValue, PyValue])[1]));
  }
  return false;
}

function onlyPyExceptions(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PyException)) throw e;
  }
}

describe("property tests (fast-check)", () => {
  it("parsePyJson(pyJsonDumps(v)) round-trips (tuple → list), with and without ensure_ascii", () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(sameJson(v, parsePyJson(pyJsonDumps(v)))).toBe(true);
        expect(sameJson(v, parsePyJson(pyJsonDumps(v, { ensureAscii: false })))).toBe(true);
        expect(/^[\x20-\x7e]*$/.test(pyJsonDumps(v))).toBe(true);
      }),
      RUNS,
    );
  });

  it("pyFloatRepr(x) parses back to x and is at most 17 significant digits", () => {
    fc.assert(
      fc.property(double, (x) => {
        const r = pyFloatRepr(x);
        const back = r === "nan" ? NaN : r === "inf" ? Infinity : r === "-inf" ? -Infinity : Number(r);
        expect(Object.is(back, x)).toBe(true);
        if (Number.isFinite(x)) expect(r).toMatch(/^-?\d+(\.\d+)?(e[-+]\d{2,3})?$/);
      }),
      { ...RUNS, numRuns: 2000 },
    );
  });

  it("the lossless encoding round-trips every value exactly", () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const text = encodeValue(v);
        expect(encodeValue(decodeEncoded(parsePyJson(text)))).toBe(text);
      }),
      RUNS,
    );
  });

  it("nothing but PyException ever escapes the value layer", () => {
    fc.assert(
      fc.property(anyValue, anyValue, (a, b) => {
        onlyPyExceptions(() => pyRepr(a));
        onlyPyExceptions(() => pyJsonDumps(a));
        onlyPyExceptions(() => pyCompare(a, b));
        onlyPyExceptions(() => pySorted([a, b, a]));
        onlyPyExceptions(() => new PyDict([[a, b]]));
        expect(pyEquals(a, pyDeepCopy(a)) || pyRepr(a).includes("nan")).toBe(true);
        expect(typeof pyEquals(a, b)).toBe("boolean");
      }),
      RUNS,
    );
  });

  it('float(f"{x:.nf}") == round(x, n) (both exact half-even)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: 0, max: 8 }), (x, n) => {
        expect(Number(pyFormatFixed(x, n))).toBe(pyRound(x, BigInt(n)));
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it("str helpers agree with code point arrays", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 10 }), fc.string({ unit: "binary", maxLength: 10 }), (a, b) => {
        const ca = [...a].map((c) => c.codePointAt(0) as number);
        const cb = [...b].map((c) => c.codePointAt(0) as number);
        let expected = ca.length - cb.length;
        for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
          if (ca[i] !== cb[i]) {
            expected = (ca[i] as number) - (cb[i] as number);
            break;
          }
        }
        expect(Math.sign(pyCodePointCompare(a, b))).toBe(Math.sign(expected));
        expect(pyLen(a)).toBe(ca.length);
        expect(pySplit(a).join("")).toBe(pySplit(pyStrip(a)).join(""));
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });
});
