/**
 * Learners by name. The training config selects one with `learner: { name, options }`; the
 * factory's zod schema validates the options. `grpo-tfjs` (the embedded TensorFlow.js policy with
 * its GRPO step) is built in; user code adds its own with {@link registerLearner} before it calls
 * `train()`.
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { EnvtuneError, formatZodIssues } from "@envtune/core";
import type { z } from "zod";
import { grpoTfjsLearner } from "./grpo-tfjs.ts";
import type { TrainConfig } from "./config.ts";
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
    formatZodIssues(r.error.issues, { prefix: "learner.options" }),
  );
}

function isFactory(x: unknown): x is LearnerFactory {
  const f = x as Partial<LearnerFactory> | undefined;
  return typeof f?.name === "string" && typeof f.create === "function" && typeof f.options?.safeParse === "function";
}

/**
 * Imports a module that provides a learner (its default export or its `learner` export is the
 * factory) and registers it unless a learner of that name is registered already.
 */
export async function importLearner(specifier: string): Promise<LearnerFactory> {
  const url = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw learnerError("LEARNER_MODULE_NOT_FOUND", `Cannot import the learner module \`${specifier}\` (${(e as Error).message}).`, "Pass a JavaScript module (an absolute path or an installed package) whose default export is a LearnerFactory.");
  }
  const factory = [mod.default, mod.learner].find(isFactory);
  if (!factory) {
    throw learnerError("BAD_LEARNER_MODULE", `\`${specifier}\` exports no learner factory.`, "Export the factory ({ name, description, options, create }) as the module's default export or as `learner`.");
  }
  if (!registry.has(factory.name)) registerLearner(factory);
  return factory;
}

/** Makes the configured learner known (importing `learner.module` when needed) and validates its options. */
export async function resolveLearner(learner: TrainConfig["learner"]): Promise<unknown> {
  if (learner.module && !registry.has(learner.name)) await importLearner(learner.module);
  return parseLearnerOptions(learner.name, learner.options);
}

/** A fresh learner as the run's config selects it (the untrained policy is one, with the run's seed). */
export async function createLearner(ctx: LearnerContext): Promise<Learner> {
  const parsed = await resolveLearner(ctx.config.learner);
  return learnerFactory(ctx.config.learner.name).create(parsed, ctx);
}

registerLearner(grpoTfjsLearner);
