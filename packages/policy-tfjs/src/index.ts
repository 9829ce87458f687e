/**
 * @envtune/policy-tfjs — the embedded TensorFlow.js policy of envtune: backend selection (optional
 * tfjs-node-gpu, then wasm, then cpu), a small domain-generic pointer network over tool schemas and
 * the dialogue, batched sampling, and weights in the standard model.json + weights.bin layout.
 */
export { BACKENDS, currentBackend, selectBackend, tf } from "./backend.ts";
export type { BackendInfo, BackendName, SelectBackendOptions } from "./backend.ts";
export { installFastGradients } from "./fastgrad.ts";
export { MODEL_JSON, WEIGHTS_BIN, fileSystemIO, loadNamedTensors, saveNamedTensors, writeFileAtomic } from "./weights-io.ts";
export type { SavedTensors } from "./weights-io.ts";
export { DEFAULT_HASH_BUCKETS, contentWords, fnv1a, hashToken, hashWords, isStopword, splitIdentifier, stem, words } from "./tokenize.ts";
export type { ObservedStep, PolicyObservation } from "./observation.ts";
export {
  ANSWER_FEATURES,
  ANSWER_FEATURE_TABLE,
  CAND_FEATURES,
  CAND_FEATURE_TABLE,
  CAND_KINDS,
  DEFAULT_LIMITS,
  FILL_FEATURES,
  FILL_FEATURE_TABLE,
  PARAM_TYPES,
  TOOL_FEATURES,
  TOOL_FEATURE_TABLE,
  VALUE_FORMS,
  argCandidates,
  candidateFeatures,
  contextCandidates,
  decisionContext,
  fillFeatures,
  isErrorResult,
  paramCandidates,
  renderValue,
  toolInfo,
} from "./featurize.ts";
export type {
  CandKind,
  Candidate,
  DecisionContext,
  Feature,
  FeatureTable,
  FeaturizerLimits,
  ParamInfo,
  ParamType,
  ToolFeatureName,
  ToolInfo,
  ValueForm,
} from "./featurize.ts";
export { DEFAULT_POLICY_NET_CONFIG, forward, initialValues, parameterShapes, resolvePolicyNetConfig } from "./model.ts";
export type { BatchInputs, HeadOutputs, PolicyNetConfig, PolicyNetConfigInput, Weights } from "./model.ts";
export { buildBatch, perHeadTokens, tokenCounts, tokenDecisions, tokenOutputs } from "./batch.ts";
export { embedBags, gatherRows, pairDots } from "./jsops.ts";
export type { Csr } from "./jsops.ts";
export type { ArgRecord, BatchMode, BuiltBatch, DecisionRecord, TokenHead, TokenOutputs } from "./batch.ts";
export { POLICY_ARCHITECTURE, TfjsPolicy, decisionValues, renderAction } from "./policy.ts";
export type { ActOptions, PolicyAct, PolicyActionFormat } from "./policy.ts";
export { Rng, sampleLogits } from "./rng.ts";
