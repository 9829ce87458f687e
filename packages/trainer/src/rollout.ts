/**
 * Batched rollouts: many episodes advance in lockstep so that every policy call evaluates one
 * batch of decisions. Episodes are the engine's; the actor only ever sees chat messages and the
 * current tool list, and answers with assistant text that the engine parses.
 */
import type { BfclEntry } from "@envtune/bfcl-data";
import type { BfclFuncDoc, DomainPack, LongContextConstants } from "@envtune/core";
import { Episode, type EpisodeConfigInput, type RewardBreakdown, type TurnRecord } from "@envtune/engine";
import type { PolicyObservation, Rng } from "@envtune/policy-tfjs";
import { DialogueTracker } from "./observe.ts";

/** Anything that picks assistant messages for a batch of observations; `R` is what it records per decision. */
export interface Actor<R = unknown> {
  readonly name: string;
  act(observations: readonly PolicyObservation[], rng: Rng): Array<{ text: string; record?: R }>;
}

export interface EpisodeWorld {
  packs: ReadonlyMap<string, DomainPack>;
  constants?: LongContextConstants;
  funcDocs?: ReadonlyMap<string, readonly BfclFuncDoc[]>;
}

export interface EpisodeSpec {
  entry: BfclEntry;
  config: EpisodeConfigInput;
  /** GRPO group (rollouts of the same task share it). */
  group: number;
}

export interface EpisodeResult<R = unknown> {
  spec: EpisodeSpec;
  /** The actor's decision records with the turn each was taken in. */
  decisions: Array<{ record: R; turn: number }>;
  turns: TurnRecord[];
  turnCount: number;
  rewards: RewardBreakdown;
  /** Per turn of the entry: the ground truth has calls. */
  gtNonEmpty: boolean[];
  /** Per turn of the entry: passed (turns never reached count as failed). */
  passed: boolean[];
  steps: number;
}

export interface RolloutOptions {
  /** Episodes advanced together (bounds memory). */
  maxConcurrent?: number;
  /** Called between lockstep iterations (lets the event loop run, e.g. for Ctrl-C). */
  yieldEvery?: () => Promise<void>;
}

/** A reset episode, the tracker of its dialogue, and what the actor observes now. */
export interface OpenEpisode {
  ep: Episode;
  tracker: DialogueTracker;
  observe: () => PolicyObservation;
}

export function openEpisode(entry: BfclEntry, world: EpisodeWorld, config: EpisodeConfigInput): OpenEpisode {
  const ep = new Episode({
    entry,
    packs: world.packs,
    ...(world.constants ? { constants: world.constants } : {}),
    ...(world.funcDocs ? { funcDocs: world.funcDocs } : {}),
    config,
  });
  const tracker = new DialogueTracker();
  tracker.update(ep.reset().messages);
  return { ep, tracker, observe: () => tracker.observation(ep.tools.map((t) => t.function)) };
}

interface Live<R> extends OpenEpisode {
  spec: EpisodeSpec;
  decisions: Array<{ record: R; turn: number }>;
  steps: number;
}

function finish<R>(l: Live<R>): EpisodeResult<R> {
  const tr = l.ep.transcript();
  const gt = l.spec.entry.groundTruth;
  const passed = gt.map(() => false);
  for (const t of tr.turns) passed[t.turn] = t.passed;
  return {
    spec: l.spec,
    decisions: l.decisions,
    turns: tr.turns,
    turnCount: gt.length,
    rewards: tr.rewards,
    gtNonEmpty: gt.map((g) => g.length > 0),
    passed,
    steps: l.steps,
  };
}

/** Plays every episode to its end with the actor; results come back in `specs` order. */
export async function runEpisodes<R = unknown>(
  specs: readonly EpisodeSpec[],
  world: EpisodeWorld,
  actor: Actor<R>,
  rng: Rng,
  opts: RolloutOptions = {},
): Promise<Array<EpisodeResult<R>>> {
  const max = opts.maxConcurrent ?? 256;
  const results: Array<EpisodeResult<R>> = new Array(specs.length);
  for (let start = 0; start < specs.length; start += max) {
    const chunk = specs.slice(start, start + max);
    const live: Array<Live<R>> = chunk.map((spec) => ({ spec, ...openEpisode(spec.entry, world, spec.config), decisions: [], steps: 0 }));
    let active = live;
    while (active.length > 0) {
      const obs = active.map((l) => l.observe());
      const acts = actor.act(obs, rng);
      active.forEach((l, i) => {
        const a = acts[i]!;
        const turn = l.ep.turn;
        if (a.record) l.decisions.push({ record: a.record, turn });
        l.steps++;
        l.ep.step(a.text);
        l.tracker.update(l.ep.messages);
      });
      active = active.filter((l) => !l.ep.done);
      if (opts.yieldEvery) await opts.yieldEvery();
    }
    live.forEach((l, i) => (results[start + i] = finish(l)));
  }
  return results;
}
