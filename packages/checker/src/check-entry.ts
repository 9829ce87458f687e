import { EnvtuneError } from "@envtune/core";
import { CHECKER_MESSAGES, TurnChecker } from "./turn-checker.ts";
import type { CheckableEntry, CheckerOptions, EntryVerdict } from "./types.ts";

/**
 * The reference's `is_empty_execute_response` on one decoded step: no calls, or a single empty
 * string. The evaluation drops such steps before checking.
 */
export function isEmptyStep(step: readonly string[]): boolean {
  return step.length === 0 || (step.length === 1 && step[0]!.length === 0);
}

/**
 * Scores one entry exactly like the reference's evaluation (`eval_runner`'s multi-turn entry
 * evaluation, then `multi_turn_checker`): not a list → `inference_error`; a turn count other than
 * the ground truth's → `force_terminated`; empty decoded steps dropped; then turn by turn, model
 * steps first, the ground truth second, stopping at the first failed turn.
 *
 * `modelOutput` is the decoded model output, `[turn][step][call string]`; it is typed `unknown`
 * at the top because the reference accepts any JSON value there and fails non-lists.
 */
export function checkEntry(
  entry: CheckableEntry,
  modelOutput: readonly (readonly (readonly string[])[])[] | unknown,
  opts: CheckerOptions,
): EntryVerdict {
  const id = entry.id;
  if (!Array.isArray(modelOutput)) {
    return {
      id,
      valid: false,
      errorType: "multi_turn:inference_error",
      errorMessage: CHECKER_MESSAGES.inferenceError(),
      failedTurn: null,
      turns: [],
    };
  }
  const turns = modelOutput as readonly (readonly (readonly string[])[])[];
  const gtTurns = entry.groundTruth.length;
  if (turns.length !== gtTurns) {
    return {
      id,
      valid: false,
      errorType: "multi_turn:force_terminated",
      errorMessage: CHECKER_MESSAGES.forceTerminated(turns.length, gtTurns),
      failedTurn: null,
      turns: [],
    };
  }
  turns.forEach((steps, t) => {
    const ok = Array.isArray(steps) && steps.every((step) => Array.isArray(step) && step.every((c) => typeof c === "string"));
    if (!ok) {
      throw new EnvtuneError(
        "BAD_MODEL_OUTPUT",
        "checker",
        `The model output of ${id} is not [turn][step][call string] (turn ${t}).`,
        "Decode each model response into a list of call strings first, one list per step, one list of steps per turn.",
      );
    }
  });
  const checker = new TurnChecker(entry, opts);
  for (const steps of turns) {
    for (const step of steps) {
      if (!isEmptyStep(step)) checker.runModelStep(step);
    }
    const v = checker.endTurn();
    if (!v.passed) {
      return {
        id,
        valid: false,
        errorType: v.errorType,
        ...(v.errorMessage !== undefined ? { errorMessage: v.errorMessage } : {}),
        failedTurn: v.turn,
        ...(v.className !== undefined ? { className: v.className } : {}),
        ...(v.differingAttrs ? { differingAttrs: v.differingAttrs } : {}),
        ...(v.missingItems ? { missingItems: v.missingItems } : {}),
        turns: [...checker.verdicts],
      };
    }
  }
  return { id, valid: true, errorType: null, failedTurn: null, turns: [...checker.verdicts] };
}
