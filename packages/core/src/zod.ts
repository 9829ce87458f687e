/**
 * zod validation with envtune's error shape: one place that turns zod issues into dot-path
 * messages (`stages.0.data.limit: Too small …`) and throws an {@link EnvtuneError} listing them.
 */
import type { z } from "zod";
import { EnvtuneError } from "./errors.ts";

export interface IssueFormat {
  /** Path prefix of every issue (e.g. `learner.options`, `stages.2`). */
  prefix?: string;
  /** Shown for an issue on the value itself when there is no prefix (default `(root)`). */
  root?: string;
}

/** zod issues as `path.to.field: message` lines. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], fmt: IssueFormat = {}): string[] {
  return issues.map((i) => {
    const path = [fmt.prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== "").join(".");
    return `${path || (fmt.root ?? "(root)")}: ${i.message}`;
  });
}

export interface ParseOrThrowOptions extends IssueFormat {
  /** The error's stable code (e.g. `INVALID_TRAIN_CONFIG`). */
  code: string;
  /** The package or subsystem the value belongs to (the error's scope). */
  scope: string;
  /** What is invalid, as a sentence (`The training configuration is invalid.`). */
  what: string;
  /** How to fix it. */
  hint: string;
}

/** Parses `value` with `schema`, or throws an {@link EnvtuneError} whose details name every issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, opts: ParseOrThrowOptions): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new EnvtuneError(opts.code, opts.scope, opts.what, opts.hint, { details: formatZodIssues(r.error.issues, opts) });
}
