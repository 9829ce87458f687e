import { ActionParseError, FORBIDDEN_CALL_NAMES, parsePythonCalls, type CallOutcome, type ToolCall, type World } from "@envtune/core";

const EXEC_ERROR = "Error during execution: ";

// Parse failures the reference reports as a SyntaxError at compile time, whose str() ends with the
// location `(<string>, line N)`.
const SYNTAX_CODES: ReadonlySet<string> = new Set(["PY_SYNTAX", "DUPLICATE_KEYWORD", "POSITIONAL_AFTER_KEYWORD", "TOO_DEEP"]);

/** The name the reference checks against its forbidden list: the text before the first `(`, after a dot. */
function headName(text: string): string {
  const head = text.split("(")[0]!.trim();
  return head.includes(".") ? head.split(".")[1]! : head;
}

function lineOf(text: string, position: number | undefined): number {
  if (position === undefined) return 1;
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * What the reference returns for a call string envtune's parser refuses. The reference `eval`s the
 * string, so the common cases are mirrored (forbidden names, NameError for a bare name, SyntaxError
 * texts); expressions envtune never evaluates (nested calls, operators) get envtune's own
 * explanation, which only ever matters to the response check.
 */
function refusedCallOutcome(world: World, text: string, err: ActionParseError): CallOutcome {
  const head = headName(text);
  if (FORBIDDEN_CALL_NAMES.has(head)) {
    return { result: `${EXEC_ERROR}Function call ${head} is not allowed.`, status: "exception", pyType: "PermissionError" };
  }
  if (SYNTAX_CODES.has(err.code)) {
    return {
      result: `${EXEC_ERROR}${err.detail} (<string>, line ${lineOf(text, err.position)})`,
      status: "exception",
      pyType: "SyntaxError",
    };
  }
  if (err.code === "BARE_NAME") {
    // Python resolves the function before its arguments: an unknown function is the NameError.
    const fn = text.split("(")[0]!.trim();
    const fnHead = fn.split(".")[0]!;
    const bare = /^bare name (\S+) used/.exec(err.detail)?.[1];
    const missing = fn.includes(".") || !world.hasTool(fn) ? fnHead : (bare ?? fnHead);
    return { result: `${EXEC_ERROR}name '${missing}' is not defined`, status: "exception", pyType: "NameError" };
  }
  return { result: `${EXEC_ERROR}${err.detail}`, status: "exception", pyType: "EnvtuneRefused" };
}

/**
 * Executes one call string the way the reference's `execute_multi_turn_func_call` does for one
 * list element: one string, one result. Ground-truth strings keep their positional arguments.
 */
export function executeCallString(world: World, text: string): CallOutcome {
  let calls: ToolCall[];
  try {
    calls = parsePythonCalls(text);
  } catch (e) {
    if (e instanceof ActionParseError) return refusedCallOutcome(world, text, e);
    throw e;
  }
  if (calls.length === 1) return world.call(calls[0]!);
  if (calls.length === 0) {
    return {
      result: `${EXEC_ERROR}invalid syntax (<string>, line ${text.trim() === "" ? 0 : 1})`,
      status: "exception",
      pyType: "SyntaxError",
    };
  }
  // `[a(), b()]` in one string: Python evaluates every call (state effects are kept) and returns
  // the list of raw values; envtune only has each call's result string, so the list is rebuilt
  // from those strings (exact for results that print the same inside a list, e.g. None or errors).
  // An exception stops the evaluation of the remaining calls, as in Python.
  const results: string[] = [];
  for (const c of calls) {
    const o = world.call(c);
    if (o.status === "exception") return o;
    results.push(o.result);
  }
  return { result: `[${results.join(", ")}]`, status: "ok" };
}
