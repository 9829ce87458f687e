/**
 * Stable error codes of the envtune server, one table for every transport: the HTTP status a REST
 * response carries and the JSON-RPC code an MCP response carries. The first seven are OpenEnv's
 * `WSErrorCode` values, so OpenEnv clients recognise them unchanged.
 */
import { EnvtuneError } from "@envtune/core";

export const SERVER_ERROR_CODES = {
  /** The body or message is not JSON. */
  INVALID_JSON: { http: 400, rpc: -32700 },
  /** A WebSocket message `type` the server does not know. */
  UNKNOWN_TYPE: { http: 400, rpc: -32601 },
  /** The request is JSON but not the expected shape. */
  VALIDATION_ERROR: { http: 400, rpc: -32602 },
  /** The episode refused the action (e.g. the engine rejected it). */
  EXECUTION_ERROR: { http: 422, rpc: -32000 },
  /** The session limit is reached; retry later or raise `capacity`. */
  CAPACITY_REACHED: { http: 503, rpc: -32000 },
  /** The episode could not be built (unknown task, stage or split, bad episode config). */
  FACTORY_ERROR: { http: 400, rpc: -32000 },
  /** A session-level failure that fits no other code (e.g. step before reset on a WebSocket). */
  SESSION_ERROR: { http: 409, rpc: -32000 },

  SESSION_NOT_FOUND: { http: 404, rpc: -32602 },
  /** The session id exists with different create parameters. */
  SESSION_CONFLICT: { http: 409, rpc: -32000 },
  /** The episode has ended; no more steps. */
  EPISODE_DONE: { http: 409, rpc: -32000 },
  TASK_NOT_FOUND: { http: 404, rpc: -32602 },
  UNAUTHORIZED: { http: 401, rpc: -32001 },
  /** A browser `Origin` that is neither loopback nor on `allowOrigins`. */
  ORIGIN_NOT_ALLOWED: { http: 403, rpc: -32001 },
  /** A `Host` that is neither loopback nor on `allowHosts` (DNS rebinding). */
  HOST_NOT_ALLOWED: { http: 403, rpc: -32001 },
  NOT_FOUND: { http: 404, rpc: -32601 },
  METHOD_NOT_ALLOWED: { http: 405, rpc: -32601 },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, rpc: -32600 },
  PAYLOAD_TOO_LARGE: { http: 413, rpc: -32600 },
  /** One assistant message (content or tool calls) is over `maxMessageBytes`. */
  MESSAGE_TOO_LARGE: { http: 413, rpc: -32602 },
  /** A session's transcript would pass `maxTranscriptBytes`. */
  TRANSCRIPT_TOO_LARGE: { http: 413, rpc: -32602 },
  REQUEST_TIMEOUT: { http: 408, rpc: -32000 },
  SHUTTING_DOWN: { http: 503, rpc: -32000 },
  /** A backend behind the session router did not answer. */
  UPSTREAM_ERROR: { http: 502, rpc: -32000 },
  INTERNAL_ERROR: { http: 500, rpc: -32603 },
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

/** An error with a stable code; every transport renders it the same way. */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ServerErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ServerError";
    this.code = code;
    this.status = SERVER_ERROR_CODES[code].http;
    if (options?.details !== undefined) this.details = options.details;
  }

  /** `{"error": {"code", "message", "details"?}}`, the body of every REST error. */
  toJSON(): { error: { code: ServerErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
  }
}

export function serverError(code: ServerErrorCode, what: string, hint: string, details?: unknown): ServerError {
  return new ServerError(code, `[envtune] [server] ${what} ${hint}`, details === undefined ? undefined : { details });
}

/** Engine and core error codes that are the client's fault, mapped onto server codes. */
const ENVTUNE_CODE_MAP: Readonly<Record<string, ServerErrorCode>> = {
  EPISODE_DONE: "EPISODE_DONE",
  EPISODE_NOT_STARTED: "SESSION_ERROR",
  BAD_ACTION: "VALIDATION_ERROR",
  TOO_MANY_TOOL_CALLS: "VALIDATION_ERROR",
  TRANSCRIPT_TOO_LARGE: "TRANSCRIPT_TOO_LARGE",
  INVALID_EPISODE_CONFIG: "FACTORY_ERROR",
  INVALID_REWARD_SPEC: "FACTORY_ERROR",
  BAD_REWARD_SPEC: "FACTORY_ERROR",
  DOMAIN_NOT_INSTALLED: "FACTORY_ERROR",
  UNKNOWN_SPLIT: "FACTORY_ERROR",
  BAD_SPLIT_NAME: "FACTORY_ERROR",
  BAD_SPLIT_SPEC: "FACTORY_ERROR",
  UNKNOWN_DOMAIN: "FACTORY_ERROR",
  SPLIT_TOO_LARGE: "FACTORY_ERROR",
  EMPTY_TRAIN: "FACTORY_ERROR",
};

/**
 * Normalizes anything thrown into a ServerError. EnvtuneErrors keep their text and map onto a
 * client-error code when they are the client's fault; anything else is an INTERNAL_ERROR whose
 * text does not leak internals.
 */
export function toServerError(e: unknown): ServerError {
  if (e instanceof ServerError) return e;
  if (e instanceof EnvtuneError) {
    const code = ENVTUNE_CODE_MAP[e.code];
    if (code)
      return new ServerError(code, e.message, { details: { envtune_code: e.code, ...(e.details ? { issues: e.details } : {}) }, cause: e });
    return new ServerError("INTERNAL_ERROR", e.message, { details: { envtune_code: e.code }, cause: e });
  }
  return new ServerError(
    "INTERNAL_ERROR",
    "[envtune] [server] Internal error while handling the request. This is a bug in envtune; the server log has the stack.",
    { cause: e },
  );
}
