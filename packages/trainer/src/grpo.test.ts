import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend, tf } from "@envtune/policy-tfjs";
import {
  AdamW,
  answerRateKl,
  clipByGlobalNorm,
  groupAdvantages,
  grpoLoss,
  turnAdvantages,
  unitMeanWeights,
  type LossConfig,
} from "./grpo.ts";

beforeAll(async () => {
  await selectBackend({});
});

const opts = { eps: 1e-6, normalizeStd: true };

describe("group-normalized advantages", () => {
  it("normalizes within each group with the unbiased std (verl)", () => {
    const a = groupAdvantages([1, 0, 0, 0, 2, 2], [0, 0, 0, 0, 1, 1], opts);
    // group 0: mean 0.25, std sqrt((0.75² + 3·0.25²)/3) = 0.5
    expect(a[0]).toBeCloseTo(1.5, 5);
    expect(a[1]).toBeCloseTo(-0.5, 5);
    // group 1: equal rewards carry no signal
    expect(a[4]).toBe(0);
    expect(a[5]).toBe(0);
  });

  it("can skip the std division and treats a group of one as verl does", () => {
    expect(groupAdvantages([1, 0], [0, 0], { eps: 1e-6, normalizeStd: false })).toEqual([0.5, -0.5]);
    expect(groupAdvantages([0.7], [3], opts)[0]).toBeCloseTo(0.7, 5);
  });

  it("turn-level variant: reward-to-go per turn, normalized per group and turn", () => {
    const a = turnAdvantages(
      [
        [1, 0],
        [0, 0],
      ],
      [0, 0],
      opts,
    );
    expect(a[0]![0]).toBeCloseTo(Math.SQRT1_2, 4);
    expect(a[1]![0]).toBeCloseTo(-Math.SQRT1_2, 4);
    expect(a[0]![1]).toBe(0);
    // one turn: the same as the episode-level advantage
    expect(turnAdvantages([[1], [0], [0], [0]], [0, 0, 0, 0], opts).map((r) => r[0])).toEqual(
      groupAdvantages([1, 0, 0, 0], [0, 0, 0, 0], opts),
    );
  });
});

const cfg: LossConfig = { epsLow: 0.2, epsHigh: 0.28, clipRatioC: 10, klCoef: 0.1, entropyCoef: 0.01 };

/** The loss written out in plain JS, token by token (verl's compute_policy_loss + low_var_kl). */
function reference(logp: number[], old: number[], ref: number[], adv: number[], ent: number[], c: LossConfig): number {
  let pg = 0;
  let kl = 0;
  for (let i = 0; i < logp.length; i++) {
    const r = Math.exp(logp[i]! - old[i]!);
    const a = adv[i]!;
    const l1 = -a * r;
    const l2 = -a * Math.min(Math.max(r, 1 - c.epsLow), 1 + c.epsHigh);
    let l = Math.max(l1, l2);
    if (a < 0) l = Math.min(-a * c.clipRatioC, l);
    pg += l;
    const d = ref[i]! - logp[i]!;
    kl += Math.min(10, Math.max(-10, Math.exp(d) - d - 1));
  }
  const n = logp.length;
  return pg / n + c.klCoef * (kl / n) - c.entropyCoef * (ent.reduce((x, y) => x + y, 0) / n);
}

describe("GRPO loss", () => {
  it("matches the token-level formula with decoupled clipping, dual clip, k3 KL and entropy", () => {
    const logp = [Math.log(1.5), Math.log(0.5), Math.log(20), 0, -1];
    const old = [0, 0, 0, 0, -1.2];
    const ref = [0.1, -0.3, 0, 0.5, -1];
    const adv = [1, -1, -1, 0.3, 2];
    const ent = [1, 2, 0.5, 0.1, 0.7];
    const T = (x: number[]) => tf.tensor1d(x);
    const out = grpoLoss(T(logp), T(old), T(ref), T(adv), T(ent), cfg);
    expect(out.loss.dataSync()[0]).toBeCloseTo(reference(logp, old, ref, adv, ent, cfg), 4);
    // Clipped (verl's pg_clipfrac): token 0 (ratio 1.5 > 1.28, A > 0) and token 1 (ratio 0.5 < 0.8,
    // A < 0). Token 2 (ratio 20, A < 0) hits the dual clip instead; token 4 (ratio 1.22) is inside.
    expect(out.clipFrac.dataSync()[0]).toBeCloseTo(2 / 5, 5);
  });

  it("ε_low and ε_high are decoupled", () => {
    const one = (logp: number, adv: number, c: LossConfig) =>
      grpoLoss(tf.tensor1d([logp]), tf.tensor1d([0]), tf.tensor1d([logp]), tf.tensor1d([adv]), tf.tensor1d([0]), c).pgLoss.dataSync()[0]!;
    // A > 0: the ratio is capped at 1 + ε_high (1.28), not 1 + ε_low
    expect(one(Math.log(2), 1, cfg)).toBeCloseTo(-1.28, 5);
    // A < 0 with a small ratio: floored at 1 − ε_low (0.8)
    expect(one(Math.log(0.1), -1, cfg)).toBeCloseTo(0.8, 5);
    // dual clip: a huge ratio with A < 0 is bounded by c·|A|
    expect(one(Math.log(50), -1, cfg)).toBeCloseTo(10, 4);
  });

  it("has no policy gradient through clipped tokens and −A·ρ/T through the others", () => {
    const old = tf.tensor1d([0, 0]);
    const adv = tf.tensor1d([1, 1]);
    const zero = tf.tensor1d([0, 0]);
    const c = { ...cfg, klCoef: 0, entropyCoef: 0 };
    const g = tf.grad((lp: tf.Tensor) => grpoLoss(lp as tf.Tensor1D, old, lp as tf.Tensor1D, adv, zero, c).loss)(
      tf.tensor1d([Math.log(1.1), Math.log(1.5)]),
    );
    const v = g.dataSync();
    expect(v[0]).toBeCloseTo(-1.1 / 2, 4);
    expect(v[1]).toBeCloseTo(0, 6);
  });

  it("KL is zero at the reference and positive away from it; the mask restricts the mean", () => {
    const lp = tf.tensor1d([-1, -2]);
    const same = grpoLoss(lp, lp, lp, tf.tensor1d([0, 0]), tf.tensor1d([0, 0]), cfg);
    expect(same.kl.dataSync()[0]).toBeCloseTo(0, 6);
    const away = grpoLoss(lp, lp, tf.tensor1d([-0.5, -2]), tf.tensor1d([0, 0]), tf.tensor1d([0, 0]), cfg, tf.tensor1d([1, 0]));
    const d = -0.5 - -1;
    expect(away.kl.dataSync()[0]).toBeCloseTo(Math.exp(d) - d - 1, 5);
  });

  it("anchors the answering rate: exact two-outcome KL, zero at the reference, pushes back when answering grows", () => {
    const kl = (p: number, q: number) => p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    const ref = tf.tensor1d([Math.log(0.2), Math.log(0.5)]);
    expect(answerRateKl(ref, ref).dataSync()[0]).toBeCloseTo(0, 6);
    expect(answerRateKl(tf.tensor1d([Math.log(0.6), Math.log(0.5)]), ref).dataSync()[0]).toBeCloseTo(kl(0.2, 0.6) / 2, 5);
    // The gradient lowers log P(answer) where it has grown above the reference.
    const g = tf
      .grad((x: tf.Tensor) => answerRateKl(x as tf.Tensor1D, ref))(tf.tensor1d([Math.log(0.6), Math.log(0.5)]))
      .dataSync();
    expect(g[0]).toBeGreaterThan(0);
    expect(g[1]).toBeCloseTo(0, 5);
  });

  it("takes β per token when given (per-head KL), reporting the plain KL mean", () => {
    const lp = tf.tensor1d([-1, -1]);
    const ref = tf.tensor1d([-0.5, -1.5]);
    const zero = tf.tensor1d([0, 0]);
    const k3 = (d: number) => Math.exp(d) - d - 1;
    const c = { ...cfg, klCoef: 0.5, entropyCoef: 0 };
    const perTok = grpoLoss(lp, lp, ref, zero, zero, c, undefined, tf.tensor1d([0.1, 0.001]));
    expect(perTok.loss.dataSync()[0]).toBeCloseTo((0.1 * k3(0.5) + 0.001 * k3(-0.5)) / 2, 6);
    expect(perTok.kl.dataSync()[0]).toBeCloseTo((k3(0.5) + k3(-0.5)) / 2, 6);
    // Without it, klCoef applies to every token.
    expect(grpoLoss(lp, lp, ref, zero, zero, c).loss.dataSync()[0]).toBeCloseTo((0.5 * (k3(0.5) + k3(-0.5))) / 2, 6);
  });
});

describe("gradient clipping and AdamW", () => {
  it("clips by the global norm and reports the norm before clipping", () => {
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(0.6, 4);
    expect(grads.b!.dataSync()[0]).toBeCloseTo(0.8, 4);
    const small = clipByGlobalNorm({ a: tf.tensor1d([0.3]) }, 1);
    expect(small.grads.a!.dataSync()[0]).toBeCloseTo(0.3, 6);
  });

  it("AdamW follows torch's update (bias correction, decoupled decay) and restores exactly", () => {
    const p = tf.variable(tf.tensor1d([1]), true, "adamw-test-p");
    const vars = new Map([["p", p]]);
    const opt = new AdamW({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    opt.apply(vars, { p: tf.tensor1d([0.5]) });
    // m̂ = 0.5, v̂ = 0.25 → step 1; decay first: 1·(1 − 0.1·0.01) − 0.1
    expect(p.dataSync()[0]).toBeCloseTo(0.899, 5);
    const copy = new AdamW(opt.config);
    copy.restore(opt.step, new Map([...opt.tensors()].map(([k, t]) => [k, tf.clone(t)])));
    const q = tf.variable(tf.clone(p), true, "adamw-test-q");
    opt.apply(vars, { p: tf.tensor1d([-0.2]) });
    copy.apply(new Map([["p", q]]), { p: tf.tensor1d([-0.2]) });
    expect(q.dataSync()[0]).toBe(p.dataSync()[0]);
  });
});

describe("unitMeanWeights (turn-mean aggregation)", () => {
  it("gives every unit a total weight of 1 over its kept tokens", () => {
    const w = unitMeanWeights([7, 7, 7, 9, 9, 4], [1, 1, 1, 1, 0, 1]);
    expect(Array.from(w)).toEqual([1 / 3, 1 / 3, 1 / 3, 1, 0, 1].map((x) => Math.fround(x)));
    // The weighted mean of a per-token value is the mean of the units' means.
    const x = [3, 3, 3, -1, 100, 5];
    const sw = Array.from(w).reduce((a, b) => a + b, 0);
    const m = x.reduce((a, xi, k) => a + xi * w[k]!, 0) / sw;
    expect(m).toBeCloseTo((3 - 1 + 5) / 3, 5);
  });
});
