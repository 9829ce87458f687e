import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EnvtuneError } from "@envtune/core";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>[string] & { description: string; valueName?: string };

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Extra help text (examples). */
  details?: string;
  run(ctx: CommandContext): Promise<number>;
}

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Exit codes: 0 ok, 1 the command ran and found a failure, 2 usage error, 3 data/config error. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 3 } as const;

/** `--data DIR`, the same in every command that reads BFCL. */
export const dataOption: OptionSpec = {
  type: "string",
  valueName: "dir",
  description: "BFCL data directory (else $ENVTUNE_BFCL_DATA or the download cache).",
};

export const globalOptions: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "Show help for the command." },
};

export function commandHelp(cmd: Command): string {
  const opts = { ...cmd.options, ...globalOptions };
  const rows = Object.entries(opts).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` <${o.valueName ?? "value"}>` : ""}`;
    return `  ${flag.padEnd(34)} ${o.description}${o.default !== undefined ? ` (default: ${String(o.default)})` : ""}`;
  });
  return `envtune ${cmd.name} — ${cmd.summary}\n\nUsage: ${cmd.usage}\n\nOptions:\n${rows.join("\n")}\n${cmd.details ? `\n${cmd.details}\n` : ""}`;
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  const options: Record<string, NonNullable<ParseArgsConfig["options"]>[string]> = {};
  for (const [k, o] of Object.entries({ ...cmd.options, ...globalOptions })) {
    const { description: _d, valueName: _v, ...rest } = o;
    options[k] = rest;
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new EnvtuneError("USAGE", "cli", `${(e as Error).message}.`, `Run \`envtune ${cmd.name} --help\` for the options.`);
  }
}

/** A usage error of command `cmd` (exit code 2); the hint defaults to the command's help. */
export function usageError(cmd: string, what: string, hint = `Run \`envtune ${cmd} --help\`.`): EnvtuneError {
  return new EnvtuneError("USAGE", cmd, what, hint);
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

function describeRange({ min, max, integer }: NumberRange): string {
  const kind = integer ? "an integer" : "a number";
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

/** The number in option `--flag` (undefined when absent); anything else, or out of range, is a usage error of `cmd`. */
export function numberOption(cmd: string, value: unknown, flag: string, range: NumberRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok = (range.integer ? Number.isInteger(n) : Number.isFinite(n)) && n >= (range.min ?? -Infinity) && n <= (range.max ?? Infinity);
  if (!ok) throw usageError(cmd, `--${flag} must be ${describeRange(range)}, got \`${String(value)}\`.`);
  return n;
}

/** {@link numberOption} for whole numbers. */
export function intOption(cmd: string, value: unknown, flag: string, range: Omit<NumberRange, "integer"> = {}): number | undefined {
  return numberOption(cmd, value, flag, { ...range, integer: true });
}

/**
 * Ctrl-C (and SIGTERM) for long commands: the first one calls `announce` and aborts the returned
 * signal, so the work stops at a safe point and can be resumed; a second one quits at once (130).
 * `release` removes the handlers.
 */
export function interruptible(announce: () => void): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts > 1) process.exit(130);
    announce();
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/**
 * Paths in a config file (`data.dir`, `data.dataset`) mean what they say beside the file,
 * wherever the command runs from. Anything that is not a non-empty string is left for the
 * config's schema to judge.
 */
export function dataPathsBesideFile<T>(input: T, file: string): T {
  const data = (input as { data?: unknown } | null)?.data;
  if (!data || typeof data !== "object") return input;
  const here = dirname(resolve(file));
  const d = data as Record<string, unknown>;
  const rel = (k: string) => {
    const p = d[k];
    return typeof p === "string" && p.length > 0 ? { [k]: resolve(here, p) } : {};
  };
  return { ...input, data: { ...d, ...rel("dir"), ...rel("dataset") } };
}
