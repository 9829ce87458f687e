/**
 * Named registries of typed factories: the one pattern behind envtune's extension points
 * (learners, reward rules, evaluation policies). A factory has a `name`, a zod `options` schema and
 * a `create(options, ...context)`; the registry guards names, lists the known ones when a name is
 * unknown, validates options naming every problem, and can import a factory from a user module.
 */
import { isAbsolute, resolve } from "node:path";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { EnvtuneError } from "./errors.ts";
import { formatZodIssues } from "./zod.ts";

/** What every registered factory has. */
export interface NamedFactory {
  readonly name: string;
  readonly options: z.ZodType;
  // `any` so factories with their own option and context types fit one registry.
  create(options: any, ...context: any[]): unknown;
}

/** How a registry words its errors: `LEARNER_EXISTS`, `UNKNOWN_LEARNER`, `INVALID_LEARNER_OPTIONS`... */
export interface RegistryLabels {
  /** What one entry is called in messages, e.g. "learner", "reward rule". */
  readonly noun: string;
  /** Upper-case stem of the error codes, e.g. "LEARNER", "REWARD". */
  readonly code: string;
  /** The error scope, e.g. "trainer". */
  readonly scope: string;
  /** The fix hint of an unknown name, e.g. "Register it with `registerLearner(factory)` ... or use a known name." */
  readonly unknownHint: string;
  /** Where the options sit in a config, for issue paths, e.g. "learner.options". */
  readonly optionsPath: string;
  /** The named exports {@link Registry.importModule} also accepts besides `default`, e.g. ["learner"]. */
  readonly moduleExports?: readonly string[];
}

type Context<F extends NamedFactory> = F["create"] extends (options: never, ...context: infer C) => unknown ? C : never;

export interface Registry<F extends NamedFactory> {
  /** Adds a factory under its name; a name is registered once unless `replace` overrides it on purpose. */
  register(factory: F, opts?: { replace?: boolean }): void;
  has(name: string): boolean;
  /** The factory, or an `UNKNOWN_*` error listing the known names. */
  get(name: string): F;
  /** The registered names, sorted. */
  names(): string[];
  /** Options validated (defaults filled in) by the factory's schema; an `INVALID_*_OPTIONS` error names every issue. */
  parseOptions(name: string, options: unknown): unknown;
  /** `get(name).create(parseOptions(name, options), ...context)`. */
  create(name: string, options: unknown, ...context: Context<F>): ReturnType<F["create"]>;
  /**
   * Imports a module (a file path, relative to the working directory or absolute, or a package)
   * whose default export (or one of the labels' `moduleExports`) is a factory, and registers it
   * (importing the same module again is a no-op; another factory under a taken name is an error).
   */
  importModule(specifier: string): Promise<F>;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** True for anything shaped like a factory (name, zod options, create). */
export function isNamedFactory(x: unknown): x is NamedFactory {
  const f = x as Partial<NamedFactory> | undefined;
  return (
    typeof f?.name === "string" &&
    typeof f.create === "function" &&
    typeof (f.options as { safeParse?: unknown } | undefined)?.safeParse === "function"
  );
}

export function createRegistry<F extends NamedFactory>(labels: RegistryLabels): Registry<F> {
  const entries = new Map<string, F>();
  const fail = (code: string, what: string, hint: string, details?: string[]) =>
    new EnvtuneError(code, labels.scope, what, hint, details ? { details } : undefined);
  const names = () => [...entries.keys()].sort();

  const registry: Registry<F> = {
    register(factory, opts = {}) {
      if (!NAME.test(factory.name)) {
        throw fail(
          `BAD_${labels.code}_NAME`,
          `${cap(labels.noun)} name \`${factory.name}\` is not allowed.`,
          "Use lowercase letters, digits, `.`, `_` and `-` (e.g. `my-rule`).",
        );
      }
      if (entries.has(factory.name) && !opts.replace) {
        throw fail(
          `${labels.code}_EXISTS`,
          `A ${labels.noun} named \`${factory.name}\` is already registered.`,
          "Pick another name, or pass { replace: true } to override it.",
        );
      }
      entries.set(factory.name, factory);
    },
    has: (name) => entries.has(name),
    get(name) {
      const f = entries.get(name);
      if (!f) {
        throw fail(
          `UNKNOWN_${labels.code}`,
          `No ${labels.noun} named \`${name}\` is registered (known: ${names().join(", ")}).`,
          labels.unknownHint,
        );
      }
      return f;
    },
    names,
    parseOptions(name, options) {
      const r = registry.get(name).options.safeParse(options);
      if (r.success) return r.data;
      throw fail(
        `INVALID_${labels.code}_OPTIONS`,
        `The options of ${labels.noun} \`${name}\` are invalid.`,
        `Fix the listed fields of \`${labels.optionsPath}\` (see the ${labels.noun}'s options schema).`,
        formatZodIssues(r.error.issues, { prefix: labels.optionsPath }),
      );
    },
    create(name, options, ...context) {
      return registry.get(name).create(registry.parseOptions(name, options), ...context) as ReturnType<F["create"]>;
    },
    async importModule(specifier) {
      const factory = findFactory(await importUserModule(specifier, labels, fail), labels);
      if (!factory) {
        const names = ["the default export", ...(labels.moduleExports ?? []).map((n) => `\`${n}\``)].join(" or ");
        throw fail(
          `BAD_${labels.code}_MODULE`,
          `\`${specifier}\` exports no ${labels.noun} factory.`,
          `Export the factory ({ name, options, create }) as ${names}.`,
        );
      }
      const known = entries.get(factory.name);
      if (known && known !== factory) {
        throw fail(
          `${labels.code}_EXISTS`,
          `\`${specifier}\` exports a ${labels.noun} named \`${factory.name}\`, but another ${labels.noun} has that name.`,
          "Give the module's factory a name of its own.",
        );
      }
      if (!known) registry.register(factory as F);
      return factory as F;
    },
  };
  return registry;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function findFactory(mod: Record<string, unknown>, labels: RegistryLabels): NamedFactory | undefined {
  return [mod.default, ...(labels.moduleExports ?? []).map((n) => mod[n])].find(isNamedFactory);
}

/** A path (`./x.js`, `/abs/x.ts`, `x.mjs`) is resolved against the working directory; anything else is a package name. */
function looksLikePath(specifier: string): boolean {
  return isAbsolute(specifier) || specifier.startsWith(".") || /\.[cm]?[jt]s$/.test(specifier);
}

async function importUserModule(
  specifier: string,
  labels: RegistryLabels,
  fail: (code: string, what: string, hint: string) => EnvtuneError,
): Promise<Record<string, unknown>> {
  const notFound = `${labels.code}_MODULE_NOT_FOUND`;
  const hint = `Pass a JavaScript module (a file path or an installed package) whose default export is a ${labels.noun} factory; a .ts file needs Node run with tsx (\`node --import tsx\`).`;
  const isPath = looksLikePath(specifier);
  let url = specifier;
  if (isPath) {
    const path = resolve(specifier);
    if (!existsSync(path)) throw fail(notFound, `The ${labels.noun} module \`${specifier}\` does not exist (looked for ${path}).`, hint);
    url = pathToFileURL(path).href;
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    // A file that exists but fails to load is a broken module, not a missing one.
    const code = isPath ? `BAD_${labels.code}_MODULE` : notFound;
    throw fail(code, `Cannot import the ${labels.noun} module \`${specifier}\` (${(e as Error).message}).`, hint);
  }
}
