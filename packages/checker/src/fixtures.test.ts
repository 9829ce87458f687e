import { EnvtuneError } from "@envtune/core";
import { describe, expect, it } from "vitest";
import { parseVerdictFixtures, verdictAgreement } from "./fixtures.ts";
import type { EntryVerdict } from "./types.ts";

const line = (o: unknown) => JSON.stringify(o);

describe("parseVerdictFixtures", () => {
  it("needs only fixture_id, id and model_output", () => {
    const fx = parseVerdictFixtures(
      [
        line({ fixture_id: "a", id: "multi_turn_base_0", model_output: [[["ls()"]]] }),
        "",
        line({ fixture_id: "b", id: "multi_turn_base_1", model_output: "oops", extra: 1 }),
      ].join("\n"),
    );
    expect(fx.map((f) => f.fixture_id)).toEqual(["a", "b"]);
    expect(fx[1]!.model_output).toBe("oops");
  });

  it("refuses malformed input with file:line and a fix", () => {
    const bad = (text: string, re: RegExp) => {
      expect(() => parseVerdictFixtures(text, "f.jsonl")).toThrow(EnvtuneError);
      expect(() => parseVerdictFixtures(text, "f.jsonl")).toThrow(re);
    };
    bad("{", /^\[envtune\] \[check\] f\.jsonl:1 is not valid JSON/);
    bad(line({ id: "x", model_output: [] }), /f\.jsonl:1 is not a verdict fixture.*fixture_id/s);
    bad(line({ fixture_id: "a", id: "x" }), /is not a verdict fixture.*model_output:/s);
    bad(line({ fixture_id: "a", id: "x", model_output: [[[1]]] }), /is not \[turn\]\[step\]\[call string\]/);
    bad(line({ fixture_id: "a", id: "x", model_output: ["ls()"] }), /model_output\.0/);
  });
});

describe("verdictAgreement", () => {
  const v: EntryVerdict = { id: "x", valid: false, errorType: "multi_turn:instance_state_mismatch", failedTurn: 2, turns: [] };
  it("compares valid, error_type and the top-level failed_turn", () => {
    const fx = (o: object) => parseVerdictFixtures(line({ fixture_id: "a", id: "x", model_output: [], ...o }))[0]!;
    expect(verdictAgreement(fx({}), v)).toBeUndefined();
    expect(
      verdictAgreement(fx({ expected: { valid: false, error_type: "multi_turn:instance_state_mismatch" }, failed_turn: 2 }), v),
    ).toEqual({ agrees: true, fields: [] });
    expect(verdictAgreement(fx({ expected: { valid: true, error_type: null }, failed_turn: null }), v)).toEqual({
      agrees: false,
      fields: ["valid", "error_type", "failed_turn"],
    });
    expect(verdictAgreement(fx({ expected: { valid: false, error_type: "multi_turn:instance_state_mismatch" } }), v)!.agrees).toBe(true);
  });
});
