/**
 * Runs the envtune CLI from source in a child process (the kill -9 / Ctrl-C tests need a real
 * process). Registers `train` if the CLI's command list does not have it yet.
 */
import { ensureTrainCommand } from "./helpers.ts";
import { main } from "envtune";

ensureTrainCommand();
process.exitCode = await main(process.argv.slice(2));
