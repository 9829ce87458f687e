/**
 * The route table: every HTTP endpoint as one entry (name, methods, path pattern, auth, how a
 * session router places it, handler). `createFetchHandler` dispatches on it, and the session
 * router reads the same entries to learn which requests carry a session id and where. Adding an
 * endpoint is one entry here (or one `JsonRoute` passed to `createFetchHandler`).
 */
import { serverError } from "./errors.ts";
import { json } from "./http.ts";
import { handleMcpHttp } from "./mcp-http.ts";
import { openapiDocument } from "./openapi.ts";
import { httpReset, httpState, httpStep } from "./openenv-http.ts";
import type { TaskQuery } from "./environment.ts";
import type { EnvtuneService } from "./service.ts";

/**
 * How a session router places a request of this route (absent: any backend, round-robin).
 * - `health`: the router answers itself, from every backend;
 * - `session`: the path's `{id}` is the session id;
 * - `create`: `POST` creates a session whose id is in the body (the router fills in a missing one);
 * - `mcp`: the `Mcp-Session-Id` header, or the session named in the JSON-RPC body;
 * - `reward-labels`: each sample's label names its session (a batch fans out).
 */
export type Routing = "health" | "session" | "create" | "mcp" | "reward-labels";

export interface RouteContext {
  req: Request;
  url: URL;
  /** Upper-case request method. */
  method: string;
  /** The path's `{name}` segments, still percent-encoded. */
  params: Record<string, string>;
  service: EnvtuneService;
  /** Aborted when the request times out; only `abortable` routes get a live one. */
  signal: AbortSignal;
  /** The body, read within the size limit and parsed within the depth limit. */
  body(): Promise<{ value: unknown; text: string }>;
}

export interface Route {
  /** Unique name (used in logs and by `RouteTable.get`). */
  name: string;
  /** Path with `{param}` segments, e.g. `/v1/sessions/{id}/step`. */
  path: string;
  /** Accepted methods (others answer `METHOD_NOT_ALLOWED` with `allow`); `any`: the handler decides. */
  methods: readonly string[] | "any";
  /** Whether the bearer token is required (health probes go without). */
  auth: boolean;
  /** Also match the path with one trailing `/`. */
  trailingSlash?: boolean;
  routing?: Routing;
  /** Its own time limit (ms) instead of the server's `requestTimeoutMs`. */
  timeoutMs?: number;
  /** Gets an abort signal that fires on timeout (it costs more than the request for short routes). */
  abortable?: boolean;
  handle(ctx: RouteContext): Promise<Response> | Response;
}

/** An extra POST endpoint (episode runner, reward service) with the core's auth, limits and errors. */
export interface JsonRoute {
  handler: (body: unknown, ctx: { rawText: string; signal: AbortSignal; service: EnvtuneService }) => Promise<unknown> | unknown;
  /** Its own time limit (ms) instead of `requestTimeoutMs` (an LLM episode takes minutes). */
  timeoutMs?: number;
  /** How a session router places its requests (default: any backend). */
  routing?: Routing;
}

/** A `JsonRoute` as a table entry: `POST` only, bearer auth, JSON in and out, abortable. */
export function jsonRoute(path: string, r: JsonRoute): Route {
  return {
    name: path,
    path,
    methods: ["POST"],
    auth: true,
    abortable: true,
    ...(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {}),
    ...(r.routing !== undefined ? { routing: r.routing } : {}),
    async handle(ctx) {
      const { value, text } = await ctx.body();
      return json(await r.handler(value, { rawText: text, signal: ctx.signal, service: ctx.service }));
    },
  };
}

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const body = route.path
    .split("/")
    .map((seg) => {
      const p = /^\{(\w+)\}$/.exec(seg);
      if (!p) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(p[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { route, names, re: new RegExp(`^${body}${route.trailingSlash ? "/?" : ""}$`) };
}

/** Routes by name, matched by path in insertion order (built-ins before extras). */
export class RouteTable {
  private readonly compiled: Compiled[] = [];

  constructor(routes: Iterable<Route> = []) {
    for (const r of routes) this.register(r);
  }

  /** Adds a route; a name can be registered once. */
  register(route: Route): this {
    if (this.compiled.some((c) => c.route.name === route.name)) {
      throw new Error(`[envtune] [server] A route named \`${route.name}\` is already registered. Pick another name or path.`);
    }
    this.compiled.push(compile(route));
    return this;
  }

  match(path: string): RouteMatch | undefined {
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (m) return { route: c.route, params: Object.fromEntries(c.names.map((n, i) => [n, m[i + 1]!])) };
    }
    return undefined;
  }

  get routes(): Route[] {
    return this.compiled.map((c) => c.route);
  }
}

/** `GET /v1/tasks` query: split, part, stage, category, offset, limit. */
function taskQuery(q: URLSearchParams): TaskQuery {
  const num = (k: string) => {
    const v = q.get(k);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw serverError("VALIDATION_ERROR", `\`${k}\` must be a non-negative integer, got \`${v.slice(0, 32)}\`.`, "Fix the query string.");
    return n;
  };
  const part = q.get("part");
  if (part !== null && part !== "train" && part !== "val" && part !== "test")
    throw serverError("VALIDATION_ERROR", `\`part\` must be train, val or test, got \`${part.slice(0, 32)}\`.`, "Fix the query string.");
  const offset = num("offset");
  const limit = num("limit");
  return {
    ...(q.get("split") !== null ? { split: q.get("split")! } : {}),
    ...(part !== null ? { part } : {}),
    ...(q.get("stage") !== null ? { stage: q.get("stage")! } : {}),
    ...(q.get("category") !== null ? { category: q.get("category")! } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

function sessionId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw serverError("VALIDATION_ERROR", "The session id in the path is not valid percent-encoding.", "Use the id the create returned.");
  }
}

const get = (name: string, path: string, handle: Route["handle"]): Route => ({ name, path, methods: ["GET"], auth: true, handle });

/** Every built-in endpoint; see the package README for what each does. */
export const BUILTIN_ROUTES: readonly Route[] = [
  {
    name: "health",
    path: "/health",
    methods: ["GET", "HEAD"],
    auth: false,
    routing: "health",
    handle: ({ service: s }) => json(s.health(), s.draining ? 503 : 200),
  },
  {
    name: "v1-health",
    path: "/v1/health",
    methods: ["GET", "HEAD"],
    auth: false,
    routing: "health",
    handle: ({ service: s }) => json(s.healthDetails(), s.draining ? 503 : 200),
  },
  get("metadata", "/metadata", ({ service }) => json(service.metadata())),
  get("info", "/v1/info", ({ service }) => json(service.info())),
  get("schema", "/schema", ({ service }) => json(service.schema())),
  get("tools", "/v1/tools", ({ service, url }) =>
    json(service.tools(url.searchParams.get("task_id") ?? undefined, url.searchParams.get("stage") ?? undefined)),
  ),
  get("openapi", "/openapi.json", ({ service }) => json(openapiDocument(service))),
  {
    name: "mcp",
    path: "/mcp",
    methods: "any",
    auth: true,
    routing: "mcp",
    handle: ({ service, req, url }) => handleMcpHttp(service, req, url),
  },
  {
    name: "reset",
    path: "/reset",
    methods: ["POST"],
    auth: true,
    handle: async ({ service, body }) => httpReset(service, (await body()).value),
  },
  {
    name: "step",
    path: "/step",
    methods: ["POST"],
    auth: true,
    async handle({ service, body }) {
      const { value, text } = await body();
      return httpStep(service, value, text);
    },
  },
  get("state", "/state", ({ service, url }) => httpState(service, url)),
  get("tasks", "/v1/tasks", ({ service, url }) => json(service.tasks(taskQuery(url.searchParams)))),
  get("stages", "/v1/stages", ({ service }) => json({ stages: service.stagesView() })),
  get("splits", "/v1/splits", ({ service }) => json({ default: service.env.split, splits: service.env.splitNames() })),
  {
    name: "session-create",
    path: "/v1/sessions",
    methods: ["POST"],
    auth: true,
    trailingSlash: true,
    routing: "create",
    async handle({ service, body }) {
      const r = service.create((await body()).value, "rest");
      return json(r.body, r.status);
    },
  },
  {
    name: "session-step",
    path: "/v1/sessions/{id}/step",
    methods: ["POST"],
    auth: true,
    trailingSlash: true,
    routing: "session",
    async handle({ service, params, body }) {
      const id = sessionId(params.id!);
      const { value, text } = await body();
      return json(service.step(id, value, text));
    },
  },
  {
    name: "session",
    path: "/v1/sessions/{id}",
    methods: ["GET", "DELETE"],
    auth: true,
    trailingSlash: true,
    routing: "session",
    handle({ service, params, method, url }) {
      const id = sessionId(params.id!);
      if (method === "DELETE") {
        if (!service.close(id)) service.require(id);
        return json({ session_id: id, deleted: true });
      }
      const messages = url.searchParams.get("messages");
      return json(service.snapshot(id, { messages: messages === "1" || messages === "true" }));
    },
  },
];

/** The built-in routes followed by the extra `JsonRoute`s by path (a built-in path wins). */
export function createRouteTable(extra: Record<string, JsonRoute> = {}): RouteTable {
  return new RouteTable([...BUILTIN_ROUTES, ...Object.entries(extra).map(([path, r]) => jsonRoute(path, r))]);
}
