/**
 * envtune's own errors: one class, a stable string `code`, the scope it happened in, and a fix
 * hint. Messages read `[envtune] [scope] What happened. How to fix it.`
 */
export class EnvtuneError extends Error {
  readonly code: string;
  readonly scope: string;
  readonly hint: string;
  readonly details?: readonly string[];

  constructor(code: string, scope: string, what: string, hint: string, options?: { cause?: unknown; details?: readonly string[] }) {
    const detail = options?.details?.length ? "\n" + options.details.map((d) => `  - ${d}`).join("\n") : "";
    super(`[envtune] [${scope}] ${what} ${hint}${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EnvtuneError";
    this.code = code;
    this.scope = scope;
    this.hint = hint;
    if (options?.details) this.details = options.details;
  }
}

/** Normalizes anything thrown into an EnvtuneError, keeping the original as `cause`. */
export function toEnvtuneError(e: unknown, scope = "core"): EnvtuneError {
  if (e instanceof EnvtuneError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new EnvtuneError(
    "INTERNAL",
    scope,
    `Unexpected failure: ${msg}.`,
    "This is a bug in envtune; please report it with the input that caused it.",
    { cause: e },
  );
}
