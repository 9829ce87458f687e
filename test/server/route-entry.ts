/** `envtune route` from sources, for tests that start it as a real process (the CLI registers the command elsewhere). */
import { EnvtuneError } from "@envtune/core";
import { parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { routeCommand } from "../../packages/cli/src/commands/route.ts";

try {
  const { values, positionals } = parseCommandArgs(routeCommand, process.argv.slice(2));
  const code = await routeCommand.run({
    values: values as CommandContext["values"],
    positionals,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
  });
  process.exit(code);
} catch (e) {
  process.stderr.write((e instanceof EnvtuneError ? e.message : String((e as Error).stack ?? e)) + "\n");
  process.exit(e instanceof EnvtuneError && e.code === "USAGE" ? 2 : 3);
}
