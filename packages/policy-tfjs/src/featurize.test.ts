import { describe, expect, it } from "vitest";
import type { ToolSchema } from "@envtune/core";
import { argCandidates, contextCandidates, decisionContext, fitsSchema, paramCandidates, renderValue, toolInfo, type Candidate } from "./featurize.ts";
import type { PolicyObservation } from "./observation.ts";
import { hashToken, splitIdentifier, stem, words } from "./tokenize.ts";

const cd: ToolSchema = {
  name: "cd",
  description: "This tool belongs to the Gorilla file system. Tool description: Change the current working directory to the specified folder.",
  parameters: { type: "object", properties: { folder: { type: "string", description: "The folder of the directory to change to." } }, required: ["folder"] },
};
const lock: ToolSchema = {
  name: "lockDoors",
  description: "Tool description: Locks the doors of the vehicle.",
  parameters: {
    type: "object",
    properties: {
      unlock: { type: "boolean", description: "True if the doors are to be unlocked, False otherwise." },
      door: { type: "array", items: { type: "string" }, description: 'The list of doors to lock or unlock. [Enum]: ["driver", "passenger", "rear_left", "rear_right"]' },
      pedal: { type: "number", description: "Position between 0 (not pressed) and 1 (fully pressed)." },
    },
    required: ["unlock", "door"],
  },
};

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
    const c = contextCandidates(obs("How far is it?", { steps: [{ kind: "calls", calls: [{ name: "get_zipcode_based_on_city", values: ["Rivermist"] }], results: ['{"zipcode": "83214"}'] }] }));
    const z = c.find((x) => x.text === "83214")!;
    expect(z.kind).toBe("result_string");
    expect([...z.neighborWords]).toEqual(["zipcode"]);
    expect(z.fromLastResult).toBe(true);
  });

  it("proposes schema-fitting values: enums and 'all of them' for enum lists, numbers, booleans", () => {
    const ctx = decisionContext(obs("Lock all 4 doors and press the pedal to 0.5."));
    const t = ctx.tools[1]!;
    const kinds = (name: string) => argCandidates(ctx, t.params.find((p) => p.name === name)!).map((c) => c.kind);
    expect(new Set(kinds("unlock"))).toEqual(new Set(["bool_true", "bool_false"]));
    expect(new Set(kinds("door"))).toEqual(new Set(["enum", "all_enum"]));
    expect(kinds("pedal").every((k) => k === "user_number" || k === "param_number")).toBe(true);
    // unconstrained: everything the dialogue offers plus the parameter's own values
    expect(argCandidates(ctx, t.params[0]!, undefined, false).length).toBeGreaterThan(kinds("unlock").length);
    expect(fitsSchema(t.params[0]!, paramCandidates(t.params[2]!)[0]!)).toBe(false); // a number is no boolean
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
    const F = ctx.toolFeatures.length / ctx.tools.length;
    const row = (i: number) => Array.from(ctx.toolFeatures.slice(i * F, (i + 1) * F));
    expect(row(1)[0]).toBe(1); // both name words of lockDoors are in the text
    expect(row(0)[0]).toBe(0);
    expect(row(1)[4]).toBe(1); // named in the last result
    expect(row(0)[7]).toBe(1); // cd was the last call
    expect(row(0)[8]).toBe(1); // ... and it failed
  });
});
