import type { Episode } from "./episode.ts";
import { isPolicyStop, type Policy } from "./policies/policy.ts";
import type { EpisodeTranscript } from "./types.ts";

/** Plays one episode with a policy from `reset()` to its end and returns the transcript. */
export async function runEpisode(episode: Episode, policy: Policy, opts: { signal?: AbortSignal } = {}): Promise<EpisodeTranscript> {
  episode.reset();
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
    else episode.step(action);
  }
  return episode.transcript();
}
