/**
 * Adds the `efficiency` reward rule from user code and uses it: two policies play the same BFCL
 * entry, the oracle (the ground-truth calls, one step per turn) and a wasteful one (the same calls
 * one per step); both pass every turn, so R_P is 1 for both, but the rule scores the wasteful one
 * lower. Then a training config that uses the rule in a stage validates like one with a built-in.
 *
 *   ENVTUNE_BFCL_DATA=path/to/bfcl/data npm run examples -- reward-rule
 *   node --conditions=@envtune/source --import tsx examples/reward-rule/main.ts
 */
import { loadDomainPacks } from "@envtune/core";
import { loadDataSource } from "@envtune/bfcl-data";
import { Episode, oraclePolicy, registerRewardRule, runEpisode, type Policy } from "@envtune/engine";
import { parseTrainConfig, presetConfig } from "@envtune/trainer";
import { efficiencyRule } from "./efficiency-rule.ts";

registerRewardRule(efficiencyRule);

/** The ground-truth calls of each turn one per step, then an answer. */
const oneCallPerStep: Policy = {
  name: "one-call-per-step",
  episodeConfig: { actionFormat: "python" },
  act: (ctx) => {
    const gt = ctx.entry.groundTruth[ctx.turn] ?? [];
    return ctx.attempt < gt.length ? `[${gt[ctx.attempt]}]` : "Done.";
  },
};

const { ds } = await loadDataSource({}, "reward-rule");
const { packs } = await loadDomainPacks();
const entry = ds.entries.find((e) => e.category === "base" && e.groundTruth.every((t) => t.length >= 2))!;
const reward = { kind: "efficiency", cost: 0.05 };

async function score(policy: Policy): Promise<{ reward: number; progress: number; steps: number }> {
  const ep = new Episode({ entry, packs, constants: ds.longContext, funcDocs: ds.funcDocs, config: { ...policy.episodeConfig, reward } });
  const t = await runEpisode(ep, policy);
  return { reward: t.rewards.reward, progress: t.rewards.components.progress, steps: t.steps.length };
}

const oracle = await score(oraclePolicy({ packs, style: "python" }));
const wasteful = await score(oneCallPerStep);
console.log(`${entry.id}: oracle ${JSON.stringify(oracle)}, one-call-per-step ${JSON.stringify(wasteful)}`);
if (oracle.progress !== 1 || wasteful.progress !== 1) throw new Error("both policies should pass every turn");
if (!(oracle.reward > wasteful.reward)) throw new Error("the efficiency rule should score the wasteful policy lower");

// The trainer's config takes the rule by name, its options validated by the rule's schema.
const base = presetConfig("quick");
const config = parseTrainConfig({ ...base, stages: base.stages.map((s) => ({ ...s, reward })) });
console.log(`reward-rule: train config stages use ${JSON.stringify(config.stages[0]!.reward)}`);
