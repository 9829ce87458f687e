/**
 * The episode runner (`POST /v1/rollouts`, documented in the server README): the server plays whole episodes
 * against an OpenAI-compatible endpoint (the trainer's vLLM/SGLang server) and returns them. No
 * session stickiness, so any replica can serve any request. The episodes hold capacity slots
 * while they run.
 *
 * Off by default (`enableRollouts`): it makes the server call the URL the client names.
 */
import { EnvtuneError } from "@envtune/core";
import { openaiPolicy, runEpisode, type EpisodeConfigInput } from "@envtune/engine";
import { z } from "zod";
import { serverError, type ServerError } from "./errors.ts";
import type { JsonRoute } from "./http.ts";
import { mergeEpisodeConfig } from "./stages.ts";
import { createParamsSchema, parse, type EnvtuneService } from "./service.ts";

export const rolloutParamsSchema = createParamsSchema
  .omit({ session_id: true })
  .extend({
    model: z
      .object({
        base_url: z.string().url(),
        model: z.string().min(1),
        api_key: z.string().optional(),
        /** `fc`: native function calling; `prompt`: the paper's prompt and envelope. */
        mode: z.enum(["fc", "prompt"]).default("fc"),
        temperature: z.number().min(0).max(5).optional(),
        max_tokens: z.number().int().min(1).optional(),
        timeout_ms: z.number().int().min(1).optional(),
        extra_body: z.record(z.string(), z.unknown()).optional(),
        /**
         * Return the sampled token ids and logprobs of every assistant action (asks the endpoint
         * for `logprobs` and `return_token_ids`, as vLLM ≥ 0.10.2 serves them), so the trainer
         * never re-tokenizes the text.
         */
        return_tokens: z.boolean().default(false),
      })
      .strict(),
    /** Episodes of the same task (a GRPO group). */
    n: z.number().int().min(1).max(256).default(1),
  })
  .strict();

export type RolloutParams = z.input<typeof rolloutParamsSchema>;

export function rolloutsRoute(opts: { timeoutMs?: number } = {}): JsonRoute {
  return {
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    async handler(raw, { signal, service }) {
      const p = parse(rolloutParamsSchema, raw, "rollouts");
      return runRollouts(service, p, signal);
    },
  };
}

export async function runRollouts(
  service: EnvtuneService,
  p: z.output<typeof rolloutParamsSchema>,
  signal?: AbortSignal,
): Promise<{ episodes: unknown[] }> {
  const m = p.model;
  const policy = openaiPolicy({
    baseUrl: m.base_url,
    model: m.model,
    mode: m.mode,
    ...(m.api_key !== undefined ? { apiKey: m.api_key } : {}),
    ...(m.temperature !== undefined ? { temperature: m.temperature } : {}),
    ...(m.max_tokens !== undefined ? { maxTokens: m.max_tokens } : {}),
    ...(m.timeout_ms !== undefined ? { timeoutMs: m.timeout_ms } : {}),
    ...(m.extra_body !== undefined ? { extraBody: m.extra_body } : {}),
    returnTokens: m.return_tokens,
  });
  const slots: string[] = [];
  try {
    for (let i = 0; i < p.n; i++) slots.push(service.reserve("rest"));
    const { config, model: _m, n: _n, ...rest } = p;
    // One task for the whole group (GRPO compares episodes of the same prompt).
    const create = { ...rest, task_id: service.pickTask(rest) };
    // The policy's format settings sit under the caller's own config.
    const episodeConfig = mergeEpisodeConfig(policy.episodeConfig, config as EpisodeConfigInput | undefined);
    const runs = slots.map(async (slot) => {
      const body = service.reset(slot, { ...create, config: episodeConfig });
      const episode = service.require(slot).value.episode!;
      const tr = await runEpisode(episode, policy, signal ? { signal } : {});
      void body;
      return {
        task_id: tr.id,
        messages: tr.messages,
        turn_rewards: tr.turns.map((t) => (t.passed ? 1 : 0)),
        turns: tr.turns,
        reward: tr.rewards.reward,
        reward_components: tr.rewards.components,
        terminated: tr.terminated,
        truncated: tr.truncated,
        ...(tr.truncationReason ? { truncation_reason: tr.truncationReason } : {}),
        // One entry per assistant action, in the order of the assistant messages.
        ...(m.return_tokens
          ? {
              prompt_token_ids: (tr.generations ?? []).map((g) => g.promptTokenIds ?? null),
              token_ids: (tr.generations ?? []).map((g) => g.tokenIds ?? null),
              logprobs: (tr.generations ?? []).map((g) => g.logprobs ?? null),
              generations: (tr.generations ?? []).map((g) => ({ turn: g.turn, attempt: g.attempt, finish_reason: g.finishReason ?? null })),
            }
          : {}),
      };
    });
    return { episodes: await Promise.all(runs) };
  } catch (e) {
    if (signal?.aborted)
      throw serverError("REQUEST_TIMEOUT", "The rollouts ran out of time.", "Ask for fewer episodes or raise the rollout timeout.");
    throw upstreamError(e, m.base_url, service) ?? e;
  } finally {
    for (const s of slots) service.close(s);
    await policy.close?.();
  }
}

/**
 * A model endpoint's failure as `UPSTREAM_ERROR` (502), without anything the endpoint sent: the
 * client names the URL, so echoing the answer would let it read any URL the server can reach.
 * The full text goes to the server log only.
 */
function upstreamError(e: unknown, baseUrl: string, service: EnvtuneService): ServerError | undefined {
  if (!(e instanceof EnvtuneError) || (e.code !== "ENDPOINT_ERROR" && e.code !== "ENDPOINT_UNAVAILABLE")) return undefined;
  service.log.warn("model endpoint failed", { base_url: baseUrl, code: e.code, error: e.message });
  const status = /\bHTTP (\d{3})\b/.exec(e.message)?.[1];
  const what = status
    ? `answered HTTP ${status}`
    : e.code === "ENDPOINT_UNAVAILABLE"
      ? "did not answer usably"
      : "sent an unusable response";
  return serverError(
    "UPSTREAM_ERROR",
    `The model endpoint ${what}.`,
    "Check the model's base_url, name and key; the server log has the details.",
    { endpoint_code: e.code, ...(status ? { status: Number(status) } : {}) },
  );
}
