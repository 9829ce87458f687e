/**
 * An evaluation policy of your own, loaded by `envtune eval --policy ./examples/eval-policy/policy.ts`
 * (a `.ts` file needs Node with tsx; a compiled `.js` file works with plain Node).
 *
 * The module's default export is a policy factory, the same shape as the built-in ones: a name, a
 * zod options schema (filled from the command's flags named like its keys and from
 * `--policy-options '{"dropRate": 0.5}'`) and `create(options, ctx)` returning the policy.
 *
 * This one is a noisy oracle: it sends each turn's ground-truth calls, but drops the last call of
 * a turn with probability `dropRate` (seeded per entry), so the checker's verdict shows the damage.
 */
import type { PolicyFactory } from "@envtune/engine";
import { z } from "zod";

const options = z.object({
  dropRate: z.number().min(0).max(1).default(0),
  seed: z.coerce.number<string | number>().int().min(0).default(1),
});

/** mulberry32: a tiny seeded generator, one stream per entry so concurrent episodes stay reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entrySeed(seed: number, id: string): number {
  let h = seed;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const noisyOracle: PolicyFactory<typeof options> = {
  name: "noisy-oracle",
  description: "The ground truth with the last call of a turn dropped at `dropRate`.",
  options,
  create(o) {
    const streams = new Map<string, () => number>();
    return {
      name: `noisy-oracle-${o.dropRate}`,
      // Actions are BFCL's Python-call strings.
      episodeConfig: { actionFormat: "python" },
      act(ctx) {
        const gt = ctx.entry.groundTruth[ctx.turn] ?? [];
        if (gt.length === 0) return "I cannot do this: a function or parameter it needs is missing.";
        if (ctx.attempt > 0) return "Done.";
        let next = streams.get(ctx.entry.id);
        if (!next) streams.set(ctx.entry.id, (next = rng(entrySeed(o.seed, ctx.entry.id))));
        const calls = next() < o.dropRate ? gt.slice(0, -1) : gt;
        return calls.length ? `[${calls.join(", ")}]` : "Done.";
      },
    };
  },
};

export default noisyOracle;
