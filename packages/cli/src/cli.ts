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
