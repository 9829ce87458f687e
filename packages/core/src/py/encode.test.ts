import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PY_ELLIPSIS, decodeEncoded, encodeValue, isRawEncoded } from "./encode.ts";
import type { DecodeHooks } from "./encode.ts";
import { pyEquals } from "./equality.ts";
import { pyJsonDumps, pyRepr } from "./format.ts";
import { parsePyJson, parsePyJsonLines } from "./json.ts";
import { PyDict, PySet, PyTuple } from "./value.ts";
import type { PyObject, PyValue } from "./value.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(here, "../../../..", "../shared");

/** A stand-in for the file-system pack's Directory/File, enough to exercise the hook. */
class Node implements PyObject {
  readonly pyKind = "object" as const;
  readonly tag: string;
  readonly payload: PyDict;
  constructor(tag: string, payload: PyDict) {
    this.tag = tag;
    this.payload = payload;
  }
  pyTypeName(): string {
    return this.tag === "$dir" ? "Directory" : "File";
  }
  pyRepr(): string {
    return `<${this.pyTypeName()}>`;
  }
  pyEquals(other: PyValue): boolean {
    return other instanceof Node && other.tag === this.tag && pyEquals(other.payload, this.payload);
  }
  pyEncode(): string {
    return `{"${this.tag}": ${encodeValue(this.payload)}}`;
  }
}
const hooks: DecodeHooks = {
  decodeObject: (tag, payload) => ((tag === "$dir" || tag === "$file") && payload instanceof PyDict ? new Node(tag, payload) : undefined),
};

describe("encodeValue", () => {
  it("follows the trace encoding table", () => {
    expect(encodeValue(null)).toBe("null");
    expect(encodeValue(3n)).toBe("3");
    expect(encodeValue(2n ** 53n)).toBe("9007199254740992");
    expect(encodeValue(2n ** 53n + 1n)).toBe('{"$int": "9007199254740993"}');
    expect(encodeValue(-(2n ** 60n))).toBe('{"$int": "-1152921504606846976"}');
    expect(encodeValue(2.5)).toBe("2.5");
    expect(encodeValue(1e-5)).toBe("1e-05");
    expect(encodeValue(3)).toBe('{"$float": "3.0"}');
    expect(encodeValue(-0)).toBe('{"$float": "-0.0"}');
    expect(encodeValue(1e300)).toBe('{"$float": "1e+300"}');
    expect(encodeValue(NaN)).toBe('{"$float": "nan"}');
    expect(encodeValue(-Infinity)).toBe('{"$float": "-inf"}');
    expect(encodeValue("caf\u00e9")).toBe('"caf\\u00e9"');
    expect(encodeValue(new PyTuple([1n, "a"]))).toBe('{"$tuple": [1, "a"]}');
    expect(encodeValue(new PySet([67410n, 41772n, 100n]))).toBe('{"$set": [100, 41772, 67410]}');
    expect(encodeValue(new PySet(["b", "a", 1n]))).toBe('{"$set": ["a", "b", 1]}');
    expect(encodeValue(PyDict.from({ a: 1n, b: [] }))).toBe('{"a": 1, "b": []}');
    expect(
      encodeValue(
        new PyDict([
          [1n, "x"],
          ["y", 2.0],
        ]),
      ),
    ).toBe('{"$dict": [[1, "x"], ["y", {"$float": "2.0"}]]}');
    expect(encodeValue(PyDict.from({ $ref: 1n }))).toBe('{"$dict": [["$ref", 1]]}');
    expect(encodeValue(new PyDict())).toBe("{}");
    expect(encodeValue(PY_ELLIPSIS)).toBe('{"$repr": "Ellipsis", "$type": "ellipsis"}');
  });
});

describe("decodeEncoded", () => {
  it("inverts the tags", () => {
    const v = decodeEncoded(
      parsePyJson(
        '{"a": {"$float": "3.0"}, "b": {"$int": "9007199254740993"}, "c": {"$tuple": [1, {"$set": [2]}]},' +
          ' "d": {"$dict": [[1, {"$float": "inf"}], [{"$tuple": [1, 2]}, null]]}, "e": {"$repr": "Ellipsis", "$type": "ellipsis"}}',
      ),
    ) as PyDict;
    expect(v.get("a")).toBe(3);
    expect(v.get("b")).toBe(9007199254740993n);
    expect(pyRepr(v.get("c") as PyValue)).toBe("(1, {2})");
    expect((v.get("d") as PyDict).get(1n)).toBe(Infinity);
    expect((v.get("d") as PyDict).get(new PyTuple([1n, 2n]))).toBe(null);
    expect(v.get("e")).toBe(PY_ELLIPSIS);
    expect(pyRepr(v)).toBe("{'a': 3.0, 'b': 9007199254740993, 'c': (1, {2}), 'd': {1: inf, (1, 2): None}, 'e': Ellipsis}");
  });
  it("keeps unknown objects undecoded without a hook, and they still round-trip", () => {
    const text = '{"root": {"$dir": {"name": "r", "contents": {"f": {"$file": {"name": "f", "content": "x\\u00e9"}}}}}}';
    const v = decodeEncoded(parsePyJson(text)) as PyDict;
    expect(isRawEncoded(v.get("root") as PyValue)).toBe(true);
    expect(encodeValue(v)).toBe(text);
    const w = decodeEncoded(parsePyJson(text), hooks) as PyDict;
    expect(w.get("root")).toBeInstanceOf(Node);
    const contents = ((w.get("root") as Node).payload.get("contents") as PyDict).get("f");
    expect(contents).toBeInstanceOf(Node);
    expect(encodeValue(w)).toBe(text);
  });
  it("rejects malformed tags with an [envtune] error", () => {
    expect(() => decodeEncoded(parsePyJson('{"$int": 5}'))).toThrowError(/^\[envtune\] \[core\] decodeEncoded: malformed \$int/);
    expect(() => decodeEncoded(parsePyJson('{"$float": "abc"}'))).toThrowError(/invalid \$float/);
  });
});

describe("lossless round trip over every trace state fragment", () => {
  const fragments: PyValue[] = [];
  for (const f of ["ground_truth.jsonl", "fuzz.jsonl"]) {
    for (const rec of parsePyJsonLines(readFileSync(path.join(sharedDir, "bfcl/traces", f), "utf8")) as PyDict[]) {
      for (const [, cls] of (rec.getItem("initial_state") as PyDict).entries()) fragments.push(cls);
      for (const turn of rec.getItem("turns") as PyDict[]) {
        for (const [, cls] of (turn.getItem("state") as PyDict).entries()) fragments.push(cls);
      }
    }
  }

  it("encodeValue(decodeEncoded(x)) === pyJsonDumps(x), without and with object hooks", () => {
    let n = 0;
    let fsFragments = 0;
    for (const x of fragments) {
      const expected = pyJsonDumps(x);
      expect(encodeValue(decodeEncoded(x))).toBe(expected);
      if (expected.includes('{"$dir"')) {
        expect(encodeValue(decodeEncoded(x, hooks))).toBe(expected);
        fsFragments++;
      }
      n++;
    }
    // 800 + 300 entries: initial states plus one state per turn, for every involved class.
    expect(n).toBeGreaterThan(8000);
    expect(fsFragments).toBeGreaterThan(1000);
  });

  it("decoded fragments stay Python-equal through an encode → parse → decode cycle", () => {
    let checked = 0;
    for (const x of fragments.slice(0, 2000)) {
      const a = decodeEncoded(x);
      const b = decodeEncoded(parsePyJson(encodeValue(a)));
      expect(pyEquals(a, b)).toBe(true);
      checked++;
    }
    expect(checked).toBe(2000);
  });

  it("round-trips long_context.json (incl. the Ellipsis)", () => {
    const text = readFileSync(path.join(sharedDir, "bfcl/data/long_context.json"), "utf8");
    const raw = parsePyJson(text);
    const decoded = decodeEncoded(raw) as PyDict;
    expect(encodeValue(decoded)).toBe(pyJsonDumps(raw));
    const watch = decoded.get("WATCH_LIST_EXTENSION") as PyValue[];
    expect(watch[watch.length - 1]).toBe(PY_ELLIPSIS);
  });
});
