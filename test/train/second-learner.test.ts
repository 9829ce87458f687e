/**
 * The trainer drives a learner it has never seen: the tabular learner of
 * examples/second-learner, registered from user code, trained on the real environment through the
 * unchanged `train()` — stopped after 3 updates (checkpoint), resumed to the end (identical to an
 * uninterrupted run), evaluated against the baselines, with a report.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  parseTrainConfig,
  registerLearner,
  silentProgress,
  train,
  type FrozenPolicy,
  type Learner,
  type PolicyObservation,
} from "@envtune/trainer";
import { z } from "zod";
import { exampleConfig, registerExampleLearner } from "../../examples/second-learner/main.ts";
import { dataDir, repoRoot, runCli, updateLines, withoutTiming } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-second-learner-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("a second learner registered from user code", () => {
  it("trains through the trainer with checkpoint, resume and report", async () => {
    registerExampleLearner();
    const config = parseTrainConfig(exampleConfig);
    const run = join(tmp, "resumed");
    const stopped = await train({ config, outDir: run, dataDir, progress: silentProgress, stopAfterUpdates: 3 });
    expect(stopped).toMatchObject({ status: "stopped", updates: 3 });
    // The checkpoint holds the learner's own state beside the trainer's.
    expect(json(join(run, "checkpoint/state.json")).totalUpdates).toBe(3);
    expect(Object.keys(json(join(run, "checkpoint/tabular-state.json")).table).length).toBeGreaterThan(0);
    expect(updateLines(run)).toHaveLength(3);

    const finished = await train({ outDir: run, resume: true, dataDir, progress: silentProgress });
    expect(finished.status).toBe("completed");
    const updates = updateLines(run);
    expect(updates.map((u) => u.update)).toEqual(Array.from({ length: finished.updates }, (_, i) => i + 1));
    expect(finished.updates).toBeGreaterThan(3);
    // The learner's own metrics reach metrics.jsonl next to the trainer's rollout statistics.
    for (const k of ["loss", "grad_norm", "entropy", "table_entries", "reward", "train_turn_success"]) expect(updates[0]).toHaveProperty(k);

    // It learns: greedy validation on the syntax reward rises from the uniform start.
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const syntaxVals = metrics
      .filter((m) => m.stage_name === "syntax" && (m.type === "validation" || m.val_metric !== undefined))
      .map((m) => Number(m.value ?? m.val_metric));
    expect(Math.max(...syntaxVals.slice(1))).toBeGreaterThan(syntaxVals[0]!);

    expect(existsSync(join(run, "report.html"))).toBe(true);
    expect(readFileSync(join(run, "report.html"), "utf8")).toContain("tabular-bandit");
    expect(existsSync(join(run, "last/policy.json"))).toBe(true);
    const names = (json(join(run, "eval/results.json")) as { policies: Array<{ policy: string }> }).policies.map((p) => p.policy);
    for (const n of ["trained", "untrained", "random-valid-call", "always-answer"]) expect(names).toContain(n);

    // Resuming continued exactly where the first process stopped.
    const straight = join(tmp, "straight");
    await train({ config, outDir: straight, dataDir, progress: silentProgress });
    expect(withoutTiming(updates)).toEqual(withoutTiming(updateLines(straight)));
    expect(withoutTiming(json(join(run, "eval/results.json")))).toEqual(withoutTiming(json(join(straight, "eval/results.json"))));
  });

  it("names unknown learners and invalid learner options with a fix", async () => {
    registerExampleLearner();
    const base = { ...exampleConfig, stages: exampleConfig.stages };
    const unknown = train({
      config: parseTrainConfig({ ...base, learner: { name: "no-such-learner" } }),
      outDir: join(tmp, "unknown"),
      dataDir,
    });
    await expect(unknown).rejects.toMatchObject({ code: "UNKNOWN_LEARNER" });
    await expect(unknown).rejects.toThrow(/tabular-bandit/);
    // It fails before any data is loaded or the run directory is made.
    expect(existsSync(join(tmp, "unknown"))).toBe(false);
    const bad = train({
      config: parseTrainConfig({ ...base, learner: { name: "tabular-bandit", options: { lr: -1 } } }),
      outDir: join(tmp, "bad"),
      dataDir,
    });
    await expect(bad).rejects.toMatchObject({ code: "INVALID_LEARNER_OPTIONS" });
  });

  it("is picked on the command line by module file, recorded for --resume", async () => {
    const { learner: _learner, ...rest } = exampleConfig;
    const cfg = join(tmp, "cli.json");
    writeFileSync(cfg, JSON.stringify({ ...rest, stages: exampleConfig.stages.slice(0, 1) }));
    const module = join(repoRoot, "examples/second-learner/tabular-learner.ts");
    const out = join(tmp, "cli");
    const r = await runCli([
      "train",
      "--config",
      cfg,
      "--learner",
      module,
      "--learner-options",
      '{"lr": 5}',
      "--out",
      out,
      "--data",
      dataDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/learner tabular-bandit: tabular softmax .* lr 5/);
    expect(json(join(out, "config.json")).learner).toEqual({ name: "tabular-bandit", options: { lr: 5 }, module });

    const unknown = await runCli(["train", "--config", cfg, "--learner", "nope", "--out", join(tmp, "cli-unknown"), "--data", dataDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown learner `nope`.*grpo-tfjs/s);
    const resumeWithLearner = await runCli(["train", "--resume", out, "--learner", "grpo-tfjs"]);
    expect(resumeWithLearner.code).toBe(2);
    expect(resumeWithLearner.stderr).toMatch(/--resume continues a run with its own config \(and learner\)/);
    const badJson = await runCli(["train", "--config", cfg, "--learner-options", "{lr", "--out", join(tmp, "cli-bad"), "--data", dataDir]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/--learner-options is not valid JSON/);
  });

  it("trains a learner that plays no rollouts and learns from the ground truth (the shape of behaviour cloning)", async () => {
    // Counts the ground truth's tool names per update (no episodes) and calls the most counted
    // visible tool: the trainer must take a loss without rewards through every step of a run.
    const counts = new Map<string, number>();
    const act = (table: ReadonlyMap<string, number>, obs: readonly PolicyObservation[]) =>
      obs.map((o) => {
        const best = o.steps.length ? undefined : [...o.tools].sort((a, b) => (table.get(b.name) ?? 0) - (table.get(a.name) ?? 0))[0];
        return {
          text: best
            ? `<think>t</think>\n<tool_call>\n[{"name": "${best.name}", "arguments": {}}]\n</tool_call>`
            : "<think>t</think>\n<answer>done</answer>",
        };
      });
    const frozen = (table: Map<string, number>): FrozenPolicy => ({
      act: (o) => act(table, o),
      save: async (dir) => writeFileSync(join(dir, "c.json"), JSON.stringify([...table])),
      dispose: () => {},
    });
    const learner: Learner = {
      act: (o) => act(counts, o),
      async update(ctx) {
        let seen = 0;
        for (const call of ctx.tasks.flatMap((e) => e.groundTruth.flat())) {
          const name = call.split("(")[0]!;
          counts.set(name, (counts.get(name) ?? 0) + 1);
          seen++;
        }
        return { episodes: [], metrics: { loss: 1 / (1 + seen), grad_norm: 0, gt_calls: seen } };
      },
      snapshot: () => frozen(new Map(counts)),
      save: async (dir) => writeFileSync(join(dir, "c.json"), JSON.stringify([...counts])),
      saveState: async (dir) => writeFileSync(join(dir, "c.json"), JSON.stringify([...counts])),
      loadState: async (dir) => void (json(join(dir, "c.json")) as Array<[string, number]>).forEach(([k, v]) => counts.set(k, v)),
      loadPolicy: async (dir) => frozen(new Map(json(join(dir, "c.json")) as Array<[string, number]>)),
      describe: () => ({ parameters: counts.size, summary: "ground-truth tool counts" }),
      dispose: () => {},
    };
    registerLearner({ name: "gt-counts", description: "test", options: z.object({}).strict(), create: () => learner }, { replace: true });
    const out = join(tmp, "no-rollouts");
    const r = await train({
      config: parseTrainConfig({ ...exampleConfig, learner: { name: "gt-counts" } }),
      outDir: out,
      dataDir,
      progress: silentProgress,
    });
    expect(r.status).toBe("completed");
    const updates = updateLines(out);
    expect(updates.length).toBe(r.updates);
    expect(updates[0]).toMatchObject({ episodes: 0, decisions: 0, grad_norm: 0 });
    expect(updates[0]).not.toHaveProperty("reward");
    expect(Number(updates[0]!.gt_calls)).toBeGreaterThan(0);
    expect(counts.size).toBeGreaterThan(0);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  });
});
