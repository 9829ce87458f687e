/**
 * The training loop: curriculum stages in order, GRPO updates on batched rollouts, validation and
 * plateau promotion, a checkpoint after every update, resume, and the final evaluation against the
 * baselines.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EnvtuneError, resolveDomainPacks } from "@envtune/core";
import { assertDataSourceValid, getSplit, loadDataSource, type BfclDataset, type BfclEntry } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "@envtune/engine";
import {
  Rng,
  TfjsPolicy,
  buildBatch,
  loadNamedTensors,
  perHeadTokens,
  POLICY_ARCHITECTURE,
  saveNamedTensors,
  selectBackend,
  tf,
  tokenCounts,
  tokenDecisions,
  tokenOutputs,
  writeFileAtomic,
  type BackendInfo,
  type DecisionRecord,
  type Weights,
} from "@envtune/policy-tfjs";
import { alwaysAnswerActor, policyActor, randomValidActor } from "./actors.ts";
import { effectiveStages, parseTrainConfig, stageGrpo, type GrpoConfig, type StageSpec, type TrainConfig } from "./config.ts";
import { evaluate, summarizeResults, type EvalSummary } from "./evaluate.ts";
import { AdamW, answerRateKl, clipByGlobalNorm, groupAdvantages, grpoLoss, turnAdvantages, unitMeanWeights } from "./grpo.ts";
import { formatStageCurve, stageCurves } from "./curves.ts";
import { promotionDecision, type ValPoint } from "./plateau.ts";
import { silentProgress, type ProgressSink } from "./progress.ts";
import { writeReport } from "./report.ts";
import { RunDir, runDirFault } from "./run-dir.ts";
import { runEpisodes, type EpisodeResult, type EpisodeSpec, type EpisodeWorld } from "./rollout.ts";
import { holdOutScenarios } from "./validation-set.ts";
import { mean } from "./stats.ts";

export interface TrainOptions {
  /** The configuration (ignored on resume: the run's own config.json is used). */
  config?: TrainConfig;
  outDir: string;
  /** Continue the run in `outDir` from its last checkpoint. */
  resume?: boolean;
  /** Start a new run in a folder that holds files envtune did not write (its own file names are overwritten). */
  force?: boolean;
  /** BFCL data directory override. */
  dataDir?: string;
  progress?: ProgressSink;
  /** Aborting stops after the current update (Ctrl-C); the run can be resumed. */
  signal?: AbortSignal;
  /** Stop after this many updates in this process (tests; the run stays resumable). */
  stopAfterUpdates?: number;
}

export interface TrainResult {
  runDir: string;
  status: "completed" | "interrupted" | "stopped";
  updates: number;
  evaluation?: FinalEvaluation;
}

export interface FinalEvaluation {
  split: string;
  part: string;
  entries: number;
  environment: string;
  policies: EvalSummary[];
}

/** Everything that must survive a restart (besides weights and optimizer moments). */
export interface TrainerState {
  version: 1;
  stageIndex: number;
  stageUpdates: number;
  totalUpdates: number;
  rng: number[];
  cursor: { stage: number; order: string[]; pos: number };
  vals: ValPoint[];
  gradNorms: number[];
  promotions: Array<{ from: string; to: string | null; update: number; stageUpdates: number; reason: string }>;
  metricsLines: number;
  trainMs: number;
  trainingDone: boolean;
  /** The best validation turn success so far and where it was reached (its weights are in the checkpoint's best/). */
  best: { value: number; update: number; stage: number } | null;
}

interface Setup {
  config: TrainConfig;
  stages: StageSpec[];
  dataset: BfclDataset;
  world: EpisodeWorld;
  splitName: string;
  stageEntries: BfclEntry[][];
  valEntries: BfclEntry[];
  evalEntries: BfclEntry[];
  backend: BackendInfo;
  skipped: string[];
  /** Training entries moved to validation. */
  heldOut: number;
}

const STATE = "state.json";

function trainerError(code: string, what: string, hint: string): EnvtuneError {
  return new EnvtuneError(code, "trainer", what, hint);
}

function gtCallsPerTurn(e: BfclEntry): number {
  const ne = e.groundTruth.filter((g) => g.length > 0);
  return ne.length ? ne.reduce((a, g) => a + g.length, 0) / ne.length : 0;
}

function selectStageEntries(stage: StageSpec, split: { train: string[]; val: string[]; test: string[] }, byId: ReadonlyMap<string, BfclEntry>, usable: (e: BfclEntry) => boolean): BfclEntry[] {
  const cats = new Set<string>(stage.data.categories);
  let entries = split[stage.data.part].map((id) => byId.get(id)!).filter((e) => e && cats.has(e.category) && usable(e));
  if (stage.data.order === "easiest") {
    entries = [...entries].sort((a, b) => gtCallsPerTurn(a) - gtCallsPerTurn(b) || a.groundTruth.length - b.groundTruth.length || a.id.localeCompare(b.id));
  }
  if (stage.data.limit !== undefined) entries = entries.slice(0, stage.data.limit);
  return entries;
}

async function setup(config: TrainConfig, dataDir: string | undefined, log: (s: string) => void): Promise<Setup> {
  const backend = await selectBackend({ backend: config.runtime.backend, log });
  const source = await loadDataSource({ dataset: config.data.dataset, dataDir: dataDir ?? config.data.dir }, "trainer");
  const dataset = source.ds;
  const { packs, missing } = await resolveDomainPacks(config.data.domains);
  const skipped = missing.map((m) => `${m.specifier} (${m.reason})`);
  if (packs.size === 0) throw trainerError("NO_DOMAINS", `None of the configured domain packs could be loaded: ${skipped.join("; ")}.`, "Install the packs or pass --domains with package names or paths.");
  // A dataset of one's own is checked against the packs before any episode runs, as `eval` does.
  assertDataSourceValid(source, packs);
  const usable = (e: BfclEntry): boolean => e.involvedClasses.every((c) => packs.has(c));
  const named = getSplit(config.data.split, dataset);
  // Training scenarios moved to validation (`validation.fromTrain`) leave training entirely; at
  // most a quarter of the training data moves, so that a small dataset of one's own keeps its
  // training part.
  const usableTrain = named.train.filter((id) => {
    const e = dataset.byId.get(id);
    return e !== undefined && usable(e);
  });
  const held = new Set(holdOutScenarios(usableTrain, Math.min(config.validation.fromTrain, Math.floor(usableTrain.length / 4))));
  const namedVal = new Set(named.val);
  const split =
    held.size === 0
      ? named
      : { ...named, train: named.train.filter((id) => !held.has(id)), val: dataset.entries.filter((e) => held.has(e.id) || namedVal.has(e.id)).map((e) => e.id) };
  const stages = effectiveStages(config);
  const stageEntries = stages.map((s) => selectStageEntries(s, split, dataset.byId, usable));
  stageEntries.forEach((es, i) => {
    if (es.length === 0) throw trainerError("EMPTY_STAGE", `Stage ${stages[i]!.name} selects no entries from split ${split.name}.`, "Check the stage's data selector and the loaded domains.");
  });
  let valEntries = split.val.map((id) => dataset.byId.get(id)!).filter(usable);
  if (config.validation.limit !== null) valEntries = spread(valEntries, config.validation.limit);
  let evalEntries = split[config.evaluation.part].map((id) => dataset.byId.get(id)!).filter(usable);
  if (config.evaluation.limit !== null) evalEntries = spread(evalEntries, config.evaluation.limit);
  if (valEntries.length === 0) throw trainerError("EMPTY_VALIDATION", `Split ${split.name} has no usable validation entries.`, "Use a split with a validation part (e.g. paper) or load more domains.");
  return {
    config,
    stages,
    dataset,
    world: { packs, constants: dataset.longContext, funcDocs: dataset.funcDocs },
    splitName: split.name,
    stageEntries,
    valEntries,
    evalEntries,
    backend,
    skipped,
    heldOut: held.size,
  };
}

/** Every k-th entry so that a subset keeps the categories' mix. */
function spread<T>(xs: readonly T[], n: number): T[] {
  if (n >= xs.length) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.floor((i * xs.length) / n)]!);
  return out;
}

export function stageEpisodeConfig(config: TrainConfig, stage: StageSpec): EpisodeConfigInput {
  return {
    protocol: "paper",
    augmented: stage.augmented,
    systemPrompt: stage.prompt,
    maxActionsPerTurn: stage.limits.maxActionsPerTurn,
    ...(stage.limits.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: stage.limits.maxEpisodeSteps } : {}),
    actionFormat: config.policy.actionFormat,
    reward: stage.reward,
  };
}

/** The final evaluation's environment: the standard environment and the paper's protocol (Stage-4 setting). */
export function evalEpisodeConfig(config: TrainConfig): EpisodeConfigInput {
  return { protocol: "paper", augmented: false, systemPrompt: "paper-b", actionFormat: config.policy.actionFormat, reward: { kind: "progress" } };
}

/** The network part of the policy config. */
export function netConfig(c: TrainConfig) {
  const { actionFormat: _format, ...net } = c.policy;
  return net;
}


const round = (x: number, d = 5): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function turnSuccess(results: readonly EpisodeResult[]): number {
  let n = 0;
  let p = 0;
  for (const r of results)
    r.gtNonEmpty.forEach((g, t) => {
      if (g) {
        n++;
        if (r.passed[t]) p++;
      }
    });
  return n ? p / n : 0;
}

function valMetric(stage: StageSpec, s: EvalSummary): number {
  switch (stage.promotion.metric) {
    case "val_progress":
      return s.progress;
    case "val_turn_success":
      return s.turnSuccess;
    case "val_reward":
      return s.reward;
  }
}

class Trainer {
  readonly run: RunDir;
  readonly s: Setup;
  readonly progress: ProgressSink;
  policy!: TfjsPolicy;
  ref!: Map<string, tf.Tensor>;
  /** Weights of the best validation checkpoint (see `TrainerState.best`). */
  best: Map<string, tf.Tensor> | undefined;
  opt!: AdamW;
  state!: TrainerState;
  rng!: Rng;

  constructor(run: RunDir, s: Setup, progress: ProgressSink) {
    this.run = run;
    this.s = s;
    this.progress = progress;
  }

  get config(): TrainConfig {
    return this.s.config;
  }

  newRun(): void {
    const c = this.config;
    this.policy = TfjsPolicy.create(netConfig(c), c.seed);
    this.ref = this.policy.snapshot();
    this.opt = new AdamW({ lr: c.grpo.lr, beta1: c.grpo.beta1, beta2: c.grpo.beta2, eps: c.grpo.adamEps, weightDecay: c.grpo.weightDecay });
    this.rng = new Rng(c.seed * 7919 + 17);
    this.state = {
      version: 1,
      stageIndex: 0,
      stageUpdates: 0,
      totalUpdates: 0,
      rng: this.rng.state(),
      cursor: { stage: -1, order: [], pos: 0 },
      vals: [],
      gradNorms: [],
      promotions: [],
      metricsLines: 0,
      trainMs: 0,
      trainingDone: false,
      best: null,
    };
  }

  async loadCheckpoint(dir: string): Promise<void> {
    const c = this.config;
    const { policy } = await TfjsPolicy.load(dir);
    this.policy = policy;
    const ref = await loadNamedTensors(join(dir, "ref"));
    this.ref = new Map([...ref.tensors].map(([k, v]) => [k.replace(/^ref\//, ""), v]));
    this.opt = new AdamW({ lr: c.grpo.lr, beta1: c.grpo.beta1, beta2: c.grpo.beta2, eps: c.grpo.adamEps, weightDecay: c.grpo.weightDecay });
    const opt = await loadNamedTensors(join(dir, "optimizer"));
    this.opt.restore(Number(opt.metadata.step ?? 0), new Map([...opt.tensors].map(([k, v]) => [k.replace(/^opt\//, ""), v])));
    for (const t of opt.tensors.values()) t.dispose();
    this.state = JSON.parse(readFileSync(join(dir, STATE), "utf8")) as TrainerState;
    this.state.best ??= null;
    this.rng = new Rng(this.state.rng);
    if (this.state.best && existsSync(join(dir, "best", "model.json"))) {
      const b = await loadNamedTensors(join(dir, "best"));
      this.best = new Map([...b.tensors].map(([k, v]) => [k.replace(/^policy\//, ""), v]));
    }
  }

  async checkpoint(): Promise<void> {
    this.state.rng = this.rng.state();
    const state = this.state;
    await this.run.saveCheckpoint(async (dir) => {
      await this.policy.save(dir, { seed: this.config.seed, totalUpdates: state.totalUpdates });
      await saveNamedTensors(join(dir, "ref"), new Map([...this.ref].map(([k, v]) => [`ref/${k}`, v])), { kind: "reference-policy" });
      if (this.best) await saveNamedTensors(join(dir, "best"), new Map([...this.best].map(([k, v]) => [`policy/${k}`, v])), { architecture: POLICY_ARCHITECTURE, config: this.policy.config }, { ...state.best });
      await saveNamedTensors(join(dir, "optimizer"), new Map([...this.opt.tensors()].map(([k, v]) => [`opt/${k}`, v])), { kind: "adamw" }, { step: this.opt.step });
      writeFileAtomic(join(dir, STATE), JSON.stringify(state));
    });
  }

  /** The next `n` tasks of the current stage (a fresh shuffle per epoch). */
  nextTasks(n: number): BfclEntry[] {
    const st = this.state;
    const entries = this.s.stageEntries[st.stageIndex]!;
    const byId = new Map(entries.map((e) => [e.id, e]));
    const out: BfclEntry[] = [];
    while (out.length < n) {
      if (st.cursor.stage !== st.stageIndex || st.cursor.pos >= st.cursor.order.length) {
        st.cursor = { stage: st.stageIndex, order: this.rng.shuffle(entries.map((e) => e.id)), pos: 0 };
      }
      out.push(byId.get(st.cursor.order[st.cursor.pos++]!)!);
    }
    return out;
  }

  async validate(stage: StageSpec): Promise<EvalSummary> {
    const { summary } = await evaluate(policyActor(this.policy, { greedy: true, format: this.config.policy.actionFormat }), this.s.valEntries, this.s.world, stageEpisodeConfig(this.config, stage), {
      maxConcurrent: this.config.runtime.maxConcurrentEpisodes,
    });
    return summary;
  }

  /** One GRPO update on a fresh batch of rollouts; returns its metrics record. */
  async update(stage: StageSpec, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const c = this.config;
    const g = stageGrpo(c, stage);
    const t0 = performance.now();
    const tasks = this.nextTasks(g.tasksPerUpdate);
    const epConfig = stageEpisodeConfig(c, stage);
    const specs: EpisodeSpec[] = tasks.flatMap((entry, i) => Array.from({ length: g.groupSize }, () => ({ entry, config: epConfig, group: i })));
    const results = await runEpisodes(specs, this.s.world, policyActor(this.policy, { greedy: false, format: c.policy.actionFormat }), this.rng, {
      maxConcurrent: c.runtime.maxConcurrentEpisodes,
      yieldEvery: async () => {
        if (signal?.aborted) throw new AbortError();
      },
    });
    const t1 = performance.now();

    const rewards = results.map((r) => r.rewards.reward);
    const groups = results.map((r) => r.spec.group);
    const advOpts = { eps: g.advantageEps, normalizeStd: g.normalizeStd };
    const perTurn = g.advantage === "turn" && stage.reward.kind === "progress";
    const epAdv = groupAdvantages(rewards, groups, advOpts);
    const turnAdv = perTurn ? turnAdvantages(results.map((r) => r.passed.map((p) => (p ? 1 : 0))), groups, advOpts) : undefined;
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

    const stats = this.optimize(decisions, adv, g, stage.trainHeads, units);
    const t2 = performance.now();
    const ms = t2 - t0;
    this.state.trainMs += ms;
    const comps = Object.keys(results[0]?.rewards.components ?? {});
    return {
      type: "update",
      update: this.state.totalUpdates + 1,
      stage: this.state.stageIndex + 1,
      stage_name: stage.name,
      stage_update: this.state.stageUpdates + 1,
      reward: round(mean(rewards)),
      components: Object.fromEntries(comps.map((k) => [k, round(mean(results.map((r) => (r.rewards.components as Record<string, number>)[k]!)))])),
      train_turn_success: round(turnSuccess(results)),
      train_turn_success_by_category: Object.fromEntries(
        [...new Set(results.map((r) => r.spec.entry.category))].sort().map((cat) => [cat, round(turnSuccess(results.filter((r) => r.spec.entry.category === cat)))]),
      ),
      train_accuracy: round(mean(results.map((r) => (r.passed.every(Boolean) ? 1 : 0)))),
      nonzero_adv_frac: round(mean(adv.map((a) => (a !== 0 ? 1 : 0)))),
      ...stats,
      episodes: results.length,
      decisions: decisions.length,
      rollout_ms: Math.round(t1 - t0),
      update_ms: Math.round(t2 - t1),
      episodes_per_s: round(results.length / (ms / 1000), 2),
      updates_per_s: round(1000 / ms, 3),
      elapsed_s: round(this.state.trainMs / 1000, 1),
    };
  }

  optimize(decisions: readonly DecisionRecord[], adv: readonly number[], g: GrpoConfig, heads: readonly string[], units?: readonly number[]): Record<string, number> {
    if (decisions.length === 0) return { loss: 0, pg_loss: 0, kl: 0, answer_kl: 0, entropy: 0, clip_frac: 0, grad_norm: 0, tokens: 0 };
    // Mini-batches over decisions (a random partition), each with its own frozen old/ref log-probs.
    const order = this.rng.shuffle(decisions.map((_, i) => i));
    const mbs = Math.min(g.miniBatches, decisions.length);
    const chunks = Array.from({ length: mbs }, (_, k) => order.filter((_, i) => i % mbs === k));
    const prepared = chunks.map((idx) => {
      const ds = idx.map((i) => decisions[i]!);
      const built = buildBatch(ds, "train");
      const tokDec = tokenDecisions(ds, built);
      const advTok = tf.tensor1d(Float32Array.from(tokDec, (d) => adv[idx[d]!]!));
      const counts = tokenCounts(ds, built);
      const all = heads.length === 4;
      const keep = perHeadTokens(counts, (h) => (heads.includes(h) ? 1 : 0));
      const perTurn = g.lossAggregation === "turn-mean" && units !== undefined;
      const mask = all && !perTurn ? undefined : tf.tensor1d(perTurn ? unitMeanWeights(Array.from(tokDec, (d) => units[idx[d]!]!), keep) : keep);
      const byHead = g.klCoefByHead;
      const klCoefTok = byHead ? tf.tensor1d(perHeadTokens(counts, (h) => byHead[h] ?? g.klCoef)) : undefined;
      const oldLogp = tf.tidy(() => tokenOutputs(this.policy.weights(), ds, built).logp);
      const { logp: refLogp, answerLogp: refAnswerLogp } = tf.tidy(() => {
        const o = tokenOutputs(Object.fromEntries(this.ref) as Weights, ds, built);
        return { logp: o.logp, answerLogp: o.answerLogp };
      });
      return { ds, built, advTok, oldLogp, refLogp, refAnswerLogp, mask, klCoefTok, tokens: tokDec.length };
    });
    const acc = { loss: 0, pg_loss: 0, kl: 0, answer_kl: 0, entropy: 0, clip_frac: 0, grad_norm: 0 };
    const anchorAnswers = g.answerKlCoef > 0 && heads.includes("tool");
    let steps = 0;
    const vars = this.policy.variables;
    const varList = [...vars.values()];
    for (let epoch = 0; epoch < g.ppoEpochs; epoch++) {
      for (const p of prepared) {
        let parts: tf.Scalar[] = [];
        const { grads, value } = tf.variableGrads(() => {
          const out = tokenOutputs(this.policy.weights(), p.ds, p.built);
          const l = grpoLoss(out.logp, p.oldLogp, p.refLogp, p.advTok, out.entropy, {
            epsLow: g.epsLow,
            epsHigh: g.epsHigh,
            clipRatioC: g.clipRatioC,
            klCoef: g.klCoef,
            entropyCoef: g.entropyCoef,
          }, p.mask, p.klCoefTok);
          const akl = anchorAnswers ? answerRateKl(out.answerLogp, p.refAnswerLogp) : tf.scalar(0);
          parts = [tf.keep(l.pgLoss), tf.keep(l.kl), tf.keep(l.entropy), tf.keep(l.clipFrac), tf.keep(akl)];
          return anchorAnswers ? (tf.add(l.loss, tf.mul(akl, g.answerKlCoef)) as tf.Scalar) : l.loss;
        }, varList);
        const named: Record<string, tf.Tensor> = {};
        for (const [k, v] of vars) if (grads[v.name]) named[k] = grads[v.name]!;
        const clipped = clipByGlobalNorm(named, g.gradClip);
        if (Number.isFinite(clipped.norm)) this.opt.apply(vars, clipped.grads, g.lr);
        for (const t of Object.values(clipped.grads)) t.dispose();
        acc.loss += value.dataSync()[0]!;
        value.dispose();
        const [pg, kl, ent, cf, akl] = parts.map((t) => {
          const v = t.dataSync()[0]!;
          t.dispose();
          return v;
        });
        acc.pg_loss += pg!;
        acc.kl += kl!;
        acc.answer_kl += akl!;
        acc.entropy += ent!;
        acc.clip_frac += cf!;
        acc.grad_norm += clipped.norm;
        steps++;
      }
    }
    let tokens = 0;
    for (const p of prepared) {
      tokens += p.tokens;
      p.built.dispose();
      p.advTok.dispose();
      p.oldLogp.dispose();
      p.refLogp.dispose();
      p.refAnswerLogp.dispose();
      p.mask?.dispose();
      p.klCoefTok?.dispose();
    }
    return Object.fromEntries([...Object.entries(acc).map(([k, v]) => [k, round(v / Math.max(1, steps))]), ["tokens", tokens], ["optimizer_steps", steps]]);
  }

  /** Keeps the current weights as the best validation checkpoint when they match or beat it. */
  noteValidation(turnSuccess: number): void {
    const st = this.state;
    if (st.best && turnSuccess < st.best.value) return;
    for (const t of this.best?.values() ?? []) t.dispose();
    this.best = this.policy.snapshot();
    st.best = { value: turnSuccess, update: st.totalUpdates, stage: st.stageIndex + 1 };
  }

  resetReference(): void {
    for (const t of this.ref.values()) t.dispose();
    this.ref = this.policy.snapshot();
  }
}

class AbortError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortError";
  }
}

function fmtStats(m: Record<string, unknown>, lastVal: number | undefined): string {
  const parts = [`R ${Number(m.reward).toFixed(3)}`, `turn ${(Number(m.train_turn_success) * 100).toFixed(1)}%`, `|g| ${Number(m.grad_norm).toFixed(2)}`, `H ${Number(m.entropy).toFixed(2)}`, `${Number(m.updates_per_s).toFixed(2)} upd/s`];
  if (lastVal !== undefined) parts.splice(2, 0, `val ${lastVal.toFixed(3)}`);
  return parts.join(" | ");
}

/**
 * Runs (or resumes) a training run to the end: curriculum, checkpoints, final evaluation and report.
 * The run directory is checked before anything is written and locked while this process trains.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const run = new RunDir(opts.outDir);
  if (opts.resume) {
    if (!existsSync(run.path("config.json"))) throw trainerError("NOT_A_RUN", `${opts.outDir} has no config.json.`, "Pass the directory of a run started by `envtune train` to --resume.");
  } else {
    if (existsSync(run.path("config.json")) || (existsSync(run.dir) && readdirSync(run.dir).some((f) => f.startsWith("checkpoint")))) {
      throw trainerError("RUN_EXISTS", `${opts.outDir} already holds a run.`, "Use --resume to continue it, or choose another --out directory.");
    }
    const foreign = run.foreignEntries();
    if (foreign.length && !opts.force) {
      throw trainerError("RUN_DIR_NOT_EMPTY", `${opts.outDir} holds files envtune did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}).`, "Choose an empty or new --out directory, or pass --force to write the run beside them (envtune's own file names are overwritten).");
    }
  }
  run.ensure();
  run.lock();
  try {
    return await trainLocked(run, opts);
  } catch (e) {
    throw runDirFault(e, run.dir) ?? e;
  } finally {
    run.unlock();
  }
}

async function trainLocked(run: RunDir, opts: TrainOptions): Promise<TrainResult> {
  const progress = opts.progress ?? silentProgress;
  const log = (s: string) => progress.line(s);
  let config: TrainConfig;
  let resumeDir: string | undefined;
  if (opts.resume) {
    config = parseTrainConfig(run.readJson<unknown>("config.json"));
    resumeDir = run.checkpointDir();
  } else {
    if (!opts.config) throw trainerError("NO_CONFIG", "No training configuration was given.", "Pass a config (e.g. presetConfig('default')).");
    config = opts.config;
  }
  const s = await setup(config, opts.dataDir, log);
  const t = new Trainer(run, s, progress);
  if (resumeDir) {
    await t.loadCheckpoint(resumeDir);
    run.truncateMetrics(t.state.metricsLines);
    log(`[envtune] resumed ${opts.outDir} at update ${t.state.totalUpdates} (stage ${t.state.stageIndex + 1}/${s.stages.length}, ${t.state.stageUpdates} updates into it)`);
  } else {
    if (opts.resume) log(`[envtune] ${opts.outDir} has no checkpoint yet; starting it from the beginning`);
    t.newRun();
    run.writeJson("config.json", config);
    run.truncateMetrics(0);
    await t.checkpoint();
  }
  if (s.skipped.length) log(`[envtune] domain packs not loaded (their entries are skipped): ${s.skipped.join("; ")}`);
  log(
    `[envtune] run ${opts.outDir}: ${s.stages.length} stage(s), split ${s.splitName}, ${s.valEntries.length} validation${s.heldOut ? ` (${s.heldOut} of them held out of training)` : ""} / ${s.evalEntries.length} evaluation entries, policy ${t.policy.parameterCount()} parameters, backend ${s.backend.name}`,
  );

  let updatesThisProcess = 0;
  const stages = s.stages;
  while (!t.state.trainingDone) {
    const stage = stages[t.state.stageIndex]!;
    const records: Record<string, unknown>[] = [];
    if (t.state.stageUpdates === 0 && t.state.vals.length === 0) {
      const v = await t.validate(stage);
      const value = valMetric(stage, v);
      t.state.vals.push({ stageUpdate: 0, value });
      t.noteValidation(v.turnSuccess);
      records.push({ type: "validation", update: t.state.totalUpdates, stage: t.state.stageIndex + 1, stage_name: stage.name, stage_update: 0, value: round(value), val_progress: round(v.progress), val_turn_success: round(v.turnSuccess), val_reward: round(v.reward), val_accuracy: round(v.entryAccuracy) });
      log(`[envtune] stage ${t.state.stageIndex + 1}/${stages.length} ${stage.name}: ${stage.description} (${s.stageEntries[t.state.stageIndex]!.length} tasks; start ${stage.promotion.metric} ${value.toFixed(4)})`);
    }
    if (opts.signal?.aborted) {
      run.appendMetrics(records);
      t.state.metricsLines += records.length;
      await t.checkpoint();
      return { runDir: run.dir, status: "interrupted", updates: t.state.totalUpdates };
    }
    const rngBefore = t.rng.state();
    const cursorBefore = { ...t.state.cursor, order: [...t.state.cursor.order] };
    let m: Record<string, unknown>;
    try {
      m = await t.update(stage, opts.signal);
    } catch (e) {
      if (e instanceof AbortError) {
        // Nothing of the aborted update is kept: the state is the last completed update's.
        t.rng = new Rng(rngBefore);
        t.state.cursor = cursorBefore;
        run.appendMetrics(records);
        t.state.metricsLines += records.length;
        await t.checkpoint();
        progress.end();
        return { runDir: run.dir, status: "interrupted", updates: t.state.totalUpdates };
      }
      throw e;
    }
    t.state.totalUpdates++;
    t.state.stageUpdates++;
    t.state.gradNorms.push(Number(m.grad_norm));
    records.push(m);
    let lastVal = t.state.vals[t.state.vals.length - 1]?.value;
    const p = stage.promotion;
    const validateNow = t.state.stageUpdates % s.config.validation.every === 0 || t.state.stageUpdates >= p.maxUpdates;
    if (validateNow) {
      const v = await t.validate(stage);
      const value = valMetric(stage, v);
      lastVal = value;
      t.state.vals.push({ stageUpdate: t.state.stageUpdates, value });
      t.noteValidation(v.turnSuccess);
      Object.assign(m, { val_progress: round(v.progress), val_turn_success: round(v.turnSuccess), val_reward: round(v.reward), val_accuracy: round(v.entryAccuracy), val_metric: round(value) });
      const d = promotionDecision(p, t.state.stageUpdates, t.state.vals, t.state.gradNorms);
      if (d.promote) {
        const next = stages[t.state.stageIndex + 1];
        const ev = { type: "promotion", update: t.state.totalUpdates, from: stage.name, to: next?.name ?? null, stage_updates: t.state.stageUpdates, reason: d.reason };
        records.push(ev);
        t.state.promotions.push({ from: stage.name, to: next?.name ?? null, update: t.state.totalUpdates, stageUpdates: t.state.stageUpdates, reason: d.reason });
        progress.bar(stage.name, t.state.stageUpdates, p.maxUpdates, fmtStats(m, lastVal));
        log(`[envtune] ${next ? `promoted ${stage.name} → ${next.name}` : `finished ${stage.name}`} after ${t.state.stageUpdates} updates: ${d.reason}`);
        t.state.stageIndex++;
        t.state.stageUpdates = 0;
        t.state.vals = [];
        t.state.gradNorms = [];
        if (t.state.stageIndex >= stages.length) t.state.trainingDone = true;
        else if (s.config.grpo.reference === "stage-start") t.resetReference();
      }
    }
    if (!records.some((r) => r.type === "promotion")) progress.bar(stage.name, t.state.stageUpdates, p.maxUpdates, fmtStats(m, lastVal));
    run.appendMetrics(records);
    t.state.metricsLines += records.length;
    updatesThisProcess++;
    if (t.state.trainingDone || t.state.totalUpdates % s.config.runtime.checkpointEvery === 0 || opts.signal?.aborted) await t.checkpoint();
    await new Promise<void>((r) => setImmediate(r));
    if (opts.signal?.aborted) {
      if (t.state.totalUpdates % s.config.runtime.checkpointEvery !== 0) await t.checkpoint();
      progress.end();
      return { runDir: run.dir, status: "interrupted", updates: t.state.totalUpdates };
    }
    if (opts.stopAfterUpdates !== undefined && updatesThisProcess >= opts.stopAfterUpdates && !t.state.trainingDone) {
      await t.checkpoint();
      progress.end();
      return { runDir: run.dir, status: "stopped", updates: t.state.totalUpdates };
    }
  }
  progress.end();

  await t.policy.save(run.path("last"), { seed: config.seed, totalUpdates: t.state.totalUpdates, preset: config.preset });
  if (t.best && t.state.best) {
    const bp = TfjsPolicy.fromTensors(t.policy.config, t.best);
    await bp.save(run.path("best"), { seed: config.seed, ...t.state.best, preset: config.preset });
    bp.dispose();
  }
  const evaluation = await finalEvaluation(t, log);
  run.writeJson("eval/results.json", evaluation);
  writeReport(run, { config, stages, evaluation, promotions: t.state.promotions, backend: s.backend.name, parameters: t.policy.parameterCount() });
  log(summaryText(evaluation, t.state));
  log(`[envtune] learning curves (last vs first quarter of each stage's updates; see report.html):\n${stageCurves(run.readMetrics(), stages).map((c) => `  ${formatStageCurve(c)}`).join("\n")}`);
  log(`[envtune] trained weights: ${run.path(config.evaluation.select === "best-val" && t.best ? "best" : "last")} (model.json + weights.bin)`);
  log(`[envtune] report: ${run.path("report.html")}`);
  return { runDir: run.dir, status: "completed", updates: t.state.totalUpdates, evaluation };
}

async function finalEvaluation(t: Trainer, log: (s: string) => void): Promise<FinalEvaluation> {
  const c = t.config;
  const s = t.s;
  const cfg = evalEpisodeConfig(c);
  const opts = { maxConcurrent: c.runtime.maxConcurrentEpisodes, seed: c.seed };
  const format = c.policy.actionFormat;
  log(`[envtune] final evaluation on ${s.splitName}/${c.evaluation.part} (${s.evalEntries.length} entries, standard environment, greedy)`);
  const policies: EvalSummary[] = [];
  const last = (await evaluate(policyActor(t.policy, { greedy: true, format, name: "trained" }), s.evalEntries, s.world, cfg, opts)).summary;
  let chosen: EvalSummary = last;
  if (t.best && t.state.best) {
    const bp = TfjsPolicy.fromTensors(t.policy.config, t.best);
    try {
      const best = (await evaluate(policyActor(bp, { greedy: true, format, name: "trained" }), s.evalEntries, s.world, cfg, opts)).summary;
      const tag = `best validation checkpoint, update ${t.state.best.update}`;
      if (c.evaluation.select === "best-val") {
        chosen = { ...best, policy: "trained", note: tag };
        policies.push(chosen, { ...last, policy: "trained-last", note: `last checkpoint, update ${t.state.totalUpdates}` });
      } else {
        chosen = { ...last, note: `last checkpoint, update ${t.state.totalUpdates}` };
        policies.push(chosen, { ...best, policy: "trained-best-val", note: tag });
      }
    } finally {
      bp.dispose();
    }
  } else policies.push(chosen);
  if (c.evaluation.baselines) {
    const untrained = TfjsPolicy.create(netConfig(c), c.seed);
    try {
      policies.push((await evaluate(policyActor(untrained, { greedy: true, format, name: "untrained" }), s.evalEntries, s.world, cfg, opts)).summary);
    } finally {
      untrained.dispose();
    }
    policies.push((await evaluate(randomValidActor(), s.evalEntries, s.world, cfg, opts)).summary);
    policies.push((await evaluate(alwaysAnswerActor(), s.evalEntries, s.world, cfg, opts)).summary);
  }
  return { split: s.splitName, part: c.evaluation.part, entries: s.evalEntries.length, environment: "standard, paper protocol, greedy", policies };
}

export function summaryText(ev: FinalEvaluation, state: Pick<TrainerState, "totalUpdates" | "trainMs" | "promotions">): string {
  const rows = ev.policies.map((p) => `  ${p.policy.padEnd(18)} turn success ${(p.turnSuccess * 100).toFixed(2).padStart(6)}%  entry acc ${(p.entryAccuracy * 100).toFixed(2).padStart(6)}%  progress ${p.progress.toFixed(4)}`);
  const trained = ev.policies.find((p) => p.policy === "trained");
  const best = ev.policies.filter((p) => !p.policy.startsWith("trained")).sort((a, b) => b.turnSuccess - a.turnSuccess)[0];
  const margin = trained && best ? `\n  trained − best baseline (${best.policy}): ${((trained.turnSuccess - best.turnSuccess) * 100).toFixed(2)} points on turns with non-empty ground truth` : "";
  return `[envtune] done: ${state.totalUpdates} updates in ${(state.trainMs / 1000).toFixed(0)} s of training; ${state.promotions.length} stage transitions\n[envtune] ${ev.split}/${ev.part}, ${ev.entries} entries (${ev.environment}):\n${rows.join("\n")}${margin}`;
}

export { summarizeResults };
