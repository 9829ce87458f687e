import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pyJsonDumps } from "./format.ts";
import { parsePyJson, parsePyJsonLines } from "./json.ts";
import { PyDict } from "./value.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(here, "../../../..", "../shared");

const invalid = (text: string): string => {
  try {
    parsePyJson(text);
  } catch (e) {
    return (e as Error).message;
  }
  return "parsed";
};

describe("parsePyJson", () => {
  it("types numbers like Python: int lexemes → bigint, others → float", () => {
    expect(parsePyJson("12")).toBe(12n);
    expect(parsePyJson("-0")).toBe(0n);
    expect(parsePyJson("123456789012345678901234567890")).toBe(123456789012345678901234567890n);
    expect(parsePyJson("3.0")).toBe(3);
    expect(parsePyJson("1e2")).toBe(100);
    expect(parsePyJson("-1E-5")).toBe(-1e-5);
    expect(parsePyJson("1e400")).toBe(Infinity);
    expect(parsePyJson("-0.0")).toBe(-0);
    expect(parsePyJson("NaN")).toBeNaN();
    expect(parsePyJson(" -Infinity ")).toBe(-Infinity);
    expect(parsePyJson("[true, false, null]")).toEqual([true, false, null]);
  });
  it("keeps object insertion order (integer-like keys too) and lets the last duplicate win in place", () => {
    const d = parsePyJson('{"b": 1, "12": 2, "0": 3, "b": 4}') as PyDict;
    expect(d).toBeInstanceOf(PyDict);
    expect([...d.keys()]).toEqual(["b", "12", "0"]);
    expect(d.get("b")).toBe(4n);
  });
  it("decodes escapes including surrogate pairs and lone surrogates", () => {
    expect(parsePyJson('"caf\\u00e9 \\ud83d\\ude00 \\/\\b\\f\\n\\r\\t\\"\\\\"')).toBe('café \u{1F600} /\b\f\n\r\t"\\');
    expect(parsePyJson('"\\ud800x"')).toBe("\ud800x");
    expect(parsePyJson('"é"')).toBe("é");
  });
  it("rejects invalid JSON with a located [envtune] error", () => {
    for (const bad of [
      "",
      "[1,]",
      "{'a': 1}",
      '{"a" 1}',
      "[1 2]",
      '"abc',
      '"a\nb"',
      "01",
      "1.",
      "tru",
      "[",
      '"\\x"',
      "NaNa",
      "-",
      "+1",
      '{"a":1,}',
    ]) {
      expect(invalid(bad), bad).toMatch(/^\[envtune\] \[core\] Invalid JSON: .*line 1 column \d+ \(char \d+\)/);
    }
    expect(invalid('{\n  "a": tru\n}')).toContain("Expecting value: line 2 column 8 (char 9)");
    expect(invalid("[1] 2")).toContain("Extra data");
  });
  it("parses JSON Lines and reports the failing record's line", () => {
    expect(parsePyJsonLines('{"a": 1}\n\n[2]\n')).toHaveLength(2);
    let msg = "";
    try {
      parsePyJsonLines('{"a": 1}\n[2,\n');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^\[envtune\] \[core\] Invalid JSON \(JSON Lines record on line 2\)/);
  });
  it("parses both trace files fast, and json.dumps(ensure_ascii=False) reproduces every line", () => {
    let lines = 0;
    let chars = 0;
    let parseMs = 0;
    for (const f of ["ground_truth.jsonl", "fuzz.jsonl"]) {
      const text = readFileSync(path.join(sharedDir, "bfcl/traces", f), "utf8");
      chars += text.length;
      const t0 = performance.now();
      const recs = parsePyJsonLines(text);
      parseMs += performance.now() - t0;
      const raw = text.split("\n").filter((l) => l.trim() !== "");
      expect(recs).toHaveLength(raw.length);
      recs.forEach((r, i) => expect(pyJsonDumps(r, { ensureAscii: false })).toBe(raw[i]));
      lines += recs.length;
    }
    expect(lines).toBe(1100);
    expect(chars).toBeGreaterThan(18_000_000);
    // ~0.3 s on the 2-core dev box; the bound only catches accidental quadratic behaviour.
    expect(parseMs).toBeLessThan(5000);
  });
});
