/**
 * Server limits and switches, validated with zod so a bad flag or config file fails at start-up
 * with every problem listed, not at the first request.
 */
import { z } from "zod";
import { parseOrThrow } from "@envtune/core";

export const serverOptionsSchema = z
  .object({
    /** Live sessions (REST, WebSocket and MCP together) before creates answer `CAPACITY_REACHED`. */
    capacity: z.number().int().min(1).default(4096),
    /** A session untouched this long is reaped (ms); 0 disables the reaper. */
    sessionTtlMs: z
      .number()
      .int()
      .min(0)
      .default(15 * 60_000),
    /** How often the reaper looks (ms); default ttl/4, at most 30 s, at least 10 ms. */
    reapIntervalMs: z.number().int().min(10).optional(),
    /** Largest request body (bytes) before `PAYLOAD_TOO_LARGE`; also the WebSocket frame limit. */
    maxBodyBytes: z
      .number()
      .int()
      .min(256)
      .default(1024 * 1024),
    /** Largest assistant message (content plus tool-call arguments, UTF-8 bytes) before `MESSAGE_TOO_LARGE`. */
    maxMessageBytes: z
      .number()
      .int()
      .min(16)
      .default(256 * 1024),
    /** Sessions one JSON-RPC batch may create (`initialize`, `openenv/session/create`); a batch over it is refused whole. */
    maxSessionsPerBatch: z.number().int().min(1).default(8),
    /** Most tool calls one assistant message may carry, in every action format (OpenAI `tool_calls`, Python, JSON, envelope text). */
    maxToolCalls: z.number().int().min(1).default(64),
    /**
     * Most UTF-8 bytes a session's messages (after the system prompt) may hold: an action that
     * would pass it gets `TRANSCRIPT_TOO_LARGE`; tool results that pass it truncate the episode.
     */
    maxTranscriptBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /**
     * Most transcript bytes all sessions together may hold; past it steps answer `CAPACITY_REACHED`
     * until sessions close. Default: 1/8 of the V8 heap limit, so that the heap they cost (about
     * 3 bytes per transcript byte, measured) stays under half the heap.
     */
    maxTotalTranscriptBytes: z.number().int().min(1024).optional(),
    /** Per-request limit (ms) for reading the body and handling it; `REQUEST_TIMEOUT` after. */
    requestTimeoutMs: z.number().int().min(1).default(30_000),
    /** Deepest JSON nesting a body or WebSocket message may have before `VALIDATION_ERROR`. */
    maxJsonDepth: z.number().int().min(8).default(512),
    /**
     * Origins (`https://app.example`) allowed besides loopback ones; `*` = any. Browsers send
     * `Origin`, other clients do not, so this keeps web pages from driving the server.
     */
    allowOrigins: z.array(z.string().min(1)).default([]),
    /** `Host` names allowed besides loopback ones (DNS-rebinding protection); `*` = any. */
    allowHosts: z.array(z.string().min(1)).default([]),
    /** A WebSocket that sends nothing for this long is closed (ms, close code 4408); 0 = never. */
    wsIdleTimeoutMs: z.number().int().min(0).default(60_000),
    /**
     * Bytes of replies a WebSocket may have queued unread before the server stops reading its
     * requests; past twice this it is closed (code 1008). A client that never reads cannot make
     * the server buffer without bound.
     */
    wsMaxBufferedBytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    /** Bearer token every endpoint but `/health` requires; unset = no authentication. */
    token: z.string().min(1).optional(),
    /**
     * Handler work per event-loop iteration (ms) before the server polls its sockets, and accepts
     * new connections, again; 0 = Node's default (every ready request at once, which starves
     * `accept()` under saturation).
     */
    turnBudgetMs: z.number().min(0).default(5),
    /** How long graceful shutdown waits for requests in flight (ms). */
    shutdownGraceMs: z.number().int().min(0).default(10_000),
    /** Log level of the structured JSON log. */
    logLevel: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Name reported by `/metadata` and MCP `initialize`. */
    name: z.string().min(1).default("envtune-bfcl"),
  })
  .strict();

export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;
export type ServerOptions = z.output<typeof serverOptionsSchema>;

export function resolveServerOptions(input: ServerOptionsInput = {}): ServerOptions {
  return parseOrThrow(serverOptionsSchema, input, {
    code: "INVALID_SERVER_OPTIONS",
    scope: "server",
    what: "The server options are invalid.",
    hint: "Fix the listed options (see `serverOptionsSchema`).",
    root: "(options)",
  });
}

/** The reaper's period for a TTL: often enough to reap within ~25% of the TTL. */
export function reapInterval(o: Pick<ServerOptions, "sessionTtlMs" | "reapIntervalMs">): number {
  if (o.reapIntervalMs !== undefined) return o.reapIntervalMs;
  return Math.max(10, Math.min(30_000, Math.floor(o.sessionTtlMs / 4)));
}
