/**
 * Verdict parity with the reference checker on `verdicts_dev.jsonl`, and the ground-truth oracle.
 */
import { checkEntry, type EntryVerdict, type VerdictFixture } from "@envtune/checker";
import { readTraceFile, traceFile } from "@envtune/testing";
import { beforeAll, describe, expect, it } from "vitest";
import type { DomainPack } from "@envtune/core";
import { allPacks, dataset, devFixtures } from "./helpers.ts";

let packs: Map<string, DomainPack>;
beforeAll(async () => {
  packs = await allPacks();
});
const opts = () => ({ packs, constants: dataset.longContext });

/** Every difference between a verdict and a fixture's recorded reference verdict. */
function differences(f: VerdictFixture, v: EntryVerdict): string[] {
  const d: string[] = [];
  const e = f.expected!;
  const eq = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      d.push(`${what}: expected ${JSON.stringify(a)?.slice(0, 200)}, got ${JSON.stringify(b)?.slice(0, 200)}`);
  };
  eq("valid", e.valid, v.valid);
  eq("error_type", e.error_type ?? null, v.errorType);
  eq("failed_turn", f.failed_turn, v.failedTurn);
  eq("error_message", e.error_message, v.errorMessage);
  eq("class", e.class, v.className);
  eq("differing_attrs", e.differing_attrs, v.differingAttrs);
  eq("missing_items", e.missing_items, v.missingItems);
  const turns = f.turns ?? [];
  eq("turn count", turns.length, v.turns.length);
  turns.forEach((t, i) => {
    const a = v.turns[i];
    if (!a) return;
    eq(`turn ${i} gt_empty`, t.gt_empty, a.gtEmpty);
    eq(`turn ${i} model_steps`, t.model_steps, a.modelSteps);
    eq(`turn ${i} state_ok`, t.state_ok, a.stateOk);
    eq(`turn ${i} response_ok`, t.response_ok, a.responseOk);
    eq(`turn ${i} model_results`, t.model_results, a.modelResults);
  });
  return d;
}

describe("verdict parity with the reference checker (verdicts_dev.jsonl)", () => {
  it("agrees on valid, error_type and failed_turn for every fixture, and on every recorded detail", () => {
    const fixtures = devFixtures();
    expect(fixtures).toHaveLength(400);
    let agree = 0;
    let detailsAgree = 0;
    const problems: string[] = [];
    const mix = new Map<string, number>();
    for (const f of fixtures) {
      const v = checkEntry(dataset.byId.get(f.id)!, f.model_output, opts());
      const diff = differences(f, v);
      const core = diff.filter((x) => /^(valid|error_type|failed_turn):/.test(x));
      if (core.length === 0) agree++;
      if (diff.length === 0) detailsAgree++;
      else if (problems.length < 20) problems.push(`${f.fixture_id}\n    ${diff.join("\n    ")}`);
      const key = v.valid ? "valid" : v.errorType!;
      mix.set(key, (mix.get(key) ?? 0) + 1);
    }
    console.log(
      `verdict parity: ${agree}/${fixtures.length} verdicts, ${detailsAgree}/${fixtures.length} with every detail`,
      Object.fromEntries(mix),
    );
    expect(problems).toEqual([]);
    expect(agree).toBe(400);
    expect(detailsAgree).toBe(400);
    // The fixture set's verdict mix (README): 196 valid / 41 empty / 55 response / 100 state / 8 force.
    expect(Object.fromEntries(mix)).toEqual({
      valid: 196,
      "multi_turn:empty_turn_model_response": 41,
      "multi_turn:execution_response_mismatch": 55,
      "multi_turn:instance_state_mismatch": 100,
      "multi_turn:force_terminated": 8,
    });
  });

  it("tells the reference's shared process globals apart from isolated worlds (shared_default_mention)", () => {
    const fixtures = devFixtures().filter((f) => (f as { variant?: string }).variant === "shared_default_mention");
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) {
      const v = checkEntry(dataset.byId.get(f.id)!, f.model_output, opts());
      expect(v.errorType, f.fixture_id).toBe("multi_turn:execution_response_mismatch");
    }
  });
});

describe("the ground-truth oracle", () => {
  it("scores 800/800 with the ground truth as model output (one step per turn, strings verbatim)", () => {
    const t0 = performance.now();
    const verdicts = dataset.entries.map((e) =>
      checkEntry(
        e,
        e.groundTruth.map((turn) => [turn]),
        opts(),
      ),
    );
    const ms = performance.now() - t0;
    const invalid = verdicts.filter((v) => !v.valid).map((v) => `${v.id}: ${v.errorType} at ${v.failedTurn}`);
    console.log(`oracle: ${verdicts.length - invalid.length}/${verdicts.length} valid in ${ms.toFixed(0)} ms`);
    expect(invalid).toEqual([]);
    expect(verdicts).toHaveLength(800);
  });

  it("executes the ground-truth strings (positional arguments included) with the traces' exact results", () => {
    const traces = new Map(readTraceFile(traceFile("ground_truth.jsonl")).map((r) => [r.id, r]));
    let calls = 0;
    let same = 0;
    const mismatches: string[] = [];
    for (const e of dataset.entries) {
      const v = checkEntry(
        e,
        e.groundTruth.map((turn) => [turn]),
        opts(),
      );
      const rec = traces.get(e.id)!;
      v.turns.forEach((t, ti) => {
        t.gtResults.forEach((got, ci) => {
          const exp = rec.turns[ti]!.calls[ci]!.result;
          calls++;
          if (got === exp) same++;
          else if (mismatches.length < 10) mismatches.push(`${e.id} t${ti} ${e.groundTruth[ti]![ci]}\n  exp ${exp}\n  got ${got}`);
        });
        // The model side ran the same strings and must have got the same results.
        expect(t.modelResults.flat()).toEqual(t.gtResults);
      });
    }
    expect(mismatches).toEqual([]);
    expect({ calls, same }).toEqual({ calls: 4625, same: 4625 });
  });
});
