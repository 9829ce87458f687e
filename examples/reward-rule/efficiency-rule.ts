/**
 * A reward rule of your own: the progress reward R_P minus a cost per executed tool step, so of
 * two policies that pass the same turns the one with fewer calls scores higher. Registered with
 * `registerRewardRule(efficiencyRule)`, a reward spec then names it like a built-in:
 * `{ "kind": "efficiency", "cost": 0.05 }` (plus the counting options every spec accepts).
 */
import type { RewardFactory } from "@envtune/engine";
import { z } from "zod";

const options = z.object({
  /** Subtracted per executed tool step. */
  cost: z.number().min(0).default(0.05),
  /** Never below this (keeps group-normalized advantages from being dominated by long failures). */
  floor: z.number().default(-1),
});

export const efficiencyRule: RewardFactory<typeof options> = {
  name: "efficiency",
  description: "R_P − cost · executed tool steps, floored.",
  options,
  create: (o) => (input, components) => {
    const toolSteps = input.steps.filter((s) => s.kind === "tool_calls" && s.executed).length;
    return Math.max(o.floor, components.progress - o.cost * toolSteps);
  },
};
