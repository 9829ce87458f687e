/**
 * Learners by name. The training config selects one with `learner: { name, options }`; the
 * factory's zod schema validates the options. `grpo-tfjs` (the embedded TensorFlow.js policy with
 * its GRPO step) is built in; user code adds its own with {@link registerLearner} before it calls
 * `train()`.
 */
import { EnvtuneError } from "@envtune/core";
import type { z } from "zod";
import { grpoTfjsLearner } from "./grpo-tfjs.ts";
import type { Learner, LearnerContext, LearnerFactory } from "./learner.ts";

const registry = new Map<string, LearnerFactory>();

function learnerError(code: string, what: string, hint: string, details?: string[]): EnvtuneError {
  return new EnvtuneError(code, "trainer", what, hint, details ? { details } : undefined);
}

/** Adds a learner under its name. A name can be registered once (`replace` to override it on purpose). */
export function registerLearner<S extends z.ZodType>(factory: LearnerFactory<S>, opts: { replace?: boolean } = {}): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(factory.name)) {
    throw learnerError("BAD_LEARNER_NAME", `Learner name \`${factory.name}\` is not allowed.`, "Use lowercase letters, digits, `.`, `_` and `-` (e.g. `my-bandit`).");
  }
  if (registry.has(factory.name) && !opts.replace) {
    throw learnerError("LEARNER_EXISTS", `A learner named \`${factory.name}\` is already registered.`, "Pick another name, or pass { replace: true } to override it.");
  }
  registry.set(factory.name, factory as unknown as LearnerFactory);
}

/** The registered learner names, sorted. */
export function learnerNames(): string[] {
  return [...registry.keys()].sort();
}

export function learnerFactory(name: string): LearnerFactory {
  const f = registry.get(name);
  if (!f) {
    throw learnerError("UNKNOWN_LEARNER", `No learner named \`${name}\` is registered (known: ${learnerNames().join(", ")}).`, "Register it with `registerLearner(factory)` from @envtune/trainer before training, or set `learner.name` to a known one.");
  }
  return f;
}

/** Validates a learner's options against its factory's schema, naming every problem. */
export function parseLearnerOptions(name: string, options: unknown): unknown {
  const r = learnerFactory(name).options.safeParse(options);
  if (r.success) return r.data;
  throw learnerError(
    "INVALID_LEARNER_OPTIONS",
    `The options of learner \`${name}\` are invalid.`,
    "Fix the listed fields of `learner.options` (see the learner's options schema).",
    r.error.issues.map((i) => `learner.options.${i.path.join(".") || "(options)"}: ${i.message}`),
  );
}

/** A fresh learner as the run's config selects it (the untrained policy is one, with the run's seed). */
export async function createLearner(ctx: LearnerContext): Promise<Learner> {
  const { name, options } = ctx.config.learner;
  const parsed = parseLearnerOptions(name, options);
  return learnerFactory(name).create(parsed, ctx);
}

registerLearner(grpoTfjsLearner);
