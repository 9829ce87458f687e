/**
 * Assembles the envtune server: the service, the Fetch handler with its optional routes, and the
 * Node transports (`listen`).
 */
import type { BfclEnvironment } from "./environment.ts";
import { createFetchHandler, type FetchHandler, type JsonRoute } from "./http.ts";
import { createLogger, type Logger } from "./log.ts";
import { envtuneWebSocket, serveFetch, type RunningServer } from "./node-http.ts";
import { resolveServerOptions, type ServerOptionsInput } from "./options.ts";
import { rewardRoute } from "./reward.ts";
import { rolloutsRoute } from "./rollouts.ts";
import { EnvtuneService } from "./service.ts";

export interface EnvtuneServerOptions extends ServerOptionsInput {
  /** Serve `POST /v1/rollouts` (the server then calls model endpoints that clients name). */
  enableRollouts?: boolean;
  /** Serve `POST /v1/reward` (default true). */
  enableReward?: boolean;
  /** Log sink (default: JSON lines on stderr). */
  log?: Logger;
}

export interface EnvtuneServer {
  readonly service: EnvtuneService;
  /** The Fetch core: usable without any socket (tests, other runtimes). */
  readonly fetch: FetchHandler;
  /** Listens on `host:port` (port 0 = any free port) with HTTP and WebSocket transports. */
  listen(opts?: { port?: number; host?: string }): Promise<RunningServer>;
}

export function createEnvtuneServer(env: BfclEnvironment, opts: EnvtuneServerOptions = {}): EnvtuneServer {
  const { enableRollouts, enableReward, log: logger, ...rest } = opts;
  const options = resolveServerOptions(rest);
  const log = logger ?? createLogger({ level: options.logLevel });
  const service = new EnvtuneService(env, options, log);
  const routes: Record<string, JsonRoute> = {};
  if (enableReward !== false) routes["/v1/reward"] = rewardRoute();
  if (enableRollouts) routes["/v1/rollouts"] = rolloutsRoute();
  const fetch = createFetchHandler(service, { routes });
  return {
    service,
    fetch,
    async listen(l = {}) {
      service.start();
      const running = await serveFetch(fetch, {
        ...(l.port !== undefined ? { port: l.port } : {}),
        ...(l.host !== undefined ? { host: l.host } : {}),
        requestTimeoutMs: options.requestTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        shutdownGraceMs: options.shutdownGraceMs,
        turnBudgetMs: options.turnBudgetMs,
        log,
        upgrade: envtuneWebSocket(service),
        onDrain: () => {
          service.draining = true;
        },
        onClosed: () => service.stop(),
      });
      log.info("listening", {
        url: running.url,
        capacity: options.capacity,
        ttl_ms: options.sessionTtlMs,
        auth: options.token !== undefined,
        tasks: env.taskCount,
      });
      return running;
    },
  };
}
