/**
 * What every learner of the embedded TensorFlow.js policy shares, whatever its update: the policy
 * and its AdamW optimizer, acting, frozen copies, and the state a resume needs. `grpo-tfjs` and
 * `sft` differ only in how an update turns experience into gradients.
 */
import { join } from "node:path";
import { TfjsPolicy, currentBackend, loadNamedTensors, saveNamedTensors, tf, type DecisionRecord, type Rng } from "@envtune/policy-tfjs";
import type { TrainConfig } from "./config.ts";
import { AdamW, clipByGlobalNorm } from "./grpo.ts";
import type { FrozenPolicy, Learner, LearnerInfo, UpdateContext, UpdateMetrics, UpdateOutcome } from "./learner.ts";

/** The network part of the policy config (the action format belongs to the episodes). */
export function netConfig(c: TrainConfig) {
  const { actionFormat: _format, ...net } = c.policy;
  return net;
}

function adamW(c: TrainConfig): AdamW {
  return new AdamW({ lr: c.grpo.lr, beta1: c.grpo.beta1, beta2: c.grpo.beta2, eps: c.grpo.adamEps, weightDecay: c.grpo.weightDecay });
}

/**
 * A random partition of `count` items into `miniBatches` index lists (item i goes to list
 * i mod miniBatches of a shuffled order); fewer lists when there are fewer items.
 */
export function miniBatchIndices(count: number, miniBatches: number, rng: Rng): number[][] {
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const mbs = Math.min(miniBatches, count);
  return Array.from({ length: mbs }, (_, k) => order.filter((_, i) => i % mbs === k));
}

/** A TfjsPolicy behind the frozen-policy interface (owns it). */
function frozen(policy: TfjsPolicy): FrozenPolicy<DecisionRecord> {
  return {
    act: (obs, opts) => policy.act(obs, opts),
    save: (dir, metadata) => policy.save(dir, metadata),
    dispose: () => policy.dispose(),
  };
}

export abstract class TfjsLearner<M extends UpdateMetrics> implements Learner<DecisionRecord, M> {
  protected readonly config: TrainConfig;
  protected policy: TfjsPolicy;
  protected opt: AdamW;
  /** How it learns, for the log and the report (e.g. "GRPO"). */
  protected abstract readonly algorithm: string;

  constructor(config: TrainConfig, seed: number) {
    this.config = config;
    this.policy = TfjsPolicy.create(netConfig(config), seed);
    this.opt = adamW(config);
  }

  abstract update(ctx: UpdateContext<DecisionRecord>): Promise<UpdateOutcome<M, DecisionRecord>>;

  /**
   * One AdamW step on `loss` (evaluated inside tfjs's gradient tape): gradients of every variable,
   * clipped to `gradClip` in global norm, skipped when the norm is not finite.
   */
  protected descend(loss: () => tf.Scalar, gradClip: number, lr: number): { loss: number; gradNorm: number } {
    const vars = this.policy.variables;
    const { grads, value } = tf.variableGrads(loss, [...vars.values()]);
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of vars) if (grads[v.name]) named[k] = grads[v.name]!;
    const clipped = clipByGlobalNorm(named, gradClip);
    if (Number.isFinite(clipped.norm)) this.opt.apply(vars, clipped.grads, lr);
    for (const t of Object.values(clipped.grads)) t.dispose();
    const v = value.dataSync()[0]!;
    value.dispose();
    return { loss: v, gradNorm: clipped.norm };
  }

  act(observations: Parameters<TfjsPolicy["act"]>[0], opts: Parameters<TfjsPolicy["act"]>[1]) {
    return this.policy.act(observations, opts);
  }

  describe(): LearnerInfo {
    const c = this.policy.config;
    const backend = currentBackend()?.name ?? "unknown";
    return {
      parameters: this.policy.parameterCount(),
      summary: `tfjs pointer policy (embed ${c.embedDim}, hidden ${c.hiddenDim}, ${c.hashBuckets} buckets) + ${this.algorithm}, backend ${backend}`,
    };
  }

  snapshot(): FrozenPolicy<DecisionRecord> {
    const copy = this.policy.snapshot();
    try {
      return frozen(TfjsPolicy.fromTensors(this.policy.config, copy));
    } finally {
      for (const t of copy.values()) t.dispose();
    }
  }

  save(dir: string, metadata: Record<string, unknown>): Promise<void> {
    return this.policy.save(dir, metadata);
  }

  async loadPolicy(dir: string): Promise<FrozenPolicy<DecisionRecord>> {
    return frozen((await TfjsPolicy.load(dir)).policy);
  }

  /** Replaces the weights with a saved policy's (e.g. to start from another run's result); the optimizer starts afresh. */
  async initFrom(dir: string): Promise<void> {
    const { policy } = await TfjsPolicy.load(dir);
    this.policy.dispose();
    this.policy = policy;
  }

  /** checkpoint/: the policy (model.json + weights.bin) and optimizer/ (AdamW moments). */
  async saveState(dir: string, metadata: Record<string, unknown>): Promise<void> {
    await this.policy.save(dir, metadata);
    await saveNamedTensors(
      join(dir, "optimizer"),
      new Map([...this.opt.tensors()].map(([k, v]) => [`opt/${k}`, v])),
      { kind: "adamw" },
      { step: this.opt.step },
    );
  }

  async loadState(dir: string): Promise<void> {
    const { policy } = await TfjsPolicy.load(dir);
    this.policy.dispose();
    this.policy = policy;
    this.opt.dispose();
    this.opt = adamW(this.config);
    const opt = await loadNamedTensors(join(dir, "optimizer"));
    this.opt.restore(Number(opt.metadata.step ?? 0), new Map([...opt.tensors].map(([k, v]) => [k.replace(/^opt\//, ""), v])));
    for (const t of opt.tensors.values()) t.dispose();
  }

  dispose(): void {
    this.policy.dispose();
    this.opt.dispose();
  }
}
