import { readFileSync } from "node:fs";
import { PyDict, resolveDomainPacks } from "@envtune/core";
import { loadBfclDataset, resolveBfclDataDir } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "@envtune/engine";
import {
  createDomainMcpServer,
  createEnvtuneServer,
  createLogger,
  isLoopbackHost,
  loadBfclEnvironment,
  startCluster,
  type BfclEnvironment,
  type LoadEnvironmentOptions,
  type Logger,
  type RunningServer,
  type ServerOptionsInput,
  type StageSpecInput,
} from "@envtune/server";
import { EXIT, usageError, intOption, type Command, dataOption } from "../cli.ts";
import { parseSplitOption } from "../eval-source.ts";

function readJsonFile(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw usageError("serve", `--${flag}: cannot read JSON from \`${file}\` (${(e as Error).message}).`, "Pass a JSON file.");
  }
}

/**
 * This process's arguments without the cluster flags, for the workers it starts. The token never
 * travels on a command line (`ps` shows those to every user): workers get it in their environment.
 */
function workerArgs(argv: readonly string[]): string[] {
  const drop = new Set(["--workers", "--port", "--host", "--token", "--token-file"]);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split("=")[0]!;
    if (drop.has(name)) {
      if (!a.includes("=")) i++;
      continue;
    }
    if (a === "--announce") continue;
    out.push(a);
  }
  return out;
}

/** The bearer token: `--token-file` (first line), else `$ENVTUNE_TOKEN`, else `--token` (visible in `ps`). */
function resolveToken(values: Record<string, unknown>, warn: (s: string) => void): string | undefined {
  if (values["token-file"] !== undefined) {
    let text: string;
    try {
      text = readFileSync(values["token-file"] as string, "utf8");
    } catch (e) {
      throw usageError(
        "serve",
        `--token-file: cannot read \`${String(values["token-file"])}\` (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
        "Pass a file whose first line is the token.",
      );
    }
    const token = text.split(/\r?\n/)[0]!.trim();
    if (!token) throw usageError("serve", "--token-file: the file's first line is empty.", "Write the token on the first line.");
    return token;
  }
  if (values.token !== undefined) {
    warn("envtune serve: --token is visible to every user in `ps`; prefer --token-file FILE or $ENVTUNE_TOKEN.\n");
    return values.token as string;
  }
  return process.env.ENVTUNE_TOKEN || undefined;
}

/** A comma-separated list flag. */
function list(v: unknown): string[] | undefined {
  return v === undefined
    ? undefined
    : String(v)
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
}

/**
 * Resolves on SIGINT/SIGTERM, or when the parent's IPC channel closes (a worker of `--workers`
 * whose parent died), then removes its listeners.
 */
/** The episode config a `--config` flag holds (JSON text), or undefined when the flag is absent. */
export function configOption(cmd: string, value: unknown): EpisodeConfigInput | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value as string) as EpisodeConfigInput;
  } catch (e) {
    throw usageError(cmd, `--config is not JSON (${(e as Error).message}).`);
  }
}

/**
 * The environment the `--data`, `--dataset` and `--domains` flags name (plus `extra` options),
 * logging every domain pack that did not load: `serve` and `mcp` start from the same flags.
 */
export async function environmentFromFlags(
  values: Record<string, unknown>,
  log: Logger,
  extra: Partial<LoadEnvironmentOptions> = {},
): Promise<BfclEnvironment> {
  const domains =
    typeof values.domains === "string"
      ? values.domains
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const { env, missing } = await loadBfclEnvironment({
    ...(values.data ? { dataDir: values.data as string } : {}),
    ...(values.dataset ? { dataset: values.dataset as string } : {}),
    ...(domains ? { domains } : {}),
    ...extra,
  });
  for (const m of missing) log.warn("domain pack not loaded", { specifier: m.specifier, reason: m.reason });
  return env;
}

export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.off("disconnect", onDisconnect);
      resolve(sig);
    };
    const onInt = () => on("SIGINT");
    const onTerm = () => on("SIGTERM");
    const onDisconnect = () => on("parent gone");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    if (process.connected) process.once("disconnect", onDisconnect);
  });
}

export const serveCommand: Command = {
  name: "serve",
  summary: "Serve the environments over HTTP/WebSocket/MCP (session REST, OpenEnv endpoints) for RL engines.",
  usage:
    "envtune serve [--port 8000] [--host 127.0.0.1] [--data DIR] [--workers N] [--capacity N] [--ttl S] [--token-file F] [--allow-origin O] [--allow-host H] [--domain PKG]",
  options: {
    port: { type: "string", valueName: "n", default: "8000", description: "Port (0 = any free port)." },
    host: { type: "string", valueName: "addr", default: "127.0.0.1", description: "Address to listen on (0.0.0.0 for every interface)." },
    data: dataOption,
    dataset: {
      type: "string",
      valueName: "path",
      description: "Serve a dataset of your own in the BFCL format instead of BFCL (validated against the packs).",
    },
    domains: {
      type: "string",
      valueName: "list",
      description:
        "Comma-separated domain packs: package names, paths, `installed`, `bfcl` (default: every installed pack and the BFCL packs).",
    },
    split: {
      type: "string",
      valueName: "name|json",
      default: "paper",
      description: "Split the curriculum stages draw from: a name (paper, paper-full-test, ood:-<Class>, ...) or a JSON split spec.",
    },
    stages: { type: "string", valueName: "file", description: "JSON file with the curriculum stages (default: the paper's four)." },
    config: {
      type: "string",
      valueName: "json",
      description: 'Episode settings under every stage\'s, as JSON (e.g. \'{"actionFormat":"auto"}\').',
    },
    capacity: { type: "string", valueName: "n", description: "Live sessions before creates answer CAPACITY_REACHED (default 4096)." },
    ttl: { type: "string", valueName: "s", description: "Idle seconds before a session is reaped (default 900; 0 = never)." },
    "max-body": { type: "string", valueName: "bytes", description: "Largest request body / WebSocket message (default 1 MiB)." },
    "max-message": { type: "string", valueName: "bytes", description: "Largest assistant message (default 256 KiB)." },
    timeout: { type: "string", valueName: "ms", description: "Per-request time limit (default 30000)." },
    "max-tool-calls": {
      type: "string",
      valueName: "n",
      description: "Most tool calls one action may carry, in every action format (default 64).",
    },
    "max-transcript": {
      type: "string",
      valueName: "bytes",
      description: "Most bytes a session's messages may hold (default 1 MiB); past it actions get TRANSCRIPT_TOO_LARGE.",
    },
    "max-total-transcript": {
      type: "string",
      valueName: "bytes",
      description:
        "Most bytes all sessions' messages may hold together (default 1/8 of the heap limit); past it steps get CAPACITY_REACHED.",
    },
    "max-sessions-per-batch": {
      type: "string",
      valueName: "n",
      description: "Most sessions one JSON-RPC batch may create (default 8); a bigger batch is refused whole.",
    },
    "max-json-depth": { type: "string", valueName: "n", description: "Deepest JSON nesting of a body or WebSocket message (default 512)." },
    "ws-idle": {
      type: "string",
      valueName: "ms",
      description: "Close a WebSocket that sends nothing (no message, no ping) for this long (default 60000; 0 = never).",
    },
    "ws-max-buffered": {
      type: "string",
      valueName: "bytes",
      description: "Unread reply bytes per WebSocket before the server stops reading it (default 4 MiB; 2x closes it).",
    },
    "turn-budget": {
      type: "string",
      valueName: "ms",
      description: "Handler work per event-loop iteration before polling (and accepting) again (default 5; 0 = Node's own scheduling).",
    },
    "allow-origin": {
      type: "string",
      valueName: "list",
      description: "Comma-separated browser origins allowed besides loopback ones (`*` = any).",
    },
    "allow-host": {
      type: "string",
      valueName: "list",
      description: "Comma-separated Host names allowed besides loopback ones (`*` = any; default `*` when --host is not loopback).",
    },
    "token-file": {
      type: "string",
      valueName: "file",
      description: "Require `Authorization: Bearer <t>`, t being the file's first line (else $ENVTUNE_TOKEN; unset = no auth).",
    },
    token: {
      type: "string",
      valueName: "t",
      description: "Like --token-file, but visible to every user in `ps`; prefer --token-file or $ENVTUNE_TOKEN.",
    },
    "log-level": {
      type: "string",
      valueName: "level",
      default: "info",
      description: "debug, info, warn, error or silent (JSON lines on stderr).",
    },
    workers: { type: "string", valueName: "n", description: "Run N worker processes behind a session-id router on --port." },
    rollouts: { type: "boolean", description: "Enable POST /v1/rollouts (the server then calls model endpoints clients name)." },
    domain: { type: "string", valueName: "pkg", description: "Serve only this domain pack as a stateful MCP tool server (POST /mcp)." },
    scenario: {
      type: "string",
      valueName: "task",
      description: "With --domain: load the pack's initial state from this task's initial_config.",
    },
    augmented: { type: "boolean", description: "With --domain: actionable (augmented) messages." },
    announce: { type: "boolean", description: 'Print {"listening": url} on stdout once serving (used by --workers).' },
  },
  details: [
    "Endpoints: POST /v1/sessions, POST /v1/sessions/{id}/step, GET|DELETE /v1/sessions/{id}, GET /v1/tasks /v1/stages /v1/splits,",
    "GET /health /schema /metadata /state /openapi.json /v1/health /v1/info /v1/tools, POST /reset /step, WS /ws, MCP on POST|GET|DELETE /mcp and WS /mcp, POST /v1/reward, POST /v1/rollouts (--rollouts).",
    "Examples:",
    "  envtune serve --port 8000 --capacity 2048",
    "  envtune serve --port 8000 --workers 4          # 4 processes, sessions pinned by id",
    "  envtune serve --domain @envtune/domain-travel --scenario multi_turn_base_12",
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    const port = intOption("serve", values.port ?? "8000", "port", { min: 0 }) ?? 8000;
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    const ttl = intOption("serve", values.ttl, "ttl", { min: 0 });
    const token = resolveToken(values, stderr);
    // A server listening beyond loopback is reached under names this process cannot know.
    const allowHosts = list(values["allow-host"]) ?? (isLoopbackHost(host) ? undefined : ["*"]);
    const opts: ServerOptionsInput = {
      ...(values.capacity !== undefined ? { capacity: intOption("serve", values.capacity, "capacity", { min: 1 })! } : {}),
      ...(ttl !== undefined ? { sessionTtlMs: ttl * 1000 } : {}),
      ...(values["max-body"] !== undefined ? { maxBodyBytes: intOption("serve", values["max-body"], "max-body", { min: 256 })! } : {}),
      ...(values["max-message"] !== undefined
        ? { maxMessageBytes: intOption("serve", values["max-message"], "max-message", { min: 16 })! }
        : {}),
      ...(values.timeout !== undefined ? { requestTimeoutMs: intOption("serve", values.timeout, "timeout", { min: 1 })! } : {}),
      ...(values["max-tool-calls"] !== undefined
        ? { maxToolCalls: intOption("serve", values["max-tool-calls"], "max-tool-calls", { min: 1 })! }
        : {}),
      ...(values["max-transcript"] !== undefined
        ? { maxTranscriptBytes: intOption("serve", values["max-transcript"], "max-transcript", { min: 1024 })! }
        : {}),
      ...(values["max-total-transcript"] !== undefined
        ? { maxTotalTranscriptBytes: intOption("serve", values["max-total-transcript"], "max-total-transcript", { min: 1024 })! }
        : {}),
      ...(values["max-sessions-per-batch"] !== undefined
        ? { maxSessionsPerBatch: intOption("serve", values["max-sessions-per-batch"], "max-sessions-per-batch", { min: 1 })! }
        : {}),
      ...(values["max-json-depth"] !== undefined
        ? { maxJsonDepth: intOption("serve", values["max-json-depth"], "max-json-depth", { min: 8 })! }
        : {}),
      ...(values["ws-idle"] !== undefined ? { wsIdleTimeoutMs: intOption("serve", values["ws-idle"], "ws-idle", { min: 0 })! } : {}),
      ...(values["ws-max-buffered"] !== undefined
        ? { wsMaxBufferedBytes: intOption("serve", values["ws-max-buffered"], "ws-max-buffered", { min: 1024 })! }
        : {}),
      ...(values["turn-budget"] !== undefined
        ? { turnBudgetMs: intOption("serve", values["turn-budget"], "turn-budget", { min: 0 })! }
        : {}),
      ...(values["allow-origin"] !== undefined ? { allowOrigins: list(values["allow-origin"])! } : {}),
      ...(allowHosts ? { allowHosts } : {}),
      ...(token ? { token } : {}),
      logLevel: (values["log-level"] as ServerOptionsInput["logLevel"]) ?? "info",
    };
    const log = createLogger({ level: opts.logLevel ?? "info" });
    const announce = (url: string) => {
      if (values.announce) stdout(JSON.stringify({ listening: url }) + "\n");
      else stderr(`envtune serve: listening on ${url}\n`);
    };

    const workers = intOption("serve", values.workers, "workers", { min: 1 });
    if (workers !== undefined && workers > 1) {
      const command = [
        process.execPath,
        ...process.execArgv,
        process.argv[1]!,
        ...workerArgs(process.argv.slice(2)),
        "--port",
        "0",
        "--host",
        host,
        "--announce",
      ];
      // Workers inherit the token through their environment, never their command line.
      const env = { ...process.env, ...(token ? { ENVTUNE_TOKEN: token } : {}) };
      const router = {
        ...(token ? { token } : {}),
        allowOrigins: opts.allowOrigins ?? [],
        allowHosts: opts.allowHosts ?? [],
        ...(opts.maxJsonDepth ? { maxJsonDepth: opts.maxJsonDepth } : {}),
        ...(opts.wsMaxBufferedBytes ? { wsMaxBufferedBytes: opts.wsMaxBufferedBytes } : {}),
      };
      const cluster = await startCluster({ n: workers, command, env, port, host, log, router });
      // Listen for signals before announcing: one that arrives in between would kill the process outright.
      const stopped = untilSignal();
      announce(cluster.router.url);
      stderr(`envtune serve: ${workers} workers (pids ${cluster.workers.pids.join(", ")}) at ${cluster.workers.urls.join(", ")}\n`);
      const sig = await stopped;
      stderr(`envtune serve: ${sig}, shutting down\n`);
      await cluster.close();
      return EXIT.OK;
    }

    let running: RunningServer;
    if (values.domain !== undefined) {
      const spec = values.domain as string;
      const { packs, missing } = await resolveDomainPacks([spec]);
      const pack = [...packs.values()][0];
      if (!pack)
        throw usageError(
          "serve",
          `Cannot load domain pack \`${spec}\`${missing[0] ? ` (${missing[0].reason})` : ""}.`,
          "Pass an installed pack package or a path to its module.",
        );
      let initialConfig: PyDict | undefined;
      let longContext = false;
      let constants;
      if (values.scenario !== undefined) {
        const ds = loadBfclDataset(await resolveBfclDataDir(values.data ? { dataDir: values.data as string } : {}));
        const entry = ds.byId.get(values.scenario as string);
        if (!entry)
          throw usageError(
            "serve",
            `Unknown task \`${String(values.scenario)}\` for --scenario.`,
            "Pass a BFCL entry id such as multi_turn_base_12.",
          );
        initialConfig = entry.initialConfig;
        longContext = entry.longContext;
        constants = ds.longContext;
      }
      const server = createDomainMcpServer({
        ...opts,
        pack,
        ...(initialConfig ? { initialConfig } : {}),
        longContext,
        ...(constants ? { constants } : {}),
        augmented: values.augmented === true,
        log,
      });
      running = await server.listen({ port, host });
    } else {
      let stages: StageSpecInput[] | undefined;
      if (values.stages !== undefined) {
        const s = readJsonFile(values.stages as string, "stages");
        if (!Array.isArray(s)) throw usageError("serve", "--stages must hold a JSON array of stage specs.");
        stages = s as StageSpecInput[];
      }
      const defaultConfig = configOption("serve", values.config);
      const env = await environmentFromFlags(values, log, {
        split: parseSplitOption((values.split as string | undefined) ?? "paper", "serve"),
        ...(stages ? { stages } : {}),
        ...(defaultConfig ? { defaultConfig } : {}),
      });
      const server = createEnvtuneServer(env, { ...opts, log, enableRollouts: values.rollouts === true });
      running = await server.listen({ port, host });
    }
    const stopped = untilSignal();
    announce(running.url);
    const sig = await stopped;
    log.info("shutting down", { signal: sig });
    await running.close();
    log.info("stopped");
    return EXIT.OK;
  },
};
