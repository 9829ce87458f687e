import { PyDict } from "@envtune/core";
import { describe, expect, it } from "vitest";
import { testPacks } from "./__fixtures__/test-packs.ts";
import { checkEntry, isEmptyStep } from "./check-entry.ts";
import type { CheckableEntry } from "./types.ts";

const entry = (groundTruth: string[][]): CheckableEntry => ({
  id: "multi_turn_miss_param_7",
  initialConfig: new PyDict(),
  involvedClasses: ["Counter", "Notebook"],
  groundTruth,
  longContext: false,
});
const opts = { packs: testPacks };

describe("checkEntry", () => {
  it("scores a non-list model output as inference_error", () => {
    for (const out of [null, "text", 3, { turns: [] }]) {
      expect(checkEntry(entry([["get()"]]), out, opts)).toEqual({
        id: "multi_turn_miss_param_7",
        valid: false,
        errorType: "multi_turn:inference_error",
        errorMessage: "Error during inference phase. Model did not output a list of model responses.",
        failedTurn: null,
        turns: [],
      });
    }
  });

  it("scores a turn count other than the ground truth's as force_terminated, with the reference's message", () => {
    const v = checkEntry(entry([["get()"], ["get()"]]), [[["get()"]]], opts);
    expect(v).toMatchObject({ valid: false, errorType: "multi_turn:force_terminated", failedTurn: null, turns: [] });
    expect(v.errorMessage).toBe(
      "Model was force-terminated during inference phase. The length of the model result turns (1) does not match the length of the ground truth turns (2).",
    );
    expect(checkEntry(entry([["get()"]]), [[["get()"]], []], opts).errorType).toBe("multi_turn:force_terminated");
  });

  it("refuses a list that is not [turn][step][call string] with a clear error", () => {
    expect(() => checkEntry(entry([["get()"]]), [["get()"]], opts)).toThrow(
      /^\[envtune\] \[checker\] The model output of multi_turn_miss_param_7 is not \[turn\]\[step\]\[call string\] \(turn 0\)/,
    );
    expect(() => checkEntry(entry([["get()"]]), [[[1]]], opts)).toThrow(/turn 0/);
  });

  it("accepts the ground truth itself, one step per turn (the oracle)", () => {
    const gt = [["add(1)", "get()"], [], ["note('x')"]];
    const v = checkEntry(
      entry(gt),
      gt.map((t) => [t]),
      opts,
    );
    expect(v).toMatchObject({ valid: true, errorType: null, failedTurn: null });
    expect(v.turns.map((t) => [t.gtEmpty, t.modelSteps, t.stateOk, t.responseOk])).toEqual([
      [false, 1, true, true],
      [true, 0, null, null],
      [false, 1, true, true],
    ]);
  });

  it("drops empty decoded steps before checking ([] and [''])", () => {
    const v = checkEntry(entry([["get()"]]), [[[], [""]]], opts);
    expect(v).toMatchObject({ valid: false, errorType: "multi_turn:empty_turn_model_response", failedTurn: 0 });
    expect(v.turns[0]!.modelSteps).toBe(0);
    // ['', 'get()'] is not empty: the empty string is executed (a SyntaxError result).
    const w = checkEntry(entry([["get()"]]), [[["", "get()"]]], opts);
    expect(w.valid).toBe(true);
    expect(w.turns[0]!.modelResults).toEqual([["Error during execution: invalid syntax (<string>, line 0)", "0"]]);
  });

  it("stops at the first failed turn and reports its details", () => {
    const v = checkEntry(entry([["add(1)"], ["add(2)"], ["add(3)"]]), [[["add(n=1)"]], [["add(n=5)"]], [["add(n=3)"]]], opts);
    expect(v).toMatchObject({
      valid: false,
      errorType: "multi_turn:instance_state_mismatch",
      failedTurn: 1,
      className: "Counter",
      differingAttrs: ["count", "log"],
      errorMessage: "Model instance for Counter does not match the state with ground truth instance.",
    });
    expect(v.turns).toHaveLength(2);
  });

  it("reports response mismatches with the missing items", () => {
    // total becomes 0.0: equal to the GT's 0 for the state check, but the result prints "0.0".
    const v = checkEntry(entry([["get()"]]), [[["add_float(x=0)"]]], opts);
    expect(v).toMatchObject({ valid: false, errorType: "multi_turn:execution_response_mismatch", failedTurn: 0, missingItems: ["0"] });
  });

  it("passes calls made in a GT-empty turn only if the later state and responses agree", () => {
    const gt = [[], ["add(1)"]];
    expect(checkEntry(entry(gt), [[["add(n=1)"]], [["get()"]]], opts)).toMatchObject({ valid: true });
    expect(checkEntry(entry(gt), [[["add(n=1)"]], [["add(n=1)"]]], opts)).toMatchObject({
      valid: false,
      errorType: "multi_turn:instance_state_mismatch",
      failedTurn: 1,
    });
  });
});

describe("isEmptyStep", () => {
  it("is the reference's is_empty_execute_response", () => {
    expect(isEmptyStep([])).toBe(true);
    expect(isEmptyStep([""])).toBe(true);
    expect(isEmptyStep(["", ""])).toBe(false);
    expect(isEmptyStep(["get()"])).toBe(false);
  });
});
