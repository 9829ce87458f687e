import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvtuneError, PyDict, defineDomain, type DomainPack } from "@envtune/core";
import { assertDatasetValid, formatDatasetProblem, loadUserDataset, validateDatasetEntries } from "./user-dataset.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-user-dataset-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A two-tool pack, enough to validate entries against.
const counter: DomainPack = defineDomain<{ n: bigint }>({
  meta: { name: "counter", version: "0.0.1", className: "Counter", description: "A counter." },
  tools: [
    { name: "add", params: [{ name: "k" }], run: (s, a) => (s.n += a.k as bigint) },
    { name: "reset", params: [], run: (s) => ((s.n = 0n), null) },
  ],
  schemas: [
    { name: "add", description: "Adds k.", parameters: { type: "object", properties: { k: { type: "integer" } }, required: ["k"] } },
    { name: "reset", description: "Resets.", parameters: { type: "object", properties: {} } },
  ],
  createState: () => ({ n: 0n }),
  view: (s) => [["n", s.n]],
  messages: { standard: {}, augmented: {} },
});
const packs = new Map([["Counter", counter]]);

const q = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    question: [[{ role: "user", content: "add 2" }], [{ role: "user", content: "reset" }]],
    initial_config: { Counter: {} },
    involved_classes: ["Counter"],
    ...extra,
  });
const a = (id: string, gt: string[][] = [["add(k=2)"], ["reset()"]]) => JSON.stringify({ id, ground_truth: gt });

function write(dir: string, files: Record<string, string[]>): string {
  for (const [name, ls] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), ls.join("\n") + "\n");
  }
  return dir;
}

function thrown(fn: () => unknown): EnvtuneError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvtuneError);
    return e as EnvtuneError;
  }
  throw new Error("expected an EnvtuneError");
}

describe("loadUserDataset", () => {
  it("reads a directory in the BFCL layout (question files + possible_answer/)", () => {
    const dir = write(join(tmp, "layout"), {
      "tasks_base.json": [q("multi_turn_base_0"), q("multi_turn_base_1")],
      "possible_answer/tasks_base.json": [a("multi_turn_base_1", [["add(k=5)"], []]), a("multi_turn_base_0")],
      "tasks_miss_param.jsonl": [q("multi_turn_miss_param_0")],
      "possible_answer/tasks_miss_param.jsonl": [a("multi_turn_miss_param_0")],
    });
    const ds = loadUserDataset(dir);
    expect(ds.entries.map((e) => e.id)).toEqual(["multi_turn_base_0", "multi_turn_base_1", "multi_turn_miss_param_0"]);
    expect(ds.byId.get("multi_turn_base_1")!.groundTruth).toEqual([["add(k=5)"], []]);
    expect(ds.entries[2]!.category).toBe("miss_param");
    expect(ds.sources.get("multi_turn_base_1")).toBe(`${join(dir, "tasks_base.json")}:2`);
    expect(ds.longContext.size).toBe(0);
    expect(ds.entries[0]!.initialConfig.get("Counter")).toBeInstanceOf(PyDict);
  });

  it("reads one file with inline ground truth, or with an explicit answers file", () => {
    const file = join(tmp, "inline.jsonl");
    writeFileSync(file, [q("multi_turn_base_7", { ground_truth: [["add(k=1)"], ["reset()"]] })].join("\n"));
    expect(loadUserDataset(file).entries[0]!.groundTruth).toEqual([["add(k=1)"], ["reset()"]]);
    const qf = join(tmp, "q.jsonl");
    const af = join(tmp, "answers.jsonl");
    writeFileSync(qf, q("multi_turn_base_3"));
    writeFileSync(af, a("multi_turn_base_3"));
    expect(loadUserDataset(qf, { answers: af }).entries).toHaveLength(1);
  });

  it("reads long-context constants from long_context.json in the directory", () => {
    const dir = write(join(tmp, "lc"), {
      "t.json": [q("multi_turn_long_context_0", { ground_truth: [["add(k=1)"], []] })],
      "long_context.json": ['{"WORDS": ["a", "b"], "N": 3}'],
    });
    const ds = loadUserDataset(dir);
    expect(ds.entries[0]!.longContext).toBe(true);
    expect(ds.longContext.get("N")).toBe(3n);
  });

  it("collects every format problem with file:line", () => {
    const dir = write(join(tmp, "bad"), {
      "t.json": [
        q("multi_turn_base_0"),
        q("multi_turn_base_0"),
        q("multi_turn_custom_1"),
        q("multi_turn_base_2"),
        JSON.stringify({ id: "multi_turn_base_3", question: [] }),
      ],
      "possible_answer/t.json": [a("multi_turn_base_0"), a("multi_turn_custom_1"), a("multi_turn_base_3"), a("multi_turn_base_9")],
    });
    const e = thrown(() => loadUserDataset(dir));
    expect(e.code).toBe("DATASET_INVALID");
    const d = e.details!.join("\n");
    expect(d).toContain("t.json:2: duplicate id `multi_turn_base_0` (first at");
    expect(d).toContain("t.json:3: id `multi_turn_custom_1` has category `custom`");
    expect(d).toContain("t.json:4: no ground truth for `multi_turn_base_2`");
    expect(d).toContain("t.json:5: initial_config: Invalid input");
    expect(d).toContain("ground truth for id(s) not in t.json: multi_turn_base_9");
  });

  it("explains a missing path, an empty directory and bad JSON", () => {
    expect(thrown(() => loadUserDataset(join(tmp, "nope"))).code).toBe("DATASET_NOT_FOUND");
    mkdirSync(join(tmp, "empty"));
    expect(thrown(() => loadUserDataset(join(tmp, "empty"))).message).toMatch(/holds no question files\. Put JSON-lines question files/);
    writeFileSync(join(tmp, "broken.jsonl"), "{nope\n");
    expect(thrown(() => loadUserDataset(join(tmp, "broken.jsonl"))).message).toMatch(/broken\.jsonl:1 is not valid JSON/);
  });
});

describe("validateDatasetEntries", () => {
  const load = (lines: string[]) => {
    const f = join(tmp, `v${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(f, lines.join("\n"));
    return loadUserDataset(f).entries;
  };

  it("accepts entries whose classes and tools are installed", () => {
    expect(validateDatasetEntries(load([q("multi_turn_base_0", { ground_truth: [["add(k=2)"], ["reset()"]] })]), packs)).toEqual([]);
  });

  it("names the pack to install for an unknown class, BFCL or not", () => {
    const ps = validateDatasetEntries(
      load([
        q("multi_turn_base_0", { involved_classes: ["Counter", "TravelAPI"], ground_truth: [[], []] }),
        q("multi_turn_base_1", { involved_classes: ["LibraryAPI"], ground_truth: [[], []] }),
      ]),
      packs,
    );
    expect(ps.map(formatDatasetProblem)).toEqual([
      "error multi_turn_base_0: involved class `TravelAPI` needs the domain pack `@envtune/domain-travel`, which is not installed (npm install @envtune/domain-travel) [UNKNOWN_CLASS]",
      "error multi_turn_base_1: involved class `LibraryAPI` is not implemented by any loaded domain pack (loaded: Counter); install the pack that implements it and load it (--domains) [UNKNOWN_CLASS]",
    ]);
  });

  it("finds unknown tools, bad call strings, turn-count and withheld-tool errors", () => {
    const ps = validateDatasetEntries(
      load([
        q("multi_turn_base_0", {
          ground_truth: [
            ["ad(k=2)", "add(k=1); reset()"],
            ["reset()", "add(k=len('x'))"],
          ],
        }),
        q("multi_turn_base_1", { ground_truth: [["add(k=2)"]] }),
        q("multi_turn_miss_func_0", {
          question: [[{ role: "user", content: "add 2" }], [], [{ role: "user", content: "x" }]],
          missed_function: { "1": ["reset"], "7": ["add"] },
          excluded_function: ["nothing"],
          ground_truth: [["reset()"], [], []],
        }),
      ]),
      packs,
    );
    const lines = ps.map(formatDatasetProblem);
    expect(lines).toContain("error multi_turn_base_0 (turn 0, call 0): `ad` is not a tool of Counter; did you mean `add`? [UNKNOWN_TOOL]");
    expect(
      lines.some((l) =>
        l.startsWith("error multi_turn_base_0 (turn 0, call 1): `add(k=1); reset()` is not a Python call with literal arguments"),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith("error multi_turn_base_0 (turn 1, call 1): `add(k=len('x'))` is not a Python call"))).toBe(true);
    expect(lines).toContain(
      "error multi_turn_base_1: 2 question turn(s) but 1 ground-truth turn(s); give one ground-truth list per turn (an empty list for a turn with nothing to call) [TURN_COUNT_MISMATCH]",
    );
    expect(lines).toContain("error multi_turn_miss_func_0: missed_function key `7` is not a turn index (0..2) [BAD_MISSED_FUNCTION]");
    expect(lines).toContain(
      "error multi_turn_miss_func_0: excluded_function names `nothing`, which no involved class defines [UNKNOWN_TOOL]",
    );
    expect(lines).toContain(
      "warning multi_turn_miss_func_0 (turn 0, call 0): `reset` is withheld until turn 1 (missed_function) but the ground truth calls it at turn 0, when it is not in the model's tool list [WITHHELD_TOOL_CALLED]",
    );
  });

  it("hints at the class a tool belongs to, and warns about unused config", () => {
    const other = defineDomain<object>({
      ...counter,
      meta: { ...counter.meta, name: "other", className: "Other" },
      tools: [{ name: "ping", params: [], run: () => null }],
      schemas: [{ name: "ping", description: "p", parameters: { type: "object", properties: {} } }],
      createState: () => ({}),
      view: () => [],
    });
    const ps = validateDatasetEntries(
      load([q("multi_turn_base_0", { initial_config: { Counter: {}, Other: {} }, ground_truth: [["ping()"], []] })]),
      new Map([...packs, ["Other", other]]),
    );
    expect(ps.map(formatDatasetProblem)).toEqual([
      "warning multi_turn_base_0: initial_config has `Other`, which is not in involved_classes (it is ignored) [UNUSED_CONFIG]",
      "error multi_turn_base_0 (turn 0, call 0): `ping` is not a tool of Counter; it belongs to Other: add that class to involved_classes [UNKNOWN_TOOL]",
    ]);
  });

  it("assertDatasetValid throws one error listing every error and ignores warnings", () => {
    const entries = load([q("multi_turn_base_0", { involved_classes: ["Nope"], ground_truth: [[], []] })]);
    const e = thrown(() => assertDatasetValid(validateDatasetEntries(entries, packs)));
    expect(e.message).toMatch(/^\[envtune\] \[dataset\] The dataset has 1 error\(s\)\. Fix the entries/);
    expect(e.details![0]).toContain("`Nope` is not implemented");
    expect(() => assertDatasetValid([{ id: "x", severity: "warning", code: "UNUSED_CONFIG", message: "m" }])).not.toThrow();
  });
});

describe("dataset errors", () => {
  it("never echo the content of a file that is not a dataset (`--dataset /etc/passwd`)", () => {
    const dir = mkdtempSync(join(tmpdir(), "envtune-notds-"));
    try {
      const file = join(dir, "passwd.json");
      writeFileSync(file, "root:x:0:0:SECRET-LINE:/root:/bin/bash\nother:x:1:1::/:/bin/sh\n");
      let err: unknown;
      try {
        loadUserDataset(file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EnvtuneError);
      expect((err as EnvtuneError).code).toBe("DATASET_INVALID");
      expect((err as Error).message).toMatch(/passwd\.json:1 is not valid JSON/);
      expect((err as Error).message).not.toMatch(/root|SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
