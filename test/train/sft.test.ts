/**
 * The behaviour-cloning learner through the unchanged trainer and CLI: `envtune train --learner
 * sft --single-stage` trains, checkpoints, is stopped and resumed to exactly the same result as an
 * uninterrupted run, reports its coverage, and is evaluated like any learner.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseTrainConfig, presetConfig, silentProgress, train } from "@envtune/trainer";
import { dataDir, runCli, updateLines, withoutTiming } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-sft-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("behaviour cloning (--learner sft)", () => {
  it("runs from the CLI as one stage on all training data, with coverage in metrics.jsonl", async () => {
    const out = join(tmp, "cli");
    const r = await runCli([
      "train",
      "--preset",
      "smoke",
      "--learner",
      "sft",
      "--single-stage",
      "--seed",
      "2",
      "--out",
      out,
      "--data",
      dataDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("behaviour cloning (teacher forcing on ground-truth trajectories)");
    const config = json(join(out, "config.json"));
    expect(config.learner.name).toBe("sft");
    const updates = updateLines(out);
    // The single stage has the budget of all the curriculum's stages.
    expect(updates).toHaveLength(presetConfig("smoke").stages.reduce((a, s) => a + s.promotion.maxUpdates, 0));
    for (const u of updates) {
      expect(u.episodes).toBe(0);
      expect(u.gt_values_covered as number).toBeLessThanOrEqual(u.gt_values as number);
      expect(u.gt_values as number).toBeGreaterThan(0);
    }
    expect(json(join(out, "eval/results.json")).policies[0].policy).toBe("trained");
  });

  it("resumes from a checkpoint to exactly the uninterrupted run", async () => {
    const config = parseTrainConfig({ ...presetConfig("smoke"), learner: { name: "sft" }, ablation: { singleStage: true } });
    const resumed = join(tmp, "resumed");
    const stopped = await train({ config, outDir: resumed, dataDir, progress: silentProgress, stopAfterUpdates: 2 });
    expect(stopped.status).toBe("stopped");
    await train({ outDir: resumed, resume: true, dataDir, progress: silentProgress });
    const straight = join(tmp, "straight");
    await train({ config, outDir: straight, dataDir, progress: silentProgress });
    expect(withoutTiming(updateLines(resumed))).toEqual(withoutTiming(updateLines(straight)));
    expect(withoutTiming(json(join(resumed, "eval/results.json")))).toEqual(withoutTiming(json(join(straight, "eval/results.json"))));
    expect(readFileSync(join(resumed, "last/weights.bin"))).toEqual(readFileSync(join(straight, "last/weights.bin")));
  });
});
