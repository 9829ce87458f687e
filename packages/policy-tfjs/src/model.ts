/**
 * The policy network: a hashed-word embedding table, bag-of-words encoders for the dialogue,
 * tools, parameters and candidate values, and pointer-style heads:
 *
 *   answer-or-tool   softmax over [answer, tool_1..tool_n]; a tool's score is the dot product of a
 *                    context vector with the tool's name+description vector plus a linear term of
 *                    comparison features (no per-tool output units: any tool list works);
 *   fill             per parameter of the chosen tool, Bernoulli "give this argument";
 *   value            per given argument, softmax over candidate values (copied spans, enum values,
 *                    numbers, booleans) scored against the parameter's name+description;
 *   form             per given argument, how the value is written (JSON string, bare, list).
 *
 * Every head is evaluated in batches of decisions; the same code computes sampling logits during
 * rollouts and differentiable log-probabilities during updates.
 */
import * as tf from "@tensorflow/tfjs";
import { EnvtuneError } from "@envtune/core";
import { embedBags, gatherRows, pairDots, type Csr } from "./jsops.ts";
import { ANSWER_FEATURES, CAND_FEATURES, CAND_KINDS, FILL_FEATURES, FORM_ROWS, TOOL_FEATURES, VALUE_FORMS } from "./featurize.ts";
import { Rng } from "./rng.ts";

export interface PolicyNetConfig {
  /** Hash buckets of the word embedding table. */
  hashBuckets: number;
  /** Word embedding size. */
  embedDim: number;
  /** Size of the context, tool, parameter and value representations. */
  hiddenDim: number;
  /** Scale of the random initialization of the hand-feature weights (0 = start indifferent to them). */
  featureInitScale: number;
}
export type PolicyNetConfigInput = Partial<PolicyNetConfig>;

export const DEFAULT_POLICY_NET_CONFIG: Readonly<PolicyNetConfig> = {
  hashBuckets: 8192,
  embedDim: 32,
  hiddenDim: 48,
  featureInitScale: 0.01,
};

const CONFIG_RANGES: Record<keyof PolicyNetConfig, [number, number, boolean]> = {
  hashBuckets: [64, 1 << 20, true],
  embedDim: [2, 512, true],
  hiddenDim: [2, 1024, true],
  featureInitScale: [0, 10, false],
};

/** Validates a network config and fills defaults (the trainer's zod schema mirrors these ranges). */
export function resolvePolicyNetConfig(input: unknown = {}): PolicyNetConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new EnvtuneError(
      "BAD_POLICY_CONFIG",
      "policy-tfjs",
      "The policy network config must be an object.",
      "Pass e.g. { embedDim: 32, hiddenDim: 48 }.",
    );
  }
  const out: PolicyNetConfig = { ...DEFAULT_POLICY_NET_CONFIG };
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (!(k in CONFIG_RANGES)) {
      throw new EnvtuneError(
        "BAD_POLICY_CONFIG",
        "policy-tfjs",
        `Unknown policy network setting \`${k}\`.`,
        `Use ${Object.keys(CONFIG_RANGES).join(", ")}.`,
      );
    }
    if (v === undefined) continue;
    const [lo, hi, int] = CONFIG_RANGES[k as keyof PolicyNetConfig];
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      throw new EnvtuneError(
        "BAD_POLICY_CONFIG",
        "policy-tfjs",
        `Policy network setting \`${k}\` is ${JSON.stringify(v)}.`,
        `Use ${int ? "an integer" : "a number"} in [${lo}, ${hi}].`,
      );
    }
    out[k as keyof PolicyNetConfig] = v;
  }
  return out;
}

/** Parameter shapes, by variable name, for a config. */
export function parameterShapes(c: PolicyNetConfig): Record<string, number[]> {
  const d = c.embedDim;
  const h = c.hiddenDim;
  return {
    embed: [c.hashBuckets, d],
    ctx_w: [2 * d + ANSWER_FEATURES, h],
    ctx_b: [h],
    tool_w: [2 * d, h],
    tool_b: [h],
    tool_feat: [TOOL_FEATURES, 1],
    answer_w: [h, 1],
    answer_feat: [ANSWER_FEATURES, 1],
    answer_b: [1],
    param_w: [2 * d, h],
    param_b: [h],
    fill_w: [h, 1],
    fill_feat: [FILL_FEATURES, 1],
    fill_b: [1],
    cand_w: [2 * d + CAND_KINDS.length, h],
    cand_b: [h],
    query_w: [h, h],
    cand_feat: [CAND_FEATURES, 1],
    form_table: [FORM_ROWS, VALUE_FORMS.length],
  };
}

/** Output-layer weights start small (PPO-style gain 0.01), so the untrained policy is close to uniform over its options. */
const OUTPUT_WEIGHTS = new Set(["answer_w", "fill_w", "query_w"]);

/**
 * Random initial values from a seed: Glorot-uniform hidden layers, N(0, 0.1²) embeddings,
 * small normal feature and output weights, zero biases.
 */
export function initialValues(c: PolicyNetConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  const normal = (): number => {
    const u = Math.max(rng.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  for (const [name, shape] of Object.entries(parameterShapes(c))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (name === "embed") for (let i = 0; i < n; i++) v[i] = normal() * 0.1;
    else if (name.endsWith("_b")) v.fill(0);
    else if (name.endsWith("_feat") || name === "form_table") for (let i = 0; i < n; i++) v[i] = normal() * c.featureInitScale;
    else if (OUTPUT_WEIGHTS.has(name)) for (let i = 0; i < n; i++) v[i] = normal() * 0.01;
    else {
      const fanIn = shape[0]!;
      const fanOut = shape[1] ?? 1;
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * lim;
    }
    out.set(name, v);
  }
  return out;
}

export type Weights = Readonly<Record<string, tf.Tensor>>;

/**
 * Inputs of one batch of decisions (see `batch.ts`, which builds them). Index arrays stay in JS
 * (they drive the JS sparse ops); dense features are tensors.
 */
export interface BatchInputs {
  /** Every distinct word bag of the batch. */
  bags: Csr;
  n: number;
  userBag: Int32Array;
  obsBag: Int32Array;
  answerFeat: tf.Tensor2D;
  /** Bags of the batch's distinct tools. */
  toolName: Int32Array;
  toolDesc: Int32Array;
  tmax: number;
  /** Distinct-tool index of every (decision, slot), N × tmax (padding points at tool 0). */
  toolSlot: Int32Array;
  /** [N, 1 + tmax]: 0 for valid options (column 0, answer, always), -1e9 for padding. */
  toolMaskAdd: tf.Tensor2D;
  /** [N × tmax, TOOL_FEATURES] */
  toolFeat: tf.Tensor2D;
  params?: {
    /** Decision of each parameter row. */
    decision: Int32Array;
    /** Distinct-parameter index of each row. */
    key: Int32Array;
    name: Int32Array;
    desc: Int32Array;
    fillFeat: tf.Tensor2D;
  };
  args?: {
    /** Parameter row of each argument row. */
    param: Int32Array;
    na: number;
    kmax: number;
    /** Distinct-candidate index of every (argument row, slot), NA × kmax. */
    candSlot: Int32Array;
    candMaskAdd: tf.Tensor2D;
    /** [NA × kmax, CAND_FEATURES] */
    candFeat: tf.Tensor2D;
    candTok: Int32Array;
    candNbr: Int32Array;
    /** [distinct candidates, CAND_KINDS] one-hot. */
    candKind: tf.Tensor2D;
    /** Form-table row of every slot (NA × kmax, sampling) or of the chosen value (NA, training). */
    formRows: Int32Array;
    formPerSlot: boolean;
  };
}

export interface HeadOutputs {
  /** [N, 1 + tmax] masked logits: column 0 = answer. */
  toolLogits: tf.Tensor2D;
  /** [NP] Bernoulli logits of "give this argument". */
  fillLogits?: tf.Tensor1D;
  /** [NA, kmax] masked value logits. */
  candLogits?: tf.Tensor2D;
  /** [NA, kmax, 3] (per slot) or [NA, 3] (chosen value) form logits. */
  formLogits?: tf.Tensor;
}

function dense(x: tf.Tensor2D, wm: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, wm as tf.Tensor2D), bias) as tf.Tensor2D;
}

function seq(n: number, repeat: number): Int32Array {
  const out = new Int32Array(n * repeat);
  for (let i = 0; i < n; i++) out.fill(i, i * repeat, (i + 1) * repeat);
  return out;
}

/**
 * Evaluates the heads. Without parameter/argument rows only the answer-or-tool head runs (the
 * first phase of sampling). Call inside `tf.tidy` (or a gradient function).
 */
export function forward(w: Weights, b: BatchInputs): HeadOutputs {
  const bags = embedBags(w.embed as tf.Tensor2D, b.bags);
  const ctxIn = tf.concat([gatherRows(bags, b.userBag), gatherRows(bags, b.obsBag), b.answerFeat], 1) as tf.Tensor2D;
  const hctx = tf.tanh(dense(ctxIn, w.ctx_w!, w.ctx_b!)) as tf.Tensor2D;
  const toolIn = tf.concat([gatherRows(bags, b.toolName), gatherRows(bags, b.toolDesc)], 1) as tf.Tensor2D;
  const toolRep = tf.tanh(dense(toolIn, w.tool_w!, w.tool_b!)) as tf.Tensor2D;
  // Scaled dot products (as in attention) keep the initial scores small: a near-uniform start.
  const scale = 1 / Math.sqrt(hctx.shape[1]!);
  const match = tf.mul(tf.reshape(pairDots(hctx, toolRep, seq(b.n, b.tmax), b.toolSlot), [b.n, b.tmax]), scale);
  const featTerm = tf.reshape(tf.matMul(b.toolFeat, w.tool_feat as tf.Tensor2D), [b.n, b.tmax]);
  const answer = tf.add(
    tf.add(tf.matMul(hctx, w.answer_w as tf.Tensor2D), tf.matMul(b.answerFeat, w.answer_feat as tf.Tensor2D)),
    w.answer_b!,
  );
  const toolLogits = tf.add(tf.concat([answer, tf.add(match, featTerm)], 1), b.toolMaskAdd) as tf.Tensor2D;
  const p = b.params;
  if (!p) return { toolLogits };

  const paramIn = tf.concat([gatherRows(bags, p.name), gatherRows(bags, p.desc)], 1) as tf.Tensor2D;
  const paramRep = tf.tanh(dense(paramIn, w.param_w!, w.param_b!));
  const pRows = gatherRows(paramRep as tf.Tensor2D, p.key);
  const pCtx = gatherRows(hctx, p.decision);
  const fillLogits = tf.reshape(
    tf.add(tf.add(tf.matMul(tf.mul(pRows, pCtx), w.fill_w as tf.Tensor2D), tf.matMul(p.fillFeat, w.fill_feat as tf.Tensor2D)), w.fill_b!),
    [-1],
  ) as tf.Tensor1D;
  const a = b.args;
  if (!a) return { toolLogits, fillLogits };

  const candIn = tf.concat([gatherRows(bags, a.candTok), gatherRows(bags, a.candNbr), a.candKind], 1) as tf.Tensor2D;
  const candRep = tf.tanh(dense(candIn, w.cand_w!, w.cand_b!)) as tf.Tensor2D;
  const query = tf.matMul(gatherRows(pRows, a.param), w.query_w as tf.Tensor2D) as tf.Tensor2D;
  const cMatch = tf.mul(tf.reshape(pairDots(query, candRep, seq(a.na, a.kmax), a.candSlot), [a.na, a.kmax]), scale);
  const cFeat = tf.reshape(tf.matMul(a.candFeat, w.cand_feat as tf.Tensor2D), [a.na, a.kmax]);
  const candLogits = tf.add(tf.add(cMatch, cFeat), a.candMaskAdd) as tf.Tensor2D;
  const forms = gatherRows(w.form_table as tf.Tensor2D, a.formRows);
  const formLogits = a.formPerSlot ? tf.reshape(forms, [a.na, a.kmax, VALUE_FORMS.length]) : forms;
  return { toolLogits, fillLogits, candLogits, formLogits };
}
