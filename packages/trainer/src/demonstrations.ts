/**
 * Expert demonstrations for behaviour cloning: an entry's ground truth replayed through the real
 * environment, recorded as the decisions the embedded policy would have to take to produce it (the
 * tool or the answer, which parameters to fill, which candidate value, which form). A value the
 * policy cannot write (no candidate renders to it) cannot be imitated: it is counted, and its value
 * and form are left out of the loss while the decision to fill the parameter is still taught.
 */
import type { BfclEntry } from "@envtune/bfcl-data";
import type { EpisodeConfigInput } from "@envtune/engine";
import {
  argCandidates,
  candidateFeatures,
  decisionContext,
  fillFeatures,
  type ArgRecord,
  type DecisionRecord,
  type FeaturizerLimits,
  type PolicyObservation,
} from "@envtune/policy-tfjs";
import { formWriting, walkGroundTruth, type GroundTruthCall } from "./ground-truth.ts";
import type { EpisodeWorld } from "./rollout.ts";

/** One demonstrated decision and which of its arguments' values the policy cannot write. */
export interface Demonstration {
  record: DecisionRecord;
  /** Indices into `record.args` of filled arguments whose value is not among the candidates. */
  uncovered: number[];
}

/** What an entry's demonstrations could and could not express. */
export interface DemonstrationCoverage {
  /** Ground-truth argument values, and how many of them the policy's candidates can write. */
  values: number;
  covered: number;
  /** Ground-truth calls, and how many name a tool the policy sees at that point. */
  calls: number;
  callsInView: number;
}

export interface EntryDemonstrations {
  decisions: Demonstration[];
  coverage: DemonstrationCoverage;
}

function decisionBase(obs: PolicyObservation, limits: FeaturizerLimits) {
  const ctx = decisionContext(obs, limits);
  const record: DecisionRecord = {
    userBag: ctx.userBag,
    observationBag: ctx.observationBag,
    answerFeatures: ctx.answerFeatures,
    tools: ctx.tools,
    toolFeatures: ctx.toolFeatures,
    choice: 0,
    args: [],
  };
  return { ctx, record };
}

/** The decision that writes `call`, or null when its tool is not in view. */
function callDecision(
  call: GroundTruthCall,
  obs: PolicyObservation,
  limits: FeaturizerLimits,
  cov: DemonstrationCoverage,
): Demonstration | null {
  const { ctx, record } = decisionBase(obs, limits);
  cov.calls++;
  const index = record.tools.findIndex((t) => t.name === call.name);
  const given = Object.keys(call.args);
  cov.values += given.length;
  if (index < 0) return null;
  cov.callsInView++;
  const tool = record.tools[index]!;
  record.choice = index + 1;
  const uncovered: number[] = [];
  record.args = tool.params.map((p, i): ArgRecord => {
    const candidates = argCandidates(ctx, p, limits.hashBuckets, limits.schemaConstrained);
    const arg: ArgRecord = {
      param: p,
      fillFeatures: fillFeatures(ctx, p),
      candidates,
      candFeatures: candidateFeatures(ctx, p, candidates),
      filled: Object.hasOwn(call.args, p.name),
      cand: 0,
      form: 0,
    };
    if (!arg.filled) return arg;
    const want = call.args[p.name];
    const cand = candidates.findIndex((c) => formWriting(c, want) >= 0);
    if (cand < 0) uncovered.push(i);
    else {
      arg.cand = cand;
      arg.form = formWriting(candidates[cand]!, want);
      cov.covered++;
    }
    return arg;
  });
  return { record, uncovered };
}

/**
 * Replays `entry`'s ground truth in the environment `config` (the stage's, so that hints and
 * prompts match what the policy sees there) and records every decision: each call, then the answer
 * that ends the turn.
 */
export function demonstrate(
  entry: BfclEntry,
  world: EpisodeWorld,
  config: EpisodeConfigInput,
  limits: FeaturizerLimits,
): EntryDemonstrations {
  const decisions: Demonstration[] = [];
  const coverage: DemonstrationCoverage = { values: 0, covered: 0, calls: 0, callsInView: 0 };
  walkGroundTruth(
    entry,
    world,
    {
      onCall: (call, obs) => {
        const d = callDecision(call, obs, limits, coverage);
        if (d) decisions.push(d);
      },
      onAnswer: (obs) => decisions.push({ record: decisionBase(obs, limits).record, uncovered: [] }),
    },
    config,
  );
  return { decisions, coverage };
}
