/**
 * @envtune/core — the contracts every envtune package builds on: the Python value model, CPython
 * `random`, the domain-pack contract, the call executor and envtune's error type. The narrower
 * entry points `@envtune/core/py`, `/actions`, `/domain` and `/exec` export each part alone.
 */
export * from "./py/index.ts";
export { PyRandom } from "./random/index.ts";
export { EnvtuneError, toEnvtuneError } from "./errors.ts";
export * from "./domain/index.ts";
export * from "./exec/index.ts";
export { createRegistry, isNamedFactory } from "./registry.ts";
export type { NamedFactory, Registry, RegistryLabels } from "./registry.ts";
export { formatZodIssues, parseOrThrow, type IssueFormat, type ParseOrThrowOptions } from "./zod.ts";
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
