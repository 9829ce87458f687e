/**
 * The performance fast paths (issue 7) against the straightforward implementations they replaced,
 * kept here as oracles: identical output on random and edge-case inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pyFloatRepr, pyJsonDumps, pyJsonString, pyRepr } from "./format.ts";
import { PY_ELLIPSIS, encodeValue } from "./encode.ts";
import { freezePyValue, pyListConcat } from "./frozen.ts";
import { pyDeepCopy } from "./copy.ts";
import { pyFloatReprSlow } from "./scalar-repr.ts";
import { PyDict, PySet, PyTuple, type PyValue } from "./value.ts";

const SHORT: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t" };
function jsonStringOracle(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0x7f || !ensureAscii)) out += s[i];
    else out += SHORT[c] ?? "\\u" + c.toString(16).padStart(4, "0");
  }
  return out + '"';
}

const EDGE_FLOATS = [
  1e-4,
  1e-4 * (1 - Number.EPSILON),
  9.999999999999999e-5,
  1.0000000000000002e-4,
  1e16,
  1e16 - 2,
  9999999999999998,
  1e15,
  123456789012345.6,
  0.1,
  0.5,
  1,
  2,
  -1,
  -1e-4,
  -1e16,
  5e-324,
  1.7976931348623157e308,
  1e21,
  1e-7,
  1e-5,
  3.0,
  227.16,
  0.30000000000000004,
  2 ** 53,
  2 ** 53 + 2,
];

describe("pyFloatRepr fast path", () => {
  it("matches the toExponential layout on edge cases", () => {
    for (const x of EDGE_FLOATS) {
      expect(pyFloatRepr(x), String(x)).toBe(pyFloatReprSlow(x));
      expect(pyFloatRepr(-x), String(-x)).toBe(pyFloatReprSlow(-x));
    }
  });
  it("matches on random doubles (any bit pattern) and on random decimals", () => {
    fc.assert(
      fc.property(fc.double(), (x) => pyFloatRepr(x) === pyFloatReprSlow(x)),
      { numRuns: 20000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 20 }), (m, d) => {
        const x = m / 10 ** d;
        return pyFloatRepr(x) === pyFloatReprSlow(x);
      }),
      { numRuns: 20000 },
    );
  });
});

describe("pyJsonString fast paths", () => {
  const cases = [
    "",
    "plain",
    'a "quoted" \\ text',
    "tab\there",
    "\u007f",
    "é",
    "😀",
    "\u0000\u001f",
    '{"k": "v\\n"}',
    "x".repeat(5000) + '"',
  ];
  it("matches the per-character escaper on edge cases", () => {
    for (const s of cases) for (const ascii of [true, false]) expect(pyJsonString(s, ascii)).toBe(jsonStringOracle(s, ascii));
  });
  it("matches on random strings", () => {
    const str = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("a", '"', "\\", "\n", "\u007f", "é", "\ud83d", " ") }),
    );
    fc.assert(
      fc.property(str, fc.boolean(), (s, ascii) => pyJsonString(s, ascii) === jsonStringOracle(s, ascii)),
      { numRuns: 2000 },
    );
  });
  it("matches on strings around the inline-scan length limit", () => {
    const unit = fc.oneof(
      { weight: 300, arbitrary: fc.constantFrom("a", " ", "~", "!") },
      fc.constantFrom('"', "\\", "\n", "\u007f", "é", "\ud83d", "\u0000"),
    );
    const str = fc.string({ unit, minLength: 200, maxLength: 300 });
    fc.assert(
      fc.property(str, fc.boolean(), (s, ascii) => pyJsonString(s, ascii) === jsonStringOracle(s, ascii)),
      { numRuns: 500 },
    );
  });
});

describe("encodeValue", () => {
  it("is stable on nested values", () => {
    const v: PyValue = PyDict.from({ a: [1.5, 2.0, 3n, 'x"y'], b: new PyTuple([null, true]), c: new PySet(["b", "a"]) });
    expect(encodeValue(v)).toBe('{"a": [1.5, {"$float": "2.0"}, 3, "x\\"y"], "b": {"$tuple": [null, true]}, "c": {"$set": ["a", "b"]}}');
  });
});

describe("encodeValue caches of dicts (version-checked) and frozen values", () => {
  it("re-encodes after any change below a cached dict", () => {
    const card = PyDict.from({ number: "1", balance: 5.5 });
    const cards = PyDict.from({ a: card, b: PyDict.from({ number: "2", balance: 1.0 }) });
    const state = PyDict.from({ cards, tags: ["x"] });
    const first = encodeValue(state);
    expect(encodeValue(state)).toBe(first);
    card.set("balance", 6.5);
    expect(encodeValue(state)).toBe(first.replace("5.5", "6.5"));
    (state.get("tags") as PyValue[]).push("y");
    expect(encodeValue(state)).toContain('"tags": ["x", "y"]');
    cards.delete("b");
    expect(encodeValue(cards)).toBe('{"a": {"number": "1", "balance": 6.5}}');
    const inner = PyDict.from({ deep: PyDict.from({ n: 1n }) });
    const outer = PyDict.from({ inner });
    expect(encodeValue(outer)).toBe('{"inner": {"deep": {"n": 1}}}');
    (inner.get("deep") as PyDict).set("n", 2n);
    expect(encodeValue(outer)).toBe('{"inner": {"deep": {"n": 2}}}');
  });
  it("tracks lists, tuples and int-keyed dicts below a cached dict", () => {
    const tags: PyValue[] = ["#a"];
    const tweet = PyDict.from({ id: 0n, tags, pair: new PyTuple([[1.0], "x"]), none: PyDict.from({}) });
    const tweets = new PyDict([[0n, tweet]]);
    const state = PyDict.from({ tweets });
    const text = () => encodeValue(state);
    const first = text();
    expect(first).toBe(
      '{"tweets": {"$dict": [[0, {"id": 0, "tags": ["#a"], "pair": {"$tuple": [[{"$float": "1.0"}], "x"]}, "none": {}}]]}}',
    );
    expect(text()).toBe(first);
    tags.push("#b");
    expect(text()).toContain('"tags": ["#a", "#b"]');
    ((tweet.get("pair") as PyTuple).items[0] as PyValue[])[0] = -0;
    expect(text()).toContain('[{"$float": "-0.0"}]');
    ((tweet.get("pair") as PyTuple).items[0] as PyValue[])[0] = 0;
    expect(text()).toContain('[{"$float": "0.0"}]');
    (tweet.get("none") as PyDict).set("k", new PySet([1n]));
    expect(text()).toContain('"none": {"k": {"$set": [1]}}');
    ((tweet.get("none") as PyDict).get("k") as PySet).add(2n);
    expect(text()).toContain('"none": {"k": {"$set": [1, 2]}}');
    tweets.set(1n, PyDict.from({ id: 1n }));
    expect(text()).toContain('[1, {"id": 1}]');
  });
  it("prints frozen values identically to their mutable copies, every time", () => {
    const make = (): PyValue =>
      PyDict.from({ l: [1.5, 2.0, "a\n", PyDict.from({ k: null })], t: new PyTuple([1n, [2n]]), s: new PySet(["b", "a"]) });
    const frozen = freezePyValue(make());
    const plain = make();
    for (let i = 0; i < 2; i++) {
      expect(encodeValue(frozen)).toBe(encodeValue(plain));
      expect(pyRepr(frozen)).toBe(pyRepr(plain));
      expect(() => pyJsonDumps(frozen)).toThrow("Object of type set is not JSON serializable");
    }
    const lst = freezePyValue([1.0, PyDict.from({ a: [1n] })]);
    expect(pyJsonDumps(lst)).toBe('[1.0, {"a": [1]}]');
    expect(pyJsonDumps(lst)).toBe('[1.0, {"a": [1]}]');
    expect(pyJsonDumps(PyDict.from({ x: lst }))).toBe('{"x": [1.0, {"a": [1]}]}');
  });
  it("refuses to mutate frozen values and hands out mutable copies", () => {
    const d = freezePyValue(PyDict.from({ a: [1n] }));
    expect(() => d.set("b", 1n)).toThrow(/frozen dict/);
    expect(() => (d.get("a") as PyValue[]).push(2n)).toThrow(TypeError);
    const c = pyDeepCopy(d);
    c.set("b", 2n);
    (c.get("a") as PyValue[]).push(3n);
    expect(encodeValue(c)).toBe('{"a": [1, 3], "b": 2}');
    expect(encodeValue(d)).toBe('{"a": [1]}');
    expect(d.copy().frozen).toBe(false);
  });
  it("still detects cycles in json.dumps, deep or shallow", () => {
    const a: PyValue[] = [];
    a.push(PyDict.from({ back: a }));
    expect(() => pyJsonDumps(a)).toThrow("Circular reference detected");
    let deep: PyValue = "leaf";
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(pyJsonDumps(deep)).toBe("[".repeat(200) + '"leaf"' + "]".repeat(200));
    const ell = freezePyValue(["a", PY_ELLIPSIS]);
    expect(() => pyJsonDumps(ell)).toThrow("Object of type ellipsis is not JSON serializable");
    expect(() => pyJsonDumps(ell)).toThrow("Object of type ellipsis is not JSON serializable");
    expect(pyRepr(ell)).toBe("['a', Ellipsis]");
  });
});

describe("pyListConcat", () => {
  const tail = freezePyValue(Array.from({ length: 40 }, (_, i): PyValue => (i % 2 ? `s${i}` : i + 0.5)));
  it("prints like the plain concatenation, before and after the list changes", () => {
    const head: PyValue[] = ["h", 1n];
    const made = pyListConcat(head, tail);
    const plain = () => head.concat(tail);
    const same = (x: PyValue[], y: PyValue[]) => {
      expect(pyJsonDumps(x)).toBe(pyJsonDumps(y));
      expect(pyRepr(x)).toBe(pyRepr(y));
      expect(encodeValue(x)).toBe(encodeValue(y));
    };
    same(made, plain());
    same(made, plain());
    made[5] = "changed";
    const expected = plain();
    expected[5] = "changed";
    same(made, expected);
    made.push(PY_ELLIPSIS);
    expect(() => pyJsonDumps(made)).toThrow("Object of type ellipsis is not JSON serializable");
    expect(pyRepr(made).endsWith(", Ellipsis]")).toBe(true);
  });
  it("reports the head's errors first and keeps repr cycles", () => {
    const made = pyListConcat([new PySet([1n])], tail);
    expect(() => pyJsonDumps(made)).toThrow("Object of type set is not JSON serializable");
    const cyc: PyValue[] = [];
    const withSelf = pyListConcat(cyc, tail);
    withSelf[0] = withSelf;
    expect(pyRepr(withSelf).startsWith("[[...], ")).toBe(true);
  });
});
