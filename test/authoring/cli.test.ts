/**
 * Authoring and cross-domain commands end to end: `envtune domains list` (discovery by package
 * metadata), `envtune dataset validate` and `envtune eval --dataset` on the example pack's tasks
 * and on broken datasets, `envtune splits`, `envtune new-domain`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bfclDataDir } from "@envtune/testing";
import type { EvalSummary } from "@envtune/engine";
import { main } from "../../packages/cli/src/index.ts";
import { discoverDomainPackages, domainSpecifiers } from "@envtune/core";

const repo = resolve(import.meta.dirname, "../..");
const exampleData = join(repo, "domains/example-library/data");
const tmp = mkdtempSync(join(tmpdir(), "envtune-authoring-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** A dataset file with inline ground truth. */
function dataset(name: string, entries: Array<Record<string, unknown>>): string {
  const file = join(tmp, `${name}.jsonl`);
  writeFileSync(file, entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
  return file;
}
const libraryConfig = () =>
  JSON.parse(readFileSync(join(exampleData, "BFCL_v4_multi_turn_base.json"), "utf8").split("\n")[0]!).initial_config;
const entry = (id: string, groundTruth: string[][], extra: Record<string, unknown> = {}) => ({
  id,
  question: groundTruth.map((_, i) => [{ role: "user", content: `turn ${i}` }]),
  initial_config: libraryConfig(),
  involved_classes: ["LibraryAPI"],
  ground_truth: groundTruth,
  ...extra,
});

describe("domain pack discovery", () => {
  it("finds every installed pack by its package metadata, the example pack included", () => {
    const names = discoverDomainPackages([repo]).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(["@envtune/domain-example-library", "@envtune/domain-ticket", "@envtune/domain-vehicle-control"]),
    );
    expect(names).not.toContain("@envtune/core");
  });

  it("--domains takes names, paths and the groups `installed` and `bfcl`", () => {
    const found = [{ name: "@acme/domain-x", version: "1.0.0", dir: "/x" }];
    expect(domainSpecifiers(undefined, found).specs).toContain("@acme/domain-x");
    expect(domainSpecifiers(undefined, found).specs).toContain("@envtune/domain-travel");
    const { specs, explicit } = domainSpecifiers(["installed,@acme/other"], found);
    expect(specs).toEqual(["@acme/domain-x", "@acme/other"]);
    expect([...explicit]).toEqual(["@acme/other"]);
    expect(domainSpecifiers(["bfcl"], []).specs).toHaveLength(8);
  });

  it("`envtune domains list` shows packages, classes, versions and tool counts", async () => {
    const r = await cli("domains", "list", "--json");
    expect(r.code).toBe(0);
    const rows = (
      JSON.parse(r.stdout) as {
        installed: Array<{ package: string; className: string; version: string; tools: number; bfclCommit: string | null }>;
      }
    ).installed;
    expect(rows.find((x) => x.className === "LibraryAPI")).toMatchObject({
      package: "@envtune/domain-example-library",
      version: "0.1.0",
      tools: 9,
      bfclCommit: null,
    });
    expect(rows.find((x) => x.className === "TicketAPI")).toMatchObject({
      package: "@envtune/domain-ticket",
      tools: 9,
      bfclCommit: "6ea57973",
    });
    const table = await cli("domains", "list", "--domains", "@envtune/domain-example-library");
    expect(table.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^package\s+class\s+version\s+tools\s+bfcl$/),
      expect.stringMatching(/^@envtune\/domain-example-library\s+LibraryAPI\s+0\.1\.0\s+9\s+-$/),
    ]);
  });

  it("an explicitly named pack that cannot be loaded is an error naming it", async () => {
    const r = await cli("domains", "list", "--domains", "@acme/not-installed");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("[envtune] [domains] Cannot load the domain pack(s) `@acme/not-installed`.");
  });
});

describe("user datasets", () => {
  it("validates the example pack's tasks: 12 entries, no errors, no warnings", async () => {
    const r = await cli("dataset", "validate", exampleData);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "12 entries (base 6, miss_func 2, miss_param 2, long_context 2), classes LibraryAPI: 0 error(s), 0 warning(s)",
    );
  });

  it("validates BFCL itself (800 entries): no errors; BFCL's own quirks are warnings", async () => {
    const r = await cli("dataset", "validate", bfclDataDir(), "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      entries: number;
      errors: number;
      warnings: number;
      problems: Array<{ code: string; id: string }>;
    };
    expect(report.entries).toBe(800);
    expect(report.errors).toBe(0);
    expect(new Set(report.problems.map((p) => p.code))).toEqual(new Set(["UNUSED_CONFIG", "WITHHELD_TOOL_CALLED"]));
    expect(report.problems.find((p) => p.code === "WITHHELD_TOOL_CALLED")!.id).toBe("multi_turn_miss_func_49");
  });

  it("reports an unknown class, an unknown tool and ground truth that fails on replay, with exit code 1", async () => {
    const file = dataset("broken", [
      entry("multi_turn_base_0", [["search_catalog(query='Dune')"], ["borrow_book(book_id='B003')"]]),
      entry("multi_turn_base_1", [["checkout_book(member_id='M100')"]]),
      entry("multi_turn_base_2", [["return_book(loan_id=1)"]], { involved_classes: ["LibraryAPI", "SpaceshipAPI"] }),
      entry("multi_turn_base_3", [["get_ticket(ticket_id=1)"]]),
      entry("multi_turn_base_4", [["pay_fine(member_id='M101', amount=50.0)"]]),
    ]);
    const r = await cli("dataset", "validate", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error multi_turn_base_0 (turn 1, call 0): `borrow_book` is not a tool of LibraryAPI [UNKNOWN_TOOL]");
    expect(r.stderr).toContain(
      "error multi_turn_base_1 (turn 0, call 0): `checkout_book(member_id='M100')` fails on replay: Error during execution: LibraryAPI.checkout_book() missing 1 required positional argument: 'book_id' [GROUND_TRUTH_FAILS]",
    );
    expect(r.stderr).toContain("error multi_turn_base_2: involved class `SpaceshipAPI` is not implemented by any loaded domain pack");
    expect(r.stderr).toContain(
      "error multi_turn_base_3 (turn 0, call 0): `get_ticket` is not a tool of LibraryAPI; it belongs to TicketAPI: add that class to involved_classes [UNKNOWN_TOOL]",
    );
    expect(r.stdout).toContain(
      'warning multi_turn_base_4 (turn 0, call 0): `pay_fine(member_id=\'M101\', amount=50.0)` returns an error: {"error": "Amount 50.0 is more than the fines due (1.5)."} [GROUND_TRUTH_SOFT_ERROR]',
    );
    expect(r.stdout).toContain("5 entries (base 5), classes LibraryAPI, SpaceshipAPI: 4 error(s), 1 warning(s)");
    expect((await cli("dataset", "validate", file, "--no-replay")).stdout).toContain(
      "3 error(s), 0 warning(s) (ground truth not replayed)",
    );
  });

  it("`envtune eval --dataset` runs the example tasks with the oracle: 12/12", async () => {
    const out = join(tmp, "eval-example");
    const r = await cli("eval", "--policy", "oracle", "--split", "all", "--dataset", exampleData, "--out", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as EvalSummary;
    expect(s).toMatchObject({ entries: 12, scored: 12, errors: 0, overall: 1 });
    expect(s.categories.miss_func).toMatchObject({ entries: 2, correct: 2 });
    const paper = await cli(
      "eval",
      "--policy",
      "oracle",
      "--protocol",
      "paper",
      "--augmented",
      "--format",
      "envelope",
      "--split",
      "all",
      "--dataset",
      exampleData,
      "--domains",
      "@envtune/domain-example-library",
      "--out",
      join(tmp, "eval-paper"),
      "--json",
    );
    expect(paper.code, paper.stderr).toBe(0);
    expect((JSON.parse(paper.stdout) as EvalSummary).overall).toBe(1);
  });

  it("the example's data directory also works in place of the BFCL data (`--data`)", async () => {
    const r = await cli("eval", "--policy", "oracle", "--split", "all", "--data", exampleData, "--out", join(tmp, "eval-data"), "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout) as EvalSummary).toMatchObject({ entries: 12, scored: 12, overall: 1 });
  });

  it("`envtune eval --dataset` refuses a dataset with errors before running anything", async () => {
    const file = dataset("eval-broken", [entry("multi_turn_base_0", [["search_catalog(query='Dune')"], ["lend(book='Dune')"]])]);
    const out = join(tmp, "eval-broken");
    const r = await cli("eval", "--policy", "oracle", "--split", "all", "--dataset", file, "--out", out);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`[envtune] [dataset] The dataset \`${file}\` has 1 error(s).`);
    expect(r.stderr).toContain("`lend` is not a tool of LibraryAPI");
    expect(existsSync(join(out, "results.jsonl"))).toBe(false);
    const both = await cli("eval", "--policy", "oracle", "--split", "all", "--dataset", file, "--data", bfclDataDir(), "--out", out);
    expect(both.code).toBe(2);
  });

  it("a user dataset needing a BFCL pack that is not loaded names the package", async () => {
    const file = dataset("needs-ticket", [
      { ...entry("multi_turn_base_0", [["get_ticket(ticket_id=1)"]]), involved_classes: ["TicketAPI"], initial_config: {} },
    ]);
    const r = await cli(
      "eval",
      "--policy",
      "oracle",
      "--split",
      "all",
      "--dataset",
      file,
      "--domains",
      "@envtune/domain-example-library",
      "--out",
      join(tmp, "needs-ticket"),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "involved class `TicketAPI` needs the domain pack `@envtune/domain-ticket`, which is not installed (npm install @envtune/domain-ticket)",
    );
  });
});

describe("`envtune train` on the example pack and its own tasks", () => {
  const shipped = join(repo, "domains/example-library/train.config.json");

  it("the shipped config trains the example pack through a split spec, then evaluates on its test part", async () => {
    // The shipped config, shrunk for CI: same data section (dataset, split spec, domains).
    const cfg = JSON.parse(readFileSync(shipped, "utf8")) as { data: Record<string, unknown> };
    const file = join(tmp, "example-train.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...cfg,
        data: { ...cfg.data, dataset: exampleData },
        grpo: { groupSize: 2, tasksPerUpdate: 2 },
        stages: undefined,
        validation: { every: 2, limit: null },
        evaluation: { part: "test", baselines: true, limit: null, select: "last" },
      }),
    );
    const out = join(tmp, "train-example");
    const r = await cli("train", "--config", file, "--out", out, "--json");
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const res = JSON.parse(r.stdout) as {
      updates: number;
      evaluation: { split: string; entries: number; policies: Array<{ policy: string }> };
    };
    expect(res.updates).toBeGreaterThan(0);
    // {kind: shared-id, seed 42, train 3, val 1, test 2} on entry numbers 0..5: test = numbers 0 and 5.
    expect(res.evaluation.entries).toBe(5);
    expect(res.evaluation.policies.map((p) => p.policy)).toEqual(
      expect.arrayContaining(["trained", "untrained", "random-valid-call", "always-answer"]),
    );
    const written = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as {
      data: { split: unknown; dataset: string; domains: string[] };
    };
    expect(written.data).toMatchObject({
      split: { kind: "shared-id", train: 3, val: 1, test: 2 },
      dataset: exampleData,
      domains: ["@envtune/domain-example-library"],
    });
  }, 180_000);

  it("a relative data.dataset in a config file is read beside the file, not the working directory", async () => {
    const cfg = JSON.parse(readFileSync(shipped, "utf8")) as { data: { dataset: string } };
    expect(cfg.data.dataset).toBe("data");
    const dir = join(tmp, "cfg-dir");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "train.config.json");
    writeFileSync(file, JSON.stringify({ ...cfg, data: { ...cfg.data, dataset: "no-such-data" } }));
    const r = await cli("train", "--config", file, "--out", join(tmp, "cfg-run"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(join(dir, "no-such-data"));
  });

  it("--split takes a JSON split spec; bad JSON is a usage error with a hint", async () => {
    const r = await cli(
      "train",
      "--quick",
      "--dataset",
      exampleData,
      "--domains",
      "@envtune/domain-example-library",
      "--split",
      "{kind: shared-id}",
      "--out",
      join(tmp, "bad-json"),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--split looks like a JSON split spec but does not parse");
    const both = await cli("train", "--quick", "--dataset", exampleData, "--data", bfclDataDir(), "--out", join(tmp, "both"));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("Pass either --data (BFCL) or --dataset (your own data), not both.");
  });

  it("a dataset of one's own that fails validation is refused before training", async () => {
    const file = dataset("train-broken", [entry("multi_turn_base_0", [["search_catalog(query='Dune')"], ["lend(book='Dune')"]])]);
    const r = await cli(
      "train",
      "--quick",
      "--dataset",
      file,
      "--domains",
      "@envtune/domain-example-library",
      "--split",
      '{"kind":"shared-id","train":1,"val":0,"test":0}',
      "--out",
      join(tmp, "train-broken"),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("`lend` is not a tool of LibraryAPI");
    expect(existsSync(join(tmp, "train-broken", "metrics.jsonl"))).toBe(false);
  });
});

describe("envtune splits", () => {
  const data = ["--data", bfclDataDir()];

  it("lists the named splits with their sizes, one leave-one-domain-out split per class", async () => {
    const r = await cli("splits", "list", ...data);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^paper\s+400\s+100\s+300\s/m);
    expect(r.stdout).toMatch(/^ood:-TravelAPI\s+540\s+60\s+200\s/m);
    expect(r.stdout.match(/^ood:-/gm)).toHaveLength(8);
  });

  it("shows a named domain set: six domains to train on, two held out", async () => {
    const r = await cli("splits", "show", "ood:-TravelAPI,-VehicleControlAPI", ...data, "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { name: string; parts: Record<string, { entries: number; byClass: Record<string, number> }> };
    expect(s.name).toBe("ood:-TravelAPI,-VehicleControlAPI");
    expect([s.parts.train!.entries, s.parts.val!.entries, s.parts.test!.entries]).toEqual([360, 40, 400]);
    expect(s.parts.train!.byClass.TravelAPI ?? 0).toBe(0);
    expect(s.parts.train!.byClass.VehicleControlAPI ?? 0).toBe(0);
    expect(Object.keys(s.parts.train!.byClass).sort()).toEqual([
      "GorillaFileSystem",
      "MathAPI",
      "MessageAPI",
      "TicketAPI",
      "TradingBot",
      "TwitterAPI",
    ]);
  });

  it("writes a split (by name or by --held-out) as JSON that eval's --ids can take", async () => {
    const file = join(tmp, "splits/ood.json");
    const r = await cli("splits", "write", "--held-out", "TravelAPI,VehicleControlAPI", "--out", file, ...data);
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(file, "utf8")) as {
      name: string;
      spec: { kind: string; heldOut: string[] };
      train: string[];
      test: string[];
    };
    expect(written.name).toBe("ood:-TravelAPI,-VehicleControlAPI");
    expect(written.spec).toMatchObject({ kind: "ood", heldOut: ["TravelAPI", "VehicleControlAPI"], seed: 42, valFraction: 0.1 });
    expect([written.train.length, written.test.length]).toEqual([360, 400]);
    const byName = await cli("splits", "write", "ood:-TravelAPI,-VehicleControlAPI", "--out", join(tmp, "splits/by-name.json"), ...data);
    expect(byName.code).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, "splits/by-name.json"), "utf8")).test).toEqual(written.test);
  });

  it("works on a user dataset and explains unknown domains", async () => {
    const r = await cli("splits", "list", "--dataset", exampleData);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^paper\s+-\s+-\s+-\s+\(not available for this dataset: The entry-number range has 6 entries/m);
    expect(r.stdout).toMatch(
      /^ood:-LibraryAPI\s+-\s+-\s+-\s+\(not available for this dataset: Holding out LibraryAPI leaves no training entries/m,
    );
    const bad = await cli("splits", "show", "ood:-travelapi", ...data);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("Did you mean `TravelAPI`?");
    expect((await cli("splits", "write", "paper", ...data)).code).toBe(2);
  });
});

describe("envtune new-domain", () => {
  it("scaffolds a standalone pack outside the repository", async () => {
    const dir = join(tmp, "new-domain/acme-shop");
    mkdirSync(join(tmp, "new-domain"));
    const r = await cli("new-domain", "acme-shop", "--dir", dir, "--class", "ShopAPI");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Created envtune-domain-acme-shop (ShopAPI, standalone) in ${dir}`);
    expect(existsSync(join(dir, "src/acme-shop.test.ts"))).toBe(true);
    const again = await cli("new-domain", "acme-shop", "--dir", dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("exists and is not empty");
  });
});
