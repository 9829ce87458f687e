/**
 * GRPO as in the paper (App. D.2, Eq. 4–5) and verl's implementation of it:
 *
 *   Â_i   = (R_i − mean_G R) / (std_G R + ε)                      group-normalized advantage
 *   ρ_t   = π_θ(a_t) / π_old(a_t)
 *   L_pg  = token-mean of max(−Â ρ, −Â clip(ρ, 1−ε_low, 1+ε_high)), and for Â < 0 at most −Â·c
 *           (dual clip, c = clip_ratio_c)
 *   KL    = token-mean of k3 = exp(r) − r − 1 with r = log π_ref − log π_θ ("low_var_kl", clamped ±10)
 *   L     = L_pg + β·KL − c_ent·H
 *
 * plus global-norm gradient clipping and AdamW. A "token" here is one sub-decision of an action
 * (answer-or-tool, fill, value, form), the analogue of an LLM's response token.
 */
import { tf } from "@envtune/policy-tfjs";
import { mean, sampleVariance } from "./stats.ts";

export interface AdvantageOptions {
  /** ε of the normalization (verl: 1e-6). */
  eps: number;
  /** Divide by the group's standard deviation (GRPO) or only subtract the mean (Dr. GRPO style). */
  normalizeStd: boolean;
}

/** Mean and the unbiased (n − 1) standard deviation, as `torch.std` in verl's GRPO advantage. */
function meanStd(xs: readonly number[]): { mean: number; std: number } {
  return { mean: mean(xs, Number.NaN), std: Math.sqrt(sampleVariance(xs)) };
}

/** Group-normalized advantages: one per rollout, normalized within rollouts of the same group. */
export function groupAdvantages(rewards: readonly number[], groups: readonly number[], opts: AdvantageOptions): number[] {
  if (rewards.length !== groups.length)
    throw new Error("[envtune] [trainer] rewards and groups differ in length. Pass one group id per reward.");
  const byGroup = new Map<number, number[]>();
  groups.forEach((g, i) => {
    let l = byGroup.get(g);
    if (!l) byGroup.set(g, (l = []));
    l.push(i);
  });
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of byGroup.values()) {
    const { mean, std } = meanStd(idx.map((i) => rewards[i]!));
    for (const i of idx) {
      // verl: a group of one gets mean 0 and std 1, i.e. its raw reward.
      if (idx.length < 2) out[i] = rewards[i]! / (1 + opts.eps);
      else out[i] = opts.normalizeStd ? (rewards[i]! - mean) / (std + opts.eps) : rewards[i]! - mean;
    }
  }
  return out;
}

/**
 * Turn-level variant (ours, optional): every rollout's turns carry r_t; a decision taken in turn t
 * is credited with the reward-to-go Σ_{t' ≥ t} r_t' / T, normalized per (group, turn index). With
 * one turn this equals {@link groupAdvantages}; it only sharpens credit assignment across turns.
 */
export function turnAdvantages(
  turnRewards: ReadonlyArray<readonly number[]>,
  groups: readonly number[],
  opts: AdvantageOptions,
): number[][] {
  const togo = turnRewards.map((rs) => {
    const T = rs.length || 1;
    const out = new Array<number>(rs.length).fill(0);
    let acc = 0;
    for (let t = rs.length - 1; t >= 0; t--) {
      acc += rs[t]!;
      out[t] = acc / T;
    }
    return out;
  });
  const out = togo.map((r) => r.map(() => 0));
  const maxT = Math.max(0, ...togo.map((r) => r.length));
  for (let t = 0; t < maxT; t++) {
    const rows = togo.map((r, i) => ({ i, v: r[t] })).filter((x) => x.v !== undefined) as Array<{ i: number; v: number }>;
    const adv = groupAdvantages(
      rows.map((x) => x.v),
      rows.map((x) => groups[x.i]!),
      opts,
    );
    rows.forEach((x, k) => (out[x.i]![t] = adv[k]!));
  }
  return out;
}

/**
 * Token weights for `turn-mean` aggregation: token k belongs to unit `unitOf[k]` (an episode's
 * turn) and is kept when `keep[k]` is non-zero; each unit's kept tokens share a weight of 1, so
 * the weighted token mean is the mean over units of each unit's token mean. A failing turn spends
 * all its actions (many tokens, negative advantage) and would otherwise outweigh the short
 * passing turns of its group.
 */
export function unitMeanWeights(unitOf: ArrayLike<number>, keep: ArrayLike<number>): Float32Array {
  const n = new Map<number, number>();
  for (let k = 0; k < unitOf.length; k++) if (keep[k]) n.set(unitOf[k]!, (n.get(unitOf[k]!) ?? 0) + 1);
  const w = new Float32Array(unitOf.length);
  for (let k = 0; k < unitOf.length; k++) if (keep[k]) w[k] = 1 / n.get(unitOf[k]!)!;
  return w;
}

export interface LossConfig {
  epsLow: number;
  epsHigh: number;
  /** Dual-clip bound c for negative advantages (verl `clip_ratio_c`; ≤ 1 disables). */
  clipRatioC: number;
  klCoef: number;
  entropyCoef: number;
}

export interface LossTensors {
  loss: tf.Scalar;
  pgLoss: tf.Scalar;
  kl: tf.Scalar;
  entropy: tf.Scalar;
  /** Fraction of tokens whose ratio was clipped. */
  clipFrac: tf.Scalar;
}

/**
 * The GRPO loss over tokens (all inputs [T]). `logp` carries the gradient; the others are
 * constants. Aggregation is the token mean (verl's default `token-mean`). `klCoefTok`, when given,
 * is β per token and replaces `c.klCoef`.
 */
export function grpoLoss(
  logp: tf.Tensor1D,
  oldLogp: tf.Tensor1D,
  refLogp: tf.Tensor1D,
  adv: tf.Tensor1D,
  entropy: tf.Tensor1D,
  c: LossConfig,
  mask?: tf.Tensor1D,
  klCoefTok?: tf.Tensor1D,
): LossTensors {
  // Token mean over the tokens the mask keeps (all when there is no mask).
  const avg = (x: tf.Tensor): tf.Scalar =>
    mask ? (tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar) : (tf.mean(x) as tf.Scalar);
  const ratio = tf.exp(tf.sub(logp, oldLogp));
  const l1 = tf.neg(tf.mul(adv, ratio));
  const l2 = tf.neg(tf.mul(adv, tf.clipByValue(ratio, 1 - c.epsLow, 1 + c.epsHigh)));
  const clipped = tf.maximum(l1, l2);
  let pg: tf.Tensor = clipped;
  if (c.clipRatioC > 1) {
    const l3 = tf.neg(tf.mul(adv, c.clipRatioC));
    pg = tf.where(tf.less(adv, 0), tf.minimum(l3, clipped), clipped);
  }
  const pgLoss = avg(pg);
  const r = tf.sub(refLogp, logp);
  const k3 = tf.clipByValue(tf.sub(tf.sub(tf.exp(r), r), 1), -10, 10);
  const kl = avg(k3);
  const ent = avg(entropy);
  // Per-token β (per head) when given; the reported KL stays the plain token mean.
  const klTerm = klCoefTok ? avg(tf.mul(k3, klCoefTok)) : tf.mul(kl, c.klCoef);
  const loss = tf.add(tf.add(pgLoss, klTerm), tf.mul(ent, -c.entropyCoef)) as tf.Scalar;
  const clipFrac = avg(tf.cast(tf.greater(l2, l1), "float32"));
  return { loss, pgLoss, kl, entropy: ent, clipFrac };
}

/**
 * KL(π_ref ‖ π_θ) between the reference's and the policy's probability of answering instead of
 * calling, per decision (exact, two outcomes), averaged. Anchors how often the policy answers while
 * leaving which tool and which arguments free: the marginal a collapse to "always answer" moves.
 */
export function answerRateKl(answerLogp: tf.Tensor1D, refAnswerLogp: tf.Tensor1D): tf.Scalar {
  const eps = 1e-6;
  const p = tf.clipByValue(tf.exp(refAnswerLogp), eps, 1 - eps);
  const q = tf.clipByValue(tf.exp(answerLogp), eps, 1 - eps);
  const one = tf.scalar(1);
  const kl = tf.add(
    tf.mul(p, tf.sub(tf.log(p), tf.log(q))),
    tf.mul(tf.sub(one, p), tf.sub(tf.log(tf.sub(one, p)), tf.log(tf.sub(one, q)))),
  );
  return tf.mean(kl) as tf.Scalar;
}

/** Scales gradients so their global L2 norm is at most `maxNorm` (torch `clip_grad_norm_`). Returns the norm before clipping. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  if (!Number.isFinite(norm)) return { grads, norm };
  if (norm <= maxNorm || maxNorm <= 0) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    out[k] = tf.mul(g, scale);
    g.dispose();
  }
  return { grads: out, norm };
}

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** AdamW (decoupled weight decay, bias-corrected moments) with state that can be saved and restored exactly. */
export class AdamW {
  readonly config: AdamWConfig;
  step = 0;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();

  constructor(config: AdamWConfig) {
    this.config = config;
  }

  apply(vars: ReadonlyMap<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr = this.config.lr): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    for (const [name, p] of vars) {
      const g = grads[name];
      if (!g) continue;
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = tf.variable(tf.zerosLike(p), false);
        v = tf.variable(tf.zerosLike(p), false);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const mm = m;
      const vv = v;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(mm, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(vv, beta2), tf.mul(tf.square(g), 1 - beta2));
        mm.assign(m1);
        vv.assign(v1);
        const upd = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(upd, lr)));
      });
    }
  }

  /** Moments by name (`m/<var>`, `v/<var>`), for checkpoints. */
  tensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [k, t] of this.m) out.set(`m/${k}`, t);
    for (const [k, t] of this.v) out.set(`v/${k}`, t);
    return out;
  }

  restore(step: number, tensors: ReadonlyMap<string, tf.Tensor>): void {
    this.dispose();
    this.step = step;
    for (const [k, t] of tensors) {
      if (k.startsWith("m/")) this.m.set(k.slice(2), tf.variable(t, false));
      else if (k.startsWith("v/")) this.v.set(k.slice(2), tf.variable(t, false));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
