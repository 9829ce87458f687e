import type { Episode } from "./episode.ts";
import { isGeneratedAction, isPolicyStop, type Policy } from "./policies/policy.ts";
import type { EpisodeTranscript, StepGeneration } from "./types.ts";

/** Plays one episode with a policy from `reset()` to its end and returns the transcript. */
export async function runEpisode(episode: Episode, policy: Policy, opts: { signal?: AbortSignal } = {}): Promise<EpisodeTranscript> {
  episode.reset();
  const generations: StepGeneration[] = [];
  while (!episode.done) {
    opts.signal?.throwIfAborted();
    const action = await policy.act({
      entry: episode.entry,
      turn: episode.turn,
      attempt: episode.attempt,
      messages: episode.messages,
      tools: episode.tools,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (isPolicyStop(action)) episode.truncate(action.reason);
    else if (isGeneratedAction(action)) {
      generations.push({ turn: episode.turn, attempt: episode.attempt, ...action.generation });
      episode.step(action.action);
    } else episode.step(action);
  }
  const transcript = episode.transcript();
  return generations.length ? { ...transcript, generations } : transcript;
}
