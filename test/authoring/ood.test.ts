/**
 * The cross-domain experiment: the shipped config (`packages/cli/experiments/ood-six-two.json`)
 * trains on six domains and holds two out; a tiny run with the same data section is trained for
 * real, then `envtune ood-eval` plays it in distribution and out of distribution and writes the
 * side-by-side report.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getSplit } from "@envtune/bfcl-data";
import { PRESETS, parseTrainConfig, silentProgress, train, type TrainConfigInput } from "@envtune/trainer";
import { bfclDataDir, sharedDataset } from "@envtune/testing";
import { main } from "../../packages/cli/src/index.ts";
import type { OodReport } from "../../packages/cli/src/commands/ood-eval.ts";

const repo = resolve(import.meta.dirname, "../..");
const experiment = JSON.parse(readFileSync(join(repo, "packages/cli/experiments/ood-six-two.json"), "utf8")) as TrainConfigInput;
const tmp = mkdtempSync(join(tmpdir(), "envtune-ood-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cross-domain OOD experiment", () => {
  it("the shipped config is a valid train config that trains on six domains and holds two out", () => {
    const config = parseTrainConfig({ ...PRESETS[experiment.preset!]!(), ...experiment });
    const split = getSplit(config.data.split, sharedDataset());
    expect(split.spec).toMatchObject({ kind: "ood", heldOut: ["TravelAPI", "VehicleControlAPI"] });
    const classesOf = (ids: string[]) => new Set(ids.flatMap((id) => sharedDataset().byId.get(id)!.involvedClasses));
    expect([...classesOf(split.train)].sort()).toEqual([
      "GorillaFileSystem",
      "MathAPI",
      "MessageAPI",
      "TicketAPI",
      "TradingBot",
      "TwitterAPI",
    ]);
    expect([...classesOf(split.test)].filter((c) => c === "TravelAPI" || c === "VehicleControlAPI").sort()).toEqual([
      "TravelAPI",
      "VehicleControlAPI",
    ]);
    expect(config.evaluation.part).toBe("test");
  });

  it("a tiny run of it, then `envtune ood-eval`: in- and out-of-distribution results side by side", async () => {
    const out = join(tmp, "run");
    const tiny = parseTrainConfig({
      ...PRESETS.quick!(),
      data: experiment.data!,
      seed: 1,
      grpo: { groupSize: 2, tasksPerUpdate: 2 },
      validation: { every: 2, limit: 4 },
      evaluation: { part: "test", baselines: false, limit: 4 },
    });
    const r = await train({ config: tiny, outDir: out, dataDir: bfclDataDir(), progress: silentProgress });
    expect(r.status).toBe("completed");

    let stdout = "";
    let stderr = "";
    const code = await main(["ood-eval", out, "--data", bfclDataDir(), "--limit", "6", "--json"], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
    });
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as OodReport;
    expect(report.split).toBe("ood:-TravelAPI,-VehicleControlAPI");
    expect(report.heldOut).toEqual(["TravelAPI", "VehicleControlAPI"]);
    expect(report.trainedOn).toEqual(["GorillaFileSystem", "MathAPI", "MessageAPI", "TicketAPI", "TradingBot", "TwitterAPI"]);
    expect(report.entries).toEqual({ id: 6, ood: 6 });
    expect(report.rows.map((x) => x.policy)).toEqual(["trained", "untrained", "random-valid-call", "always-answer"]);
    for (const row of report.rows) {
      expect(row.id.entries).toBe(6);
      expect(row.ood.entries).toBe(6);
      expect(row.ood.turnSuccess).toBeGreaterThanOrEqual(0);
    }
    const md = readFileSync(join(out, "ood-report.md"), "utf8");
    expect(md).toContain("| policy | ID turn success | OOD turn success | Δ (OOD − ID) |");
    expect(md).toContain(
      "Trained on GorillaFileSystem, MathAPI, MessageAPI, TicketAPI, TradingBot, TwitterAPI; held out TravelAPI, VehicleControlAPI.",
    );
    expect(existsSync(join(out, "eval/ood.json"))).toBe(true);
  }, 240_000);

  it("refuses a run whose split holds nothing out", async () => {
    let stderr = "";
    const out = join(tmp, "not-ood");
    mkdirSync(out);
    writeFileSync(join(out, "config.json"), JSON.stringify(parseTrainConfig(PRESETS.quick!())));
    const code = await main(["ood-eval", out, "--data", bfclDataDir()], { stdout: () => {}, stderr: (s) => (stderr += s) });
    expect(code).toBe(2);
    expect(stderr).toContain("The run's split `paper` holds no domain out.");
  });
});
