/**
 * Featurization: turns a {@link PolicyObservation} into the inputs of the policy network. This file
 * is the featurizer's entry; the work is split by job under `featurize/`: `spans.ts` (text scans),
 * `tool-info.ts` (what a tool's schema says), `candidates.ts` (argument value candidates),
 * `feature-table.ts` + `features.ts` (the named feature tables).
 *
 * Everything is generic over domains. Tools, parameters and argument candidates are described by
 * (a) hashed word bags that go through a learned embedding table and (b) a few fixed, hand-made
 * comparison features (word overlap between the user's text and a tool's name/description,
 * whether a value is quoted, looks like a number, sits next to a word of the parameter's name…).
 * The network learns how much each matters; at initialization it is random.
 *
 * Argument values come only from the dialogue (spans of the user's text or of tool results), the
 * parameter's enum values, numbers and booleans: the policy copies, it never looks answers up.
 */
export { DEFAULT_LIMITS, type FeaturizerLimits } from "./featurize/limits.ts";
export { PARAM_TYPES, toolInfo, type ParamInfo, type ParamType, type ToolInfo } from "./featurize/tool-info.ts";
export { isErrorResult } from "./featurize/spans.ts";
export {
  CAND_KINDS,
  FORM_ROWS,
  VALUE_FORMS,
  argCandidates,
  contextCandidates,
  fitsSchema,
  formRow,
  kindIndex,
  paramCandidates,
  renderValue,
  type CandKind,
  type Candidate,
  type ValueForm,
} from "./featurize/candidates.ts";
export type { Feature, FeatureTable } from "./featurize/feature-table.ts";
export {
  ANSWER_FEATURES,
  ANSWER_FEATURE_TABLE,
  CAND_FEATURES,
  CAND_FEATURE_TABLE,
  FILL_FEATURES,
  FILL_FEATURE_TABLE,
  TOOL_FEATURES,
  TOOL_FEATURE_TABLE,
  candidateFeatures,
  decisionContext,
  fillFeatures,
  type DecisionContext,
  type ToolFeatureName,
} from "./featurize/features.ts";
