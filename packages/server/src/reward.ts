/**
 * The reward service for OpenRLHF's `--reward.remote_url` (ecosystem doc §4.3 d): `POST
 * /v1/reward {query, prompts, labels}` → `{rewards, scores, extra_logs}`. A label is JSON:
 * - `{"session_id": ...}`: the reward of a session played through this server (its episode so far);
 * - `{"task_id": ..., "stage"?, "config"?}` (or a bare task id): the response (`query` minus its
 *   `prompt`) is replayed on a fresh episode, one action per `<tool_call>…</tool_call>` or
 *   `<answer>…</answer>` block (with its `<think>`) in order (paper envelope); text outside blocks,
 *   malformed responses included, is not replayed. The environment's own observation texts
 *   between them are removed first, so only the model's blocks count. Episodes are deterministic,
 *   so replaying the same actions gives the rollout's reward.
 */
import { paperExecutionResults, type EpisodeConfigInput } from "@envtune/engine";
import { z } from "zod";
import { serverError, toServerError } from "./errors.ts";
import type { JsonRoute } from "./http.ts";
import { parse, type EnvtuneService } from "./service.ts";

export const rewardParamsSchema = z
  .object({
    query: z.array(z.string()).max(4096),
    prompts: z.array(z.string()).max(4096).optional(),
    labels: z.array(z.string()).max(4096),
  })
  .loose()
  .refine((v) => v.labels.length === v.query.length && (v.prompts === undefined || v.prompts.length === v.query.length), {
    message: "`query`, `prompts` and `labels` must have the same length",
  });

const labelSchema = z.union([
  z.object({ session_id: z.string().min(1) }).strict(),
  z.object({ task_id: z.string().min(1), stage: z.union([z.string(), z.number()]).transform(String).optional(), config: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

// The paper's results message quotes `<think></think>` and `<answer></answer>`; it is the
// environment's text, never an action.
const RESULTS_SUFFIX = (() => {
  const t = paperExecutionResults([]);
  return t.slice(t.indexOf("[]") + 2);
})();
// A block with the `<think>` right before it (the envelope parser wants it), never spanning two thinks.
const BLOCK = /(?:<think>(?:(?!<think>)[\s\S])*?<\/think>\s*)?(?:<tool_call>[\s\S]*?<\/tool_call>|<answer>[\s\S]*?<\/answer>)/g;

/** The assistant actions (envelope blocks) of a response, in order. */
export function extractActions(response: string): string[] {
  const text = response.split(RESULTS_SUFFIX).join("\n");
  return [...text.matchAll(BLOCK)].map((m) => m[0]);
}

export function rewardRoute(): JsonRoute {
  return {
    handler(raw, { service }) {
      const p = parse(rewardParamsSchema, raw, "reward");
      const rewards: number[] = [];
      const components: Array<Record<string, number>> = [];
      const errors: Array<string | null> = [];
      p.query.forEach((q, i) => {
        try {
          const r = scoreOne(service, q, p.prompts?.[i], p.labels[i]!);
          rewards.push(r.reward);
          components.push(r.components);
          errors.push(null);
        } catch (e) {
          // One bad label must not sink the batch: it scores 0 and says why.
          rewards.push(0);
          components.push({});
          errors.push(toServerError(e).message);
        }
      });
      return { rewards, scores: rewards, extra_logs: { reward_components: components, errors } };
    },
  };
}

function scoreOne(service: EnvtuneService, query: string, prompt: string | undefined, label: string): { reward: number; components: Record<string, number> } {
  let parsedLabel: unknown;
  try {
    parsedLabel = JSON.parse(label);
  } catch {
    parsedLabel = { task_id: label };
  }
  if (typeof parsedLabel === "string") parsedLabel = { task_id: parsedLabel };
  const l = parse(labelSchema, parsedLabel, "reward label");
  if ("session_id" in l) {
    const ep = service.require(l.session_id).value.episode;
    if (!ep) throw serverError("SESSION_ERROR", `Session \`${l.session_id}\` has no episode.`, "Reset it first.");
    const r = ep.rewards();
    return { reward: r.reward, components: { ...r.components } };
  }
  const episode = service.env.createEpisode({ taskId: l.task_id, ...(l.stage !== undefined ? { stage: l.stage } : {}), ...(l.config ? { config: l.config as EpisodeConfigInput } : {}) });
  episode.reset();
  const response = prompt !== undefined && query.startsWith(prompt) ? query.slice(prompt.length) : query;
  for (const action of extractActions(response)) {
    if (episode.done) break;
    episode.step(action);
  }
  if (!episode.done) episode.truncate("response_ended");
  const r = episode.rewards();
  return { reward: r.reward, components: { ...r.components } };
}
