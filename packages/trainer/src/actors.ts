/**
 * Actors for rollouts and evaluation: any learner's policy (sampling or greedy), and the baselines
 * the report compares it with: a uniformly random valid-call policy and an always-answer policy.
 */
import type { Policy, PolicyAction, PolicyContext } from "@envtune/engine";
import { Rng, argCandidates, decisionContext, type Candidate, type ParamInfo, type PolicyObservation } from "@envtune/policy-tfjs";
import type { ActingPolicy, ActionFormat } from "./learner.ts";
import { DialogueTracker } from "./observe.ts";
import type { Actor } from "./rollout.ts";

/** A learner's (or any policy's) batched choices as a rollout actor. */
export function policyActor<R>(policy: ActingPolicy<R>, opts: { greedy: boolean; format?: ActionFormat; name?: string }): Actor<R> {
  return {
    name: opts.name ?? (opts.greedy ? "policy-greedy" : "policy-sample"),
    act(observations, rng) {
      return policy.act(observations, { greedy: opts.greedy, rng, format: opts.format ?? "envelope" });
    },
  };
}

const ANSWER =
  "<think>Nothing more to call for this request.</think>\n<answer>I have completed the request as far as the available functions allow.</answer>";

/** Never calls a tool: answers every step (ends every turn at once). */
export function alwaysAnswerActor(): Actor {
  return {
    name: "always-answer",
    act(observations) {
      return observations.map(() => ({ text: ANSWER }));
    },
  };
}

function pick<T>(xs: readonly T[], rng: Rng): T | undefined {
  return xs.length ? xs[rng.int(xs.length)] : undefined;
}

/** A value that fits the parameter's JSON Schema type, drawn uniformly from what the dialogue offers. */
function randomValue(p: ParamInfo, cands: readonly Candidate[], rng: Rng): unknown {
  const nums = cands.filter((c) => c.numeric !== undefined);
  const strs = cands.filter(
    (c) =>
      c.numeric === undefined &&
      c.kind !== "bool_true" &&
      c.kind !== "bool_false" &&
      c.kind !== "all_enum" &&
      c.kind !== "param_number" &&
      c.kind !== "value_list",
  );
  const lists = cands.filter((c) => c.kind === "value_list");
  switch (p.type) {
    case "boolean":
      return rng.next() < 0.5;
    case "integer": {
      const n = pick(
        nums.filter((c) => Number.isInteger(c.numeric)),
        rng,
      );
      return n ? n.numeric : rng.int(11);
    }
    case "number": {
      const n = pick(nums, rng);
      return n ? n.numeric : rng.int(11);
    }
    case "array": {
      if (p.enumValues.length) return [pick(p.enumValues, rng)];
      const s = pick([...strs, ...lists], rng);
      return s ? (s.items ?? [s.text]) : [];
    }
    case "object":
      return {};
    case "string": {
      if (p.enumValues.length) return pick(p.enumValues, rng);
      const s = pick(strs, rng);
      return s ? s.text : "";
    }
  }
}

/**
 * Uniformly random valid calls: each step picks a tool uniformly from the current list and gives
 * every required parameter (and each optional one with probability ½) a schema-valid value drawn
 * uniformly from the dialogue's values, the enum, or booleans. After its first call of a turn it
 * answers with probability ⅓ per step, so turns hold about three calls.
 */
export function randomValidActor(): Actor {
  return {
    name: "random-valid-call",
    act(observations, rng) {
      return observations.map((obs: PolicyObservation) => {
        const called = obs.steps.some((s) => s.kind === "calls");
        if (obs.tools.length === 0 || (called && rng.next() < 1 / 3)) return { text: ANSWER };
        const ctx = decisionContext(obs);
        const tool = ctx.tools[rng.int(ctx.tools.length)]!;
        const args: Record<string, unknown> = {};
        for (const p of tool.params) {
          if (!p.required && rng.next() < 0.5) continue;
          args[p.name] = randomValue(p, argCandidates(ctx, p), rng);
        }
        return {
          text: `<think>Calling ${tool.name}.</think>\n<tool_call>\n${JSON.stringify([{ name: tool.name, arguments: args }])}\n</tool_call>`,
        };
      });
    },
  };
}

/**
 * A policy (e.g. the tfjs policy) behind the engine's `Policy` interface (one episode at a time,
 * as `runEval` and the CLI's eval drive policies): it reads `ctx.messages` like an LLM would. For
 * batched rollouts use {@link policyActor}.
 */
export function enginePolicy(
  policy: ActingPolicy,
  opts: { greedy?: boolean; seed?: number; format?: ActionFormat; name?: string } = {},
): Policy {
  const trackers = new Map<string, DialogueTracker>();
  const rng = new Rng(opts.seed ?? 1);
  const format = opts.format ?? "envelope";
  return {
    name: opts.name ?? "envtune-tfjs",
    episodeConfig: { actionFormat: format },
    act(ctx: PolicyContext): PolicyAction {
      let t = trackers.get(ctx.entry.id);
      if (!t) trackers.set(ctx.entry.id, (t = new DialogueTracker()));
      t.update(ctx.messages);
      const obs = t.observation(ctx.tools.map((x) => x.function));
      return policy.act([obs], { greedy: opts.greedy ?? true, rng, format })[0]!.text;
    },
    close() {
      trackers.clear();
    },
  };
}
