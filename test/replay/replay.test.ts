import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core";
import { main } from "../../packages/cli/src/index.ts";
import { NON_REPRODUCED_KINDS, traceFile, readTraceFile, type TraceRecord } from "@envtune/testing";

const repo = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "envtune-replay-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  results: { total: number; same: number };
  states: { total: number; same: number };
  byKind: Map<
    string,
    { calls: number; same: number; /** identical, or an error on both sides */ bothErr: number; turns: number; statesSame: number }
  >;
  firstMismatches: string[];
}

async function replayAndCompare(file: string): Promise<Outcome> {
  const out = join(tmp, `${file.split("/").pop()}.out.jsonl`);
  const errs: string[] = [];
  const code = await main(["replay", "--trace", file, "--out", out], { stdout: () => {}, stderr: (s) => errs.push(s) });
  expect(code, errs.join("")).toBe(0);
  const expected = readTraceFile(file);
  const actual = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => parsePyJson(l) as PyDict);
  expect(actual).toHaveLength(expected.length);
  const o: Outcome = { results: { total: 0, same: 0 }, states: { total: 0, same: 0 }, byKind: new Map(), firstMismatches: [] };
  const isErr = (s: string) => s.startsWith("Error during execution:") || s.startsWith('{"error"');
  expected.forEach((rec: TraceRecord, i) => {
    const act = actual[i]!;
    const turns = act.get("turns") as PyValue[];
    let stop = false;
    rec.turns.forEach((t, ti) => {
      if (stop) return;
      const at = turns[ti] as PyDict;
      const acalls = at.get("calls") as PyDict[];
      const kinds = new Set<string>();
      for (let ci = 0; ci < t.calls.length; ci++) {
        const c = t.calls[ci]!;
        const kind = c.kind ?? "gt";
        if (NON_REPRODUCED_KINDS.has(kind)) {
          stop = true;
          return;
        }
        kinds.add(kind);
        let k = o.byKind.get(kind);
        if (!k) o.byKind.set(kind, (k = { calls: 0, same: 0, bothErr: 0, turns: 0, statesSame: 0 }));
        const got = acalls[ci]!.get("result") as string;
        k.calls++;
        o.results.total++;
        if (got === c.result) {
          k.same++;
          o.results.same++;
        } else if (o.firstMismatches.length < 10) o.firstMismatches.push(`${rec.id} t${ti} ${c.call}\n  exp ${c.result}\n  got ${got}`);
        if (got === c.result || (isErr(c.result!) && isErr(got))) k.bothErr++;
      }
      const st = at.get("state") as PyDict;
      for (const [cls, exp] of t.state ?? []) {
        o.states.total++;
        const same = pyJsonDumps(st.get(cls)!) === exp;
        if (same) o.states.same++;
        else if (o.firstMismatches.length < 10) o.firstMismatches.push(`${rec.id} t${ti} state ${cls}`);
        for (const kind of kinds) {
          const k = o.byKind.get(kind)!;
          k.turns++;
          if (same) k.statesSame++;
        }
      }
    });
  });
  return o;
}

describe("envtune replay reproduces the reference traces", () => {
  it("ground_truth.jsonl: every call result and every turn state identical", async () => {
    const o = await replayAndCompare(traceFile("ground_truth.jsonl"));
    expect(o.firstMismatches).toEqual([]);
    expect(o.results).toEqual({ total: 4625, same: 4625 });
    expect(o.states.same).toBe(o.states.total);
    expect(o.states.total).toBeGreaterThanOrEqual(3336);
  });

  it("fuzz.jsonl: identical for every reproduced kind; wrong_type keeps state and errors", async () => {
    const o = await replayAndCompare(traceFile("fuzz.jsonl"));
    const table = Object.fromEntries([...o.byKind].map(([k, v]) => [k, `${v.same}/${v.calls} results, ${v.statesSame}/${v.turns} states`]));
    console.log("fuzz conformance", table);
    for (const kind of [
      "gt",
      "valid",
      "positional",
      "bad_value",
      "missing_required",
      "extra_kwarg",
      "unknown_tool",
      "uninvolved_tool",
      "forbidden",
    ]) {
      const k = o.byKind.get(kind);
      expect(k, kind).toBeDefined();
      expect(`${kind}: ${k!.same}/${k!.calls}`).toBe(`${kind}: ${k!.calls}/${k!.calls}`);
    }
    const wt = o.byKind.get("wrong_type")!;
    expect(wt.statesSame).toBe(wt.turns);
    // Identical, or an error on both sides where the text comes from CPython internals.
    expect(wt.bothErr).toBe(wt.calls);
  });
});

describe("the built binary", () => {
  it("prints help and fails cleanly on bad input", () => {
    const bin = join(repo, "packages/cli/bin/envtune.js");
    const help = execFileSync("node", [bin, "replay", "--help"], { encoding: "utf8" });
    expect(help).toContain("--trace");
    let status = 0;
    let stderr = "";
    try {
      execFileSync("node", [bin, "replay", "--trace", join(tmp, "missing.jsonl"), "--out", join(tmp, "x.jsonl")], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(3);
    expect(stderr).toMatch(/^\[envtune\] \[replay\] Cannot read/);
  });
});
