import { EnvtuneError } from "../errors.ts";

/**
 * Stable codes of {@link ActionParseError}. Engines branch on them (reward shaping, retries), so a
 * code is never renamed or reused; new failure kinds get new codes.
 */
export const ACTION_ERROR_CODES = [
  /** The input exceeds the parser's size limit (1 MiB of UTF-16 code units by default). */
  "INPUT_TOO_LARGE",
  /** Brackets or unary operators nested deeper than the depth limit (100 by default). */
  "TOO_DEEP",
  /** Not valid Python (unterminated string, unbalanced bracket, bad number, missing comma, ...). */
  "PY_SYNTAX",
  /** A top-level element of a call list is not a call (`[1, 2]`, `[ls]`). */
  "NOT_A_CALL",
  /** A call used as an argument value (`cat(file_name=pwd())`). */
  "NESTED_CALL",
  /** A bare name used as a value (`ls(a=true)`, `cd(folder=x)`). */
  "BARE_NAME",
  /** Valid Python envtune does not evaluate: operators, subscripts, lambdas, comprehensions, f-strings, bytes, complex numbers, ... */
  "UNSUPPORTED_EXPRESSION",
  /** A string escape envtune cannot decode (`\N{...}`). */
  "UNSUPPORTED_ESCAPE",
  /** `*args` / `**kwargs` in a call. */
  "STAR_ARGS",
  /** The same keyword argument twice (`keyword argument repeated: x`). */
  "DUPLICATE_KEYWORD",
  /** A positional argument after a keyword argument. */
  "POSITIONAL_AFTER_KEYWORD",
  /** A dict key or set element that Python cannot hash (list, dict, set). */
  "UNHASHABLE_KEY",
  /** A decimal int literal longer than Python's 4300-digit conversion limit. */
  "INT_TOO_LARGE",
  /** A statement of a constants module that is not `NAME = <literal>`. */
  "BAD_STATEMENT",
  /** Invalid JSON (the message carries Python's `json` error text). */
  "JSON_SYNTAX",
  /** JSON that is valid but is not a tool call / list of tool calls of the expected shape. */
  "BAD_TOOL_CALL_SHAPE",
  /** A tool name that is not a (dotted) Python identifier. */
  "BAD_TOOL_NAME",
  /** An argument name that is not a Python identifier (or is a reserved word). */
  "BAD_ARGUMENT_NAME",
  /** Input of the wrong JavaScript type (e.g. a number where text was expected). */
  "BAD_INPUT",
  /** Envelope: no `<think>…</think>` pair. */
  "ENVELOPE_MISSING_THINK",
  /** Envelope: more than one `<think>…</think>` pair. */
  "ENVELOPE_MULTIPLE_THINK",
  /** Envelope: more than one `<tool_call>…</tool_call>` pair. */
  "ENVELOPE_MULTIPLE_TOOL_CALL",
  /** Envelope: more than one `<answer>…</answer>` pair. */
  "ENVELOPE_MULTIPLE_ANSWER",
  /** Envelope: both a tool call and an answer. */
  "ENVELOPE_BOTH_ACTIONS",
  /** Envelope: neither a tool call nor an answer. */
  "ENVELOPE_NO_ACTION",
  /** Envelope: non-whitespace text outside the tags. */
  "ENVELOPE_TEXT_OUTSIDE",
  /** Envelope: the `<tool_call>` body is not valid JSON. */
  "ENVELOPE_INVALID_JSON",
  /** More calls in one action than the caller's `maxCalls` limit. */
  "TOO_MANY_CALLS",
  /** A bug in envtune (an unexpected exception while parsing); never expected. */
  "INTERNAL_ERROR",
] as const;

export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ACTION_ERROR_CODES);

/** Whether `code` is one of {@link ACTION_ERROR_CODES}. */
export function isActionErrorCode(code: unknown): code is ActionErrorCode {
  return typeof code === "string" && CODE_SET.has(code);
}

export interface ActionParseErrorOptions {
  /** UTF-16 offset in the parser's input where the problem was found. */
  position?: number;
  /**
   * The text the reference implementation returns for this failure, where one exists (the
   * paper's `parse_model_response` error strings, e.g. `Error: Missing <think></think> tags`).
   */
  referenceText?: string;
  cause?: unknown;
}

/**
 * Model output that envtune refuses to turn into tool calls. `message` reads
 * `[envtune] [actions] What happened. How to fix it.`; `detail` is the "what happened" part alone
 * and `hint` the fix, so an engine can show either to the model.
 */
export class ActionParseError extends EnvtuneError {
  declare readonly code: ActionErrorCode;
  readonly detail: string;
  readonly position?: number;
  readonly referenceText?: string;

  constructor(code: ActionErrorCode, detail: string, hint: string, options: ActionParseErrorOptions = {}) {
    const where = options.position === undefined ? "" : ` (at offset ${options.position})`;
    super(code, "actions", `${detail}${where}.`, hint, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ActionParseError";
    this.detail = detail;
    if (options.position !== undefined) this.position = options.position;
    if (options.referenceText !== undefined) this.referenceText = options.referenceText;
  }

  /** The text to show a model: the reference's own error string when there is one, else detail + hint. */
  get feedback(): string {
    return this.referenceText ?? `Error: ${this.detail}. ${this.hint}`;
  }
}

/** The error of an action with more than `max` calls (shared by every action format). */
export function tooManyCalls(max: number, position?: number): ActionParseError {
  return new ActionParseError(
    "TOO_MANY_CALLS",
    `the action has more than ${max} calls`,
    `Send at most ${max} calls per action.`,
    position === undefined ? {} : { position },
  );
}
