/** The call executor: `World` binds and runs calls as CPython would; `replayCalls` replays traces. */
export { FORBIDDEN_CALL_NAMES, World, bindArguments, stringifyResult, toPlainJson } from "./world.ts";
export type { CallLike, CallOutcome, CallStatus, WorldOptions } from "./world.ts";
export { describeArgumentProblems, type ArgumentProblemStyle } from "./argument-problems.ts";
export { encodeView, formatReplayRecord, replayCalls } from "./replay.ts";
export type { ReplayInput, ReplayOptions, ReplayResult, ReplayedCall, ReplayedTurn } from "./replay.ts";
