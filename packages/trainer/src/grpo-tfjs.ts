/**
 * The built-in learner `grpo-tfjs`: the embedded TensorFlow.js policy trained with GRPO
 * (`grpo.ts`) against a frozen reference policy, with AdamW. Its settings are the config's
 * `policy` (network) and `grpo` blocks, with each stage's `grpo` overrides and `trainHeads`.
 */
import { join } from "node:path";
import { z } from "zod";
import {
  buildBatch,
  loadNamedTensors,
  perHeadTokens,
  saveNamedTensors,
  selectBackend,
  tf,
  tokenCounts,
  tokenDecisions,
  tokenOutputs,
  type DecisionRecord,
  type Rng,
  type Weights,
} from "@envtune/policy-tfjs";
import type { GrpoConfig, TrainConfig } from "./config.ts";
import { answerRateKl, groupAdvantages, grpoLoss, turnAdvantages, unitMeanWeights } from "./grpo.ts";
import type { LearnerFactory, UpdateContext, UpdateMetrics, UpdateOutcome } from "./learner.ts";
import { TfjsLearner, miniBatchIndices } from "./tfjs-learner.ts";
import { mean } from "./stats.ts";

/** What one GRPO update reports (means over optimizer steps). */
export interface GrpoUpdateMetrics extends UpdateMetrics {
  /** Fraction of decisions with a non-zero advantage (0: the groups taught nothing). */
  nonzero_adv_frac: number;
  pg_loss: number;
  kl: number;
  answer_kl: number;
  entropy: number;
  clip_frac: number;
  tokens: number;
  optimizer_steps: number;
}

const round = (x: number, d = 5): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

interface Prepared {
  built: ReturnType<typeof buildBatch>;
  ds: DecisionRecord[];
  advTok: tf.Tensor1D;
  oldLogp: tf.Tensor1D;
  refLogp: tf.Tensor1D;
  refAnswerLogp: tf.Tensor1D;
  mask: tf.Tensor1D | undefined;
  klCoefTok: tf.Tensor1D | undefined;
  tokens: number;
}

export class GrpoTfjsLearner extends TfjsLearner<GrpoUpdateMetrics> {
  protected readonly algorithm = "GRPO";
  /** The frozen reference policy of the KL term. */
  private ref: Map<string, tf.Tensor>;

  constructor(config: TrainConfig, seed: number) {
    super(config, seed);
    this.ref = this.policy.snapshot();
  }

  /** The paper's reference is the weights each stage starts from (`grpo.reference: "stage-start"`). */
  beginStage(): void {
    if (this.config.grpo.reference !== "stage-start") return;
    this.resetReference();
  }

  private resetReference(): void {
    for (const t of this.ref.values()) t.dispose();
    this.ref = this.policy.snapshot();
  }

  /** Starting from other weights makes them the reference too. */
  override async initFrom(dir: string): Promise<void> {
    await super.initFrom(dir);
    this.resetReference();
  }

  /** checkpoint/: the policy and optimizer (see {@link TfjsLearner.saveState}) and ref/ (the reference policy). */
  override async saveState(dir: string, metadata: Record<string, unknown>): Promise<void> {
    await super.saveState(dir, metadata);
    await saveNamedTensors(join(dir, "ref"), new Map([...this.ref].map(([k, v]) => [`ref/${k}`, v])), { kind: "reference-policy" });
  }

  override async loadState(dir: string): Promise<void> {
    await super.loadState(dir);
    for (const t of this.ref.values()) t.dispose();
    const ref = await loadNamedTensors(join(dir, "ref"));
    this.ref = new Map([...ref.tensors].map(([k, v]) => [k.replace(/^ref\//, ""), v]));
  }

  override dispose(): void {
    super.dispose();
    for (const t of this.ref.values()) t.dispose();
    this.ref.clear();
  }

  /** Rollouts of `groupSize` per task, group-normalized advantages, then the clipped policy-gradient steps. */
  async update(ctx: UpdateContext<DecisionRecord>): Promise<UpdateOutcome<GrpoUpdateMetrics, DecisionRecord>> {
    const g = ctx.settings;
    const results = await ctx.rollouts(g.groupSize);
    const groups = results.map((r) => r.spec.group);
    const advOpts = { eps: g.advantageEps, normalizeStd: g.normalizeStd };
    const perTurn = g.advantage === "turn" && ctx.stage.reward.kind === "progress";
    const epAdv = groupAdvantages(
      results.map((r) => r.rewards.reward),
      groups,
      advOpts,
    );
    const turnAdv = perTurn
      ? turnAdvantages(
          results.map((r) => r.passed.map((p) => (p ? 1 : 0))),
          groups,
          advOpts,
        )
      : undefined;
    const decisions: DecisionRecord[] = [];
    const adv: number[] = [];
    // The loss-aggregation unit of each decision: its episode's turn (see `lossAggregation`).
    const units: number[] = [];
    results.forEach((r, i) => {
      for (const d of r.decisions) {
        decisions.push(d.record);
        units.push(i * 1024 + Math.min(d.turn, 1023));
        adv.push(turnAdv ? (turnAdv[i]![Math.min(d.turn, r.turnCount - 1)] ?? 0) : epAdv[i]!);
      }
    });
    const nonzero = round(mean(adv.map((a) => (a !== 0 ? 1 : 0))));
    return {
      episodes: results,
      metrics: { nonzero_adv_frac: nonzero, ...this.optimize(decisions, adv, g, ctx.stage.trainHeads, units, ctx.rng) },
    };
  }

  private optimize(
    decisions: readonly DecisionRecord[],
    adv: readonly number[],
    g: GrpoConfig,
    heads: readonly string[],
    units: readonly number[],
    rng: Rng,
  ): Omit<GrpoUpdateMetrics, "nonzero_adv_frac"> {
    if (decisions.length === 0)
      return { loss: 0, pg_loss: 0, kl: 0, answer_kl: 0, entropy: 0, clip_frac: 0, grad_norm: 0, tokens: 0, optimizer_steps: 0 };
    // Mini-batches over decisions (a random partition), each with its own frozen old/ref log-probs.
    const prepared = miniBatchIndices(decisions.length, g.miniBatches, rng).map((idx) =>
      this.prepare(idx, decisions, adv, g, heads, units),
    );
    const acc = { loss: 0, pg_loss: 0, kl: 0, answer_kl: 0, entropy: 0, clip_frac: 0, grad_norm: 0 };
    let steps = 0;
    for (let epoch = 0; epoch < g.ppoEpochs; epoch++) {
      for (const p of prepared) {
        const s = this.step(p, g, heads);
        for (const k of Object.keys(acc) as Array<keyof typeof acc>) acc[k] += s[k];
        steps++;
      }
    }
    let tokens = 0;
    for (const p of prepared) {
      tokens += p.tokens;
      for (const t of [p.built, p.advTok, p.oldLogp, p.refLogp, p.refAnswerLogp, p.mask, p.klCoefTok]) t?.dispose();
    }
    const avg = (k: keyof typeof acc) => round(acc[k] / Math.max(1, steps));
    return {
      loss: avg("loss"),
      pg_loss: avg("pg_loss"),
      kl: avg("kl"),
      answer_kl: avg("answer_kl"),
      entropy: avg("entropy"),
      clip_frac: avg("clip_frac"),
      grad_norm: avg("grad_norm"),
      tokens,
      optimizer_steps: steps,
    };
  }

  /** One mini-batch's inputs, advantages per token, loss mask and frozen old/reference log-probs. */
  private prepare(
    idx: readonly number[],
    decisions: readonly DecisionRecord[],
    adv: readonly number[],
    g: GrpoConfig,
    heads: readonly string[],
    units: readonly number[],
  ): Prepared {
    const ds = idx.map((i) => decisions[i]!);
    const built = buildBatch(ds, "train");
    const tokDec = tokenDecisions(ds, built);
    const advTok = tf.tensor1d(Float32Array.from(tokDec, (d) => adv[idx[d]!]!));
    const counts = tokenCounts(ds, built);
    const all = heads.length === 4;
    const keep = perHeadTokens(counts, (h) => (heads.includes(h) ? 1 : 0));
    const perTurn = g.lossAggregation === "turn-mean";
    const mask =
      all && !perTurn
        ? undefined
        : tf.tensor1d(
            perTurn
              ? unitMeanWeights(
                  Array.from(tokDec, (d) => units[idx[d]!]!),
                  keep,
                )
              : keep,
          );
    const byHead = g.klCoefByHead;
    const klCoefTok = byHead ? tf.tensor1d(perHeadTokens(counts, (h) => byHead[h] ?? g.klCoef)) : undefined;
    const oldLogp = tf.tidy(() => tokenOutputs(this.policy.weights(), ds, built).logp);
    const { logp: refLogp, answerLogp: refAnswerLogp } = tf.tidy(() => {
      const o = tokenOutputs(Object.fromEntries(this.ref) as Weights, ds, built);
      return { logp: o.logp, answerLogp: o.answerLogp };
    });
    return { ds, built, advTok, oldLogp, refLogp, refAnswerLogp, mask, klCoefTok, tokens: tokDec.length };
  }

  /** One optimizer step on a prepared mini-batch; returns its loss parts and the gradient norm. */
  private step(p: Prepared, g: GrpoConfig, heads: readonly string[]) {
    const anchorAnswers = g.answerKlCoef > 0 && heads.includes("tool");
    let parts: tf.Scalar[] = [];
    const { loss, gradNorm } = this.descend(
      () => {
        const out = tokenOutputs(this.policy.weights(), p.ds, p.built);
        const l = grpoLoss(
          out.logp,
          p.oldLogp,
          p.refLogp,
          p.advTok,
          out.entropy,
          { epsLow: g.epsLow, epsHigh: g.epsHigh, clipRatioC: g.clipRatioC, klCoef: g.klCoef, entropyCoef: g.entropyCoef },
          p.mask,
          p.klCoefTok,
        );
        const akl = anchorAnswers ? answerRateKl(out.answerLogp, p.refAnswerLogp) : tf.scalar(0);
        parts = [tf.keep(l.pgLoss), tf.keep(l.kl), tf.keep(l.entropy), tf.keep(l.clipFrac), tf.keep(akl)];
        return anchorAnswers ? (tf.add(l.loss, tf.mul(akl, g.answerKlCoef)) as tf.Scalar) : l.loss;
      },
      g.gradClip,
      g.lr,
    );
    const [pg, kl, ent, cf, akl] = parts.map((t) => {
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    });
    return { loss, pg_loss: pg!, kl: kl!, answer_kl: akl!, entropy: ent!, clip_frac: cf!, grad_norm: gradNorm };
  }
}

/** `grpo-tfjs` takes no options of its own: its settings are the config's `policy` and `grpo` blocks. */
const grpoTfjsOptions = z.object({}).strict();

export const grpoTfjsLearner: LearnerFactory<typeof grpoTfjsOptions> = {
  name: "grpo-tfjs",
  description: "The embedded TensorFlow.js pointer policy trained with GRPO (settings: the config's `policy` and `grpo` blocks).",
  options: grpoTfjsOptions,
  async create(_options, ctx) {
    // The backend is chosen once per process, before the first variable exists.
    await selectBackend({ backend: ctx.config.runtime.backend, log: ctx.log });
    return new GrpoTfjsLearner(ctx.config, ctx.seed);
  },
};
