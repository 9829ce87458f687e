/**
 * @envtune/checker — the BFCL multi-turn checker with the reference's verdicts: per-turn state and
 * response checks, the empty-turn and force-termination rules, entry verdicts and accuracy per
 * category. `TurnChecker` is the step-by-step API episode engines build on; `checkEntry` scores a
 * whole decoded model output on top of it.
 */
export { CHECKER_ERROR_TYPES } from "./types.ts";
export type { CheckableEntry, CheckerErrorType, CheckerOptions, EntryVerdict, ResponseCheck, StateCheck, TurnVerdict } from "./types.ts";
export { CHECKER_MESSAGES, TurnChecker, responseMatches, stateMatches } from "./turn-checker.ts";
export { checkEntry, isEmptyStep } from "./check-entry.ts";
export { executeCallString } from "./exec.ts";
export { accuracy } from "./accuracy.ts";
export type { AccuracyReport, CategoryAccuracy } from "./accuracy.ts";
export { decodedOutputSchema, parseVerdictFixtures, verdictAgreement } from "./fixtures.ts";
export type { Agreement, VerdictFixture } from "./fixtures.ts";
