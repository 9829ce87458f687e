/**
 * Decision records (what the policy saw and chose at one step) and their assembly into batch
 * inputs. Shared word bags, tools, parameters and candidate values are deduplicated per batch:
 * the G rollouts of one task see the same user text, so most bags are computed once.
 */
import * as tf from "@tensorflow/tfjs";
import {
  ANSWER_FEATURES,
  CAND_FEATURES,
  CAND_KINDS,
  FILL_FEATURES,
  TOOL_FEATURES,
  formRow,
  kindIndex,
  type Candidate,
  type ParamInfo,
  type ToolInfo,
} from "./featurize.ts";
import { forward, type BatchInputs, type Weights } from "./model.ts";

/** One parameter of the chosen tool, as seen (and, once sampled, as decided). */
export interface ArgRecord {
  param: ParamInfo;
  fillFeatures: Float32Array;
  candidates: Candidate[];
  /** [candidates × CAND_FEATURES] */
  candFeatures: Float32Array;
  filled: boolean;
  /** Chosen candidate (when filled). */
  cand: number;
  /** Chosen value form (when filled). */
  form: number;
}

/** One decision: the inputs of the answer-or-tool head and everything that was chosen. */
export interface DecisionRecord {
  userBag: number[];
  observationBag: number[];
  answerFeatures: Float32Array;
  tools: ToolInfo[];
  /** [tools × TOOL_FEATURES] */
  toolFeatures: Float32Array;
  /** 0 = answer, i + 1 = tools[i]. */
  choice: number;
  /** One per parameter of the chosen tool (empty when answering). */
  args: ArgRecord[];
}

class BagTable {
  private ids: number[] = [];
  private weights: number[] = [];
  private offsets: number[] = [0];
  private index = new Map<string, number>();

  add(key: string, ids: readonly number[]): number {
    const hit = this.index.get(key);
    if (hit !== undefined) return hit;
    const b = this.offsets.length - 1;
    this.index.set(key, b);
    const w = ids.length ? 1 / ids.length : 0;
    for (const id of ids) {
      this.ids.push(id);
      this.weights.push(w);
    }
    this.offsets.push(this.ids.length);
    return b;
  }

  csr() {
    return { ids: Int32Array.from(this.ids), weights: Float32Array.from(this.weights), offsets: Int32Array.from(this.offsets) };
  }
}

class KeyTable<T> {
  items: T[] = [];
  private index = new Map<string, number>();
  add(key: string, make: () => T): number {
    const hit = this.index.get(key);
    if (hit !== undefined) return hit;
    this.index.set(key, this.items.length);
    this.items.push(make());
    return this.items.length - 1;
  }
}

export type BatchMode =
  /** The answer-or-tool head only. */
  | "tools"
  /** Every parameter of each chosen tool, every candidate's form logits (second sampling phase). */
  | "args"
  /** Chosen actions only: parameter rows for all parameters, argument rows for the given ones. */
  | "train";

export interface BuiltBatch {
  inputs: BatchInputs;
  /** Decision of each parameter row. */
  paramDecision: number[];
  /** Position of each parameter row inside its decision's `args`. */
  paramIndex: number[];
  /** Parameter row of each argument row. */
  argParam: number[];
  dispose(): void;
}

const NEG = -1e9;

function bagKey(ids: readonly number[]): string {
  return ids.join(",");
}

/** Builds the inputs of a batch of decisions. */
export function buildBatch(decisions: readonly DecisionRecord[], mode: BatchMode): BuiltBatch {
  const bags = new BagTable();
  const empty = bags.add("∅", []);
  const n = decisions.length;
  const owned: tf.Tensor[] = [];
  const t = <T extends tf.Tensor>(x: T): T => {
    owned.push(x);
    return x;
  };

  const userBag = new Int32Array(n);
  const obsBag = new Int32Array(n);
  const answerFeat = new Float32Array(n * ANSWER_FEATURES);
  const tools = new KeyTable<{ name: number; desc: number }>();
  tools.add("∅", () => ({ name: empty, desc: empty }));
  const tmax = Math.max(1, ...decisions.map((d) => d.tools.length));
  const toolSlot = new Int32Array(n * tmax);
  const toolMask = new Float32Array(n * (tmax + 1)).fill(NEG);
  const toolFeat = new Float32Array(n * tmax * TOOL_FEATURES);
  decisions.forEach((d, i) => {
    userBag[i] = bags.add("u" + bagKey(d.userBag), d.userBag);
    obsBag[i] = bags.add("u" + bagKey(d.observationBag), d.observationBag);
    answerFeat.set(d.answerFeatures, i * ANSWER_FEATURES);
    toolMask[i * (tmax + 1)] = 0;
    d.tools.forEach((tool, j) => {
      toolSlot[i * tmax + j] = tools.add(tool.key, () => ({
        name: bags.add("tn" + tool.key, tool.nameBag),
        desc: bags.add("td" + tool.key, tool.descBag),
      }));
      toolMask[i * (tmax + 1) + 1 + j] = 0;
    });
    toolFeat.set(d.toolFeatures, i * tmax * TOOL_FEATURES);
  });

  const paramDecision: number[] = [];
  const paramIndex: number[] = [];
  const argParam: number[] = [];
  let params: BatchInputs["params"];
  let args: BatchInputs["args"];

  if (mode !== "tools") {
    const ptab = new KeyTable<{ name: number; desc: number }>();
    const paramKey: number[] = [];
    const fill: number[] = [];
    const argRows: ArgRecord[] = [];
    decisions.forEach((d, i) => {
      if (d.choice === 0) return;
      d.args.forEach((a, j) => {
        const row = paramDecision.length;
        paramDecision.push(i);
        paramIndex.push(j);
        paramKey.push(
          ptab.add(a.param.key, () => ({
            name: bags.add("pn" + a.param.key, a.param.nameBag),
            desc: bags.add("pd" + a.param.key, a.param.descBag),
          })),
        );
        for (const v of a.fillFeatures) fill.push(v);
        if (mode === "args" || a.filled) {
          argRows.push(a);
          argParam.push(row);
        }
      });
    });
    if (paramDecision.length > 0) {
      params = {
        decision: Int32Array.from(paramDecision),
        key: Int32Array.from(paramKey),
        name: Int32Array.from(ptab.items.map((x) => x.name)),
        desc: Int32Array.from(ptab.items.map((x) => x.desc)),
        fillFeat: t(tf.tensor2d(Float32Array.from(fill), [paramDecision.length, FILL_FEATURES])),
      };
    }
    if (argRows.length > 0) {
      const na = argRows.length;
      const kmax = Math.max(1, ...argRows.map((a) => a.candidates.length));
      const cands = new KeyTable<{ tok: number; nbr: number; kind: number }>();
      const candSlot = new Int32Array(na * kmax);
      const mask = new Float32Array(na * kmax).fill(NEG);
      const feat = new Float32Array(na * kmax * CAND_FEATURES);
      const perSlot = mode === "args";
      const formRows = new Int32Array(perSlot ? na * kmax : na);
      argRows.forEach((rec, r) => {
        rec.candidates.forEach((c, k) => {
          candSlot[r * kmax + k] = cands.add(c.key, () => ({
            tok: bags.add("ct" + bagKey(c.tokenBag), c.tokenBag),
            nbr: bags.add("cn" + bagKey(c.neighborBag), c.neighborBag),
            kind: kindIndex(c.kind),
          }));
          mask[r * kmax + k] = 0;
          if (perSlot) formRows[r * kmax + k] = formRow(rec.param, c);
        });
        feat.set(rec.candFeatures, r * kmax * CAND_FEATURES);
        if (!perSlot) formRows[r] = formRow(rec.param, rec.candidates[rec.cand] ?? rec.candidates[0]!);
      });
      const kinds = new Float32Array(cands.items.length * CAND_KINDS.length);
      cands.items.forEach((c, i) => (kinds[i * CAND_KINDS.length + c.kind] = 1));
      args = {
        param: Int32Array.from(argParam),
        na,
        kmax,
        candSlot,
        candMaskAdd: t(tf.tensor2d(mask, [na, kmax])),
        candFeat: t(tf.tensor2d(feat, [na * kmax, CAND_FEATURES])),
        candTok: Int32Array.from(cands.items.map((c) => c.tok)),
        candNbr: Int32Array.from(cands.items.map((c) => c.nbr)),
        candKind: t(tf.tensor2d(kinds, [cands.items.length, CAND_KINDS.length])),
        formRows,
        formPerSlot: perSlot,
      };
    }
  }

  const inputs: BatchInputs = {
    bags: bags.csr(),
    n,
    userBag,
    obsBag,
    answerFeat: t(tf.tensor2d(answerFeat, [n, ANSWER_FEATURES])),
    toolName: Int32Array.from(tools.items.map((x) => x.name)),
    toolDesc: Int32Array.from(tools.items.map((x) => x.desc)),
    tmax,
    toolSlot,
    toolMaskAdd: t(tf.tensor2d(toolMask, [n, tmax + 1])),
    toolFeat: t(tf.tensor2d(toolFeat, [n * tmax, TOOL_FEATURES])),
    ...(params ? { params } : {}),
    ...(args ? { args } : {}),
  };
  return {
    inputs,
    paramDecision,
    paramIndex,
    argParam,
    dispose: () => {
      for (const x of owned) x.dispose();
    },
  };
}

/** Per-token outputs of a training batch; tokens are ordered [tool…][fill…][value…][form…]. */
export interface TokenOutputs {
  logp: tf.Tensor1D;
  entropy: tf.Tensor1D;
  /** Per decision (= per tool token): log-probability of answering instead of calling a tool. */
  answerLogp: tf.Tensor1D;
}

/** Decision index of every token of a "train" batch, in token order. */
export function tokenDecisions(decisions: readonly DecisionRecord[], built: BuiltBatch): Int32Array {
  const argDecision = built.argParam.map((p) => built.paramDecision[p]!);
  return Int32Array.from([...decisions.map((_, i) => i), ...built.paramDecision, ...argDecision, ...argDecision]);
}

/** The heads that emit tokens, in token order. */
export const TOKEN_HEADS = ["tool", "fill", "value", "form"] as const;
export type TokenHead = (typeof TOKEN_HEADS)[number];

/** Number of tokens of each kind in a "train" batch. */
export function tokenCounts(decisions: readonly DecisionRecord[], built: BuiltBatch): Record<TokenHead, number> {
  return { tool: decisions.length, fill: built.paramDecision.length, value: built.argParam.length, form: built.argParam.length };
}

/** One value per token of a "train" batch, by the head that emitted it (a mask, a per-head β). */
export function perHeadTokens(counts: Record<TokenHead, number>, valueOf: (head: TokenHead) => number): Float32Array {
  const out = new Float32Array(TOKEN_HEADS.reduce((n, h) => n + counts[h], 0));
  let at = 0;
  for (const h of TOKEN_HEADS) {
    out.fill(valueOf(h), at, at + counts[h]);
    at += counts[h];
  }
  return out;
}

/** Log-probabilities of the chosen options and entropies per row; `lsm` is the whole log-softmax. */
export function categorical(logits: tf.Tensor2D, chosen: Int32Array): { logp: tf.Tensor1D; entropy: tf.Tensor1D; lsm: tf.Tensor2D } {
  const lsm = tf.logSoftmax(logits);
  const k = logits.shape[1]!;
  // One option (every row offers a single candidate): log p = 0 and no entropy. tf.oneHot refuses depth 1.
  if (k === 1) return { logp: tf.reshape(lsm, [-1]) as tf.Tensor1D, entropy: tf.zerosLike(tf.reshape(lsm, [-1])) as tf.Tensor1D, lsm };
  const oh = tf.oneHot(tf.tensor1d(chosen, "int32"), k);
  const logp = tf.sum(tf.mul(lsm, oh), 1) as tf.Tensor1D;
  // Padding has probability exp(-1e9) = 0, so its (finite) log-probability contributes nothing.
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(lsm), lsm), 1)) as tf.Tensor1D;
  return { logp, entropy, lsm };
}

/** Log-probabilities and entropies of the chosen actions, per token. Call inside `tf.tidy` or a gradient function. */
export function tokenOutputs(w: Weights, decisions: readonly DecisionRecord[], built: BuiltBatch): TokenOutputs {
  const out = forward(w, built.inputs);
  const parts: Array<{ logp: tf.Tensor1D; entropy: tf.Tensor1D }> = [];
  const tool = categorical(out.toolLogits, Int32Array.from(decisions.map((d) => d.choice)));
  parts.push(tool);
  // Option 0 of the answer-or-tool head is "answer".
  const answerLogp = tf.reshape(tf.slice(tool.lsm, [0, 0], [-1, 1]), [-1]) as tf.Tensor1D;
  if (out.fillLogits) {
    const filled = tf.tensor1d(
      Float32Array.from(built.paramDecision.map((di, r) => (decisions[di]!.args[built.paramIndex[r]!]!.filled ? 1 : 0))),
    );
    const z = out.fillLogits;
    // log σ(z) = −softplus(−z); tf.logSigmoid's custom gradient breaks inside variableGrads.
    const lp1 = tf.neg(tf.softplus(tf.neg(z)));
    const lp0 = tf.neg(tf.softplus(z));
    const logp = tf.add(tf.mul(filled, lp1), tf.mul(tf.sub(1, filled), lp0)) as tf.Tensor1D;
    const p1 = tf.sigmoid(z);
    const entropy = tf.neg(tf.add(tf.mul(p1, lp1), tf.mul(tf.sub(1, p1), lp0))) as tf.Tensor1D;
    parts.push({ logp, entropy });
  }
  if (out.candLogits && out.formLogits) {
    const recs = built.argParam.map((p) => decisions[built.paramDecision[p]!]!.args[built.paramIndex[p]!]!);
    parts.push(categorical(out.candLogits, Int32Array.from(recs.map((a) => a.cand))));
    parts.push(categorical(out.formLogits as tf.Tensor2D, Int32Array.from(recs.map((a) => a.form))));
  }
  return {
    logp: tf.concat(parts.map((p) => p.logp)) as tf.Tensor1D,
    entropy: tf.concat(parts.map((p) => p.entropy)) as tf.Tensor1D,
    answerLogp,
  };
}
