/**
 * The texts an episode shows the model: the paper's system prompts (App. F; the PDF's whitespace
 * and line breaks are approximate), a function-calling variant, and the interaction messages of the
 * authors' code (`inclusionAI/AWorld-RL` `EnvTuning/env_tuning/interaction/` @ 4aeef7b) and of BFCL
 * (`ShishirPatil/gorilla` `berkeley-function-call-leaderboard/bfcl_eval/constants/default_prompts.py`
 * and `model_handler/base_handler.py` @ 6ea57973).
 */
import { pyJsonDumps, pyRepr, PyDict, type PyValue } from "@envtune/core";

/** Which system prompt an episode starts with. */
export type SystemPromptStyle = "paper-a" | "paper-b" | "fc";

const PAPER_INTRO =
  "You are an expert in composing functions. You are given a question and a set of possible functions. Based on the question, you will need to make one or more function/tool calls to achieve the purpose. If none of the functions can be used, point it out and refuse to answer. If the given question lacks the parameters required by the function, also point it out.";

const TOOL_CALL_EXAMPLE_MULTILINE = `<tool_call>
[
{"name": "func_name1", "arguments": {"argument1": "value1", "argument2": "value2"}},
{"name": "func_name2", "arguments": {"argument3": "value3"}}
]
</tool_call>`;

const TOOL_CALL_EXAMPLE_ONE_LINE = `<tool_call>
[{"name": "func_name1", "arguments": {"argument1": "value1", "argument2": "value2"}}, {"name": "func_name2", "arguments": {"argument3": "value3"}}]
</tool_call>`;

const BE_RESOURCEFUL =
  "- **Be resourceful**: Before asking the user for missing information, first consider if any other available function can help you find it. This reduces unnecessary questions to the user.";
const PRIORITIZE_CLARITY =
  "- **Prioritize clarity over assumptions**: If a required function is not available, or if certain parameters are missing and cannot be retrieved by other tools, you MUST NOT proceed with a hallucinated tool call. Instead, use Format 2 to explicitly ask the user for the specific missing information.";

function paperPrompt(functions: string, variant: "a" | "b"): string {
  const example = variant === "a" ? TOOL_CALL_EXAMPLE_MULTILINE : TOOL_CALL_EXAMPLE_ONE_LINE;
  const notes = [
    "- Use Format 1 when you need to call function(s)",
    "- Use Format 2 when you have already fulfilled the user's request, OR you must ask for additional information / refuse because no function applies or parameters are missing",
    ...(variant === "b" ? [BE_RESOURCEFUL, PRIORITIZE_CLARITY] : []),
    "- If multiple function calls are needed in one response, include them all in the JSON array within the single <tool_call> block",
    "- If no function call is needed, consider use the format 2",
    "- Only use <answer> when you have fulfilled the user's request or you need ask for additional information/ refuse",
  ];
  return `${PAPER_INTRO}

You have access to the following tools: ${functions}

Your response must strictly follow one of these two formats:

**Format 1: When you decide to invoke any of the function(s)**
<think> Write your reasoning and thought process here. Analyze the question, identify what needs to be done, and determine which functions to call with what parameters. </think>
${example}

**Format 2: When You have already fulfilled the user's request, OR You must ask for additional information / refuse because no function applies or parameters are missing.**
<think> Analyze the information you have gathered from previous tool calls and describe your reasoning that leads to the final reply, follow-up question, or refusal. </think>
<answer> Provide the final, user-facing message. If the request has been fully satisfied, give a summary of the result.If additional details are required or the request cannot be fulfilled, explicitly ask for the specific information needed. </answer>
Important notes:
${notes.join("\n")}`;
}

/**
 * The function-calling variant: tools go in the request's `tools` field, calls come back as
 * `tool_calls`, and a plain message without tool calls ends the turn. Same policy as Prompt B.
 */
const FC_PROMPT = `${PAPER_INTRO}

The functions are provided as tools. Call them with the tool-calling interface; you may call several in one response, and you will see their results before you respond again.

When you have fulfilled the user's request, or you must ask for additional information or refuse because no function applies or parameters are missing, reply with a plain message and no tool calls. That message ends your turn.

Important notes:
${BE_RESOURCEFUL}
${PRIORITIZE_CLARITY}`;

/**
 * The system prompt. `functions` is the tool documentation the paper splices into `$functions`
 * (`json.dumps` of the BFCL function docs); the FC variant does not list tools in the text.
 */
export function systemPrompt(style: SystemPromptStyle, functions: readonly PyValue[]): string {
  switch (style) {
    case "paper-a":
      return paperPrompt(pyJsonDumps(functions as PyValue), "a");
    case "paper-b":
      return paperPrompt(pyJsonDumps(functions as PyValue), "b");
    case "fc":
      return FC_PROMPT;
  }
}

/** BFCL's `DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING` (and the FC message). */
export const ADDITIONAL_FUNCTIONS_TEXT = "I have updated some more functions you can choose from. What about now?";

/**
 * The user message of the turn at which withheld functions come back. Paper data builder:
 * `json.dumps(docs) + "\n" + text`; BFCL prompting: `str(docs) + "\n" + text`; function calling:
 * the text alone (the tools arrive in the tool list).
 */
export function additionalFunctionsMessage(style: "paper" | "bfcl" | "fc", docs: readonly PyValue[]): string {
  if (style === "fc") return ADDITIONAL_FUNCTIONS_TEXT;
  const listed = style === "paper" ? pyJsonDumps(docs as PyValue) : pyRepr(docs as PyValue);
  return `${listed}\n${ADDITIONAL_FUNCTIONS_TEXT}`;
}

const RESULTS_PREFIX = "Here are the function's execution results. Execution results:";
const RESULTS_SUFFIX =
  "\n If you believe you have already fulfilled the user's request, please first outline your thought process in a <think></think>pair, and then give a brief summary of the result in an <answer></answer> pair. Otherwise, you should continue to call until fulfilling user's request.";

/** The authors' user-role observation after an executed step, verbatim (`EnvTuning/env_tuning/interaction/execution_manager.py:108` @ 4aeef7b). */
export function paperExecutionResults(results: readonly string[]): string {
  return RESULTS_PREFIX + pyJsonDumps(results as PyValue, { ensureAscii: false }) + RESULTS_SUFFIX;
}

/**
 * BFCL prompting handlers' observation: `repr([{"role": "tool", "name": call, "content": result}, ...])`
 * (`bfcl_eval/model_handler/utils.py` `format_execution_results_prompting` @ 6ea57973).
 */
export function bfclExecutionResults(items: ReadonlyArray<{ call: string; result: string }>): string {
  return pyRepr(
    items.map(
      (it) =>
        new PyDict([
          ["role", "tool"],
          ["name", it.call],
          ["content", it.result],
        ]),
    ),
  );
}

/** The authors' warning after a tool call on an empty-ground-truth turn, verbatim (`EnvTuning/env_tuning/interaction/new_multi_turn_fc.py:143` @ 4aeef7b). */
export const SYSTEM_WARNING_TEXT =
  "(SYSTEM WARNING: You should not call any function in this turn because certain function description(s) or parameter(s) is missing in this turn. Previous turn is forced quit. Current function(s) will not be executed.) Next turn question:\n";

/** What a tool message says for a call the engine did not execute. */
export const NOT_EXECUTED_TEXT =
  "Not executed: no function should be called in this turn because a function description or a parameter is missing. Ask the user for what is missing, or say what you cannot do.";
