/**
 * Any OpenAI-compatible chat-completions endpoint as a policy (OpenAI, vLLM, SGLang, llama.cpp,
 * LiteLLM, ...), over the global `fetch`. Two modes:
 * - `fc`: native function calling (`tools` in the request, `tool_calls` back, tool-role results);
 * - `prompt`: the paper's prompt and `<think>`/`<tool_call>`/`<answer>` envelope, user-role results.
 *
 * Every request has a timeout; timeouts, network errors, 408/409/429 and 5xx are retried with
 * exponential backoff and jitter (honouring `Retry-After`); other errors fail the episode at once.
 */
import { EnvtuneError } from "@envtune/core";
import type { EpisodeConfigInput } from "../config.ts";
import type { AssistantInput, ChatMessage, OpenAIToolCall } from "../types.ts";
import type { Generation, Policy, PolicyAction, PolicyContext } from "./policy.ts";

export interface OpenAIPolicyOptions {
  /** API base, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1` (`/chat/completions` is appended). */
  baseUrl: string;
  model: string;
  /** Bearer token; default `OPENAI_API_KEY`, then `ENVTUNE_API_KEY`. Omitted when neither is set. */
  apiKey?: string;
  mode?: "fc" | "prompt";
  temperature?: number;
  maxTokens?: number;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff delay (default 500 ms), doubled per retry, ±25% jitter, capped at 30 s. */
  backoffMs?: number;
  /** Extra fields merged into every request body (e.g. `top_p`, `seed`). */
  extraBody?: Record<string, unknown>;
  /**
   * Ask for the sampled token ids and their log-probabilities (`logprobs: true`,
   * `return_token_ids: true`; vLLM ≥ 0.10.2 answers both) and report them with each action. Fields
   * the endpoint does not return are left out, never guessed by re-tokenizing.
   */
  returnTokens?: boolean;
  /** For tests and custom transports; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Observes retries (for progress output and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

/** The API key from the options or the environment (`OPENAI_API_KEY`, then `ENVTUNE_API_KEY`). */
export function resolveApiKey(explicit?: string): string | undefined {
  return explicit ?? process.env.OPENAI_API_KEY ?? process.env.ENVTUNE_API_KEY ?? undefined;
}

/** Chat messages as the API expects them (tool messages carry only `tool_call_id` and `content`). */
function wireMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  return messages.map((m) => {
    if (m.role === "tool") return { role: "tool", tool_call_id: m.tool_call_id, content: m.content ?? "" };
    if (m.role === "assistant" && m.tool_calls?.length) return { role: "assistant", content: m.content, tool_calls: m.tool_calls };
    return { role: m.role, content: m.content ?? "" };
  });
}

class RetryableError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

function retryAfter(res: Response): number | undefined {
  const h = res.headers.get("retry-after");
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function openaiPolicy(opts: OpenAIPolicyOptions): Policy {
  const mode = opts.mode ?? "fc";
  const url = opts.baseUrl.replace(/\/+$/, "") + "/chat/completions";
  const apiKey = resolveApiKey(opts.apiKey);
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const retries = opts.retries ?? 4;
  const backoffMs = opts.backoffMs ?? 500;
  const episodeConfig: EpisodeConfigInput =
    mode === "fc"
      ? { actionFormat: "openai", observation: "tool", systemPrompt: "fc" }
      : { actionFormat: "envelope", observation: "paper", systemPrompt: "paper-b" };

  async function once(body: string, signal: AbortSignal | undefined): Promise<PolicyAction> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body,
        signal: combined,
      });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new RetryableError(`no response within ${timeoutMs} ms`);
      throw new RetryableError(`network error: ${(e as Error).message}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw new RetryableError(
        timeout.aborted ? `response not complete within ${timeoutMs} ms` : `reading the response failed: ${(e as Error).message}`,
      );
    }
    if (!res.ok) {
      const what = `HTTP ${res.status} from ${url}: ${text.slice(0, 300)}`;
      if (RETRYABLE_STATUS.has(res.status)) throw new RetryableError(what, retryAfter(res));
      throw new EnvtuneError(
        "ENDPOINT_ERROR",
        "eval",
        `${what}.`,
        "Check --base-url, --model and the API key (OPENAI_API_KEY or ENVTUNE_API_KEY).",
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new RetryableError(`the endpoint sent invalid JSON: ${text.slice(0, 200)}`);
    }
    const choice = (data as { choices?: Array<{ message?: Record<string, unknown> } & Record<string, unknown>> })?.choices?.[0];
    const message = choice?.message;
    if (!message || typeof message !== "object") {
      throw new EnvtuneError(
        "ENDPOINT_ERROR",
        "eval",
        `The endpoint's response has no \`choices[0].message\`: ${text.slice(0, 300)}.`,
        "Use an OpenAI-compatible chat-completions endpoint.",
      );
    }
    const content = typeof message.content === "string" ? message.content : null;
    const toolCalls = Array.isArray(message.tool_calls) ? (message.tool_calls as OpenAIToolCall[]) : [];
    const action: AssistantInput = toolCalls.length
      ? { role: "assistant", content, tool_calls: toolCalls }
      : { role: "assistant", content: content ?? "" };
    return opts.returnTokens ? { action, generation: generationOf(data as Record<string, unknown>, choice!) } : action;
  }

  return {
    name: `openai-${mode}:${opts.model}`,
    episodeConfig,
    async act(ctx: PolicyContext): Promise<PolicyAction> {
      const body = JSON.stringify({
        model: opts.model,
        messages: wireMessages(ctx.messages),
        ...(mode === "fc" && ctx.tools.length ? { tools: ctx.tools } : {}),
        temperature: opts.temperature ?? 0,
        ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
        ...(opts.returnTokens ? { logprobs: true, return_token_ids: true } : {}),
        ...opts.extraBody,
      });
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(body, ctx.signal);
        } catch (e) {
          if (!(e instanceof RetryableError) || attempt >= retries) {
            if (e instanceof RetryableError) {
              throw new EnvtuneError(
                "ENDPOINT_UNAVAILABLE",
                "eval",
                `Gave up after ${attempt + 1} attempts: ${e.message}.`,
                "Check that the endpoint is up, or raise --retries / --timeout.",
              );
            }
            throw e;
          }
          const base = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** attempt);
          const delayMs = Math.round(e.retryAfterMs ?? base * (0.75 + Math.random() * 0.5));
          opts.onRetry?.({ attempt: attempt + 1, delayMs, reason: e.message });
          await sleep(Math.min(delayMs, MAX_BACKOFF_MS), ctx.signal);
        }
      }
    },
  };
}

const intArray = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? (v as number[]) : undefined;

/**
 * Token ids and logprobs from a chat-completions response: vLLM's `prompt_token_ids` (response) and
 * `token_ids` (choice), OpenAI-style `logprobs.content[].logprob`; with vLLM's
 * `return_tokens_as_token_ids`, tokens read `token_id:<n>` and give the ids too.
 */
export function generationOf(data: Record<string, unknown>, choice: Record<string, unknown>): Generation {
  const g: Generation = {};
  const prompt = intArray(data.prompt_token_ids) ?? intArray(choice.prompt_token_ids);
  if (prompt) g.promptTokenIds = prompt;
  let ids = intArray(choice.token_ids);
  const content = (choice.logprobs as { content?: unknown } | null | undefined)?.content;
  if (Array.isArray(content)) {
    const lps = content.map((c) => (c as { logprob?: unknown })?.logprob);
    if (lps.every((x) => typeof x === "number")) g.logprobs = lps as number[];
    if (!ids) {
      const fromTokens = content.map((c) => /^token_id:(\d+)$/.exec(String((c as { token?: unknown })?.token ?? ""))?.[1]);
      if (fromTokens.length && fromTokens.every((x) => x !== undefined)) ids = fromTokens.map(Number);
    }
  }
  if (ids) g.tokenIds = ids;
  if (typeof choice.finish_reason === "string") g.finishReason = choice.finish_reason;
  return g;
}
