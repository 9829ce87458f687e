/**
 * @envtune/trainer — Environment Tuning's trainer: the four-stage curriculum declared as data,
 * a trainer that drives any registered learner (the built-in `grpo-tfjs`: GRPO with
 * group-normalized advantages, decoupled clipping, KL to a reference, entropy bonus and gradient
 * clipping on the embedded TensorFlow.js policy), plateau promotion, run directories with atomic
 * checkpoints and resume, baselines, ablations and an offline HTML report.
 */
export {
  PRESETS,
  ablationSchema,
  effectiveStages,
  grpoSchema,
  learnerSchema,
  paperStages,
  parseTrainConfig,
  policySchema,
  presetConfig,
  promotionSchema,
  stageDataSchema,
  stageGrpo,
  stageSchema,
  trainConfigSchema,
} from "./config.ts";
export type { GrpoConfig, StageBudget, StageSpec, StageSpecInput, TrainConfig, TrainConfigInput } from "./config.ts";
export { AdamW, clipByGlobalNorm, groupAdvantages, grpoLoss, turnAdvantages, unitMeanWeights } from "./grpo.ts";
export type { AdamWConfig, AdvantageOptions, LossConfig, LossTensors } from "./grpo.ts";
export { promotionDecision } from "./plateau.ts";
export type { PromotionDecision, ValPoint } from "./plateau.ts";
export { DialogueTracker, parsePaperResults } from "./observe.ts";
export { runEpisodes } from "./rollout.ts";
export type { Actor, EpisodeResult, EpisodeSpec, EpisodeWorld, RolloutOptions } from "./rollout.ts";
export { alwaysAnswerActor, enginePolicy, policyActor, randomValidActor } from "./actors.ts";
export { BASELINE_POLICIES, alwaysAnswerPolicy, randomValidCallPolicy, untrainedPolicy } from "./baseline-policies.ts";
export { evaluate, summarizeResults } from "./evaluate.ts";
export type { EvalGroup, EvalSummary } from "./evaluate.ts";
export { RunDir, assertCreatableDir, runDirFault } from "./run-dir.ts";
export { renderReport, writeReport } from "./report.ts";
export { barChart, esc, lineChart } from "./svg.ts";
export type { BarChartSpec, LineChartSpec, Series } from "./svg.ts";
export { mean, sampleVariance } from "./stats.ts";
export type { ReportInput } from "./report.ts";
export { silentProgress, stderrProgress } from "./progress.ts";
export type { ProgressSink } from "./progress.ts";
export { BASELINE_NAMES, evalEpisodeConfig, evaluateBaseline, stageEpisodeConfig, selectTraining, summaryText, train } from "./trainer.ts";
export type { BaselineName } from "./trainer.ts";
export type { TrainOptions, TrainResult, TrainerState, UpdateRecord } from "./trainer.ts";
export type { FinalEvaluation } from "./evaluate.ts";
export {
  createLearner,
  importLearner,
  learnerFactory,
  learnerNames,
  parseLearnerOptions,
  registerLearner,
  resolveLearner,
} from "./learner-registry.ts";
export type {
  ActOptions,
  ActingPolicy,
  ActionFormat,
  FrozenPolicy,
  Learner,
  LearnerAction,
  LearnerContext,
  LearnerFactory,
  LearnerInfo,
  PolicyObservation,
  Rng,
  UpdateContext,
  UpdateMetrics,
  UpdateOutcome,
} from "./learner.ts";
export { GrpoTfjsLearner, grpoTfjsLearner } from "./grpo-tfjs.ts";
export { TfjsLearner, netConfig } from "./tfjs-learner.ts";
export type { GrpoUpdateMetrics } from "./grpo-tfjs.ts";
export { SftTfjsLearner, sftLearner } from "./sft-tfjs.ts";
export type { SftUpdateMetrics } from "./sft-tfjs.ts";
export { demonstrate } from "./demonstrations.ts";
export type { Demonstration, DemonstrationCoverage, EntryDemonstrations } from "./demonstrations.ts";
export { walkGroundTruth } from "./ground-truth.ts";
export type { GroundTruthCall, GroundTruthVisitor } from "./ground-truth.ts";
export { aggregateRuns } from "./aggregate.ts";
export { curveStats, formatStageCurve, stageCurves, verdict, verdictOverRuns } from "./curves.ts";
export type { CurveStage, CurveStats, StageCurve } from "./curves.ts";
export { holdOutScenarios } from "./validation-set.ts";
export type { Aggregate, AggregateRow } from "./aggregate.ts";
export { answerFeatureRows, auc, expressibility, firstCallBreakdown, logisticAuc } from "./diagnostics.ts";
export type { Expressibility, FirstCallOutcome } from "./diagnostics.ts";
