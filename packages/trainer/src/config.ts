/**
 * The trainer's configuration: GRPO knobs, the four-stage curriculum as data, validation and
 * promotion, evaluation and ablations, all validated with zod. The paper's values are documented
 * beside ours (paper App. D.2; authors' EnvTuning/env_tuning/config @ 4aeef7b); ours are sized for a 2-core CPU and a ~300k-parameter policy instead
 * of a 7B LLM on 8 GPUs.
 */
import { z } from "zod";
import { EnvtuneError, parseOrThrow } from "@envtune/core";
import { BFCL_CATEGORIES, splitSpecSchema } from "@envtune/bfcl-data";
import { PAPER_CURRICULUM, PROTOCOL_PRESETS, curriculumStageSchema, rewardSpecSchema } from "@envtune/engine";

/** The paper protocol's action budget (the engine's default), which every stage keeps unless it sets its own. */
const PAPER_ACTIONS = PROTOCOL_PRESETS.paper.maxActionsPerTurn;

/** Which tasks a stage draws: defined once, in the curriculum module of `@envtune/engine`. */
export { stageDataSchema } from "@envtune/engine";

export const promotionSchema = z
  .object({
    /**
     * Validation metric watched for a plateau: `val_turn_success` (turns with non-empty ground
     * truth; default for Stages 2–4: the progress reward also counts answers on empty-ground-truth
     * turns, which an always-answer policy collects), `val_progress`, or `val_reward` (the stage's
     * own reward, e.g. R_Stage1).
     */
    metric: z.enum(["val_progress", "val_turn_success", "val_reward"]).default("val_progress"),
    /** Validations in the plateau window. */
    window: z.number().int().min(1).default(4),
    /** Improvement over the best value before the window that counts as progress. */
    minDelta: z.number().min(0).default(0.01),
    /** Updates before promotion is considered. */
    minUpdates: z.number().int().min(0).default(20),
    /** Promotion is forced after this many updates. */
    maxUpdates: z.number().int().min(1).default(100),
    /**
     * Gradient norm "stable" (the paper's second condition): over the window, max/median of the
     * gradient norm is at most this ratio.
     */
    gradNormMaxRatio: z.number().min(1).default(4),
  })
  .strict();

/**
 * A training stage: the curriculum's stage (name, description, which tasks; `@envtune/engine`'s
 * {@link curriculumStageSchema}) extended with what training needs.
 */
export const stageSchema = curriculumStageSchema.extend({
  reward: rewardSpecSchema,
  /** Augmented (actionable hints) or standard environment. */
  augmented: z.boolean(),
  /** System prompt variant (paper App. F: A in Stages 1–2, B in 3–4). */
  prompt: z.enum(["paper-a", "paper-b"]).default("paper-b"),
  limits: z
    .object({
      /** Counted actions per turn (paper: 5 steps, `max_step_limit`). */
      maxActionsPerTurn: z.number().int().min(1).max(50).default(PAPER_ACTIONS),
      /** Assistant messages per episode before truncation (none by default). */
      maxEpisodeSteps: z.number().int().min(1).optional(),
    })
    .strict()
    .default({ maxActionsPerTurn: PAPER_ACTIONS }),
  promotion: promotionSchema.default({
    metric: "val_progress",
    window: 4,
    minDelta: 0.01,
    minUpdates: 20,
    maxUpdates: 100,
    gradNormMaxRatio: 4,
  }),
  /**
   * Which of the policy's decisions the stage's loss trains: `tool` (answer or which tool),
   * `fill` (give an argument), `value` (which value), `form` (how it is written). Default: all.
   */
  trainHeads: z
    .array(z.enum(["tool", "fill", "value", "form"]))
    .min(1)
    .default(["tool", "fill", "value", "form"]),
  /** GRPO settings of this stage that differ from the run's (e.g. a stronger KL in Stage 1). */
  grpo: z.lazy(() => grpoOverrideSchema()).optional(),
});

export type StageSpec = z.output<typeof stageSchema>;
export type StageSpecInput = z.input<typeof stageSchema>;

export const grpoSchema = z
  .object({
    /** Rollouts per task, G. Paper: 16. */
    groupSize: z.number().int().min(2).default(8),
    /** Tasks (prompts) per update. Paper: 16 (Stage 1), 32 (Stages 2–3). */
    tasksPerUpdate: z.number().int().min(1).default(16),
    /** AdamW learning rate. Paper: 1e-6 (a 7B LLM); ours: a small network trained from scratch. */
    lr: z.number().positive().default(0.03),
    /** AdamW decoupled weight decay. Paper/verl: 0.01. */
    weightDecay: z.number().min(0).default(0.01),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.999),
    adamEps: z.number().positive().default(1e-8),
    /** Clip range below 1. Paper: 0.2. */
    epsLow: z.number().min(0).max(1).default(0.2),
    /** Clip range above 1 (decoupled, DAPO "clip-higher"). Paper: 0.28. */
    epsHigh: z.number().min(0).default(0.28),
    /** Dual-clip bound for negative advantages. Paper (verl): 10. */
    clipRatioC: z.number().min(0).default(10),
    /**
     * KL-to-reference coefficient β (k3 "low_var_kl"). Paper: 0.1. Ours is smaller: the progress
     * reward is much sparser for a policy without priors, and a strong pull to the reference
     * (random at first) stalls learning; Stage 1 uses 0.01.
     */
    klCoef: z.number().min(0).default(0.001),
    /**
     * Per-head β overriding `klCoef` for that head's tokens (`tool`: answer or which tool; `fill`,
     * `value`, `form`). Ours: Stages 3–4 hold the answer-or-tool decision near the stage start
     * (0.1) while the argument heads keep learning (0.001); see the trainer README. Paper: one β.
     */
    klCoefByHead: z
      .object({ tool: z.number().min(0), fill: z.number().min(0), value: z.number().min(0), form: z.number().min(0) })
      .partial()
      .strict()
      .optional(),
    /**
     * β of a KL term on the probability of answering instead of calling (per decision, to the
     * reference). 0 = off (paper: no such term). Ours: Stages 3–4, where answering the
     * empty-ground-truth turns of the miss_* data pays and the policy cannot tell those turns
     * apart, so that without it the policy collapses to always answering (trainer README).
     */
    answerKlCoef: z.number().min(0).default(0),
    /** Entropy bonus. Paper (code): 0.001. */
    entropyCoef: z.number().min(0).default(0.001),
    /** Global gradient-norm clip. Paper: 1.0. */
    gradClip: z.number().min(0).default(1.0),
    /** ε of the advantage normalization. verl: 1e-6. */
    advantageEps: z.number().positive().default(1e-6),
    /** Divide advantages by the group std (GRPO; verl default true). */
    normalizeStd: z.boolean().default(true),
    /**
     * `episode`: one advantage per rollout from the episode reward (paper). `turn`: reward-to-go
     * per turn, normalized per group and turn (ours; same objective, lower variance).
     */
    advantage: z.enum(["episode", "turn"]).default("turn"),
    /**
     * How the per-token losses are averaged. `token-mean` (verl's default): every token the same,
     * so turns that use all their actions (mostly failing ones) carry more weight than short
     * passing turns, which pushes probability away from sampled actions and raises the entropy
     * once turns allow 5 actions (measured, trainer README). `turn-mean`: tokens are averaged
     * within each (episode, turn) first, then over turns (verl's `seq-mean-token-mean` with a
     * turn as the sequence).
     */
    lossAggregation: z.enum(["token-mean", "turn-mean"]).default("token-mean"),
    /** Passes over each batch. Paper (verl default): 1. Ours reuses each (expensive) batch twice; the clipped ratio keeps that on-policy enough. */
    ppoEpochs: z.number().int().min(1).default(2),
    /** Optimizer steps per pass. Paper: 1 (mini-batch = batch). Rollouts sample at temperature 1.0 as in the paper (verl default). */
    miniBatches: z.number().int().min(1).default(4),
    /** Where the reference policy comes from: the weights each stage starts from (paper: the stage's initial checkpoint). */
    reference: z.enum(["stage-start", "initial"]).default("stage-start"),
  })
  .strict();

export const policySchema = z
  .object({
    hashBuckets: z
      .number()
      .int()
      .min(64)
      .max(1 << 20)
      .default(8192),
    embedDim: z.number().int().min(2).max(512).default(32),
    hiddenDim: z.number().int().min(2).max(1024).default(48),
    featureInitScale: z.number().min(0).max(10).default(0.01),
    /** How the policy writes actions; the episodes parse this format. */
    actionFormat: z.enum(["envelope", "python"]).default("envelope"),
  })
  .strict();

export const learnerSchema = z
  .object({
    name: z.string().min(1).default("grpo-tfjs"),
    options: z.record(z.string(), z.unknown()).default({}),
    /**
     * A JavaScript module (absolute path or package name) that provides the learner when `name`
     * is not registered yet: its default export (or `learner` export) is the factory. Recorded in
     * the run's config.json so that `--resume` and `ood-eval` find the learner again.
     */
    module: z.string().min(1).optional(),
    /**
     * Start from the policy saved in this directory (e.g. another run's `last/`, such as a
     * behaviour-cloned policy before the curriculum) instead of a fresh initialization.
     */
    init: z.string().min(1).optional(),
  })
  .strict();

export const ablationSchema = z
  .object({
    /** Single-stage GRPO: 0.9·R_P + 0.1·R_format on all training data, no curriculum, no augmentation (paper Table 3). */
    singleStage: z.boolean().default(false),
    /** Every stage uses the standard environment (paper Fig. 4a). */
    noAugmentation: z.boolean().default(false),
    /** Binary (all turns correct) instead of progress reward (paper Fig. 4b). */
    binaryReward: z.boolean().default(false),
  })
  .strict();

export const trainConfigSchema = z
  .object({
    /** Config preset this was derived from (informational). */
    preset: z.string().default("custom"),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    data: z
      .object({
        /** BFCL data directory (else --data, $ENVTUNE_BFCL_DATA or the download cache). */
        dir: z.string().optional(),
        /**
         * A dataset of your own in the BFCL format (a question file or a directory with
         * `possible_answer/`) instead of BFCL; validated against the loaded packs before training.
         */
        dataset: z.string().min(1).optional(),
        /**
         * A named split (`paper`, `paper-full-test`, `ood:-TravelAPI`, …) or a split spec
         * (`{ "kind": "shared-id", "train": 3, "val": 1, "test": 2 }`, `{ "kind": "ood", … }`), e.g.
         * for a small dataset of your own.
         */
        split: z.union([z.string().min(1), splitSpecSchema]).default("paper"),
        /**
         * Domain packs, loaded dynamically: package names, paths, `installed` (every pack found in
         * node_modules by its metadata) and `bfcl` (the eight BFCL packs).
         */
        domains: z.array(z.string().min(1)).min(1).default(["installed", "bfcl"]),
      })
      .strict()
      .refine((d) => !(d.dir !== undefined && d.dataset !== undefined), {
        message: "data.dir (BFCL) and data.dataset (your own data) exclude each other; set one",
      })
      .default({ split: "paper", domains: ["installed", "bfcl"] }),
    /**
     * Which learner trains (a name registered with `registerLearner`, default the built-in
     * `grpo-tfjs`) and its options, validated by that learner's own schema. `grpo-tfjs` reads the
     * `policy` and `grpo` blocks below and takes no options.
     */
    learner: learnerSchema.default({ name: "grpo-tfjs", options: {} }),
    policy: policySchema.default(policySchema.parse({})),
    grpo: grpoSchema.default(grpoSchema.parse({})),
    stages: z.array(stageSchema).min(1),
    validation: z
      .object({
        /** Validate every N updates (paper: every step). */
        every: z.number().int().min(1).default(4),
        /** Validate on the first N validation entries (null = all). */
        limit: z.number().int().positive().nullable().default(null),
        /**
         * Move at least this many training entries, whole scenarios at a time, from training to
         * validation (a fixed pick, the same for every seed; at most a quarter of the training
         * entries). The paper split's validation part has 25 scenarios (100 entries), too few for
         * plateau decisions and learning curves.
         */
        fromTrain: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ every: 4, limit: null, fromTrain: 0 }),
    evaluation: z
      .object({
        /** Split part of the final evaluation (the paper's held-out test set). */
        part: z.enum(["test", "val", "train"]).default("test"),
        /** Evaluate the three baselines too. */
        baselines: z.boolean().default(true),
        /** Evaluate on the first N entries (null = all). */
        limit: z.number().int().positive().nullable().default(null),
        /**
         * Which weights are "the trained policy": the last (end of the curriculum, default) or the
         * checkpoint with the best validation turn success (the paper picks checkpoints on
         * validation; our validation set, 25 scenarios, is noisy). Both are evaluated and reported.
         */
        select: z.enum(["best-val", "last"]).default("last"),
      })
      .strict()
      .default({ part: "test", baselines: true, limit: null, select: "last" }),
    ablation: ablationSchema.default({ singleStage: false, noAugmentation: false, binaryReward: false }),
    runtime: z
      .object({
        /** Episodes advanced together in rollouts. */
        maxConcurrentEpisodes: z.number().int().min(1).default(256),
        /** Checkpoint every N updates (1 = lose at most the current update). */
        checkpointEvery: z.number().int().min(1).default(1),
        backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]).default("auto"),
      })
      .strict()
      .default({ maxConcurrentEpisodes: 256, checkpointEvery: 1, backend: "auto" }),
  })
  .strict();

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type GrpoConfig = z.output<typeof grpoSchema>;

/**
 * A stage's GRPO overrides: the fields of {@link grpoSchema} without their defaults (a
 * `.partial()` would fill every field it was not given with its default, and so override the
 * run's values, e.g. the quick preset's group size, with the defaults).
 */
function grpoOverrideSchema(): z.ZodType<Partial<GrpoConfig>, Partial<z.input<typeof grpoSchema>>> {
  const shape = Object.fromEntries(Object.entries(grpoSchema.shape).map(([k, v]) => [k, v.unwrap().optional()]));
  return z.object(shape).strict() as unknown as z.ZodType<Partial<GrpoConfig>, Partial<z.input<typeof grpoSchema>>>;
}

/** The GRPO settings in force during a stage (the run's, overridden by the stage's). */
export function stageGrpo(c: TrainConfig, stage: StageSpec): GrpoConfig {
  const o = Object.fromEntries(Object.entries(stage.grpo ?? {}).filter(([, v]) => v !== undefined));
  return { ...c.grpo, ...o };
}
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Update budget of one stage: [minimum, maximum] updates. */
export type StageBudget = [number, number];

/**
 * The paper's four stages (§3.2, Fig. 3; authors' EnvTuning/scripts @ 4aeef7b) as data, with our budgets and limits. Differences from
 * the paper, each because the policy starts from random weights instead of a pretrained LLM:
 * - Stage 1 trains only the argument heads (fill, value, form): the syntax reward says nothing
 *   about *which* tool to call, and letting it shape that choice makes a from-scratch policy call
 *   argument-free tools only (they never fail) — measured, see the trainer README.
 * - Stages 1–2 allow 2 actions per turn instead of 5, which makes credit assignment sharper and
 *   episodes shorter; Stages 3–4 use the paper's 5.
 */
export interface PaperStageOptions {
  /** Stage 1's "easy, small" set: the N easiest Base training entries (paper: 75). */
  s1Entries?: number;
  /** GRPO overrides of Stage 2. */
  stage2?: Partial<GrpoConfig>;
  /** GRPO overrides of Stages 3–4. */
  later?: Partial<GrpoConfig>;
}

/**
 * Stages 3–4 by default: they add the miss_func/miss_param data, where answering an
 * empty-ground-truth turn earns progress and the policy cannot tell those turns apart (its answer
 * features separate them with AUC 0.65–0.76, measured). With β = 0.001 the policy collapses to
 * always answering within ~40 updates (the paper's KL ablation, App. E.3, in miniature). The
 * paper's β = 0.1 and a smaller step keep it in place. Anchoring only the answering rate
 * (`answerKlCoef`, with 2 actions per turn) was measured over 5 seeds as an alternative: its
 * Stage 3–4 curves were as flat and its test margin 1.1 points lower (trainer README).
 */
export const LATER_STAGES_GRPO: Partial<GrpoConfig> = { klCoef: 0.1, lr: 0.01, entropyCoef: 0.005 };

export function paperStages(
  budget: { s1: StageBudget; s2: StageBudget; s3: StageBudget; s4: StageBudget },
  window = 4,
  actions: [number, number, number, number] = [2, 2, 5, 5],
  opts: PaperStageOptions = {},
): StageSpecInput[] {
  const laterStages = opts.later ?? LATER_STAGES_GRPO;
  const promo = (b: StageBudget, metric: "val_turn_success" | "val_reward") => ({
    metric,
    window,
    minDelta: 0.005,
    minUpdates: b[0],
    maxUpdates: b[1],
    gradNormMaxRatio: 4,
  });
  // Per stage: what training adds to the shared paper stage (budget, heads, GRPO overrides).
  const training: Array<Partial<StageSpecInput> & Pick<StageSpecInput, "promotion">> = [
    { trainHeads: ["fill", "value", "form"], grpo: { entropyCoef: 0.01, klCoef: 0.01 }, promotion: promo(budget.s1, "val_reward") },
    { ...(opts.stage2 ? { grpo: opts.stage2 } : {}), promotion: promo(budget.s2, "val_turn_success") },
    { grpo: laterStages, promotion: promo(budget.s3, "val_turn_success") },
    { grpo: laterStages, promotion: promo(budget.s4, "val_turn_success") },
  ];
  return PAPER_CURRICULUM.map(({ aliases: _aliases, data, ...stage }, i) => ({
    ...stage,
    data: i === 0 && opts.s1Entries !== undefined ? { ...data, limit: opts.s1Entries } : { ...data },
    limits: { maxActionsPerTurn: actions[i]! },
    ...training[i],
  }));
}

/**
 * The default preset keeps 400 training / 100 validation entries and Stages 3–4 short: measured
 * alternatives (trainer README, "What was tried") — a 200-entry validation set held out of
 * training with longer Stages 3–4, a slower Stage 2, other Stage 3–4 β / lr / entropy / loss
 * aggregation — raised the Stage 3–4 reward only by trading turns with calls for answers.
 */
/**
 * Built-in presets: `default` (the main job, ≤ 15 min on 2 cores), `quick` (CI, ≤ 2 min),
 * `experiment` (one run of `envtune experiment`'s grid: the quick preset's batches with a larger
 * budget, evaluated on the whole test part without baselines, which the grid runs once per fold
 * and seed) and `smoke` (a few updates: tests of the machinery, not of learning).
 */
export const PRESETS: Readonly<Record<string, () => TrainConfigInput>> = {
  default: () => ({
    preset: "default",
    validation: { every: 10, limit: null, fromTrain: 0 },
    stages: paperStages({ s1: [20, 25], s2: [100, 200], s3: [80, 150], s4: [50, 80] }),
  }),
  quick: () => ({
    preset: "quick",
    grpo: { groupSize: 6, tasksPerUpdate: 8 },
    validation: { every: 5, limit: 40 },
    evaluation: { part: "test", baselines: true, limit: 100, select: "last" },
    stages: paperStages({ s1: [5, 8], s2: [15, 25], s3: [10, 15], s4: [5, 8] }, 2),
  }),
  experiment: () => ({
    preset: "experiment",
    grpo: { groupSize: 6, tasksPerUpdate: 8 },
    validation: { every: 5, limit: 40 },
    evaluation: { part: "test", baselines: false, limit: null, select: "last" },
    stages: paperStages({ s1: [5, 10], s2: [30, 60], s3: [20, 40], s4: [10, 20] }, 2),
  }),
  smoke: () => ({
    preset: "smoke",
    grpo: { groupSize: 3, tasksPerUpdate: 3 },
    validation: { every: 2, limit: 8 },
    evaluation: { part: "test", baselines: false, limit: 24, select: "last" },
    stages: paperStages({ s1: [1, 1], s2: [1, 2], s3: [1, 1], s4: [1, 1] }, 1),
  }),
};

/** Validates a config, naming every problem. */
export function parseTrainConfig(input: unknown): TrainConfig {
  return parseOrThrow(trainConfigSchema, input, {
    code: "INVALID_TRAIN_CONFIG",
    scope: "trainer",
    what: "The training configuration is invalid.",
    hint: "Fix the listed fields (see `trainConfigSchema` in @envtune/trainer).",
    root: "(config)",
  });
}

/** A preset, validated. */
export function presetConfig(name: string): TrainConfig {
  const make = PRESETS[name];
  if (!make)
    throw new EnvtuneError(
      "UNKNOWN_PRESET",
      "trainer",
      `Unknown config preset \`${name}\`.`,
      `Use one of: ${Object.keys(PRESETS).join(", ")}.`,
    );
  return parseTrainConfig(make());
}

/**
 * The stages actually run, after ablations: single-stage GRPO replaces the curriculum with one
 * stage (0.9·R_P + 0.1·R_format, all training data, standard environment, the budget of all stages);
 * no-augmentation switches every stage to the standard environment; binary swaps progress for binary.
 */
export function effectiveStages(c: TrainConfig): StageSpec[] {
  let stages = c.stages.map((s) => ({ ...s, data: { ...s.data }, limits: { ...s.limits }, promotion: { ...s.promotion } }));
  if (c.ablation.singleStage) {
    const last = stages[stages.length - 1]!;
    const total = stages.reduce((a, s) => a + s.promotion.maxUpdates, 0);
    stages = [
      {
        name: "single-stage-grpo",
        description: "Ablation: single-stage GRPO, 0.9·R_P + 0.1·R_format on all training data, standard environment (paper Table 3).",
        data: { part: "train", categories: [...BFCL_CATEGORIES], order: "dataset" },
        reward: rewardSpecSchema.parse({ kind: "mixed", progressWeight: 0.9, formatWeight: 0.1 }),
        augmented: false,
        prompt: "paper-b",
        limits: { ...last.limits },
        trainHeads: ["tool", "fill", "value", "form"],
        promotion: { ...last.promotion, minUpdates: total, maxUpdates: total },
      },
    ];
  }
  if (c.ablation.noAugmentation) stages = stages.map((s) => ({ ...s, augmented: false }));
  if (c.ablation.binaryReward)
    stages = stages.map((s) =>
      s.reward.kind === "progress" ? { ...s, reward: rewardSpecSchema.parse({ ...s.reward, kind: "binary" }) } : s,
    );
  return stages;
}
