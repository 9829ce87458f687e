/**
 * Learners by name. The training config selects one with `learner: { name, options }`; the
 * factory's zod schema validates the options. `grpo-tfjs` (the embedded TensorFlow.js policy with
 * its GRPO step) and `sft` (the same policy cloned from ground-truth trajectories) are built in; user code adds its own with {@link registerLearner} before it calls
 * `train()`.
 */
import { createRegistry } from "@envtune/core";
import type { z } from "zod";
import { grpoTfjsLearner } from "./grpo-tfjs.ts";
import { sftLearner } from "./sft-tfjs.ts";
import type { TrainConfig } from "./config.ts";
import type { Learner, LearnerContext, LearnerFactory } from "./learner.ts";

const learners = createRegistry<LearnerFactory>({
  noun: "learner",
  code: "LEARNER",
  scope: "trainer",
  unknownHint: "Register it with `registerLearner(factory)` from @envtune/trainer before training, or set `learner.name` to a known one.",
  optionsPath: "learner.options",
  moduleExports: ["learner"],
});

/** Adds a learner under its name. A name can be registered once (`replace` to override it on purpose). */
export function registerLearner<S extends z.ZodType>(factory: LearnerFactory<S>, opts: { replace?: boolean } = {}): void {
  learners.register(factory as unknown as LearnerFactory, opts);
}

/** The registered learner names, sorted. */
export function learnerNames(): string[] {
  return learners.names();
}

export function learnerFactory(name: string): LearnerFactory {
  return learners.get(name);
}

/** Validates a learner's options against its factory's schema, naming every problem. */
export function parseLearnerOptions(name: string, options: unknown): unknown {
  return learners.parseOptions(name, options);
}

/**
 * Imports a module that provides a learner (its default export or its `learner` export is the
 * factory) and registers it unless a learner of that name is registered already.
 */
export function importLearner(specifier: string): Promise<LearnerFactory> {
  return learners.importModule(specifier);
}

/** Makes the configured learner known (importing `learner.module` when needed) and validates its options. */
export async function resolveLearner(learner: TrainConfig["learner"]): Promise<unknown> {
  if (learner.module && !learners.has(learner.name)) await importLearner(learner.module);
  return parseLearnerOptions(learner.name, learner.options);
}

/** A fresh learner as the run's config selects it (the untrained policy is one, with the run's seed). */
export async function createLearner(ctx: LearnerContext): Promise<Learner> {
  const parsed = await resolveLearner(ctx.config.learner);
  return learnerFactory(ctx.config.learner.name).create(parsed, ctx);
}

registerLearner(grpoTfjsLearner);
registerLearner(sftLearner);
