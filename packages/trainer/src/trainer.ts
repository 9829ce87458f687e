/**
 * The training loop: curriculum stages in order, one learner update per step on the stage's
 * tasks, validation and plateau promotion, a checkpoint after every update, resume, and the final
 * evaluation against the baselines. The learner (`learner.ts`) is whatever the config names in
 * the learner registry; nothing here knows how it acts or learns.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EnvtuneError, resolveDomainPacks } from "@envtune/core";
import { assertDataSourceValid, getSplit, loadDataSource, type BfclDataset, type BfclEntry, type DatasetSplit } from "@envtune/bfcl-data";
import { selectStageEntries, type EpisodeConfigInput } from "@envtune/engine";
import { Rng, writeFileAtomic } from "@envtune/policy-tfjs/util";
import { alwaysAnswerActor, policyActor, randomValidActor } from "./actors.ts";
import { effectiveStages, parseTrainConfig, stageGrpo, type StageSpec, type TrainConfig } from "./config.ts";
import { evaluate, summarizeResults, type EvalSummary, type FinalEvaluation } from "./evaluate.ts";
import { formatStageCurve, stageCurves } from "./curves.ts";
import type { FrozenPolicy, Learner, LearnerContext, UpdateMetrics } from "./learner.ts";
import { createLearner, resolveLearner } from "./learner-registry.ts";
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

/** Everything that must survive a restart (besides the learner's own state). */
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
  /** The best validation turn success so far and where it was reached (its policy is in the checkpoint's best/). */
  best: { value: number; update: number; stage: number } | null;
}

/** The validation numbers of a metrics record. */
interface ValidationFields {
  val_progress: number;
  val_turn_success: number;
  val_reward: number;
  val_accuracy: number;
}

/** One line of metrics.jsonl for an update: rollout statistics, the learner's metrics, timing. */
export type UpdateRecord = UpdateMetrics & {
  type: "update";
  update: number;
  stage: number;
  stage_name: string;
  stage_update: number;
  reward?: number;
  components?: Record<string, number>;
  train_turn_success?: number;
  train_turn_success_by_category?: Record<string, number>;
  train_accuracy?: number;
  episodes: number;
  decisions: number;
  rollout_ms: number;
  update_ms: number;
  episodes_per_s: number;
  updates_per_s: number;
  elapsed_s: number;
} & Partial<ValidationFields & { val_metric: number }>;

type ValidationRecord = {
  type: "validation";
  update: number;
  stage: number;
  stage_name: string;
  stage_update: 0;
  value: number;
} & ValidationFields;
type PromotionRecord = { type: "promotion"; update: number; from: string; to: string | null; stage_updates: number; reason: string };
type MetricsRecord = UpdateRecord | ValidationRecord | PromotionRecord;

interface Setup {
  config: TrainConfig;
  stages: StageSpec[];
  dataset: BfclDataset;
  world: EpisodeWorld;
  splitName: string;
  stageEntries: BfclEntry[][];
  valEntries: BfclEntry[];
  evalEntries: BfclEntry[];
  skipped: string[];
  /** Training entries moved to validation. */
  heldOut: number;
}

const STATE = "state.json";

function trainerError(code: string, what: string, hint: string): EnvtuneError {
  return new EnvtuneError(code, "trainer", what, hint);
}

/**
 * The split a run trains on (less the training scenarios moved to validation) and the entries each
 * of its stages draws, selected by the curriculum module exactly as the server selects them.
 */
export function selectTraining(
  config: TrainConfig,
  dataset: BfclDataset,
  usable: (e: BfclEntry) => boolean,
): { split: DatasetSplit; stages: StageSpec[]; stageEntries: BfclEntry[][]; heldOut: number } {
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
      : {
          ...named,
          train: named.train.filter((id) => !held.has(id)),
          val: dataset.entries.filter((e) => held.has(e.id) || namedVal.has(e.id)).map((e) => e.id),
        };
  const stages = effectiveStages(config);
  const stageEntries = stages.map((s) => selectStageEntries(s.data, split[s.data.part], dataset.byId, usable));
  return { split, stages, stageEntries, heldOut: held.size };
}

async function setup(config: TrainConfig, dataDir: string | undefined): Promise<Setup> {
  const source = await loadDataSource({ dataset: config.data.dataset, dataDir: dataDir ?? config.data.dir }, "trainer");
  const dataset = source.ds;
  const { packs, missing } = await resolveDomainPacks(config.data.domains);
  const skipped = missing.map((m) => `${m.specifier} (${m.reason})`);
  if (packs.size === 0)
    throw trainerError(
      "NO_DOMAINS",
      `None of the configured domain packs could be loaded: ${skipped.join("; ")}.`,
      "Install the packs or pass --domains with package names or paths.",
    );
  // A dataset of one's own is checked against the packs before any episode runs, as `eval` does.
  assertDataSourceValid(source, packs);
  const usable = (e: BfclEntry): boolean => e.involvedClasses.every((c) => packs.has(c));
  const { split, stages, stageEntries, heldOut } = selectTraining(config, dataset, usable);
  stageEntries.forEach((es, i) => {
    if (es.length === 0)
      throw trainerError(
        "EMPTY_STAGE",
        `Stage ${stages[i]!.name} selects no entries from split ${split.name}.`,
        "Check the stage's data selector and the loaded domains.",
      );
  });
  let valEntries = split.val.map((id) => dataset.byId.get(id)!).filter(usable);
  if (config.validation.limit !== null) valEntries = spread(valEntries, config.validation.limit);
  let evalEntries = split[config.evaluation.part].map((id) => dataset.byId.get(id)!).filter(usable);
  if (config.evaluation.limit !== null) evalEntries = spread(evalEntries, config.evaluation.limit);
  if (valEntries.length === 0)
    throw trainerError(
      "EMPTY_VALIDATION",
      `Split ${split.name} has no usable validation entries.`,
      "Use a split with a validation part (e.g. paper) or load more domains.",
    );
  return {
    config,
    stages,
    dataset,
    world: { packs, constants: dataset.longContext, funcDocs: dataset.funcDocs },
    splitName: split.name,
    stageEntries,
    valEntries,
    evalEntries,
    skipped,
    heldOut,
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
  return {
    protocol: "paper",
    augmented: false,
    systemPrompt: "paper-b",
    actionFormat: config.policy.actionFormat,
    reward: { kind: "progress" },
  };
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

function validationFields(v: EvalSummary): ValidationFields {
  return {
    val_progress: round(v.progress),
    val_turn_success: round(v.turnSuccess),
    val_reward: round(v.reward),
    val_accuracy: round(v.entryAccuracy),
  };
}

/** The rollout part of an update record (absent when the learner played no episodes). */
function rolloutStats(results: readonly EpisodeResult[]): Partial<UpdateRecord> {
  if (results.length === 0) return {};
  const comps = Object.keys(results[0]!.rewards.components);
  const byCategory = [...new Set(results.map((r) => r.spec.entry.category))].sort();
  return {
    reward: round(mean(results.map((r) => r.rewards.reward))),
    components: Object.fromEntries(
      comps.map((k) => [k, round(mean(results.map((r) => (r.rewards.components as Record<string, number>)[k]!)))]),
    ),
    train_turn_success: round(turnSuccess(results)),
    train_turn_success_by_category: Object.fromEntries(
      byCategory.map((cat) => [cat, round(turnSuccess(results.filter((r) => r.spec.entry.category === cat)))]),
    ),
    train_accuracy: round(mean(results.map((r) => (r.passed.every(Boolean) ? 1 : 0)))),
  };
}

/** Thrown out of a rollout when the run is interrupted; the update in progress is discarded. */
class AbortError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortError";
  }
}

function fmtStats(m: UpdateRecord, lastVal: number | undefined): string {
  const f = (x: number | undefined, d: number, scale = 1) => (x === undefined ? "–" : (x * scale).toFixed(d));
  const parts = [
    `R ${f(m.reward, 3)}`,
    `turn ${f(m.train_turn_success, 1, 100)}%`,
    `|g| ${m.grad_norm.toFixed(2)}`,
    `H ${f(m.entropy, 2)}`,
    `${m.updates_per_s.toFixed(2)} upd/s`,
  ];
  if (lastVal !== undefined) parts.splice(2, 0, `val ${lastVal.toFixed(3)}`);
  return parts.join(" | ");
}

class Trainer {
  readonly run: RunDir;
  readonly s: Setup;
  readonly progress: ProgressSink;
  learner!: Learner;
  /** The best validation checkpoint's policy (see `TrainerState.best`). */
  best: FrozenPolicy | undefined;
  state!: TrainerState;
  rng!: Rng;
  /** `state.metricsLines` at the last checkpoint (nothing new to save when unchanged). */
  private savedLines = -1;

  constructor(run: RunDir, s: Setup, progress: ProgressSink) {
    this.run = run;
    this.s = s;
    this.progress = progress;
  }

  get config(): TrainConfig {
    return this.s.config;
  }

  get stages(): StageSpec[] {
    return this.s.stages;
  }

  learnerContext(): LearnerContext {
    return { config: this.config, seed: this.config.seed, world: this.s.world, log: (l) => this.progress.line(l) };
  }

  async newRun(): Promise<void> {
    this.learner = await createLearner(this.learnerContext());
    const init = this.config.learner.init;
    if (init !== undefined) {
      if (!this.learner.initFrom)
        throw trainerError(
          "INIT_UNSUPPORTED",
          `Learner ${this.config.learner.name} cannot start from saved weights (learner.init = ${init}).`,
          "Remove learner.init, or use a learner that implements initFrom (grpo-tfjs, sft).",
        );
      await this.learner.initFrom(init);
    }
    this.rng = new Rng(this.config.seed * 7919 + 17);
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
    this.learner = await createLearner(this.learnerContext());
    await this.learner.loadState(dir);
    this.state = JSON.parse(readFileSync(join(dir, STATE), "utf8")) as TrainerState;
    this.state.best ??= null;
    this.rng = new Rng(this.state.rng);
    if (this.state.best && existsSync(join(dir, "best"))) this.best = await this.learner.loadPolicy(join(dir, "best"));
    this.savedLines = this.state.metricsLines;
  }

  async checkpoint(): Promise<void> {
    this.state.rng = this.rng.state();
    const state = this.state;
    await this.run.saveCheckpoint(async (dir) => {
      await this.learner.saveState(dir, { seed: this.config.seed, totalUpdates: state.totalUpdates });
      if (this.best) await this.best.save(ensureDir(join(dir, "best")), { ...state.best });
      writeFileAtomic(join(dir, STATE), JSON.stringify(state));
    });
    this.savedLines = state.metricsLines;
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
    const actor = policyActor(this.learner, { greedy: true, format: this.config.policy.actionFormat });
    const { summary } = await evaluate(actor, this.s.valEntries, this.s.world, stageEpisodeConfig(this.config, stage), {
      maxConcurrent: this.config.runtime.maxConcurrentEpisodes,
    });
    return summary;
  }

  /** Keeps the current policy as the best validation checkpoint when it matches or beats it. */
  noteValidation(turnSuccess: number): void {
    const st = this.state;
    if (st.best && turnSuccess < st.best.value) return;
    this.best?.dispose();
    this.best = this.learner.snapshot();
    st.best = { value: turnSuccess, update: st.totalUpdates, stage: st.stageIndex + 1 };
  }

  /** The greedy validation every stage starts with (the plateau rule's first point). */
  async stageStart(stage: StageSpec): Promise<ValidationRecord> {
    const st = this.state;
    const v = await this.validate(stage);
    const value = valMetric(stage, v);
    st.vals.push({ stageUpdate: 0, value });
    this.noteValidation(v.turnSuccess);
    this.progress.line(
      `[envtune] stage ${st.stageIndex + 1}/${this.stages.length} ${stage.name}: ${stage.description} (${this.s.stageEntries[st.stageIndex]!.length} tasks; start ${stage.promotion.metric} ${value.toFixed(4)})`,
    );
    return {
      type: "validation",
      update: st.totalUpdates,
      stage: st.stageIndex + 1,
      stage_name: stage.name,
      stage_update: 0,
      value: round(value),
      ...validationFields(v),
    };
  }

  /**
   * One learner update on the stage's next tasks. Returns undefined when the run was interrupted
   * during it: then the RNG and the data cursor are back where the last completed update left them.
   */
  async update(stage: StageSpec, signal?: AbortSignal): Promise<UpdateRecord | undefined> {
    const c = this.config;
    const st = this.state;
    const rngBefore = this.rng.state();
    const cursorBefore = { ...st.cursor, order: [...st.cursor.order] };
    const settings = stageGrpo(c, stage);
    const t0 = performance.now();
    let t1 = t0;
    const rng = this.rng;
    const tasks = this.nextTasks(settings.tasksPerUpdate);
    const episodeConfig = stageEpisodeConfig(c, stage);
    const actor = policyActor(this.learner, { greedy: false, format: c.policy.actionFormat });
    const rollouts = async (perTask: number) => {
      const specs: EpisodeSpec[] = tasks.flatMap((entry, i) =>
        Array.from({ length: perTask }, () => ({ entry, config: episodeConfig, group: i })),
      );
      const results = await runEpisodes(specs, this.s.world, actor, rng, {
        maxConcurrent: c.runtime.maxConcurrentEpisodes,
        yieldEvery: async () => {
          if (signal?.aborted) throw new AbortError();
        },
      });
      t1 = performance.now();
      return results;
    };
    let outcome;
    try {
      outcome = await this.learner.update({
        stage,
        stageIndex: st.stageIndex,
        settings,
        tasks,
        rng,
        world: this.s.world,
        episodeConfig,
        rollouts,
      });
    } catch (e) {
      if (!(e instanceof AbortError)) throw e;
      this.rng = new Rng(rngBefore);
      st.cursor = cursorBefore;
      return undefined;
    }
    const t2 = performance.now();
    const ms = t2 - t0;
    st.trainMs += ms;
    const results = outcome.episodes;
    return {
      type: "update",
      update: st.totalUpdates + 1,
      stage: st.stageIndex + 1,
      stage_name: stage.name,
      stage_update: st.stageUpdates + 1,
      ...rolloutStats(results),
      ...outcome.metrics,
      episodes: results.length,
      decisions: results.reduce((a, r) => a + r.decisions.length, 0),
      rollout_ms: Math.round(t1 - t0),
      update_ms: Math.round(t2 - t1),
      episodes_per_s: round(results.length / (ms / 1000), 2),
      updates_per_s: round(1000 / ms, 3),
      elapsed_s: round(st.trainMs / 1000, 1),
    };
  }

  /**
   * Validates when due (every `validation.every` updates and at the stage's budget) and applies
   * the plateau rule; on promotion moves to the next stage and returns the promotion record.
   */
  async validationStep(stage: StageSpec, m: UpdateRecord): Promise<PromotionRecord | undefined> {
    const st = this.state;
    const p = stage.promotion;
    let lastVal = st.vals[st.vals.length - 1]?.value;
    const due = st.stageUpdates % this.config.validation.every === 0 || st.stageUpdates >= p.maxUpdates;
    if (due) {
      const v = await this.validate(stage);
      const value = valMetric(stage, v);
      lastVal = value;
      st.vals.push({ stageUpdate: st.stageUpdates, value });
      this.noteValidation(v.turnSuccess);
      Object.assign(m, { ...validationFields(v), val_metric: round(value) });
    }
    this.progress.bar(stage.name, st.stageUpdates, p.maxUpdates, fmtStats(m, lastVal));
    if (!due) return undefined;
    const d = promotionDecision(p, st.stageUpdates, st.vals, st.gradNorms);
    return d.promote ? this.promote(stage, d.reason) : undefined;
  }

  /** Ends the current stage: the next one starts (its learner hook runs), or training is done. */
  promote(stage: StageSpec, reason: string): PromotionRecord {
    const st = this.state;
    const next = this.stages[st.stageIndex + 1];
    st.promotions.push({ from: stage.name, to: next?.name ?? null, update: st.totalUpdates, stageUpdates: st.stageUpdates, reason });
    this.progress.line(
      `[envtune] ${next ? `promoted ${stage.name} → ${next.name}` : `finished ${stage.name}`} after ${st.stageUpdates} updates: ${reason}`,
    );
    const record: PromotionRecord = {
      type: "promotion",
      update: st.totalUpdates,
      from: stage.name,
      to: next?.name ?? null,
      stage_updates: st.stageUpdates,
      reason,
    };
    st.stageIndex++;
    st.stageUpdates = 0;
    st.vals = [];
    st.gradNorms = [];
    if (next) this.learner.beginStage?.(next, st.stageIndex);
    else st.trainingDone = true;
    return record;
  }

  append(records: readonly MetricsRecord[]): void {
    this.run.appendMetrics(records);
    this.state.metricsLines += records.length;
  }

  /** The one way out before the end: keep what was recorded, checkpoint, and say how to go on. */
  async interrupt(records: readonly MetricsRecord[], status: "interrupted" | "stopped"): Promise<TrainResult> {
    this.append(records);
    if (this.state.metricsLines !== this.savedLines) await this.checkpoint();
    this.progress.end();
    return { runDir: this.run.dir, status, updates: this.state.totalUpdates };
  }

  /** Runs the curriculum to its end, or returns how it stopped early. */
  async loop(opts: TrainOptions): Promise<TrainResult | undefined> {
    let updatesThisProcess = 0;
    while (!this.state.trainingDone) {
      const st = this.state;
      const stage = this.stages[st.stageIndex]!;
      const records: MetricsRecord[] = [];
      if (st.stageUpdates === 0 && st.vals.length === 0) records.push(await this.stageStart(stage));
      if (opts.signal?.aborted) return this.interrupt(records, "interrupted");
      const m = await this.update(stage, opts.signal);
      if (!m) return this.interrupt(records, "interrupted");
      st.totalUpdates++;
      st.stageUpdates++;
      st.gradNorms.push(m.grad_norm);
      records.push(m);
      const promotion = await this.validationStep(stage, m);
      if (promotion) records.push(promotion);
      this.append(records);
      updatesThisProcess++;
      if (this.state.trainingDone || this.state.totalUpdates % this.config.runtime.checkpointEvery === 0) await this.checkpoint();
      await new Promise<void>((r) => setImmediate(r));
      if (opts.signal?.aborted) return this.interrupt([], "interrupted");
      if (opts.stopAfterUpdates !== undefined && updatesThisProcess >= opts.stopAfterUpdates && !this.state.trainingDone)
        return this.interrupt([], "stopped");
    }
    this.progress.end();
    return undefined;
  }
}

/** Makes sure `dir` exists (a learner's `save` writes into it). */
function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens the run directory: a new run (refusing to overwrite a run or files envtune did not write) or the run to resume and its checkpoint. */
function openRun(opts: TrainOptions): { run: RunDir; config: TrainConfig; resumeDir: string | undefined } {
  const run = new RunDir(opts.outDir);
  if (opts.resume) {
    if (!existsSync(run.path("config.json")))
      throw trainerError(
        "NOT_A_RUN",
        `${opts.outDir} has no config.json.`,
        "Pass the directory of a run started by `envtune train` to --resume.",
      );
    return { run, config: parseTrainConfig(run.readJson<unknown>("config.json")), resumeDir: run.checkpointDir() };
  }
  if (!opts.config)
    throw trainerError("NO_CONFIG", "No training configuration was given.", "Pass a config (e.g. presetConfig('default')).");
  if (existsSync(run.dir) && readdirSync(run.dir).some((f) => f === "config.json" || f.startsWith("checkpoint"))) {
    throw trainerError(
      "RUN_EXISTS",
      `${opts.outDir} already holds a run.`,
      "Use --resume to continue it, or choose another --out directory.",
    );
  }
  const foreign = run.foreignEntries();
  if (foreign.length && !opts.force) {
    throw trainerError(
      "RUN_DIR_NOT_EMPTY",
      `${opts.outDir} holds files envtune did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}).`,
      "Choose an empty or new --out directory, or pass --force to write the run beside them (envtune's own file names are overwritten).",
    );
  }
  return { run, config: opts.config, resumeDir: undefined };
}

/**
 * Runs (or resumes) a training run to the end: curriculum, checkpoints, final evaluation and report.
 * The run directory is checked before anything is written and locked while this process trains.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { run, config, resumeDir } = openRun(opts);
  // An unknown learner or bad options fail before any data is loaded or the run directory exists.
  await resolveLearner(config.learner);
  run.ensure();
  run.lock();
  try {
    return await trainLocked(run, config, resumeDir, opts);
  } catch (e) {
    throw runDirFault(e, run.dir) ?? e;
  } finally {
    run.unlock();
  }
}

async function trainLocked(run: RunDir, config: TrainConfig, resumeDir: string | undefined, opts: TrainOptions): Promise<TrainResult> {
  const progress = opts.progress ?? silentProgress;
  const log = (s: string) => progress.line(s);
  const s = await setup(config, opts.dataDir);
  const t = new Trainer(run, s, progress);
  if (resumeDir) {
    await t.loadCheckpoint(resumeDir);
    run.truncateMetrics(t.state.metricsLines);
    log(
      `[envtune] resumed ${opts.outDir} at update ${t.state.totalUpdates} (stage ${t.state.stageIndex + 1}/${s.stages.length}, ${t.state.stageUpdates} updates into it)`,
    );
  } else {
    if (opts.resume) log(`[envtune] ${opts.outDir} has no checkpoint yet; starting it from the beginning`);
    await t.newRun();
    run.writeJson("config.json", config);
    run.truncateMetrics(0);
    await t.checkpoint();
  }
  if (s.skipped.length) log(`[envtune] domain packs not loaded (their entries are skipped): ${s.skipped.join("; ")}`);
  const info = t.learner.describe();
  log(
    `[envtune] run ${opts.outDir}: ${s.stages.length} stage(s), split ${s.splitName}, ${s.valEntries.length} validation${s.heldOut ? ` (${s.heldOut} of them held out of training)` : ""} / ${s.evalEntries.length} evaluation entries, learner ${config.learner.name}: ${info.summary}, ${info.parameters} parameters`,
  );
  const stopped = await t.loop(opts);
  if (stopped) return stopped;
  return finish(t, log);
}

/** The end of a run: the last and best policies, the final evaluation, the report. */
async function finish(t: Trainer, log: (s: string) => void): Promise<TrainResult> {
  const { run, config } = t;
  const st = t.state;
  await t.learner.save(ensureDir(run.path("last")), { seed: config.seed, totalUpdates: st.totalUpdates, preset: config.preset });
  if (t.best && st.best) await t.best.save(ensureDir(run.path("best")), { seed: config.seed, ...st.best, preset: config.preset });
  const evaluation = await finalEvaluation(t, log);
  run.writeJson("eval/results.json", evaluation);
  const info = t.learner.describe();
  writeReport(run, {
    config,
    stages: t.stages,
    evaluation,
    promotions: st.promotions,
    learner: `${config.learner.name}: ${info.summary}`,
    parameters: info.parameters,
  });
  log(summaryText(evaluation, st));
  log(
    `[envtune] learning curves (last vs first quarter of each stage's updates; see report.html):\n${stageCurves(run.readMetrics(), t.stages)
      .map((c) => `  ${formatStageCurve(c)}`)
      .join("\n")}`,
  );
  log(`[envtune] trained weights: ${run.path(config.evaluation.select === "best-val" && t.best ? "best" : "last")}`);
  log(`[envtune] report: ${run.path("report.html")}`);
  return { runDir: run.dir, status: "completed", updates: st.totalUpdates, evaluation };
}

async function finalEvaluation(t: Trainer, log: (s: string) => void): Promise<FinalEvaluation> {
  const c = t.config;
  const s = t.s;
  const cfg = evalEpisodeConfig(c);
  const opts = { maxConcurrent: c.runtime.maxConcurrentEpisodes, seed: c.seed };
  const format = c.policy.actionFormat;
  const play = async (policy: FrozenPolicy | Learner, name: string) =>
    (await evaluate(policyActor(policy, { greedy: true, format, name }), s.evalEntries, s.world, cfg, opts)).summary;
  log(`[envtune] final evaluation on ${s.splitName}/${c.evaluation.part} (${s.evalEntries.length} entries, standard environment, greedy)`);
  const policies: EvalSummary[] = [];
  const last = await play(t.learner, "trained");
  if (t.best && t.state.best) {
    const best = await play(t.best, "trained");
    const tag = `best validation checkpoint, update ${t.state.best.update}`;
    const lastNote = `last checkpoint, update ${t.state.totalUpdates}`;
    if (c.evaluation.select === "best-val")
      policies.push({ ...best, policy: "trained", note: tag }, { ...last, policy: "trained-last", note: lastNote });
    else policies.push({ ...last, note: lastNote }, { ...best, policy: "trained-best-val", note: tag });
  } else policies.push(last);
  if (c.evaluation.baselines) for (const b of BASELINE_NAMES) policies.push(await baselineSummary(c, s, b));
  return {
    split: s.splitName,
    part: c.evaluation.part,
    entries: s.evalEntries.length,
    environment: EVAL_ENVIRONMENT,
    policies,
  };
}

const EVAL_ENVIRONMENT = "standard, paper protocol, greedy";

/** The trainer's baselines by name (`evaluation.baselines` evaluates all three after training). */
export const BASELINE_NAMES = ["untrained", "random-valid-call", "always-answer"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/**
 * One baseline evaluated without training, on exactly the entries and in the environment of a
 * run's final evaluation with `config` (an experiment evaluates each baseline once per fold and
 * seed instead of inside every trained run).
 */
export async function evaluateBaseline(config: TrainConfig, baseline: BaselineName, dataDir?: string): Promise<FinalEvaluation> {
  const s = await setup(config, dataDir);
  const summary = await baselineSummary(config, s, baseline);
  return {
    split: s.splitName,
    part: config.evaluation.part,
    entries: s.evalEntries.length,
    environment: EVAL_ENVIRONMENT,
    policies: [summary],
  };
}

async function baselineSummary(config: TrainConfig, s: Setup, baseline: BaselineName): Promise<EvalSummary> {
  const cfg = evalEpisodeConfig(config);
  const opts = { maxConcurrent: config.runtime.maxConcurrentEpisodes, seed: config.seed };
  if (baseline !== "untrained")
    return (await evaluate(baseline === "always-answer" ? alwaysAnswerActor() : randomValidActor(), s.evalEntries, s.world, cfg, opts))
      .summary;
  // The same learner, freshly created with the run's seed: the untrained policy.
  const learner = await createLearner({ config, seed: config.seed, world: s.world, log: () => {} });
  try {
    const actor = policyActor(learner, { greedy: true, format: config.policy.actionFormat, name: "untrained" });
    return (await evaluate(actor, s.evalEntries, s.world, cfg, opts)).summary;
  } finally {
    learner.dispose();
  }
}

export function summaryText(ev: FinalEvaluation, state: Pick<TrainerState, "totalUpdates" | "trainMs" | "promotions">): string {
  const rows = ev.policies.map(
    (p) =>
      `  ${p.policy.padEnd(18)} turn success ${(p.turnSuccess * 100).toFixed(2).padStart(6)}%  entry acc ${(p.entryAccuracy * 100).toFixed(2).padStart(6)}%  progress ${p.progress.toFixed(4)}`,
  );
  const trained = ev.policies.find((p) => p.policy === "trained");
  const best = ev.policies.filter((p) => !p.policy.startsWith("trained")).sort((a, b) => b.turnSuccess - a.turnSuccess)[0];
  const margin =
    trained && best
      ? `\n  trained − best baseline (${best.policy}): ${((trained.turnSuccess - best.turnSuccess) * 100).toFixed(2)} points on turns with non-empty ground truth`
      : "";
  return `[envtune] done: ${state.totalUpdates} updates in ${(state.trainMs / 1000).toFixed(0)} s of training; ${state.promotions.length} stage transitions\n[envtune] ${ev.split}/${ev.part}, ${ev.entries} entries (${ev.environment}):\n${rows.join("\n")}${margin}`;
}

export { summarizeResults };
export type { FinalEvaluation };
