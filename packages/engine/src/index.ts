/**
 * @envtune/engine — Environment Tuning's episode engine over BFCL multi-turn entries: Gymnasium-style
 * episodes checked turn by turn with the official checker's rules, the paper's rewards, standard
 * and augmented environments, and evaluation of any policy.
 */
export { Episode } from "./episode.ts";
export type { EpisodeEnv, EpisodeLimits, EpisodeOptions } from "./episode.ts";
export { interpretAction, normalizeAssistant } from "./interpret.ts";
export type { Interpretation } from "./interpret.ts";
export { OBSERVATION_KINDS, OBSERVATION_RENDERERS, renderObservation } from "./observers.ts";
export type { Executed, ObservationKind, ObservationRenderer } from "./observers.ts";
export { PROTOCOL_PRESETS, episodeConfigSchema, resolveEpisodeConfig } from "./config.ts";
export type { EpisodeConfig, EpisodeConfigInput } from "./config.ts";
export {
  REWARD_COMPONENTS,
  binaryReward,
  computeReward,
  evaluateReward,
  formatReward,
  isToolCall,
  parseRewardSpec,
  progressReward,
  rewardComponents,
  rewardSpecSchema,
  stage1Reward,
  toolCounts,
  toolReward,
} from "./rewards.ts";
export type { RewardBreakdown, RewardComponent, RewardInput, RewardSpec, RewardSpecInput, StepRecord } from "./rewards.ts";
export { registerRewardRule, rewardRuleNames, rewardRules } from "./reward-registry.ts";
export type { RewardFactory, RewardFn } from "./reward-registry.ts";
export {
  ADDITIONAL_FUNCTIONS_TEXT,
  NOT_EXECUTED_TEXT,
  SYSTEM_WARNING_TEXT,
  additionalFunctionsMessage,
  bfclExecutionResults,
  paperExecutionResults,
  systemPrompt,
} from "./prompts.ts";
export type { SystemPromptStyle } from "./prompts.ts";
export { toWireReset, toWireStep } from "./wire.ts";
export type { WireReset, WireStep } from "./wire.ts";
export type * from "./types.ts";
export { runEpisode } from "./run.ts";
export { readResultsFile, runEval, summarize, summaryMarkdown, summaryTable } from "./eval.ts";
export type { CategorySummary, EvalOptions, EvalProgress, EvalResult, EvalRun, EvalSummary } from "./eval.ts";
export { isGeneratedAction, isPolicyStop } from "./policies/policy.ts";
export type { GeneratedAction, Generation, Policy, PolicyAction, PolicyContext, PolicyStop } from "./policies/policy.ts";
export { oraclePolicy } from "./policies/oracle.ts";
export { evalPolicies, registerPolicy } from "./policies/registry.ts";
export type { PolicyFactory, PolicyFactoryContext } from "./policies/registry.ts";
export type { OraclePolicyOptions } from "./policies/oracle.ts";
export { decodeRecordedOutput, decodeRecordedStep, readReplayFile, replayPolicy } from "./policies/replay.ts";
export type { DecodeOptions, ReplayPolicy, ReplayRecord } from "./policies/replay.ts";
export { openaiPolicy, resolveApiKey } from "./policies/openai.ts";
export type { OpenAIPolicyOptions } from "./policies/openai.ts";
export { gtCallToKeywords } from "./policies/gt-calls.ts";
export type { KeywordCall } from "./policies/gt-calls.ts";
export {
  PAPER_CURRICULUM,
  PAPER_STAGE1_ENTRIES,
  curriculumStageSchema,
  easiestFirst,
  gtCallsPerTurn,
  selectStageEntries,
  stageDataSchema,
} from "./curriculum.ts";
export type { CurriculumStage, PaperStage, StageData, StageDataInput } from "./curriculum.ts";
