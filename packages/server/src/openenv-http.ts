/**
 * OpenEnv's HTTP simulation API: `POST /reset`, `POST /step`, `GET /state` with the request and
 * response shapes of openenv/core/env_server/types.py (`ResetRequest`, `ResetResponse`,
 * `StepRequest`, `StepResponse`, `State`). OpenEnv's own HTTP handlers build a fresh environment per
 * request; envtune episodes are stateful, so `/reset` opens (or restarts) the session named by
 * `episode_id` (a random id when none is given) and `/step` and `/state` name it again.
 *
 * The zod schemas here validate the requests and are what `/openapi.json` publishes.
 */
import { z } from "zod";
import type { WireReset } from "@envtune/engine";
import { serverError, toServerError } from "./errors.ts";
import { json } from "./http.ts";
import { resetObservation, stepObservation } from "./openenv-ws.ts";
import { actionSchema, createParamsSchema, parse, sessionIdSchema, type EnvtuneService } from "./service.ts";

/** OpenEnv `ResetRequest` (`seed`, `episode_id`) with envtune's task selection as its extra fields. */
export const resetRequestSchema = createParamsSchema
  .omit({ session_id: true })
  .extend({
    episode_id: sessionIdSchema
      .optional()
      .describe("Names the session; `/step` and `/state` name it again. Default a random id (returned as observation.episode_id)."),
  })
  .strict()
  .meta({ title: "EnvtuneResetRequest" });

/** OpenEnv `StepRequest` (`action`, `timeout_s`, `request_id`) plus the `episode_id` that `/reset` returned. */
export const stepRequestSchema = z
  .object({
    action: actionSchema,
    episode_id: sessionIdSchema.describe("The episode (session) `/reset` opened."),
    timeout_s: z
      .number()
      .positive()
      .optional()
      .describe("Accepted for OpenEnv compatibility; a step is bounded by the server's request timeout."),
    request_id: z.string().max(255).optional(),
  })
  .strict()
  .meta({ title: "EnvtuneStepRequest" });

/** OpenEnv `ResetResponse` / `StepResponse` (`extra="forbid"`: exactly these keys). */
export const stepResponseSchema = z
  .object({ observation: z.record(z.string(), z.unknown()), reward: z.number().nullable(), done: z.boolean() })
  .strict()
  .meta({ title: "EnvtuneStepResponse" });

/** `POST /reset`: opens the session `episode_id` names, or restarts it when it exists. */
export function httpReset(service: EnvtuneService, body: unknown): Response {
  return validated(() => {
    const { episode_id, ...params } = parse(resetRequestSchema, body, "reset");
    let r: WireReset;
    let id = episode_id;
    if (id !== undefined && service.sessions.has(id)) r = service.reset(id, params, id);
    else {
      const created = service.create({ ...params, ...(id !== undefined ? { session_id: id } : {}) }, "rest");
      r = created.body;
      id = r.session_id;
    }
    return json(resetObservation(r, id));
  });
}

/** `POST /step`: one action of the session; an invalid action is a 422 `VALIDATION_ERROR` and costs no attempt. */
export function httpStep(service: EnvtuneService, body: unknown, rawText: string): Response {
  return validated(() => {
    const req = parse(stepRequestSchema, body, "step");
    const step = service.step(req.episode_id, { message: req.action.message }, rawText, ["action", "message"]);
    return json(stepObservation(step));
  });
}

/** `GET /state?episode_id=`: OpenEnv `State` (`episode_id`, `step_count`) plus envtune's snapshot. */
export function httpState(service: EnvtuneService, url: URL): Response {
  const id = url.searchParams.get("episode_id");
  if (id === null || id === "")
    throw serverError(
      "VALIDATION_ERROR",
      "`episode_id` is required.",
      "Pass the episode_id that POST /reset returned: GET /state?episode_id=...",
    );
  return json(service.snapshot(id));
}

/** FastAPI answers a body that breaks the request model with 422 (openenv http_server.py `/step`); so do these endpoints. */
function validated(f: () => Response): Response {
  try {
    return f();
  } catch (e) {
    const se = toServerError(e);
    if (se.code !== "VALIDATION_ERROR") throw se;
    return json(se.toJSON(), 422);
  }
}
