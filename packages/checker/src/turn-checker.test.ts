import { EnvtuneError, PyDict, World } from "@envtune/core";
import { describe, expect, it } from "vitest";
import { testPacks, counterPack, notebookPack } from "./__fixtures__/test-packs.ts";
import { TurnChecker, responseMatches, stateMatches } from "./turn-checker.ts";
import type { CheckableEntry } from "./types.ts";

function entry(groundTruth: string[][], classes = ["Counter", "Notebook"], config = new PyDict()): CheckableEntry {
  return { id: "multi_turn_base_0", initialConfig: config, involvedClasses: classes, groundTruth, longContext: false };
}

const world = (config = new PyDict()) => new World({ packs: [counterPack, notebookPack], initialConfig: config, longContext: false });

describe("responseMatches", () => {
  it("is multiset containment of the GT results in the model's results, order-free", () => {
    expect(responseMatches(["b", "a", "x"], ["a", "b"])).toEqual({ ok: true, missingItems: [] });
    expect(responseMatches(["a"], ["a", "a"])).toEqual({ ok: false, missingItems: ["a"] });
    expect(responseMatches(["a", "a", "b"], ["a", "a"])).toEqual({ ok: true, missingItems: [] });
    expect(responseMatches([], [])).toEqual({ ok: true, missingItems: [] });
  });
  it("lists missing items in GT order with exact string equality", () => {
    expect(responseMatches(['{"a": 1}'], ["c", '{"a": 1.0}', "b"])).toEqual({ ok: false, missingItems: ["c", '{"a": 1.0}', "b"] });
  });
});

describe("stateMatches", () => {
  it("compares with Python equality (1 == 1.0 == True)", () => {
    const m = world();
    const g = world();
    m.call({ name: "add", args: [1n], kwargs: [] });
    g.call({ name: "add", args: [1n], kwargs: [] });
    m.call({ name: "add_float", args: [1n], kwargs: [] });
    g.call({ name: "add_float", args: [true], kwargs: [] });
    expect(stateMatches(m, g)).toEqual({ ok: true });
  });
  it("reports every differing attribute of the first differing class, in vars() order", () => {
    const m = world();
    const g = world();
    m.call({ name: "add_float", args: [2.5], kwargs: [] });
    m.call({ name: "add", args: [3n], kwargs: [] });
    m.call({ name: "note", args: ["x"], kwargs: [] });
    expect(stateMatches(m, g)).toEqual({ ok: false, className: "Counter", differingAttrs: ["count", "total", "log"] });
    const m2 = world();
    m2.call({ name: "note", args: ["x"], kwargs: [] });
    expect(stateMatches(m2, g)).toEqual({ ok: false, className: "Notebook", differingAttrs: ["notes"] });
  });
  it("treats list order as significant", () => {
    const m = world();
    const g = world();
    for (const n of [1n, 2n]) m.call({ name: "add", args: [n], kwargs: [] });
    for (const n of [2n, 1n]) g.call({ name: "add", args: [n], kwargs: [] });
    expect(stateMatches(m, g)).toEqual({ ok: false, className: "Counter", differingAttrs: ["log"] });
  });
});

describe("TurnChecker", () => {
  it("executes model steps, then the GT turn, and checks state then response", () => {
    const tc = new TurnChecker(entry([["add(2)"], ["add(n=3)", "get()"]]), { packs: testPacks });
    expect(tc.runModelStep(["add(n=2)"]).map((o) => o.result)).toEqual(['{"count": 2}']);
    const v0 = tc.endTurn();
    expect(v0).toMatchObject({
      turn: 0,
      gtEmpty: false,
      modelSteps: 1,
      stateOk: true,
      responseOk: true,
      passed: true,
      errorType: null,
      gtResults: ['{"count": 2}'],
    });
    tc.runModelStep(["add(n=3)"]);
    tc.runModelStep(["get()"]);
    const v1 = tc.endTurn();
    expect(v1).toMatchObject({ passed: true, modelSteps: 2, modelResults: [['{"count": 5}'], ["5"]], gtResults: ['{"count": 5}', "5"] });
    expect(tc.finished).toBe(true);
    expect(() => tc.runModelStep(["get()"])).toThrow(EnvtuneError);
    expect(() => tc.endTurn()).toThrow(/after the last turn/);
  });

  it("accepts parsed calls as well as call strings, and ignores empty steps", () => {
    const tc = new TurnChecker(entry([["add(1)"]]), { packs: testPacks });
    expect(tc.runModelStep([])).toEqual([]);
    expect(tc.stepsThisTurn).toBe(0);
    tc.runModelStep([{ name: "add", args: [], kwargs: [["n", 1n]] }]);
    expect(tc.endTurn().passed).toBe(true);
  });

  it("fails a non-empty GT turn without model steps (empty_turn_model_response) and still runs the GT", () => {
    const tc = new TurnChecker(entry([["add(1)"], ["add(2)"]]), { packs: testPacks });
    const v0 = tc.endTurn();
    expect(v0).toMatchObject({
      passed: false,
      errorType: "multi_turn:empty_turn_model_response",
      errorMessage: "Model response list is empty for turn 0",
      stateOk: null,
      responseOk: null,
    });
    // The GT world advanced (the authors' bug B3, docs/authors-code-deviations.md, fixed): doing both turns' work in turn 1 passes it.
    tc.runModelStep(["add(n=1)", "add(n=2)"]);
    const v1 = tc.endTurn();
    // Had the GT skipped turn 0, its state would be count 2, log [2] and this would fail.
    expect(v1).toMatchObject({ stateOk: true, responseOk: true, passed: true, gtResults: ['{"count": 3}'] });
  });

  it("does not check GT-empty turns but executes the model's calls there", () => {
    const tc = new TurnChecker(entry([[], ["get()"]]), { packs: testPacks });
    tc.runModelStep(["add(n=4)"]);
    expect(tc.endTurn()).toMatchObject({
      gtEmpty: true,
      passed: true,
      stateOk: null,
      responseOk: null,
      errorType: null,
      modelResults: [['{"count": 4}']],
    });
    tc.runModelStep(["get()"]);
    expect(tc.endTurn()).toMatchObject({
      stateOk: false,
      responseOk: null,
      errorType: "multi_turn:instance_state_mismatch",
      className: "Counter",
      differingAttrs: ["count", "log"],
      errorMessage: "Model instance for Counter does not match the state with ground truth instance.",
    });
  });

  it("searches the model's results of all turns so far in the response check", () => {
    const tc = new TurnChecker(entry([["get()"], ["get()", "get()"]]), { packs: testPacks });
    tc.runModelStep(["get()"]);
    tc.endTurn();
    tc.runModelStep(["get()"]);
    // GT turn 1 needs two "0" results: one from turn 0 and one from turn 1.
    expect(tc.endTurn()).toMatchObject({ passed: true });
    expect(tc.modelResultsSoFar).toEqual(["0", "0"]);
  });

  it("reports a response mismatch with the missing GT results", () => {
    const tc = new TurnChecker(entry([["get()", "add(0)"]]), { packs: testPacks });
    tc.runModelStep(["add(n=0)"]);
    expect(tc.endTurn()).toMatchObject({
      stateOk: true,
      responseOk: false,
      errorType: "multi_turn:execution_response_mismatch",
      missingItems: ["0"],
      errorMessage: "Model response execution results so far does not contain all the ground truth response execution results for turn 0.",
    });
  });

  it("shares one per-episode object between the model and GT worlds, like the reference's process globals", () => {
    // The model tags a note made with the shared default list; the GT note made later with the
    // default shows that tag too, so the states agree (the reference's shared_default_mention).
    const tc = new TurnChecker(entry([["note('a')"], ["note('b')"]]), { packs: testPacks });
    tc.runModelStep(["note(text='a')"]);
    expect(tc.endTurn().passed).toBe(true);
    tc.runModelStep(["note(text='b')", "tag(index=0, tag='x')"]);
    expect(tc.endTurn()).toMatchObject({ stateOk: true, passed: true });
    const notes = tc.gt.view("Notebook")[0]![1] as unknown[][];
    expect(notes[1]![1]).toEqual(["x"]);
    // A fresh checker (a new episode) starts from a fresh default list.
    const tc2 = new TurnChecker(entry([["note('a')"]]), { packs: testPacks });
    tc2.runModelStep(["note(text='a')"]);
    expect((tc2.gt.view("Notebook")[0]![1] as unknown[][]).length).toBe(0);
    tc2.endTurn();
    expect((tc2.gt.view("Notebook")[0]![1] as unknown[][])[0]![1]).toEqual([]);
  });

  it("runs both worlds in the same message mode (standard by default)", () => {
    const std = new TurnChecker(entry([["get()"]]), { packs: testPacks });
    expect([std.model.augmented, std.gt.augmented]).toEqual([false, false]);
    const aug = new TurnChecker(entry([["get()"]]), { packs: testPacks, augmented: true });
    expect([aug.model.augmented, aug.gt.augmented]).toEqual([true, true]);
  });

  it("builds both worlds from initial_config and refuses missing packs or constants clearly", () => {
    const cfg = new PyDict([["Counter", new PyDict([["count", 10n]])]]);
    const tc = new TurnChecker(entry([["get()"]], ["Counter"], cfg), { packs: testPacks });
    tc.runModelStep(["get()"]);
    expect(tc.endTurn()).toMatchObject({ passed: true, gtResults: ["10"] });
    expect(() => new TurnChecker(entry([["x()"]], ["TravelAPI"]), { packs: testPacks })).toThrow(/TravelAPI/);
    expect(() => new TurnChecker({ ...entry([["get()"]], ["Counter"]), longContext: true }, { packs: testPacks })).toThrow(
      /\[envtune\] \[checker\] .*long-context constants/,
    );
  });
});
