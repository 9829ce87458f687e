export * from "./py/index.ts";
export type * from "./domain/types.ts";
