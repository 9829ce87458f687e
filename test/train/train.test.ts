/**
 * End-to-end tests of `envtune train` on the real environment (no mocks): the CI quick run, and
 * resuming after a real `kill -9` and a Ctrl-C with identical results to an uninterrupted run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dataDir, runCli, spawnCli, updateLines, waitFor, withoutTiming } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-train-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("envtune train --quick", () => {
  it("runs the four stages, checkpoints, evaluates against the baselines and writes the report", async () => {
    const out = join(tmp, "quick");
    const t0 = Date.now();
    const r = await runCli(["train", "--quick", "--out", out, "--data", dataDir, "--json"]);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(0);
    console.log(`envtune train --quick: ${seconds.toFixed(1)} s`);
    // progress per stage and the summary go to stderr
    for (const s of ["stage1-syntax", "stage2-base", "stage3-all-augmented", "stage4-all-standard"]) expect(r.stderr).toContain(s);
    expect(r.stderr).toMatch(/tfjs backend: (wasm|cpu|tensorflow)/);
    expect(r.stderr).toMatch(/trained − best baseline/);

    const res = JSON.parse(r.stdout) as {
      evaluation: {
        split: string;
        part: string;
        policies: Array<{ policy: string; turnSuccess: number; perCategory: Record<string, unknown> }>;
      };
    };
    expect(res.evaluation.split).toBe("paper");
    expect(res.evaluation.part).toBe("test");
    const names = res.evaluation.policies.map((p) => p.policy);
    for (const n of ["trained", "untrained", "random-valid-call", "always-answer"]) expect(names).toContain(n);
    expect(res.evaluation.policies.find((p) => p.policy === "always-answer")!.turnSuccess).toBe(0);

    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(config.preset).toBe("quick");
    const updates = updateLines(out);
    expect(updates.length).toBeGreaterThanOrEqual(4);
    for (const k of [
      "stage",
      "reward",
      "components",
      "train_turn_success",
      "grad_norm",
      "entropy",
      "kl",
      "episodes_per_s",
      "updates_per_s",
    ])
      expect(updates[0]).toHaveProperty(k);
    expect(new Set(updates.map((u) => u.stage))).toEqual(new Set([1, 2, 3, 4]));
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8");
    expect(metrics).toContain('"type":"promotion"');
    expect(metrics).toContain('"type":"validation"');
    for (const f of [
      "checkpoint/model.json",
      "checkpoint/weights.bin",
      "checkpoint/state.json",
      "checkpoint/ref/model.json",
      "checkpoint/optimizer/weights.bin",
      "last/model.json",
      "eval/results.json",
      "report.html",
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("random-valid-call");
    // The learning-curve rule, per stage, in the log, the report and --aggregate.
    expect(r.stderr).toMatch(
      /learning curves[\s\S]*stage 4 stage4-all-standard \(\d+ updates\): reward \(progress\) .* rise .* per 100 updates: (rises clearly|rises|does not rise); turn success /,
    );
    expect(html).toContain("Does each stage's learning curve rise?");
    const agg = await runCli(["train", "--aggregate", out, "--json"]);
    expect(agg.code, agg.stderr).toBe(0);
    const aj = JSON.parse(agg.stdout) as { stageRise: Array<{ stage: number; runs: number }>; curves: unknown[][] };
    expect(aj.stageRise.map((x) => x.stage)).toEqual([1, 2, 3, 4]);
    for (const x of aj.stageRise) expect(["rises clearly", "rises", "does not rise"]).toContain((x as { verdict?: string }).verdict);
    expect(aj.curves[0]!.length).toBe(4);
  }, 300_000);
});

const tiny = {
  preset: "quick",
  seed: 5,
  grpo: { groupSize: 2, tasksPerUpdate: 3, miniBatches: 2 },
  // Two training scenarios join validation (and leave training): resume must pick the same ones.
  validation: { every: 2, limit: 6, fromTrain: 8 },
  evaluation: { part: "test", baselines: false, limit: 6 },
  stages: [
    {
      name: "syntax",
      data: { part: "train", categories: ["base"], limit: 6, order: "easiest" },
      reward: { kind: "stage1" },
      augmented: false,
      limits: { maxActionsPerTurn: 2 },
      trainHeads: ["fill", "value", "form"],
      promotion: { metric: "val_reward", window: 2, minDelta: 0.01, minUpdates: 3, maxUpdates: 3 },
    },
    {
      name: "progress",
      data: { part: "train", categories: ["base", "miss_param"], limit: 12 },
      reward: { kind: "progress" },
      augmented: true,
      limits: { maxActionsPerTurn: 2 },
      promotion: { metric: "val_turn_success", window: 2, minDelta: 0.01, minUpdates: 4, maxUpdates: 4 },
    },
  ],
};

describe("resume", () => {
  it("continues identically after kill -9 and after Ctrl-C, losing at most the current update", async () => {
    const cfg = join(tmp, "tiny.json");
    writeFileSync(cfg, JSON.stringify(tiny));
    const ref = join(tmp, "uninterrupted");
    const a = await runCli(["train", "--config", cfg, "--out", ref, "--data", dataDir]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/6 validation \(8 of them held out of training\)/);
    const total = updateLines(ref).length;
    expect(total).toBe(7);

    const run = join(tmp, "interrupted");
    // 1) a real SIGKILL in the middle of training
    const p1 = spawnCli(["train", "--config", cfg, "--out", run, "--data", dataDir]);
    await waitFor(() => updateLines(run).length >= 2, 120_000, "two updates");
    p1.child.kill("SIGKILL");
    expect((await p1.exited).signal).toBe("SIGKILL");
    const atKill = updateLines(run).length;
    expect(atKill).toBeLessThan(total);

    // 2) resume in a new process, then Ctrl-C (SIGINT) after it made progress
    const p2 = spawnCli(["train", "--resume", run, "--data", dataDir]);
    await waitFor(() => updateLines(run).length >= atKill + 1 || p2.child.exitCode !== null, 120_000, "an update after resuming");
    p2.child.kill("SIGINT");
    const e2 = await p2.exited;
    const out2 = p2.output();
    console.log(
      `kill -9 after ${atKill}/${total} updates; Ctrl-C run exited with ${e2.code ?? e2.signal} after ${updateLines(run).length}/${total}`,
    );
    expect(out2).toMatch(/resumed .* at update \d+/);
    if (updateLines(run).length < total) {
      expect(e2.code, out2).toBe(130);
      expect(out2).toContain(`--resume ${run}`);
    }

    // 3) finish in this process
    const c = await runCli(["train", "--resume", run, "--data", dataDir]);
    expect(c.code, c.stderr).toBe(0);

    const got = updateLines(run);
    expect(got).toHaveLength(total);
    expect(withoutTiming(got)).toEqual(withoutTiming(updateLines(ref)));
    const evalA = JSON.parse(readFileSync(join(ref, "eval/results.json"), "utf8"));
    const evalB = JSON.parse(readFileSync(join(run, "eval/results.json"), "utf8"));
    expect(withoutTiming(evalB)).toEqual(withoutTiming(evalA));
    const wA = readFileSync(join(ref, "last/weights.bin"));
    const wB = readFileSync(join(run, "last/weights.bin"));
    expect(wB.equals(wA)).toBe(true);
  }, 400_000);

  it("refuses to overwrite a run and to resume a directory that is not one", async () => {
    const cfg = join(tmp, "tiny.json");
    writeFileSync(cfg, JSON.stringify(tiny));
    const again = await runCli(["train", "--config", cfg, "--out", join(tmp, "uninterrupted"), "--data", dataDir]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already holds a run.*--resume/);
    const none = await runCli(["train", "--resume", join(tmp, "nothing-here")]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/has no config.json/);
  });
});
