/**
 * The reward service for OpenRLHF's `--reward.remote_url`: `POST /v1/reward {query, prompts,
 * labels}` → `{rewards, scores, extra_logs, details}`. OpenRLHF turns every `extra_logs` value into
 * a tensor (`torch.tensor([value])`, openrlhf/trainer/ppo_utils/samples_generator.py:294-297 @
 * OpenRLHF/OpenRLHF 3c3be6234e0cb353e76bb8019947db9dfe99fca7) and splits them per sample
 * (experience.py:180-190), so `extra_logs` holds only numeric lists with one entry per sample and
 * the same keys for every batch: each reward component, and `envtune_error` (1 where the label
 * could not be scored). The rich detail (components as objects, error messages) goes to `details`,
 * which OpenRLHF never reads (it reads `rewards`, `scores`, `extra_logs`: openrlhf/utils/agent.py:289-296). A label is JSON:
 * - `{"session_id": ...}`: the reward of a session played through this server (its episode so far);
 * - `{"task_id": ..., "stage"?, "config"?}` (or a bare task id): the response (`query` minus its
 *   `prompt`) is replayed on a fresh episode, one action per `<tool_call>…</tool_call>` or
 *   `<answer>…</answer>` block (with its `<think>`) in order (paper envelope); text outside blocks,
 *   malformed responses included, is not replayed. The environment's own observation texts
 *   between them are removed first, so only the model's blocks count. Episodes are deterministic,
 *   so replaying the same actions gives the rollout's reward.
 */
import { paperExecutionResults, REWARD_COMPONENTS, type EpisodeConfigInput } from "@envtune/engine";
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
  z
    .object({
      task_id: z.string().min(1),
      stage: z.union([z.string(), z.number()]).transform(String).optional(),
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
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

/** One sample's score: its reward, its components (zero where it failed) and why it failed. */
export interface RewardDetail {
  reward: number;
  reward_components: Record<string, number>;
  error: string | null;
}

/** OpenRLHF's `extra_logs`: one numeric list per key, one entry per sample, a fixed key set. */
export function rewardExtraLogs(details: readonly RewardDetail[]): Record<string, number[]> {
  const logs: Record<string, number[]> = {};
  for (const c of REWARD_COMPONENTS) logs[c] = details.map((d) => d.reward_components[c] ?? 0);
  logs.envtune_error = details.map((d) => (d.error === null ? 0 : 1));
  return logs;
}

/** The whole answer for a batch of details (the router merges sub-batches through this too). */
export function rewardAnswer(details: readonly RewardDetail[]): {
  rewards: number[];
  scores: number[];
  extra_logs: Record<string, number[]>;
  details: readonly RewardDetail[];
} {
  const rewards = details.map((d) => d.reward);
  return { rewards, scores: rewards, extra_logs: rewardExtraLogs(details), details };
}

export function rewardRoute(): JsonRoute {
  return {
    // A session router sends each sample to the backend of the session its label names.
    routing: "reward-labels",
    handler(raw, { service }) {
      const p = parse(rewardParamsSchema, raw, "reward");
      const details = p.query.map((q, i): RewardDetail => {
        try {
          const r = scoreOne(service, q, p.prompts?.[i], p.labels[i]!);
          return { reward: r.reward, reward_components: r.components, error: null };
        } catch (e) {
          // One bad label must not sink the batch: it scores 0 and says why (in `details`).
          return { reward: 0, reward_components: {}, error: toServerError(e).message };
        }
      });
      return rewardAnswer(details);
    },
  };
}

function scoreOne(
  service: EnvtuneService,
  query: string,
  prompt: string | undefined,
  label: string,
): { reward: number; components: Record<string, number> } {
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
  const episode = service.env.createEpisode({
    taskId: l.task_id,
    ...(l.stage !== undefined ? { stage: l.stage } : {}),
    ...(l.config ? { config: l.config as EpisodeConfigInput } : {}),
  });
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
