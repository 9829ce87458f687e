import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PY_ELLIPSIS, encodeValue } from "../py/encode.ts";
import { pyJsonDumps } from "../py/format.ts";
import { parsePyJson } from "../py/json.ts";
import { PyDict } from "../py/value.ts";
import { parsePythonAssignments } from "./python.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const sharedDir = process.env.ENVTUNE_SHARED_DIR ?? path.resolve(repoRoot, "../shared");

describe("parsePythonAssignments on BFCL's long_context.py", () => {
  const source = readFileSync(path.join(sharedDir, "bfcl/upstream/long_context.py"), "utf8");
  const expected = parsePyJson(readFileSync(path.join(sharedDir, "bfcl/data/long_context.json"), "utf8")) as PyDict;
  const parsed = parsePythonAssignments(source);

  it("finds the 16 constants, in source order", () => {
    expect(parsed.map(([k]) => k).sort()).toEqual([...expected.keys()].map(String).sort());
    expect(parsed[0]?.[0]).toBe("WATCH_LIST_EXTENSION");
  });

  it("gives exactly the values of long_context.json (lossless encoding)", () => {
    for (const [name, value] of parsed) {
      expect(encodeValue(value), name).toBe(pyJsonDumps(expected.getItem(name)));
    }
  });

  it("ends WATCH_LIST_EXTENSION with Python's Ellipsis", () => {
    const watch = parsed.find(([k]) => k === "WATCH_LIST_EXTENSION")?.[1] as unknown[];
    expect(watch).toHaveLength(1001);
    expect(watch[1000]).toBe(PY_ELLIPSIS);
  });
});
