/**
 * `GET /openapi.json`: OpenAPI 3.1 for the OpenEnv endpoints, built from the zod schemas that
 * validate the requests (so the document cannot drift from the server). OpenEnv's validator reads
 * `info.version` and decides the mode from the paths: `/reset`, `/step` and `/state` together make
 * a "simulation" server (openenv/cli/_validation.py, `validate_running_environment`).
 */
import { z } from "zod";
import { actionSchema, jsonSchema, observationSchema, stateSchema, VERSION, type EnvtuneService } from "./service.ts";
import { resetRequestSchema, stepRequestSchema, stepResponseSchema } from "./openenv-http.ts";

type Json = Record<string, unknown>;

/** The OpenEnv HTTP API revision these endpoints follow. */
export const OPENENV_HTTP_API_VERSION = "1.0.0";

/** Every error answer (`ServerError.toJSON()`). */
const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
// "input": the answer is documented without `additionalProperties: false`, so clients tolerate new fields.
const errorBody = jsonSchema(errorBodySchema, "input");

/** OpenEnv's `HealthResponse`, exactly `{status}` (`extra="forbid"`). */
const healthResponseSchema = z.strictObject({ status: z.enum(["healthy", "unhealthy", "degraded"]) });

function body(schema: Json): Json {
  return { required: true, content: { "application/json": { schema } } };
}

function ok(schema: Json, description = "OK"): Json {
  return { description, content: { "application/json": { schema } } };
}

function errors(...codes: string[]): Json {
  return Object.fromEntries(
    codes.map((c) => [
      c,
      {
        description: c === "422" ? "VALIDATION_ERROR: the body breaks the request schema (nothing was run)" : "Error",
        content: { "application/json": { schema: errorBody } },
      },
    ]),
  );
}

export function openapiDocument(service: EnvtuneService): Json {
  const stepResponse = jsonSchema(stepResponseSchema, "output");
  const object: Json = { type: "object", additionalProperties: true };
  return {
    openapi: "3.1.0",
    // The API's version, as OpenEnv's own servers declare it (meta-pytorch/OpenEnv
    // src/openenv/core/env_server/http_server.py:1606 @ 685de411): the validator reads "1.x" as
    // the openenv-http/1.x profile. envtune's own version is `x-envtune-version`.
    info: {
      title: service.options.name,
      version: OPENENV_HTTP_API_VERSION,
      "x-envtune-version": VERSION,
      description: service.metadata().description,
    },
    paths: {
      "/reset": {
        post: {
          summary: "Start (or restart) the episode named by episode_id",
          requestBody: body(jsonSchema(resetRequestSchema, "input")),
          responses: { "200": ok(stepResponse), ...errors("404", "422", "503") },
        },
      },
      "/step": {
        post: {
          summary: "Apply one action (an assistant message) to the episode",
          requestBody: body(jsonSchema(stepRequestSchema, "input")),
          responses: { "200": ok(stepResponse), ...errors("404", "409", "413", "422") },
        },
      },
      "/state": {
        get: {
          summary: "State of the episode (OpenEnv State: episode_id, step_count, plus envtune's snapshot)",
          parameters: [{ name: "episode_id", in: "query", required: true, schema: { type: "string" } }],
          responses: { "200": ok(jsonSchema(stateSchema, "output")), ...errors("400", "404") },
        },
      },
      "/health": {
        get: { summary: "Health (OpenEnv HealthResponse)", responses: { "200": ok(jsonSchema(healthResponseSchema, "output")) } },
      },
      "/metadata": { get: { summary: "Environment metadata (OpenEnv EnvironmentMetadata)", responses: { "200": ok(object) } } },
      "/schema": {
        get: {
          summary: "JSON Schemas of action, observation and state (OpenEnv SchemaResponse)",
          responses: {
            "200": ok({
              type: "object",
              properties: {
                action: jsonSchema(actionSchema, "input"),
                observation: jsonSchema(observationSchema, "output"),
                state: object,
              },
              required: ["action", "observation", "state"],
            }),
          },
        },
      },
      "/mcp": {
        post: {
          summary: "MCP Streamable HTTP: JSON-RPC 2.0 requests (initialize opens a session: Mcp-Session-Id)",
          requestBody: body(object),
          responses: { "200": ok(object), "202": { description: "Notifications accepted" } },
        },
        get: {
          summary: "MCP: the session's SSE stream (notifications/tools/list_changed)",
          responses: { "200": { description: "text/event-stream" } },
        },
        delete: { summary: "MCP: end the session", responses: { "204": { description: "Ended" } } },
      },
      "/v1/health": { get: { summary: "Sessions, memory, uptime", responses: { "200": ok(object) } } },
      "/v1/info": { get: { summary: "Domains, stages, splits, task count, limits", responses: { "200": ok(object) } } },
      "/v1/tools": { get: { summary: "OpenAI tool list of a task (task_id, stage) or of every domain", responses: { "200": ok(object) } } },
    },
  };
}
