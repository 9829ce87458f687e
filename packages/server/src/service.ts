/**
 * The transport-independent server: sessions over {@link Episode}s, task listing, schema,
 * metadata and health. REST, WebSocket and MCP all call these operations, so a session behaves
 * the same whichever way it is driven.
 */
import { randomUUID } from "node:crypto";
import { getHeapStatistics } from "node:v8";
import { PyDict, formatZodIssues, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core";
import {
  toWireReset,
  toWireStep,
  type AssistantInput,
  type Episode,
  type EpisodeConfigInput,
  type OpenAITool,
  type WireReset,
  type WireStep,
} from "@envtune/engine";
import { z } from "zod";
import type { BfclEnvironment, SplitPart, TaskQuery } from "./environment.ts";
import { ServerError, serverError, toServerError } from "./errors.ts";
import type { Logger } from "./log.ts";
import { reapInterval, type ServerOptions } from "./options.ts";
import { SessionStore, type EvictReason, type Session } from "./sessions.ts";

export const VERSION = "0.1.0";

export type Transport = "rest" | "ws" | "mcp";

export interface EnvSession {
  transport: Transport;
  /** Canonical create parameters: a repeated create with the same ones is the same session. */
  key: string;
  taskId?: string;
  stage?: string;
  /** OpenEnv's `reset(episode_id=...)`; default the session id. */
  episodeId?: string;
  episode?: Episode;
  created?: WireReset;
}

/** OpenEnv's `ResetRequest.episode_id` (openenv/core/env_server/types.py: a string of at most 255). */
export const episodeIdSchema = z.string().min(1).max(255);

const SESSION_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const sessionIdSchema = z.string().regex(SESSION_ID, "session ids are 1-128 characters of A-Z a-z 0-9 _ . : @ -");

export const createParamsSchema = z
  .object({
    /** Caller-chosen id (the routing key in a multi-process deployment); default a random UUID. */
    session_id: sessionIdSchema.optional(),
    task_id: z.string().min(1).max(200).optional(),
    /** With no `task_id`: the split, part and stage to draw a task from, and `seed` to pick it. */
    split: z.string().min(1).max(200).optional(),
    part: z.enum(["train", "val", "test"]).optional(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    stage: z
      .union([z.string().min(1).max(64), z.number().int().min(0).max(1e6)])
      .transform(String)
      .optional(),
    /** Episode settings over the stage's (`EpisodeConfigInput`: actionFormat, observation, maxActionsPerTurn, ...). */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type CreateParams = z.input<typeof createParamsSchema>;

const toolCallSchema = z
  .object({
    id: z.string().max(256).optional(),
    type: z.string().max(64).optional(),
    function: z
      .object({
        name: z.string().max(256),
        /** JSON text (OpenAI) or an object; pass text to keep `1.0` a float. */
        arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
      })
      .loose(),
  })
  .loose();

/**
 * An assistant message or its text. Other keys of chat APIs (`refusal`, `reasoning_content`, ...)
 * pass, but an object must carry `content` or `tool_calls`: `{"foo": 1}` is a wrong action, not an
 * empty turn, and is refused before it can cost an attempt.
 */
export const assistantSchema = z.union([
  z.string(),
  z
    .object({
      role: z.literal("assistant").optional(),
      content: z.string().nullable().optional(),
      tool_calls: z.array(toolCallSchema).nullable().optional(),
    })
    .loose()
    .refine((m) => "content" in m || "tool_calls" in m, { message: "an assistant message needs `content` or `tool_calls`" }),
]);

/** OpenEnv's action (`Action` of openenv/core/env_server/types.py: `metadata` plus the env's fields): one assistant message. */
export const actionSchema = z
  .object({
    message: assistantSchema.describe(
      "The assistant message: its text (paper envelope, Python calls or JSON calls) and/or OpenAI `tool_calls`.",
    ),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ title: "EnvtuneAction" });

/** The body of a step: `{message}` (or `{action}`), an assistant message or its text. */
export const stepParamsSchema = z
  .object({ message: assistantSchema.optional(), action: assistantSchema.optional(), request_id: z.string().max(256).optional() })
  .strict()
  .refine((v) => v.message !== undefined || v.action !== undefined, {
    message: "`message` (the assistant message or its text) is required",
  });

export type StepParams = z.input<typeof stepParamsSchema>;

export class EnvtuneService {
  readonly env: BfclEnvironment;
  readonly options: ServerOptions;
  readonly log: Logger;
  readonly sessions: SessionStore<EnvSession>;
  readonly startedAt = Date.now();
  draining = false;
  /** Open MCP SSE streams (`GET /mcp`), reported by `/v1/health`. */
  mcpStreams = 0;
  /** Bytes all transcripts hold, or more (steps add; closed sessions are only subtracted on a recount). */
  private transcriptTotal = 0;
  private readonly transcriptBudget: number;

  constructor(env: BfclEnvironment, options: ServerOptions, log: Logger) {
    this.env = env;
    this.options = options;
    this.log = log;
    this.transcriptBudget = options.maxTotalTranscriptBytes ?? Math.floor(getHeapStatistics().heap_size_limit / 8);
    this.sessions = new SessionStore<EnvSession>({
      capacity: options.capacity,
      ttlMs: options.sessionTtlMs,
      intervalMs: reapInterval(options),
      onReap: (ids) => log.info("sessions reaped", { count: ids.length, ids: ids.slice(0, 20) }),
    });
  }

  start(): void {
    this.sessions.start();
  }

  stop(): void {
    this.sessions.stop();
    this.sessions.clear("shutdown");
  }

  /**
   * Creates a session and resets its episode. Idempotent: the same `session_id` with the same
   * parameters returns the stored first observation (status 200) without touching the episode;
   * different parameters are a `SESSION_CONFLICT`.
   */
  create(raw: unknown, transport: Transport, onEvict?: (reason: EvictReason) => void): { status: 200 | 201; body: WireReset } {
    const params = parse(createParamsSchema, raw, "session create");
    const { session_id, ...rest } = params;
    const key = canonical(rest);
    if (session_id !== undefined) {
      const existing = this.sessions.get(session_id);
      if (existing) {
        if (existing.value.key === key && existing.value.created) return { status: 200, body: existing.value.created };
        throw serverError(
          "SESSION_CONFLICT",
          `Session \`${session_id}\` exists with other parameters.`,
          "Repeat the create with the same parameters, or delete the session first.",
        );
      }
    }
    const id = session_id ?? randomUUID();
    const { episode, taskId } = this.buildEpisode(rest);
    const reset = episode.reset();
    const created = toWireReset(id, reset);
    const session = this.sessions.add(
      id,
      transport,
      { transport, key, taskId, ...(rest.stage !== undefined ? { stage: rest.stage } : {}), episode, created },
      onEvict,
    );
    this.log.debug("session created", { session_id: id, task_id: taskId, stage: rest.stage, transport });
    void session;
    return { status: 201, body: created };
  }

  /** A session without an episode yet (a WebSocket connection before its first reset): holds a capacity slot. */
  reserve(transport: Transport, onEvict?: (reason: EvictReason) => void, id: string = randomUUID()): string {
    this.sessions.add(id, transport, { transport, key: "" }, onEvict);
    return id;
  }

  /** (Re)starts the episode of an existing session (OpenEnv `reset`). */
  reset(sessionId: string, raw: unknown, episodeId?: string): WireReset {
    const s = this.require(sessionId);
    const params = parse(createParamsSchema.omit({ session_id: true }), raw ?? {}, "reset");
    const { episode, taskId } = this.buildEpisode(params);
    const created = toWireReset(sessionId, episode.reset());
    s.value = {
      transport: s.value.transport,
      key: canonical(params),
      taskId,
      ...(params.stage !== undefined ? { stage: params.stage } : {}),
      ...(episodeId !== undefined ? { episodeId } : {}),
      episode,
      created,
    };
    s.steps = 0;
    return created;
  }

  /**
   * Applies one assistant message. `rawText` is the request text the body was parsed from and
   * `messagePath` where the message sits in it (default `[message]` or `[action]`): tool-call
   * arguments given as objects are re-read from it so that `1.0` stays a float.
   */
  step(sessionId: string, raw: unknown, rawText?: string, messagePath?: ReadonlyArray<string | number>): WireStep {
    const s = this.require(sessionId);
    const episode = s.value.episode;
    if (!episode) throw serverError("SESSION_ERROR", `Session \`${sessionId}\` has no episode yet.`, "Send a reset first.");
    const params = parse(stepParamsSchema, raw, "step");
    const key = params.message !== undefined ? "message" : "action";
    const action = this.checkAction(params[key]!, rawText, messagePath ?? [key]);
    this.checkTranscriptBudget();
    const before = episode.transcriptBytes;
    let result;
    try {
      result = episode.step(action);
    } catch (e) {
      throw toServerError(e);
    }
    this.transcriptTotal += episode.transcriptBytes - before;
    s.steps++;
    return toWireStep(result);
  }

  /**
   * Refuses a step while all sessions' transcripts hold more than the server's budget. The running
   * total only grows between recounts, so it is an upper bound; it is recounted (one pass over the
   * sessions) only when it passes the budget.
   */
  private checkTranscriptBudget(): void {
    if (this.transcriptTotal <= this.transcriptBudget) return;
    let total = 0;
    for (const id of this.sessions.ids()) total += this.sessions.peek(id)?.value.episode?.transcriptBytes ?? 0;
    this.transcriptTotal = total;
    if (total > this.transcriptBudget) {
      throw serverError(
        "CAPACITY_REACHED",
        `The server's sessions hold ${total} bytes of transcripts, more than its budget of ${this.transcriptBudget}.`,
        "Close finished sessions (DELETE /v1/sessions/{id}) and retry, or start the server with a larger `--max-total-transcript` (and heap).",
        { transcript_bytes: total, max_total_transcript_bytes: this.transcriptBudget },
      );
    }
  }

  /** State snapshot and checker report of a session. */
  snapshot(sessionId: string, opts: { messages?: boolean } = {}): Record<string, unknown> {
    const s = this.require(sessionId);
    const base = {
      session_id: s.id,
      episode_id: s.value.episodeId ?? s.id,
      transport: s.value.transport,
      task_id: s.value.taskId ?? null,
      stage: s.value.stage ?? null,
      created_at: s.createdAt / 1000,
      last_activity_at: s.lastActive / 1000,
      step_count: s.steps,
    };
    const ep = s.value.episode;
    if (!ep) return { ...base, started: false };
    const tr = ep.transcript();
    const state: Record<string, unknown> = {};
    for (const [cls, text] of Object.entries(ep.stateSnapshot())) state[cls] = JSON.parse(text);
    return {
      ...base,
      started: true,
      turn: ep.turn,
      turn_count: ep.turnCount,
      attempt: ep.attempt,
      done: ep.done,
      terminated: tr.terminated,
      truncated: tr.truncated,
      ...(tr.truncationReason ? { truncation_reason: tr.truncationReason } : {}),
      config: ep.config,
      tools: ep.tools,
      state,
      // `decoded` is the checker's input: BFCL's verdict re-executes it (`checkEntry`).
      checker: { turns: tr.turns, rewards: tr.rewards, decoded: tr.decoded },
      ...(opts.messages ? { messages: tr.messages } : {}),
    };
  }

  /** Deletes a session; false when it does not exist. */
  close(sessionId: string, reason: EvictReason = "deleted"): boolean {
    return this.sessions.delete(sessionId, reason);
  }

  require(sessionId: string): Session<EnvSession> {
    const s = typeof sessionId === "string" ? this.sessions.get(sessionId) : undefined;
    if (!s)
      throw serverError(
        "SESSION_NOT_FOUND",
        `No session \`${String(sessionId).slice(0, 128)}\`.`,
        "It was deleted, reaped after its idle TTL, or lives on another server; create a new one.",
      );
    return s;
  }

  tasks(q: TaskQuery): ReturnType<BfclEnvironment["listTasks"]> {
    return wrap(() => this.env.listTasks(q));
  }

  /** OpenEnv `GET /health`: exactly its `HealthResponse` (`extra="forbid"`); details are on `GET /v1/health`. */
  health(): { status: "healthy" | "unhealthy" } {
    return { status: this.draining ? "unhealthy" : "healthy" };
  }

  /** `GET /v1/health`: the load and memory picture (`status` is `draining` during shutdown). */
  healthDetails(): Record<string, unknown> {
    const m = process.memoryUsage();
    return {
      status: this.draining ? "draining" : "healthy",
      version: VERSION,
      pid: process.pid,
      uptime_s: Math.round((Date.now() - this.startedAt) / 100) / 10,
      sessions: this.sessions.stats(),
      mcp_streams: this.mcpStreams,
      memory: { rss: m.rss, heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, array_buffers: m.arrayBuffers },
    };
  }

  /** OpenEnv `GET /metadata`: exactly the fields of its `EnvironmentMetadata` (`extra="forbid"`); the rest is on `GET /v1/info`. */
  metadata(): Record<string, unknown> {
    return {
      name: this.options.name,
      description:
        "Environment Tuning (arXiv 2510.10197) on BFCL multi-turn: stateful tool-use episodes with actionable feedback, per-turn checks, named reward components and curriculum stages.",
      readme_content: null,
      version: VERSION,
      author: "envtune",
      documentation_url: null,
    };
  }

  /** `GET /v1/info`: what `/metadata` has no field for. */
  info(): Record<string, unknown> {
    return {
      ...this.metadata(),
      task_count: this.env.taskCount,
      default_split: this.env.split,
      domains: [...this.env.packs.values()].map((p) => ({
        name: p.meta.name,
        class_name: p.meta.className,
        version: p.meta.version,
        bfcl_commit: p.meta.bfclCommit ?? null,
      })),
      stages: this.stagesView(),
      splits: this.env.splitNames(),
      action_formats: ["envelope", "python", "json", "openai"],
      capacity: this.options.capacity,
      session_ttl_ms: this.options.sessionTtlMs,
      max_sessions_per_batch: this.options.maxSessionsPerBatch,
    };
  }

  stagesView(): Array<Record<string, unknown>> {
    return this.env.stages.map((s) => ({
      id: s.id,
      name: s.name,
      aliases: s.aliases,
      description: s.description,
      data: s.data,
      episode: this.env.episodeConfig(s.id),
    }));
  }

  /** OpenEnv `GET /schema`: exactly its `SchemaResponse`, the JSON Schemas of action, observation and state (from the zod schemas). */
  schema(): { action: Record<string, unknown>; observation: Record<string, unknown>; state: Record<string, unknown> } {
    return {
      action: jsonSchema(actionSchema, "input"),
      observation: jsonSchema(observationSchema, "output"),
      state: jsonSchema(stateSchema, "output"),
    };
  }

  /** `GET /v1/tools`: the OpenAI tool list of a task (at its first turn), or every tool. */
  tools(taskId?: string, stage?: string): { tools: OpenAITool[] } {
    if (taskId === undefined) return { tools: this.env.allTools() };
    const ep = wrap(() => this.env.createEpisode({ taskId, ...(stage !== undefined ? { stage } : {}) }));
    return { tools: ep.reset().tools };
  }

  // --- Internal ---------------------------------------------------------------------------------

  /** The task of a create: `task_id`, else the `seed`-th (or a random) task of the split, part and stage. */
  pickTask(p: Omit<z.output<typeof createParamsSchema>, "session_id">): string {
    if (p.task_id !== undefined) return p.task_id;
    const q: TaskQuery = {
      ...(p.split !== undefined ? { split: p.split } : {}),
      ...(p.part !== undefined ? { part: p.part as SplitPart } : {}),
      ...(p.stage !== undefined ? { stage: p.stage } : {}),
    };
    const { tasks } = this.tasks(q);
    if (tasks.length === 0)
      throw serverError(
        "FACTORY_ERROR",
        "No task matches the split, part and stage given.",
        "Pass a `task_id`, or another split/part/stage (GET /v1/tasks).",
      );
    const i = p.seed !== undefined ? p.seed % tasks.length : Math.floor(Math.random() * tasks.length);
    return tasks[i]!.task_id;
  }

  private buildEpisode(p: Omit<z.output<typeof createParamsSchema>, "session_id">): { episode: Episode; taskId: string } {
    const id = this.pickTask(p);
    const limits = { maxCallsPerAction: this.options.maxToolCalls, maxTranscriptBytes: this.options.maxTranscriptBytes };
    const episode = wrap(() =>
      this.env.createEpisode({
        taskId: id,
        ...(p.stage !== undefined ? { stage: p.stage } : {}),
        ...(p.config ? { config: p.config as EpisodeConfigInput } : {}),
        limits,
      }),
    );
    return { episode, taskId: id };
  }

  /** Size and shape limits of one assistant message; object arguments re-read exactly from the raw text. */
  private checkAction(
    msg: z.output<typeof assistantSchema>,
    rawText: string | undefined,
    path: ReadonlyArray<string | number>,
  ): AssistantInput {
    const o = this.options;
    if (typeof msg === "string") {
      if (Buffer.byteLength(msg) > o.maxMessageBytes) throw tooLarge(Buffer.byteLength(msg), o.maxMessageBytes);
      return msg;
    }
    const calls = msg.tool_calls ?? [];
    if (calls.length > o.maxToolCalls) {
      throw serverError(
        "VALIDATION_ERROR",
        `The message has ${calls.length} tool calls; at most ${o.maxToolCalls} are allowed.`,
        "Send fewer calls per message.",
      );
    }
    let bytes = Buffer.byteLength(msg.content ?? "");
    let exact: PyValue | undefined;
    const toolCalls = calls.map((tc, i) => {
      let args = tc.function.arguments;
      if (args !== undefined && typeof args !== "string") {
        // JSON.parse turned `1.0` into 1; the raw text still knows it was a float.
        exact ??= rawText !== undefined ? safePyJson(rawText) : undefined;
        const node = exact !== undefined ? at(exact, [...path, "tool_calls", i, "function", "arguments"]) : undefined;
        args = node instanceof PyDict ? pyJsonDumps(node) : JSON.stringify(args);
      }
      bytes += Buffer.byteLength(args ?? "") + Buffer.byteLength(tc.function.name);
      return {
        ...(tc.id !== undefined ? { id: tc.id } : {}),
        type: "function" as const,
        function: { name: tc.function.name, arguments: args ?? "" },
      };
    });
    if (bytes > o.maxMessageBytes) throw tooLarge(bytes, o.maxMessageBytes);
    return { role: "assistant", content: msg.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
  }
}

/** zod parse with a `VALIDATION_ERROR` that lists every issue with its path. */
export function parse<T extends z.ZodType>(schema: T, raw: unknown, what: string): z.output<T> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = formatZodIssues(r.error.issues, { root: "(body)" });
  throw serverError("VALIDATION_ERROR", `The ${what} request is invalid: ${issues.slice(0, 5).join("; ")}.`, "Fix the listed fields.", {
    issues,
  });
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toServerError(e);
  }
}

function tooLarge(bytes: number, max: number): ServerError {
  return serverError(
    "MESSAGE_TOO_LARGE",
    `The assistant message has ${bytes} bytes; the limit is ${max}.`,
    "Send a shorter message, or start the server with a larger `maxMessageBytes`.",
  );
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function safePyJson(text: string): PyValue | undefined {
  try {
    return parsePyJson(text);
  } catch {
    return undefined;
  }
}

/** The node at `path` of a parsed Python-JSON value (dict keys and list indices). */
export function at(v: PyValue | undefined, path: ReadonlyArray<string | number>): PyValue | undefined {
  let cur = v;
  for (const k of path) {
    if (cur instanceof PyDict && typeof k === "string") cur = cur.get(k);
    else if (Array.isArray(cur) && typeof k === "number") cur = cur[k];
    else return undefined;
  }
  return cur;
}

const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().nullable(),
  tool_calls: z.array(z.unknown()).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});

/** The `observation` of OpenEnv reset/step responses (and of `/ws` observation messages). */
export const observationSchema = z
  .object({
    session_id: z.string().optional().describe("The session (= episode id); reset only."),
    episode_id: z.string().optional().describe("Same as session_id; reset only."),
    messages: z
      .array(messageSchema)
      .describe("New chat messages: system and first user message at reset; tool results, feedback and next user message after a step."),
    tools: z.array(z.unknown()).optional().describe("OpenAI tool list (reset only)."),
    reward_components: z.record(z.string(), z.number()).optional(),
    events: z.array(z.object({ type: z.string(), turn: z.number().int(), detail: z.unknown() })).optional(),
    truncated: z.boolean().optional(),
    info: z.record(z.string(), z.unknown()).optional().describe("turn, attempt, tools_changed (step); task id, category, ... (reset)."),
    done: z.boolean().optional(),
    reward: z.number().nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ title: "EnvtuneObservation" });

/** OpenEnv's `State` (`episode_id`, `step_count`, extra fields allowed) with envtune's fields. */
export const stateSchema = z
  .object({
    episode_id: z.string().nullable(),
    step_count: z.number().int().min(0),
    session_id: z.string(),
    task_id: z.string().nullable(),
    turn: z.number().int().optional(),
    done: z.boolean().optional(),
    state: z.record(z.string(), z.unknown()).optional().describe("Per class, the lossless state encoding ($float, $dict, ...)."),
    checker: z.record(z.string(), z.unknown()).optional().describe("Per-turn checks and the reward breakdown."),
  })
  .loose()
  .meta({ title: "EnvtuneState" });

/** A zod schema as JSON Schema (draft 2020-12), the form OpenEnv's `/schema` and `/openapi.json` carry. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
