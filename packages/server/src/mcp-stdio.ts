/**
 * MCP over stdio (MCP spec 2025-06-18, basic/transports §stdio): newline-delimited JSON-RPC on
 * stdin/stdout, one session per process, for desktop hosts and agent frameworks that start their
 * servers as subprocesses. stdout carries JSON-RPC only; logs go to the logger (stderr).
 *
 * The process plays a task sequence: the first task starts before `initialize` (its first user
 * request is in the `instructions`), and when a `tools/call` finishes an episode the next task
 * starts, announced in that call's result and by `notifications/tools/list_changed`.
 */
import type { Readable, Writable } from "node:stream";
import type { BfclEnvironment } from "./environment.ts";
import { createLogger, type Logger } from "./log.ts";
import { handleJsonRpc, RPC, rpcError } from "./mcp.ts";
import { resolveServerOptions, type ServerOptionsInput } from "./options.ts";
import { EnvtuneService, type CreateParams } from "./service.ts";

export interface McpStdioOptions extends ServerOptionsInput {
  /** The tasks to play in order (each a create: task_id, or split/part/stage/seed, and config); at least one. */
  tasks: Array<Omit<CreateParams, "session_id">>;
  input: Readable;
  output: Writable;
  log?: Logger;
}

/** Serves MCP on the streams until the input ends; resolves then. */
export async function serveMcpStdio(env: BfclEnvironment, opts: McpStdioOptions): Promise<void> {
  const { tasks, input, output, log: logger, ...rest } = opts;
  const options = resolveServerOptions({ capacity: 1, sessionTtlMs: 0, ...rest });
  const log = logger ?? createLogger({ level: options.logLevel });
  const service = new EnvtuneService(env, options, log);
  const write = (msg: unknown) => output.write(JSON.stringify(msg) + "\n");
  const sid = service.reserve("mcp");
  let next = 0;
  const start = (): string => {
    const i = next++;
    const r = service.reset(sid, tasks[i]);
    const first = r.messages.filter((m) => m.role === "user").map((m) => m.content ?? "");
    return `[envtune] Next task (${i + 1}/${tasks.length}): ${r.info.id}. User request: ${first.join("\n")}`;
  };
  if (tasks.length > 0) start();
  const onEpisodeEnd = () => (next < tasks.length ? start() : undefined);
  const handleLine = (line: string) => {
    if (line.trim() === "") return;
    let payload: unknown;
    try {
      payload = JSON.parse(line);
    } catch {
      write(rpcError(null, RPC.PARSE_ERROR, "Parse error"));
      return;
    }
    const out = handleJsonRpc(service, payload, { boundSession: sid, rawText: line, notify: (_s, m) => write(m), onEpisodeEnd });
    if (out) write(out);
  };
  await readLines(input, options.maxBodyBytes, handleLine, () =>
    write(rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: a message over ${options.maxBodyBytes} bytes was dropped`)),
  );
  service.stop();
}

/** Splits the input at newlines; a line over `max` bytes is dropped (with `onTooLong`) rather than buffered without bound. */
function readLines(input: Readable, max: number, onLine: (line: string) => void, onTooLong: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let parts: Buffer[] = [];
    let size = 0;
    let skipping = false;
    input.on("data", (chunk: Buffer) => {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        if (!skipping) {
          parts.push(chunk.subarray(from, nl));
          onLine(Buffer.concat(parts).toString("utf8"));
        }
        parts = [];
        size = 0;
        skipping = false;
        from = nl + 1;
      }
      if (skipping || from >= chunk.length) return;
      size += chunk.length - from;
      if (size > max) {
        parts = [];
        skipping = true;
        onTooLong();
      } else parts.push(chunk.subarray(from));
    });
    input.on("end", () => {
      if (!skipping && parts.length) onLine(Buffer.concat(parts).toString("utf8"));
      resolve();
    });
    input.on("error", reject);
  });
}
