import { EnvtuneError } from "@envtune/core";
import {
  checkBearer,
  createLogger,
  createSessionRouter,
  serveFetch,
  ServerError,
  type FetchHandler,
  type LogLevel,
  type RunningServer,
} from "@envtune/server";
import { EXIT, usageError, intOption, type Command } from "../cli.ts";
import { untilSignal } from "./serve.ts";

/** The upstream list: repeated and/or comma-separated `--upstream`, each an http(s) URL, once each. */
export function parseUpstreams(values: unknown): string[] {
  const raw = (Array.isArray(values) ? values : values === undefined ? [] : [values]) as string[];
  const urls = raw
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  if (urls.length === 0)
    throw usageError("route", "No upstream given.", "Pass `--upstream http://host:port` once per `envtune serve` process.");
  for (const u of urls) {
    let p: URL;
    try {
      p = new URL(u);
    } catch {
      throw usageError("route", `--upstream \`${u}\` is not a URL.`, "Pass e.g. `--upstream http://10.0.0.2:8000`.");
    }
    if ((p.protocol !== "http:" && p.protocol !== "https:") || p.search || p.hash)
      throw usageError("route", `--upstream \`${u}\` must be a plain http(s) URL.`, "Pass e.g. `--upstream http://10.0.0.2:8000`.");
  }
  const dup = urls.find((u, i) => urls.indexOf(u) !== i);
  if (dup)
    throw usageError("route", `--upstream \`${dup}\` is given twice.`, "List each server once; the order fixes which sessions go where.");
  return urls;
}

/** The router's handler behind a bearer check (`/health` stays open, as on `envtune serve`). */
function withToken(handler: FetchHandler, token: string | undefined): FetchHandler {
  if (token === undefined) return handler;
  const refused = new ServerError(
    "UNAUTHORIZED",
    "[envtune] [route] Missing or wrong bearer token. Send `Authorization: Bearer <token>` with the router's token.",
  );
  return async (req) => {
    if (new URL(req.url).pathname !== "/health" && !checkBearer(req.headers.get("authorization"), token)) {
      return new Response(JSON.stringify(refused.toJSON()), {
        status: 401,
        headers: { "content-type": "application/json; charset=utf-8", "www-authenticate": 'Bearer realm="envtune"' },
      });
    }
    return handler(req);
  };
}

export const routeCommand: Command = {
  name: "route",
  summary: "Put one address in front of several `envtune serve` processes: sessions pinned to a server by their id.",
  usage: "envtune route --upstream URL [--upstream URL ...] [--port 8000] [--host 127.0.0.1] [--token T] [--timeout MS] [--max-body BYTES]",
  options: {
    upstream: {
      type: "string",
      multiple: true,
      valueName: "url",
      description:
        "An `envtune serve` base URL; repeat it (or comma-separate) for each server. The order fixes the hashing: keep it stable.",
    },
    port: { type: "string", valueName: "n", default: "8000", description: "Port (0 = any free port)." },
    host: { type: "string", valueName: "addr", default: "127.0.0.1", description: "Address to listen on (0.0.0.0 for every interface)." },
    token: {
      type: "string",
      valueName: "t",
      description:
        "Require `Authorization: Bearer <t>` (default $ENVTUNE_TOKEN; unset = no check). It is passed on, so the servers should share it.",
    },
    timeout: { type: "string", valueName: "ms", description: "Per forwarded request (default 30000)." },
    "max-body": { type: "string", valueName: "bytes", description: "Largest request body / WebSocket message (default 1 MiB)." },
    "log-level": {
      type: "string",
      valueName: "level",
      default: "info",
      description: "debug, info, warn, error or silent (JSON lines on stderr).",
    },
  },
  details: [
    "Each session id hashes (rendezvous) to one upstream: creates, steps, reads, deletes, MCP sessions and WebSockets",
    "of a session all go there. Stateless endpoints go round-robin; GET /health aggregates every upstream; POST /v1/reward",
    "batches are split by the sessions their labels name. A session whose upstream is down fails (502 UPSTREAM_ERROR);",
    "the others are untouched. For failover of new sessions without a router, give the Python client every URL.",
    "Examples:",
    "  envtune route --upstream http://10.0.0.2:8000 --upstream http://10.0.0.3:8000 --port 8000 --host 0.0.0.0",
  ].join("\n"),
  async run({ values, stderr }) {
    if (values.upstream === undefined)
      throw usageError("route", "No upstream given.", "Pass `--upstream http://host:port` once per `envtune serve` process.");
    const upstreams = parseUpstreams(values.upstream);
    const port = intOption("route", values.port ?? "8000", "port", { min: 0, max: 65535 })!;
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    const timeoutMs = intOption("route", values.timeout, "timeout", { min: 1, max: Number.MAX_SAFE_INTEGER });
    const maxBodyBytes = intOption("route", values["max-body"], "max-body", { min: 256, max: Number.MAX_SAFE_INTEGER });
    const level = (values["log-level"] as string | undefined) ?? "info";
    if (!["debug", "info", "warn", "error", "silent"].includes(level))
      throw usageError("route", `--log-level must be debug, info, warn, error or silent, got \`${level}\`.`);
    const token = (values.token as string | undefined) ?? process.env.ENVTUNE_TOKEN;
    const log = createLogger({ level: level as LogLevel });
    const router = createSessionRouter({
      backends: upstreams,
      log,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    });
    let running: RunningServer;
    try {
      running = await serveFetch(withToken(router.fetch, token || undefined), { port, host, log, upgrade: router.upgrade });
    } catch (e) {
      throw new EnvtuneError(
        "CONFIG",
        "route",
        `Cannot listen on ${host}:${port} (${(e as Error).message}).`,
        "Pick a free port (--port) or another address (--host).",
      );
    }
    // Listen for signals before announcing: one that arrives in between would kill the process outright.
    const stopped = untilSignal();
    stderr(`envtune route: listening on ${running.url}, ${upstreams.length} upstream(s): ${upstreams.join(", ")}\n`);
    const sig = await stopped;
    log.info("shutting down", { signal: sig });
    await running.close();
    log.info("stopped");
    return EXIT.OK;
  },
};
