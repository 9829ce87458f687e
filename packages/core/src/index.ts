/**
 * @envtune/core — the contracts every envtune package builds on: the Python value model, CPython
 * `random`, the domain-pack contract, the call executor and envtune's error type.
 */
export * from "./py/index.ts";
export { PyRandom } from "./random/index.ts";
export { EnvtuneError, toEnvtuneError } from "./errors.ts";
export { defineDomain, isDomainPack, validateDomainDefinition } from "./domain/define.ts";
export { bfclDocToToolSchema, bfclParamToJsonSchema } from "./domain/schema.ts";
export type { BfclFuncDoc } from "./domain/schema.ts";
export type * from "./domain/types.ts";
export { FORBIDDEN_CALL_NAMES, World, bindArguments, stringifyResult, toPlainJson } from "./exec/world.ts";
export type { CallLike, CallOutcome, CallStatus, WorldOptions } from "./exec/world.ts";
