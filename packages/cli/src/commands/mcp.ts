import { Writable } from "node:stream";
import type { EpisodeConfigInput } from "@envtune/engine";
import { createLogger, serveMcpStdio, type CreateParams, type LogLevel } from "@envtune/server";
import { EXIT, usageError, intOption, type Command, dataOption } from "../cli.ts";
import { parseSplitOption } from "../eval-source.ts";
import { configOption, environmentFromFlags } from "./serve.ts";

type Task = Omit<CreateParams, "session_id">;

/** The task sequence the flags name: the listed ids, or `--count` draws (seeds seed, seed+1, ...) from the split (the environment's default split). */
function taskSequence(values: Record<string, unknown>, config: EpisodeConfigInput | undefined): Task[] {
  const common: Task = {
    ...(values.stage !== undefined ? { stage: values.stage as string } : {}),
    ...(config ? { config: config as Record<string, unknown> } : {}),
  };
  if (values["task-id"] !== undefined) {
    const ids = (values["task-id"] as string)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) throw usageError("mcp", "--task-id is empty.", "Pass one or more task ids, comma-separated.");
    return ids.map((task_id) => ({ ...common, task_id }));
  }
  const count = intOption("mcp", values.count ?? "1", "count", { min: 1 })!;
  const seed = intOption("mcp", values.seed ?? "0", "seed", { min: 0 })!;
  const draw: Task = {
    ...common,
    ...(values.part !== undefined ? { part: values.part as "train" | "val" | "test" } : {}),
  };
  return Array.from({ length: count }, (_, i) => ({ ...draw, seed: seed + i }));
}

export const mcpCommand: Command = {
  name: "mcp",
  summary: "Serve one task or a task sequence as an MCP server on stdio (for desktop hosts and agent frameworks).",
  usage: "envtune mcp [--task-id ID[,ID...]] [--split NAME --part test --count N --seed S] [--stage N] [--data DIR]",
  options: {
    "task-id": { type: "string", valueName: "ids", description: "Task(s) to play in order, comma-separated (e.g. multi_turn_base_0)." },
    split: { type: "string", valueName: "name", description: "Without --task-id: the split to draw tasks from (default: the server's)." },
    part: { type: "string", valueName: "part", description: "Without --task-id: train, val or test." },
    stage: {
      type: "string",
      valueName: "n",
      description: "Curriculum stage (its episode settings; without --task-id also its task pool).",
    },
    count: { type: "string", valueName: "n", default: "1", description: "Without --task-id: how many tasks to play in a row." },
    seed: {
      type: "string",
      valueName: "n",
      default: "0",
      description: "Without --task-id: the first draw's seed (the i-th task uses seed+i).",
    },
    config: { type: "string", valueName: "json", description: "Episode settings over the stage's, as JSON." },
    data: dataOption,
    domains: { type: "string", valueName: "list", description: "Comma-separated domain packs (default: the installed and BFCL packs)." },
    "log-level": {
      type: "string",
      valueName: "level",
      default: "warn",
      description: "debug, info, warn, error or silent (JSON lines on stderr; stdout carries JSON-RPC only).",
    },
  },
  details: [
    "Speaks MCP (2025-11-25, 2025-06-18) as newline-delimited JSON-RPC on stdin/stdout. Tools: the task's",
    'tools plus `end_turn`; tool results carry "[envtune] Next user request: ..." and "[envtune] Episode finished ...".',
    "Example host config (Claude Desktop style):",
    '  {"mcpServers": {"envtune": {"command": "npx", "args": ["envtune", "mcp", "--task-id", "multi_turn_base_0"]}}}',
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    const config = configOption("mcp", values.config);
    if (values.part !== undefined && !["train", "val", "test"].includes(values.part as string))
      throw usageError("mcp", `--part must be train, val or test, got \`${String(values.part)}\`.`);
    const tasks = taskSequence(values, config);
    const level = ((values["log-level"] as string | undefined) ?? "warn") as LogLevel;
    const log = createLogger({ level, sink: (line) => stderr(line + "\n") });
    const env = await environmentFromFlags(
      values,
      log,
      values.split !== undefined ? { split: parseSplitOption(values.split as string, "mcp") } : {},
    );
    // A bad task id or split is a start-up error (exit 3), not a broken session later.
    for (const t of tasks) if (t.task_id !== undefined) env.task(t.task_id);
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        stdout(chunk.toString("utf8"));
        cb();
      },
    });
    await serveMcpStdio(env, { tasks, input: process.stdin, output, log, logLevel: level });
    return EXIT.OK;
  },
};
