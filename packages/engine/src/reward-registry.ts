/**
 * Reward rules by name. A reward spec `{ kind: NAME, ...options }` picks the rule `NAME`; its
 * factory's zod schema validates the options and its `create` returns the {@link RewardFn} that
 * turns an episode record into the reward. The paper's rewards are built in (see `rewards.ts`);
 * user code adds its own with {@link registerRewardRule} — no change to envtune needed.
 */
import { createRegistry } from "@envtune/core";
import type { z } from "zod";
import type { RewardComponent, RewardInput } from "./rewards.ts";

/**
 * An episode's reward from its record and every component (already computed under the spec's
 * counting options). Pure: the same record gives the same number.
 */
export type RewardFn = (input: RewardInput, components: Readonly<Record<RewardComponent, number>>) => number;

/**
 * A reward rule: `options` is the zod object of the spec's own fields (besides `kind` and the
 * counting options every spec has); `create` receives them validated, defaults filled in.
 */
export interface RewardFactory<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  readonly options: S;
  create(options: z.output<S>): RewardFn;
}

export const rewardRules = createRegistry<RewardFactory>({
  noun: "reward rule",
  code: "REWARD_RULE",
  scope: "engine",
  unknownHint: "Register it with `registerRewardRule(factory)` from @envtune/engine first, or use a known `kind`.",
  optionsPath: "reward",
});

/** Adds a reward rule under its name (once; `replace` overrides one on purpose). Specs then use `{ kind: name }`. */
export function registerRewardRule<S extends z.ZodObject>(factory: RewardFactory<S>, opts: { replace?: boolean } = {}): void {
  rewardRules.register(factory as unknown as RewardFactory, opts);
}

/** The registered reward rule names, sorted. */
export function rewardRuleNames(): string[] {
  return rewardRules.names();
}
