/**
 * Walking an entry's ground truth through the real environment, one call per step as the policy
 * acts: the diagnostics ask what the policy could have expressed along the way, and behaviour
 * cloning (`sft-tfjs.ts`) records the decisions that would have produced it.
 */
import { isDeepStrictEqual } from "node:util";
import type { BfclEntry } from "@envtune/bfcl-data";
import { requirePacks } from "@envtune/core";
import { gtCallToKeywords, type EpisodeConfigInput, type KeywordCall } from "@envtune/engine";
import { VALUE_FORMS, renderValue, type Candidate, type PolicyObservation } from "@envtune/policy-tfjs";
import { openEpisode, type EpisodeWorld } from "./rollout.ts";

/** A ground-truth call in keyword form (as the oracle policy writes it) with its arguments as plain JSON values. */
export type GroundTruthCall = KeywordCall & { args: Record<string, unknown> };

/** A turn's ground-truth calls, positional arguments named by the tool's signature. */
export function groundTruthCalls(entry: BfclEntry, world: EpisodeWorld, gt: readonly string[]): GroundTruthCall[] {
  const packs = requirePacks(world.packs, entry.involvedClasses, `Entry ${entry.id}`);
  return gt
    .flatMap((text) => gtCallToKeywords(text, packs))
    .map((c) => ({ ...c, args: JSON.parse(c.arguments) as Record<string, unknown> }));
}

/** One call as the paper's envelope (the oracle's layout, one call per step). */
function envelope(call: KeywordCall): string {
  return `<think>replay</think>\n<tool_call>\n[{"name": ${JSON.stringify(call.name)}, "arguments": ${call.arguments}}]\n</tool_call>`;
}

const ANSWER = "<think>done</think>\n<answer>Done.</answer>";

export interface GroundTruthVisitor {
  /** Each turn's first observation. */
  onTurn?(turn: number, gt: readonly string[], obs: PolicyObservation): void;
  /** The observation before each ground-truth call. */
  onCall?(call: GroundTruthCall, obs: PolicyObservation, turn: number): void;
  /** The observation before the answer that ends each turn. */
  onAnswer?(obs: PolicyObservation, turn: number): void;
}

/**
 * Replays an entry's ground truth one call per step, ending each turn with an answer. `config` is
 * the environment (default: the standard one); the turn's action budget is raised to 50 so that
 * every ground-truth call fits, and an episode step limit is lifted.
 */
export function walkGroundTruth(entry: BfclEntry, world: EpisodeWorld, visit: GroundTruthVisitor, config: EpisodeConfigInput = {}): void {
  // It writes envelopes, so they must parse as such; no step limit may cut the replay short.
  const { maxEpisodeSteps: _steps, ...env } = config;
  const { ep, tracker, observe } = openEpisode(entry, world, {
    protocol: "paper",
    augmented: false,
    ...env,
    maxActionsPerTurn: 50,
    actionFormat: "envelope",
  });
  while (!ep.done) {
    const turn = ep.turn;
    const gt = entry.groundTruth[turn] ?? [];
    visit.onTurn?.(turn, gt, observe());
    for (const call of groundTruthCalls(entry, world, gt)) {
      visit.onCall?.(call, observe(), turn);
      ep.step(envelope(call));
      tracker.update(ep.messages);
      if (ep.done || ep.turn !== turn) break;
    }
    if (!ep.done && ep.turn === turn) {
      visit.onAnswer?.(observe(), turn);
      ep.step(ANSWER);
      tracker.update(ep.messages);
    }
  }
}

/** The value form (index into VALUE_FORMS) that writes `cand` as exactly `want`, or -1. */
export function formWriting(cand: Candidate, want: unknown): number {
  return VALUE_FORMS.findIndex((f) => {
    try {
      return isDeepStrictEqual(JSON.parse(renderValue(cand, f)), want);
    } catch {
      return false;
    }
  });
}
