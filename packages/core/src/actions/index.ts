/**
 * Safe action parsing: model output (Python call lists, JSON tool calls, OpenAI tool_calls, the
 * paper's <think>/<tool_call>/<answer> envelope) → {@link ToolCall}s, never evaluating anything.
 */
export { ACTION_ERROR_CODES, ActionParseError, isActionErrorCode } from "./errors.ts";
export type { ActionErrorCode, ActionParseErrorOptions } from "./errors.ts";
export type { ToolCall } from "./types.ts";
export { isPyEllipsis } from "./ellipsis.ts";
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_LENGTH, parsePythonAssignments, parsePythonCalls, parsePythonLiteral } from "./python.ts";
export type { PythonParseOptions } from "./python.ts";
export { formatCall, formatCalls, formatValue } from "./format.ts";
export type { FormatCallOptions } from "./format.ts";
export { PyJsonDecodeError, pyJsonLoads } from "./pyjson.ts";
export type { PyJsonOptions } from "./pyjson.ts";
export {
  isPyIdentifier,
  isToolName,
  jsonValueToPy,
  parseBfclFcCalls,
  parseJsonToolCalls,
  parseOpenAIToolCalls,
  toolCallsFromJsonValue,
} from "./json-calls.ts";
export type { JsonToolCallOptions } from "./json-calls.ts";
export { ENVELOPE_REFERENCE_TEXTS, parseEnvelope } from "./envelope.ts";
export type { Envelope, EnvelopeOptions } from "./envelope.ts";
export { parseAction } from "./action.ts";
export type { ActionFormat, ParseActionOptions, ParseActionResult } from "./action.ts";
