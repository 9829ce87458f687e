/**
 * The embedded policy: variables, batched sampling (two phases: answer-or-tool, then the chosen
 * tools' arguments), action serialization, and weights save/load.
 */
import * as tf from "@tensorflow/tfjs";
import { EnvtuneError } from "@envtune/core";
import { buildBatch, type ArgRecord, type DecisionRecord } from "./batch.ts";
import {
  argCandidates,
  candidateFeatures,
  decisionContext,
  fillFeatures,
  formRow,
  renderValue,
  VALUE_FORMS,
  DEFAULT_LIMITS,
  type FeaturizerLimits,
} from "./featurize.ts";
import {
  forward,
  initialValues,
  parameterShapes,
  resolvePolicyNetConfig,
  type PolicyNetConfig,
  type PolicyNetConfigInput,
  type Weights,
} from "./model.ts";
import type { PolicyObservation } from "./observation.ts";
import { sampleLogits, type Rng } from "./rng.ts";
import { loadNamedTensors, saveNamedTensors } from "./weights-io.ts";

/** How actions are written: the paper's envelope, or a bare Python call list. */
export type PolicyActionFormat = "envelope" | "python";

export interface ActOptions {
  /** Greedy (argmax) instead of sampling. */
  greedy?: boolean;
  rng: Rng;
  format?: PolicyActionFormat;
}

export interface PolicyAct {
  /** The assistant message text to send to the environment. */
  text: string;
  record: DecisionRecord;
}

/** Bumped whenever the network's inputs change shape (v2: derived-value candidate kinds). */
export const POLICY_ARCHITECTURE = "envtune-pointer-policy-v2";
// tfjs variable names are global; every policy instance gets its own prefix.
let instances = 0;
const ANSWER_TEXT = "I have completed the request as far as the available functions allow.";

export class TfjsPolicy {
  readonly config: PolicyNetConfig;
  readonly limits: FeaturizerLimits;
  private readonly vars = new Map<string, tf.Variable>();

  private constructor(config: PolicyNetConfig, values: ReadonlyMap<string, Float32Array | tf.Tensor>) {
    this.config = config;
    this.limits = { ...DEFAULT_LIMITS, hashBuckets: config.hashBuckets };
    const prefix = `policy${instances++}`;
    for (const [name, shape] of Object.entries(parameterShapes(config))) {
      const v = values.get(name);
      if (!v)
        throw new EnvtuneError(
          "BAD_WEIGHTS",
          "policy-tfjs",
          `The weights lack \`${name}\`.`,
          "Load weights written by the same policy version.",
        );
      const init = v instanceof tf.Tensor ? v : tf.tensor(v, shape);
      if (init.shape.join("x") !== shape.join("x")) {
        throw new EnvtuneError(
          "BAD_WEIGHTS",
          "policy-tfjs",
          `Weight \`${name}\` has shape [${init.shape.join(", ")}], the config needs [${shape.join(", ")}].`,
          "Load weights with the config they were saved with (model.json keeps it).",
        );
      }
      this.vars.set(name, tf.variable(init, true, `${prefix}/${name}`));
      if (!(v instanceof tf.Tensor)) init.dispose();
    }
  }

  /** A randomly initialized policy. */
  static create(config: PolicyNetConfigInput = {}, seed = 0): TfjsPolicy {
    const c = resolvePolicyNetConfig(config);
    return new TfjsPolicy(c, initialValues(c, seed));
  }

  /** A policy from named tensors (e.g. a checkpoint or a reference snapshot). Tensors are copied. */
  static fromTensors(config: PolicyNetConfig, tensors: ReadonlyMap<string, tf.Tensor>): TfjsPolicy {
    return new TfjsPolicy(config, tensors);
  }

  /** Loads `model.json` + `weights.bin` from a directory. */
  static async load(dir: string): Promise<{ policy: TfjsPolicy; metadata: Record<string, unknown> }> {
    const saved = await loadNamedTensors(dir);
    const topo = saved.topology as { architecture?: unknown; config?: unknown } | null;
    if (!topo || topo.architecture !== POLICY_ARCHITECTURE) {
      for (const t of saved.tensors.values()) t.dispose();
      throw new EnvtuneError(
        "BAD_WEIGHTS",
        "policy-tfjs",
        `${dir}/model.json is not an envtune policy (${POLICY_ARCHITECTURE}).`,
        "Pass a directory written by `envtune train` or `TfjsPolicy.save`.",
      );
    }
    const config = resolvePolicyNetConfig(topo.config);
    const tensors = new Map([...saved.tensors].map(([k, v]) => [k.replace(/^policy\//, ""), v]));
    try {
      return { policy: new TfjsPolicy(config, tensors), metadata: saved.metadata };
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  /** Writes `model.json` (architecture, config, metadata) and `weights.bin`. */
  async save(dir: string, metadata: Record<string, unknown> = {}): Promise<void> {
    await saveNamedTensors(
      dir,
      new Map([...this.vars].map(([k, v]) => [`policy/${k}`, v as tf.Tensor])),
      { architecture: POLICY_ARCHITECTURE, config: this.config },
      metadata,
    );
  }

  /** The trainable variables by name. */
  get variables(): ReadonlyMap<string, tf.Variable> {
    return this.vars;
  }

  /** The current weights as a record for {@link forward}. */
  weights(): Weights {
    return Object.fromEntries(this.vars);
  }

  /** Copies of the current weights (for a frozen reference policy). The caller disposes them. */
  snapshot(): Map<string, tf.Tensor> {
    return new Map([...this.vars].map(([k, v]) => [k, tf.clone(v)]));
  }

  /** Overwrites the weights with the given values. */
  assign(values: ReadonlyMap<string, tf.Tensor>): void {
    for (const [k, v] of this.vars) {
      const x = values.get(k);
      if (!x) throw new EnvtuneError("BAD_WEIGHTS", "policy-tfjs", `Missing weight \`${k}\`.`, "Assign a complete snapshot.");
      v.assign(x);
    }
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  /** Chooses one action per observation, batched. */
  act(observations: readonly PolicyObservation[], opts: ActOptions): PolicyAct[] {
    if (observations.length === 0) return [];
    const greedy = opts.greedy ?? false;
    const w = this.weights();
    const contexts = observations.map((o) => decisionContext(o, this.limits));
    const records: DecisionRecord[] = contexts.map((c) => ({
      userBag: c.userBag,
      observationBag: c.observationBag,
      answerFeatures: c.answerFeatures,
      tools: c.tools,
      toolFeatures: c.toolFeatures,
      choice: 0,
      args: [],
    }));

    const b1 = buildBatch(records, "tools");
    const toolLogits = tf.tidy(() => forward(w, b1.inputs).toolLogits.arraySync());
    b1.dispose();
    records.forEach((r, i) => {
      r.choice = sampleLogits(toolLogits[i]!, opts.rng, greedy);
      if (r.choice === 0) return;
      const ctx = contexts[i]!;
      const tool = r.tools[r.choice - 1]!;
      r.args = tool.params.map((p): ArgRecord => {
        const candidates = argCandidates(ctx, p, this.config.hashBuckets, this.limits.schemaConstrained);
        return {
          param: p,
          fillFeatures: fillFeatures(ctx, p),
          candidates,
          candFeatures: candidateFeatures(ctx, p, candidates),
          filled: false,
          cand: 0,
          form: 0,
        };
      });
    });

    if (records.some((r) => r.choice !== 0 && r.args.length > 0)) {
      const b2 = buildBatch(records, "args");
      const out = tf.tidy(() => {
        const o = forward(w, b2.inputs);
        return {
          fill: o.fillLogits ? o.fillLogits.dataSync() : new Float32Array(0),
          cand: o.candLogits ? o.candLogits.dataSync() : new Float32Array(0),
          form: o.formLogits ? o.formLogits.dataSync() : new Float32Array(0),
        };
      });
      const kmax = b2.inputs.args?.kmax ?? 0;
      const nf = VALUE_FORMS.length;
      b2.dispose();
      // In "args" mode every parameter row has an argument row with the same index.
      b2.paramDecision.forEach((d, row) => {
        const a = records[d]!.args[b2.paramIndex[row]!]!;
        const p1 = 1 / (1 + Math.exp(-out.fill[row]!));
        a.filled = greedy ? p1 >= 0.5 : opts.rng.next() < p1;
        a.cand = sampleLogits(out.cand.subarray(row * kmax, row * kmax + a.candidates.length), opts.rng, greedy);
        const fo = (row * kmax + a.cand) * nf;
        a.form = sampleLogits(out.form.subarray(fo, fo + nf), opts.rng, greedy);
        if (!a.filled) {
          a.cand = 0;
          a.form = 0;
        }
      });
    }
    return records.map((record) => ({ text: renderAction(record, opts.format ?? "envelope"), record }));
  }
}

function pythonValue(json: string): string {
  // JSON literals that differ in Python; strings and numbers read the same in both.
  if (json === "true") return "True";
  if (json === "false") return "False";
  if (json === "null") return "None";
  if (json.startsWith("[")) {
    try {
      const v = JSON.parse(json) as unknown[];
      return `[${v.map((x) => (typeof x === "boolean" ? (x ? "True" : "False") : JSON.stringify(x))).join(", ")}]`;
    } catch {
      return json;
    }
  }
  return json;
}

/** The assistant text of a decision. */
export function renderAction(record: DecisionRecord, format: PolicyActionFormat): string {
  if (record.choice === 0)
    return format === "envelope" ? `<think>Nothing more to call for this request.</think>\n<answer>${ANSWER_TEXT}</answer>` : ANSWER_TEXT;
  const tool = record.tools[record.choice - 1]!;
  const given = record.args.filter((a) => a.filled);
  if (format === "python") {
    const args = given.map((a) => `${a.param.name}=${pythonValue(renderValue(a.candidates[a.cand]!, VALUE_FORMS[a.form]!))}`);
    return `[${tool.name}(${args.join(", ")})]`;
  }
  const args = given.map((a) => `${JSON.stringify(a.param.name)}: ${renderValue(a.candidates[a.cand]!, VALUE_FORMS[a.form]!)}`);
  return `<think>Calling ${tool.name}.</think>\n<tool_call>\n[{"name": ${JSON.stringify(tool.name)}, "arguments": {${args.join(", ")}}}]\n</tool_call>`;
}

/** The argument values of a decision as plain text (what the policy later sees as "already used"). */
export function decisionValues(record: DecisionRecord): string[] {
  return record.args.filter((a) => a.filled).map((a) => a.candidates[a.cand]!.text);
}

export { formRow };
