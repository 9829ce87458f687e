/**
 * Evaluation policies by name: what `envtune eval --policy NAME` (or a user module given as
 * `--policy ./my-policy.js`) plays. A factory has a zod `options` schema — its fields are the
 * command's flags in camelCase (`--base-url` → `baseUrl`) plus `--policy-options` JSON — and
 * `create(options, ctx)` returns the {@link Policy}.
 */
import { createRegistry, type DomainPack } from "@envtune/core";
import { z } from "zod";
import { openaiPolicy } from "./openai.ts";
import { oraclePolicy } from "./oracle.ts";
import type { Policy } from "./policy.ts";
import { readReplayFile, replayPolicy } from "./replay.ts";

/** What a policy factory gets besides its options. */
export interface PolicyFactoryContext {
  /** The loaded domain packs by class name. */
  packs: ReadonlyMap<string, DomainPack>;
  /** Diagnostics (e.g. retries), one line each. */
  log: (line: string) => void;
}

/** A named evaluation policy: its options schema and how to make one. */
export interface PolicyFactory<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly options: S;
  create(options: z.output<S>, ctx: PolicyFactoryContext): Policy | Promise<Policy>;
}

export const evalPolicies = createRegistry<PolicyFactory>({
  noun: "policy",
  code: "POLICY",
  scope: "eval",
  unknownHint:
    "Register it with `registerPolicy(factory)` from @envtune/engine, pass a module file whose default export is a policy factory, or use a known name.",
  optionsPath: "policy options",
  moduleExports: ["policy"],
});

/** Adds a policy under its name (once; `replace` overrides one on purpose). */
export function registerPolicy<S extends z.ZodType>(factory: PolicyFactory<S>, opts: { replace?: boolean } = {}): void {
  evalPolicies.register(factory as unknown as PolicyFactory, opts);
}

/** Options given as command-line strings or JSON numbers. */
const num = z.coerce.number<string | number>().finite();

const oracle: PolicyFactory = {
  name: "oracle",
  description: "The ground truth: each turn's calls in one step, then an answer.",
  options: z.object({ format: z.enum(["python", "envelope", "openai"]).default("python") }),
  create: (o: { format: "python" | "envelope" | "openai" }, ctx) => oraclePolicy({ packs: ctx.packs, style: o.format }),
};

const replay: PolicyFactory = {
  name: "replay",
  description: "Recorded outputs (a BFCL result file) replayed step by step.",
  options: z.object({
    input: z.string({ error: "--policy replay needs --input FILE" }),
    keepPositional: z.boolean().default(false),
  }),
  create: (o: { input: string; keepPositional: boolean }) =>
    replayPolicy(readReplayFile(o.input), { positional: o.keepPositional ? "keep" : "drop" }),
};

const needsEndpoint = "--policy openai needs --base-url and --model";
const openai: PolicyFactory = {
  name: "openai",
  description: "An OpenAI-compatible chat completions endpoint.",
  options: z.object({
    baseUrl: z.string({ error: needsEndpoint }),
    model: z.string({ error: needsEndpoint }),
    mode: z.enum(["fc", "prompt"]).default("fc"),
    temperature: num.min(0).default(0),
    maxTokens: num.int().min(1).optional(),
    /** Seconds per request. */
    timeout: num.min(0).default(120),
    retries: num.int().min(0).default(4),
  }),
  create: (
    o: { baseUrl: string; model: string; mode: "fc" | "prompt"; temperature: number; maxTokens?: number; timeout: number; retries: number },
    ctx,
  ) =>
    openaiPolicy({
      baseUrl: o.baseUrl,
      model: o.model,
      mode: o.mode,
      temperature: o.temperature,
      timeoutMs: o.timeout * 1000,
      retries: o.retries,
      ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
      onRetry: (r) => ctx.log(`eval: retry ${r.attempt} in ${r.delayMs} ms (${r.reason})`),
    }),
};

for (const f of [oracle, replay, openai]) evalPolicies.register(f);
