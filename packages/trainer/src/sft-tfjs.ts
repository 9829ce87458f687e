/**
 * The built-in learner `sft`: behaviour cloning of the embedded TensorFlow.js policy on the
 * ground-truth trajectories of the training tasks (the expert data Environment Tuning does
 * without; paper §1 and §4.3's SFT baselines). Teacher forcing: each demonstrated decision's
 * tokens (tool or answer, fill, value, form) get the cross-entropy loss, with the same network,
 * optimizer, batches and update budget as `grpo-tfjs`, and no rollouts.
 */
import { z } from "zod";
import {
  buildBatch,
  selectBackend,
  tf,
  tokenCounts,
  tokenOutputs,
  type BuiltBatch,
  type DecisionRecord,
  type Rng,
} from "@envtune/policy-tfjs";
import type { BfclEntry } from "@envtune/bfcl-data";
import type { TrainConfig } from "./config.ts";
import { TfjsLearner, miniBatchIndices } from "./tfjs-learner.ts";
import { demonstrate, type Demonstration, type EntryDemonstrations } from "./demonstrations.ts";
import type { LearnerFactory, UpdateContext, UpdateMetrics, UpdateOutcome } from "./learner.ts";

/** What one behaviour-cloning update reports. */
export interface SftUpdateMetrics extends UpdateMetrics {
  entropy: number;
  /** Demonstrated decisions in the update, and tokens that carried loss. */
  demonstrated_decisions: number;
  tokens: number;
  optimizer_steps: number;
  /** Ground-truth argument values of the update's tasks, and how many the policy's candidates can write. */
  gt_values: number;
  gt_values_covered: number;
  /** Ground-truth calls whose tool was in view (a tool revealed later cannot be called before). */
  gt_calls: number;
  gt_calls_in_view: number;
}

const sftOptions = z
  .object({
    /** Learning rate; default the stage's `grpo.lr` (the same AdamW as GRPO). */
    lr: z.number().positive().optional(),
  })
  .strict();

const round = (x: number, d = 5): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

interface Prepared {
  ds: DecisionRecord[];
  built: BuiltBatch;
  mask: tf.Tensor1D;
  weight: number;
}

/** One mask value per token of a "train" batch: the stage's heads, and no value/form loss for values the policy cannot write. */
function lossMask(demos: readonly Demonstration[], built: BuiltBatch, heads: readonly string[]): Float32Array {
  const counts = tokenCounts(
    demos.map((d) => d.record),
    built,
  );
  const on = (h: string) => (heads.includes(h) ? 1 : 0);
  const writable = built.argParam.map((row) => {
    const d = demos[built.paramDecision[row]!]!;
    return d.uncovered.includes(built.paramIndex[row]!) ? 0 : 1;
  });
  return Float32Array.from([
    ...new Array<number>(counts.tool).fill(on("tool")),
    ...new Array<number>(counts.fill).fill(on("fill")),
    ...writable.map((w) => w * on("value")),
    ...writable.map((w) => w * on("form")),
  ]);
}

export class SftTfjsLearner extends TfjsLearner<SftUpdateMetrics> {
  protected readonly algorithm = "behaviour cloning (teacher forcing on ground-truth trajectories)";
  private readonly lr: number | undefined;
  /** Demonstrations per (entry, environment): the training set is fixed, so this is bounded by it. */
  private readonly cache = new Map<string, EntryDemonstrations>();

  constructor(config: TrainConfig, seed: number, lr: number | undefined) {
    super(config, seed);
    this.lr = lr;
  }

  private demonstrations(entry: BfclEntry, ctx: UpdateContext<DecisionRecord>): EntryDemonstrations {
    const env = ctx.episodeConfig;
    const key = `${entry.id}\u0000${env.augmented ? 1 : 0}\u0000${env.systemPrompt ?? ""}`;
    let hit = this.cache.get(key);
    if (!hit) this.cache.set(key, (hit = demonstrate(entry, ctx.world, env, this.policy.limits)));
    return hit;
  }

  /** Cross-entropy on the demonstrations of the update's tasks, in mini-batches over `ppoEpochs` passes (as GRPO's optimizer steps). */
  async update(ctx: UpdateContext<DecisionRecord>): Promise<UpdateOutcome<SftUpdateMetrics, DecisionRecord>> {
    const per = ctx.tasks.map((t) => this.demonstrations(t, ctx));
    const demos = per.flatMap((p) => p.decisions);
    const cov = per.reduce(
      (a, p) => ({
        gt_values: a.gt_values + p.coverage.values,
        gt_values_covered: a.gt_values_covered + p.coverage.covered,
        gt_calls: a.gt_calls + p.coverage.calls,
        gt_calls_in_view: a.gt_calls_in_view + p.coverage.callsInView,
      }),
      { gt_values: 0, gt_values_covered: 0, gt_calls: 0, gt_calls_in_view: 0 },
    );
    const fit = this.fit(demos, ctx.settings, ctx.stage.trainHeads, ctx.rng);
    return { episodes: [], metrics: { ...fit, demonstrated_decisions: demos.length, ...cov } };
  }

  private fit(demos: readonly Demonstration[], g: UpdateContext["settings"], heads: readonly string[], rng: Rng) {
    if (demos.length === 0) return { loss: 0, grad_norm: 0, entropy: 0, tokens: 0, optimizer_steps: 0 };
    const prepared = miniBatchIndices(demos.length, g.miniBatches, rng).map((idx) =>
      this.prepare(
        idx.map((i) => demos[i]!),
        heads,
      ),
    );
    const acc = { loss: 0, grad_norm: 0, entropy: 0 };
    let steps = 0;
    for (let epoch = 0; epoch < g.ppoEpochs; epoch++)
      for (const p of prepared) {
        if (p.weight === 0) continue;
        const s = this.step(p, g);
        acc.loss += s.loss;
        acc.grad_norm += s.gradNorm;
        acc.entropy += s.entropy;
        steps++;
      }
    let tokens = 0;
    for (const p of prepared) {
      tokens += p.weight;
      p.built.dispose();
      p.mask.dispose();
    }
    const avg = (x: number) => round(x / Math.max(1, steps));
    return { loss: avg(acc.loss), grad_norm: avg(acc.grad_norm), entropy: avg(acc.entropy), tokens, optimizer_steps: steps };
  }

  private prepare(demos: readonly Demonstration[], heads: readonly string[]): Prepared {
    const ds = demos.map((d) => d.record);
    const built = buildBatch(ds, "train");
    const m = lossMask(demos, built, heads);
    return { ds, built, mask: tf.tensor1d(m), weight: m.reduce((a, b) => a + b, 0) };
  }

  /** One optimizer step: minus the mean log-probability of the demonstrated tokens under the mask. */
  private step(p: Prepared, g: UpdateContext["settings"]): { loss: number; gradNorm: number; entropy: number } {
    let ent: tf.Scalar | undefined;
    const { loss, gradNorm } = this.descend(
      () => {
        const out = tokenOutputs(this.policy.weights(), p.ds, p.built);
        ent = tf.keep(tf.div(tf.sum(tf.mul(out.entropy, p.mask)), p.weight) as tf.Scalar);
        return tf.neg(tf.div(tf.sum(tf.mul(out.logp, p.mask)), p.weight)) as tf.Scalar;
      },
      g.gradClip,
      this.lr ?? g.lr,
    );
    const entropy = ent ? ent.dataSync()[0]! : 0;
    ent?.dispose();
    return { loss, gradNorm, entropy };
  }
}

export const sftLearner: LearnerFactory<typeof sftOptions> = {
  name: "sft",
  description:
    "Behaviour cloning of the embedded TensorFlow.js policy on the training tasks' ground-truth trajectories (teacher forcing; same network, optimizer and update budget as grpo-tfjs).",
  options: sftOptions,
  async create(options, ctx) {
    await selectBackend({ backend: ctx.config.runtime.backend, log: ctx.log });
    return new SftTfjsLearner(ctx.config, ctx.seed, options.lr);
  },
};
