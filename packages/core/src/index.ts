/**
 * @envtune/core — the contracts every envtune package builds on: the Python value model, CPython
 * `random`, the domain-pack contract, the call executor and envtune's error type.
 */
export * from "./py/index.ts";
export { PyRandom } from "./random/index.ts";
export { EnvtuneError, toEnvtuneError } from "./errors.ts";
export { formatZodIssues, parseOrThrow, type IssueFormat, type ParseOrThrowOptions } from "./zod.ts";
export { defineDomain, isDomainPack, validateDomainDefinition } from "./domain/define.ts";
export { BFCL_DOMAIN_PACKAGES, loadDomainPacks, requirePacks } from "./domain/load.ts";
export type { LoadedPacks } from "./domain/load.ts";
export { discoverDomainPackages, domainSpecifiers, isDomainPackage, resolveDomainPacks } from "./domain/discover.ts";
export type { InstalledDomainPackage, ResolvedDomainPacks } from "./domain/discover.ts";
export { bfclDocToToolSchema, bfclParamToJsonSchema } from "./domain/schema.ts";
export type { BfclFuncDoc } from "./domain/schema.ts";
export type * from "./domain/types.ts";
export { FORBIDDEN_CALL_NAMES, World, bindArguments, stringifyResult, toPlainJson } from "./exec/world.ts";
export type { CallLike, CallOutcome, CallStatus, WorldOptions } from "./exec/world.ts";
export { encodeView, formatReplayRecord, replayCalls } from "./exec/replay.ts";
export type { ReplayInput, ReplayOptions, ReplayResult, ReplayedCall, ReplayedTurn } from "./exec/replay.ts";
export {
  ACTION_ERROR_CODES,
  ActionParseError,
  ENVELOPE_REFERENCE_TEXTS,
  formatCall,
  formatCalls,
  formatValue,
  isActionErrorCode,
  parseAction,
  parseEnvelope,
  parseJsonToolCalls,
  parseOpenAIToolCalls,
  parsePythonAssignments,
  parsePythonCalls,
  parsePythonLiteral,
} from "./actions/index.ts";
export type { ActionErrorCode, ActionFormat, Envelope, ParseActionOptions, ParseActionResult, ToolCall } from "./actions/index.ts";
