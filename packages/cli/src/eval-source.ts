/**
 * Where a command's entries and packs come from: the BFCL data (`--data`, `$ENVTUNE_BFCL_DATA`,
 * the download cache) or a user dataset in the BFCL format (`--dataset`), run with the packs
 * named by `--domains` (default: every installed pack). Shared by `eval` (and meant for `train`)
 * so both accept the same options.
 */
import { EnvtuneError, requirePacks, type DomainPack, resolveDomainPacks } from "@envtune/core";
import { assertDataSourceValid, loadDataSource, type BfclEntry, type DataSource, type SplitSpecInput } from "@envtune/bfcl-data";
import { evalPolicies, type Policy, type PolicyFactory, type PolicyFactoryContext } from "@envtune/engine";
import { BASELINE_POLICIES } from "@envtune/trainer";
import type { OptionSpec } from "./cli.ts";

/** The options this module reads, for a command's option table. */
export const datasetSourceOptions: Record<string, OptionSpec> = {
  dataset: {
    type: "string",
    valueName: "path",
    description:
      "A dataset in the BFCL format instead of BFCL itself: a question file or a directory with possible_answer/ (see `envtune dataset validate`).",
  },
  domains: {
    type: "string",
    multiple: true,
    valueName: "names",
    description: "Domain packs to load: package names or paths, `installed`, `bfcl`; comma-separated. Default: every installed pack.",
  },
};

/** Loads `--dataset PATH` if given, else the BFCL data (`--data` or the usual search). */
export function loadDatasetSource(values: Record<string, unknown>, scope: string): Promise<DataSource> {
  return loadDataSource({ dataset: values.dataset as string | undefined, dataDir: values.data as string | undefined }, scope);
}

/**
 * The packs the selected entries need, loaded from `--domains` (default: installed). Fails with a
 * clear error naming the missing pack; a user dataset is also validated (unknown tools in its
 * ground truth, malformed calls, turn counts).
 */
export async function loadPacksFor(
  entries: readonly BfclEntry[],
  source: DataSource,
  values: Record<string, unknown>,
): Promise<Map<string, DomainPack>> {
  const { packs } = await resolveDomainPacks(values.domains as string[] | undefined);
  assertDataSourceValid(source, packs, entries);
  for (const e of entries) requirePacks(packs, e.involvedClasses, `Entry ${e.id}`);
  return packs;
}

/** `--split`: a split name, or a split spec as JSON (`{"kind":"shared-id","train":3,"val":1,"test":2}`). */
export function parseSplitOption(v: string, scope: string): string | SplitSpecInput {
  if (!v.trimStart().startsWith("{")) return v;
  try {
    return JSON.parse(v) as SplitSpecInput;
  } catch (e) {
    throw new EnvtuneError(
      "USAGE",
      scope,
      `--split looks like a JSON split spec but does not parse (${(e as Error).message}).`,
      'Quote it whole, e.g. --split \'{"kind":"shared-id","train":3,"val":1,"test":2}\', or pass a split name.',
    );
  }
}

// The trainer's baselines are policies like the engine's built-ins; registered once per process.
for (const f of BASELINE_POLICIES) if (!evalPolicies.has(f.name)) evalPolicies.register(f);

/** Policy names have no slashes and no extension (the registry's name rule); anything else is a module file. */
function isModuleSpecifier(v: string): boolean {
  return /[/\\]|\.[cm]?[jt]s$/.test(v);
}

/** The factory's option keys (a zod object's shape), to pick the matching flags. */
function optionKeys(f: PolicyFactory): string[] {
  const shape = (f.options as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--policy-options JSON`: must be an object. */
function policyOptionsJson(v: unknown, scope: string): Record<string, unknown> {
  if (v === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(v));
  } catch (e) {
    throw new EnvtuneError(
      "USAGE",
      scope,
      `--policy-options is not valid JSON (${(e as Error).message}).`,
      `Pass a JSON object, e.g. --policy-options '{"seed": 2}'.`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new EnvtuneError("USAGE", scope, "--policy-options must be a JSON object.", `Pass e.g. --policy-options '{"seed": 2}'.`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The policy `--policy` names: a registered one (oracle, replay, openai, the baselines) or a module
 * file whose default export is a policy factory. Its options are the flags named like its option
 * keys (`baseUrl` ← `--base-url`), then `--policy-options`; its schema validates them.
 */
export async function createEvalPolicy(
  spec: string,
  values: Record<string, unknown>,
  ctx: PolicyFactoryContext,
  scope = "eval",
): Promise<Policy> {
  let factory: PolicyFactory;
  if (isModuleSpecifier(spec)) factory = await evalPolicies.importModule(spec);
  else if (evalPolicies.has(spec)) factory = evalPolicies.get(spec);
  else {
    throw new EnvtuneError(
      "UNKNOWN_POLICY",
      scope,
      `Unknown --policy \`${spec}\` (known: ${evalPolicies.names().join(", ")}).`,
      "Use a known name, or pass a module file whose default export is a policy factory (--policy ./my-policy.js).",
    );
  }
  const options: Record<string, unknown> = {};
  for (const k of optionKeys(factory)) if (values[kebab(k)] !== undefined) options[k] = values[kebab(k)];
  return evalPolicies.create(factory.name, { ...options, ...policyOptionsJson(values["policy-options"], scope) }, ctx);
}
