/**
 * The report's baselines as evaluation policies, so `envtune eval --policy random-valid-call`
 * (or `always-answer`, `untrained`) scores them with the official checker like any policy.
 */
import type { Policy, PolicyFactory, PolicyFactoryContext } from "@envtune/engine";
import { z } from "zod";
import { alwaysAnswerActor, enginePolicy, randomValidActor } from "./actors.ts";
import { parseTrainConfig, presetConfig } from "./config.ts";
import type { ActingPolicy, ActionFormat } from "./learner.ts";
import { createLearner } from "./learner-registry.ts";
import type { Actor } from "./rollout.ts";

/** 32-bit FNV-1a of an entry id: each entry's random stream depends on the seed and the entry only. */
function entryHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * One {@link enginePolicy} per entry, seeded by `seed` and the entry id: the eval runs episodes
 * concurrently, and a shared random stream would make results depend on their interleaving.
 */
function perEntryPolicy(acting: ActingPolicy, opts: { name: string; seed: number; format: ActionFormat; close?: () => void }): Policy {
  const byEntry = new Map<string, Policy>();
  return {
    name: opts.name,
    episodeConfig: { actionFormat: opts.format },
    act(ctx) {
      let p = byEntry.get(ctx.entry.id);
      if (!p)
        byEntry.set(
          ctx.entry.id,
          (p = enginePolicy(acting, {
            greedy: true,
            seed: (opts.seed + entryHash(ctx.entry.id)) >>> 0,
            format: opts.format,
            name: opts.name,
          })),
        );
      return p.act(ctx);
    },
    close() {
      byEntry.clear();
      opts.close?.();
    },
  };
}

function actorPolicy(actor: Actor, seed: number): Policy {
  return perEntryPolicy({ act: (observations, o) => actor.act(observations, o.rng) }, { name: actor.name, seed, format: "envelope" });
}

const seedOnly = z.object({ seed: z.coerce.number<string | number>().int().min(0).default(1) });

export const randomValidCallPolicy: PolicyFactory<typeof seedOnly> = {
  name: "random-valid-call",
  description: "Baseline: a uniformly random tool with schema-valid arguments from the dialogue each step.",
  options: seedOnly,
  create: (o) => actorPolicy(randomValidActor(), o.seed),
};

export const alwaysAnswerPolicy: PolicyFactory<typeof seedOnly> = {
  name: "always-answer",
  description: "Baseline: never calls a tool, answers every turn at once.",
  options: seedOnly,
  create: (o) => actorPolicy(alwaysAnswerActor(), o.seed),
};

/** `preset` gives the network and action format (those of the run you compare with). */
const untrainedOptions = seedOnly.extend({ learner: z.string().default("grpo-tfjs"), preset: z.string().default("default") });

export const untrainedPolicy: PolicyFactory<typeof untrainedOptions> = {
  name: "untrained",
  description: "Baseline: a registered learner (default grpo-tfjs) at its initialization with the seed and a preset's settings, greedy.",
  options: untrainedOptions,
  async create(o, ctx: PolicyFactoryContext) {
    const config = parseTrainConfig({ ...presetConfig(o.preset), seed: o.seed, learner: { name: o.learner } });
    const learner = await createLearner({ config, seed: o.seed, world: { packs: ctx.packs }, log: ctx.log });
    return perEntryPolicy(learner, { name: "untrained", seed: o.seed, format: config.policy.actionFormat, close: () => learner.dispose() });
  },
};

/** The baselines, for `registerPolicy` (the CLI registers them for `envtune eval`). */
export const BASELINE_POLICIES: readonly PolicyFactory[] = [
  randomValidCallPolicy,
  alwaysAnswerPolicy,
  untrainedPolicy,
] as unknown as PolicyFactory[];
