import { describe, expect, it } from "vitest";
import {
  TOOL_FEATURE_TABLE,
  argCandidates,
  contextCandidates,
  decisionContext,
  fitsSchema,
  paramCandidates,
  renderValue,
  toolInfo,
  type Candidate,
  type ToolFeatureName,
} from "./featurize.ts";
import type { PolicyObservation } from "./observation.ts";
import { hashToken, splitIdentifier, stem, words } from "./tokenize.ts";
import { cd, lock } from "./__fixtures__/tools.ts";

function obs(userText: string, extra: Partial<PolicyObservation> = {}): PolicyObservation {
  return { tools: [cd, lock], userText, previousUserTexts: [], steps: [], earlierResults: [], earlierCalls: [], ...extra };
}

describe("tokenizer", () => {
  it("splits identifiers, stems, and hashes into [1, buckets)", () => {
    expect(splitIdentifier("get_zipcode_based_on_city")).toEqual(["get", "zipcode", "based", "on", "city"]);
    expect(splitIdentifier("pressBrakePedal")).toEqual(["press", "brake", "pedal"]);
    expect([stem("files"), stem("directories"), stem("locking"), stem("status")]).toEqual(["file", "directory", "lock", "status"]);
    expect(words("Lock the doors, then pressBrakePedal.")).toEqual(["lock", "the", "door", "then", "press", "brake", "pedal"]);
    for (const w of ["a", "zipcode", "x".repeat(100)]) {
      const h = hashToken(w, 64);
      expect(h).toBeGreaterThanOrEqual(1);
      expect(h).toBeLessThan(64);
    }
  });
});

describe("tool information from JSON Schemas", () => {
  it("reads types, required, enums (also from BFCL descriptions) and description numbers", () => {
    const t = toolInfo(lock);
    expect(t.params.map((p) => [p.name, p.type, p.required])).toEqual([
      ["unlock", "boolean", true],
      ["door", "array", true],
      ["pedal", "number", false],
    ]);
    expect(t.params[1]!.enumValues).toEqual(["driver", "passenger", "rear_left", "rear_right"]);
    expect(t.params[2]!.descNumbers).toEqual([0, 1]);
    expect([...t.nameWords]).toEqual(["lock", "door"]);
    // the shared class sentence before "Tool description:" does not count
    expect(toolInfo(cd).descWords.has("gorilla")).toBe(false);
  });
});

describe("argument candidates", () => {
  it("copies quoted spans, numbers, capitalized phrases and identifier-like words from the user text", () => {
    const c = contextCandidates(obs("Move 'final report.pdf' into the archive folder, then pay $2,000 to Michael Thompson for file1.txt."));
    const by = new Map(c.map((x) => [x.text, x]));
    expect(by.get("final report.pdf")?.kind).toBe("user_quoted");
    expect(by.get("$2,000")?.numeric).toBe(2000);
    expect(by.get("Michael Thompson")?.kind).toBe("user_phrase");
    expect(by.get("file1.txt")?.kind).toBe("user_word");
    expect(by.has("the")).toBe(false);
    expect([...by.get("archive")!.neighborWords]).toContain("folder");
  });

  it("takes values out of JSON tool results with their keys as context", () => {
    const c = contextCandidates(
      obs("How far is it?", {
        steps: [
          { kind: "calls", calls: [{ name: "get_zipcode_based_on_city", values: ["Rivermist"] }], results: ['{"zipcode": "83214"}'] },
        ],
      }),
    );
    const z = c.find((x) => x.text === "83214")!;
    expect(z.kind).toBe("result_string");
    expect([...z.neighborWords]).toEqual(["zipcode"]);
    expect(z.fromLastResult).toBe(true);
  });

  it("proposes schema-fitting values: enums and 'all of them' for enum lists, numbers, booleans", () => {
    const ctx = decisionContext(obs("Lock all 4 doors and press the pedal to 0.5."));
    const t = ctx.tools[1]!;
    const kinds = (name: string) =>
      argCandidates(
        ctx,
        t.params.find((p) => p.name === name)!,
      ).map((c) => c.kind);
    expect(new Set(kinds("unlock"))).toEqual(new Set(["bool_true", "bool_false"]));
    expect(new Set(kinds("door"))).toEqual(new Set(["enum", "all_enum"]));
    expect(kinds("pedal").every((k) => k === "user_number" || k === "param_number")).toBe(true);
    // unconstrained: everything the dialogue offers plus the parameter's own values
    expect(argCandidates(ctx, t.params[0]!, undefined, false).length).toBeGreaterThan(kinds("unlock").length);
    expect(fitsSchema(t.params[0]!, paramCandidates(t.params[2]!)[0]!)).toBe(false); // a number is no boolean
  });

  it("derives what an LLM would write: ISO dates, two-decimal roundings, tags and lists, hyphen parts", () => {
    const texts = (o: PolicyObservation) => contextCandidates(o).map((c) => `${c.kind}:${c.text}`);
    const got = texts(
      obs("Book it for November 15th, 2026 (or the 3rd of Dec 2026, or 12/01/2026), first-class, with #Travel and #Fun for @amy."),
    );
    expect(got).toEqual(
      expect.arrayContaining([
        "derived_date:2026-11-15",
        "derived_date:2026-12-03",
        "derived_date:2026-12-01",
        "user_word:first",
        "user_tag:#Travel",
        "user_tag:@amy",
        "value_list:#Travel, #Fun",
      ]),
    );
    expect(got.some((t) => t.startsWith("derived_date:") && !/^derived_date:\d{4}-\d{2}-\d{2}$/.test(t))).toBe(false);
    // 43.852552 → 43.85; 2.675 is 2.67499… as a double, so Python's round gives 2.67, and so do we.
    const r = texts(
      obs("Fill it.", {
        steps: [{ kind: "calls", calls: [{ name: "x", values: [] }], results: ['{"fuel": 43.852552, "other": 2.675, "whole": 7}'] }],
      }),
    );
    expect(r).toEqual(expect.arrayContaining(["derived_number:43.85", "derived_number:2.67", "value_list:43.852552, 2.675, 7"]));
    expect(r.filter((t) => t.startsWith("derived_number:7"))).toEqual([]);
    // A list of the numbers earlier results gave one at a time (three counts, to average).
    const counts = texts(obs("Average them.", { earlierResults: ['{"count": 3}', '{"count": 16}', '{"count": 60}'] }));
    expect(counts).toContain("value_list:3, 16, 60");
  });

  it("renders a list of values as a JSON list, and keeps lists out of string parameters", () => {
    const mean = toolInfo({
      name: "mean",
      description: "Mean.",
      parameters: {
        type: "object",
        properties: {
          numbers: { type: "array", items: { type: "number" }, description: "Numbers." },
          label: { type: "string", description: "Label." },
        },
        required: ["numbers"],
      },
    });
    const ctx = decisionContext(obs("Average 3, 16 and 60."));
    const list = argCandidates(ctx, mean.params[0]!).find((c) => c.kind === "value_list")!;
    expect(JSON.parse(renderValue(list, "list"))).toEqual([3, 16, 60]);
    expect(argCandidates(ctx, mean.params[1]!).some((c) => c.kind === "value_list")).toBe(false);
  });

  it("offers the literals a parameter's description names ('l' for lines, (Buy/Sell))", () => {
    const wc = toolInfo({
      name: "wc",
      description: "Count.",
      parameters: {
        type: "object",
        properties: {
          mode: { type: "string", description: "Mode of operation ('l' for lines, 'w' for words, 'c' for characters). " },
          side: { type: "string", description: "Type of the order (Buy/Sell)." },
        },
        required: [],
      },
    });
    const lit = (i: number) =>
      paramCandidates(wc.params[i]!)
        .filter((c) => c.kind === "param_literal")
        .map((c) => c.text);
    expect(lit(0)).toEqual(["l", "w", "c"]);
    expect(lit(1)).toEqual(["Buy", "Sell"]);
  });

  it("renders values in three forms; 'bare' text is not valid JSON", () => {
    const c = contextCandidates(obs("Create 'my notes.txt' with 12 lines."));
    const quoted = c.find((x) => x.text === "my notes.txt")!;
    const num = c.find((x) => x.text === "12")!;
    expect(renderValue(quoted, "string")).toBe('"my notes.txt"');
    expect(renderValue(quoted, "list")).toBe('["my notes.txt"]');
    expect(() => JSON.parse(renderValue(quoted, "bare"))).toThrow();
    expect(renderValue(num, "bare")).toBe("12");
    const all = paramCandidates(toolInfo(lock).params[1]!).find((x: Candidate) => x.kind === "all_enum")!;
    expect(JSON.parse(renderValue(all, "list"))).toEqual(["driver", "passenger", "rear_left", "rear_right"]);
  });

  it("scores tools by word overlap with the user text and flags tools named by the last observation", () => {
    const ctx = decisionContext(
      obs("Please lock the doors of my car.", {
        steps: [{ kind: "calls", calls: [{ name: "cd", values: ["x"] }], results: ['{"error": "Use lockDoors first."}'] }],
      }),
    );
    const feature = (tool: number, name: ToolFeatureName) =>
      ctx.toolFeatures[tool * TOOL_FEATURE_TABLE.width + TOOL_FEATURE_TABLE.offset(name)];
    expect(feature(1, "name_in_request")).toBe(1); // both name words of lockDoors are in the text
    expect(feature(0, "name_in_request")).toBe(0);
    expect(feature(1, "named_in_last_observation")).toBe(1); // named in the last result
    expect(feature(0, "called_last_step")).toBe(1); // cd was the last call
    expect(feature(0, "failed_last_step")).toBe(1); // ... and it failed
  });
});
