/**
 * The load and soak benchmarks (`npm run bench -w @envtune/server`) in reduced size: they must run
 * clean (no errors, every reward equal to the ground truth's, no session or heap left behind).
 * Timing is reported by the benchmark, never asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gcProbe,
  groundTruthTrajectories,
  runLoad,
  runSoak,
  startServerProcess,
  type ServerProcess,
  type Trajectory,
} from "../../packages/server/bench/lib.ts";
import { bfclDataDir } from "./helpers.ts";

let server: ServerProcess;
let trajectories: Trajectory[];

beforeAll(async () => {
  trajectories = await groundTruthTrajectories(12, bfclDataDir());
  server = await startServerProcess({ capacity: 512, dataDir: bfclDataDir() });
}, 120_000);
afterAll(() => server.stop());

describe("benchmarks in reduced size", () => {
  it("ground-truth trajectories cover every category and score 1", () => {
    expect(new Set(trajectories.map((t) => t.taskId.replace(/_\d+$/, ""))).size).toBe(4);
    expect(trajectories.every((t) => t.reward === 1)).toBe(true);
  });

  for (const transport of ["http", "ws"] as const) {
    it(`load over ${transport}: concurrent sessions step their trajectories with no error and exact rewards`, async () => {
      const r = await runLoad({ url: server.url, transport, sessions: 40, trajectories, memory: gcProbe(server) });
      const expectedSteps = Array.from({ length: 40 }, (_, i) => trajectories[i % trajectories.length]!.actions.length).reduce(
        (a, b) => a + b,
        0,
      );
      expect(r).toMatchObject({ errors: 0, reward_mismatches: 0, steps: expectedSteps, sessions_after: 0 });
      expect(r.steps_per_s).toBeGreaterThan(0);
      expect(r.step_p99_ms).toBeGreaterThanOrEqual(r.step_p50_ms);
    });
  }

  it("soak: create/step/delete leaves no session behind and the heap returns to its baseline", async () => {
    const r = await runSoak({ url: server.url, total: 300, concurrency: 8, trajectories, memory: gcProbe(server), samples: 3 });
    expect(r).toMatchObject({ errors: 0, sessions_after: 0, sessions: 300 });
    expect(r.requests).toBe(
      300 * 2 + Array.from({ length: 300 }, (_, i) => trajectories[i % trajectories.length]!.actions.length).reduce((a, b) => a + b, 0),
    );
    // A leak of even 10 KB per session would add 3 MB here.
    expect(r.heap_growth_mb).toBeLessThan(3);
  });
});
