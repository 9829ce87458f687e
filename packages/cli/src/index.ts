import { EnvtuneError } from "@envtune/core";
import { EXIT, commandHelp, parseCommandArgs, type Command, type CommandContext } from "./cli.ts";
import { dataCommand } from "./commands/data.ts";
import { domainsCommand } from "./commands/domains.ts";
import { checkCommand } from "./commands/check.ts";
import { evalCommand } from "./commands/eval.ts";
import { replayCommand } from "./commands/replay.ts";
import { serveCommand } from "./commands/serve.ts";
import { mcpCommand } from "./commands/mcp.ts";
import { routeCommand } from "./commands/route.ts";
import { exportCommand } from "./commands/export.ts";
import { datasetCommand } from "./commands/dataset.ts";
import { splitsCommand } from "./commands/splits.ts";
import { newDomainCommand } from "./commands/new-domain.ts";
import { oodEvalCommand } from "./commands/ood-eval.ts";
import { trainCommand } from "./commands/train.ts";
import { experimentCommand } from "./commands/experiment.ts";

export const commands: Command[] = [
  trainCommand,
  experimentCommand,
  evalCommand,
  checkCommand,
  replayCommand,
  serveCommand,
  mcpCommand,
  routeCommand,
  exportCommand,
  splitsCommand,
  oodEvalCommand,
  domainsCommand,
  newDomainCommand,
  datasetCommand,
  dataCommand,
];

function topHelp(): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n");
  return `envtune — Environment Tuning for tool-using agents (BFCL multi-turn environments, checker, rewards, GRPO).\n\nUsage: envtune <command> [options]\n\nCommands:\n${rows}\n\nRun \`envtune <command> --help\` for a command's options.\nExit codes: 0 ok, 1 failure found, 2 usage error, 3 data or configuration error.\n`;
}

export interface Io {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

/** Runs the CLI; returns the exit code. Errors go to stderr as `[envtune] [scope] what. fix.` */
export async function main(argv: string[], io: Io = {}): Promise<number> {
  const stdout = io.stdout ?? ((s: string) => void process.stdout.write(s));
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    stdout(topHelp());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === "--version" || name === "-v") {
    stdout("envtune 0.1.0\n");
    return EXIT.OK;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    stderr(`[envtune] [cli] Unknown command \`${name}\`. Run \`envtune --help\` for the list.\n`);
    return EXIT.USAGE;
  }
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      stdout(commandHelp(cmd));
      return EXIT.OK;
    }
    return await cmd.run({ values: values as CommandContext["values"], positionals, stdout, stderr });
  } catch (e) {
    if (e instanceof EnvtuneError) {
      stderr(e.message + "\n");
      return e.code === "USAGE" ? EXIT.USAGE : EXIT.CONFIG;
    }
    stderr(`[envtune] [cli] Unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.FAILURE;
  }
}
