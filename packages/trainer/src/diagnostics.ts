/**
 * Diagnostics of the embedded policy on a dataset: what it *can* express (every argument of the
 * ground truth among its candidates), where a trained policy's first call of a turn goes wrong,
 * and how well its answer features tell the turns whose right move is not to call from the rest.
 * The trainer README's "Why Stages 3–4 stay flat" numbers come from here
 * (`scripts/diagnose.ts`). The ground truth is only read here, never shown to a policy.
 */
import { isDeepStrictEqual } from "node:util";
import type { BfclEntry } from "@envtune/bfcl-data";
import { parseAction, toPlainJson, type PyValue } from "@envtune/core";
import { PROTOCOL_PRESETS } from "@envtune/engine";
import { DEFAULT_LIMITS, Rng, argCandidates, decisionContext, type FeaturizerLimits, type TfjsPolicy } from "@envtune/policy-tfjs";
import { formWriting, groundTruthCalls, walkGroundTruth } from "./ground-truth.ts";
import { openEpisode, type EpisodeWorld } from "./rollout.ts";

/** Per category: turns with calls, how many are fully expressible, and which parameters most often are not. */
export interface Expressibility {
  perCategory: Record<string, { gtTurns: number; expressible: number; share: number }>;
  /** `tool.param` → times its ground-truth value was not among the candidates. */
  missing: Record<string, number>;
}

/**
 * Before every ground-truth call, asks whether the policy's candidates (the same featurizer it acts
 * with) contain the call's tool and every argument value in some form. A turn is expressible when
 * all its calls are.
 */
export function expressibility(
  entries: readonly BfclEntry[],
  world: EpisodeWorld,
  limits: FeaturizerLimits = DEFAULT_LIMITS,
): Expressibility {
  const perCategory: Expressibility["perCategory"] = {};
  const missing: Record<string, number> = {};
  for (const entry of entries) {
    const cat = (perCategory[entry.category] ??= { gtTurns: 0, expressible: 0, share: 0 });
    // Verdict of the turn in progress: null before the first turn or for a turn without calls.
    let ok: boolean | null = null;
    const close = (): void => {
      if (ok === null) return;
      cat.gtTurns++;
      if (ok) cat.expressible++;
    };
    walkGroundTruth(entry, world, {
      onTurn: (_turn, gt) => {
        close();
        ok = gt.length > 0 ? true : null;
      },
      onCall: (call, obs) => {
        const ctx = decisionContext(obs, limits);
        const tool = ctx.tools.find((t) => t.name === call.name);
        if (!tool) ok = false;
        for (const [k, want] of tool ? Object.entries(call.args) : []) {
          const p = tool!.params.find((q) => q.name === k);
          if (
            p !== undefined &&
            argCandidates(ctx, p, limits.hashBuckets, limits.schemaConstrained).some((cand) => formWriting(cand, want) >= 0)
          )
            continue;
          ok = false;
          missing[`${call.name}.${k}`] = (missing[`${call.name}.${k}`] ?? 0) + 1;
        }
      },
    });
    close();
  }
  for (const c of Object.values(perCategory)) c.share = c.gtTurns ? c.expressible / c.gtTurns : 0;
  return { perCategory, missing };
}

export type FirstCallOutcome = "right" | "right-tool-wrong-args" | "other-tool-of-turn" | "wrong-tool" | "answered" | "unparsable";

/**
 * A greedy policy plays each entry (standard environment, paper protocol, 5 actions per turn);
 * the first action of every turn with calls is compared with the turn's first ground-truth call.
 */
export function firstCallBreakdown(
  policy: TfjsPolicy,
  entries: readonly BfclEntry[],
  world: EpisodeWorld,
): Record<FirstCallOutcome, number> & { turns: number; passed: number } {
  const out = {
    right: 0,
    "right-tool-wrong-args": 0,
    "other-tool-of-turn": 0,
    "wrong-tool": 0,
    answered: 0,
    unparsable: 0,
    turns: 0,
    passed: 0,
  };
  const rng = new Rng(1);
  for (const entry of entries) {
    const { ep, tracker, observe } = openEpisode(entry, world, {
      protocol: "paper",
      augmented: false,
      systemPrompt: "paper-b",
      maxActionsPerTurn: PROTOCOL_PRESETS.paper.maxActionsPerTurn,
    });
    let seen = -1;
    while (!ep.done) {
      const turn = ep.turn;
      const [act] = policy.act([observe()], { greedy: true, rng, format: "envelope" });
      const gt = entry.groundTruth[turn] ?? [];
      if (turn !== seen && gt.length) {
        seen = turn;
        const mine = parseAction(act!.text, { format: "auto" });
        const want = groundTruthCalls(entry, world, gt);
        if (!mine.ok) out.unparsable++;
        else if (mine.kind !== "tool_calls") out.answered++;
        else {
          const c = mine.calls[0]!;
          const args = Object.fromEntries(c.kwargs.map(([k, v]) => [k, toPlainJson(v as PyValue)]));
          if (c.name !== want[0]!.name) out[want.some((w) => w.name === c.name) ? "other-tool-of-turn" : "wrong-tool"]++;
          else out[isDeepStrictEqual(args, want[0]!.args) ? "right" : "right-tool-wrong-args"]++;
        }
      }
      ep.step(act!.text);
      tracker.update(ep.messages);
    }
    for (const t of ep.transcript().turns) {
      if (!(entry.groundTruth[t.turn] ?? []).length) continue;
      out.turns++;
      if (t.passed) out.passed++;
    }
  }
  return out;
}

/** Answer-head features at the start of every turn, labelled by "the ground truth has no call". */
export function answerFeatureRows(
  entries: readonly BfclEntry[],
  world: EpisodeWorld,
): Array<{ category: string; emptyGt: boolean; features: Float32Array }> {
  const rows: Array<{ category: string; emptyGt: boolean; features: Float32Array }> = [];
  for (const entry of entries) {
    walkGroundTruth(entry, world, {
      onTurn: (_turn, gt, obs) =>
        rows.push({ category: entry.category, emptyGt: gt.length === 0, features: decisionContext(obs).answerFeatures }),
    });
  }
  return rows;
}

/**
 * Area under the ROC curve of a logistic regression (full-batch gradient descent, in-sample) from
 * the features to the label: how separable the labels are for a linear read-out of the features.
 */
export function logisticAuc(rows: ReadonlyArray<{ label: boolean; features: ArrayLike<number> }>, iterations = 3000, lr = 0.5): number {
  const n = rows.length;
  const d = rows[0]?.features.length ?? 0;
  const w = new Float64Array(d + 1);
  const score = (f: ArrayLike<number>): number => {
    let z = w[d]!;
    for (let j = 0; j < d; j++) z += w[j]! * f[j]!;
    return z;
  };
  for (let it = 0; it < iterations; it++) {
    const g = new Float64Array(d + 1);
    for (const r of rows) {
      const e = 1 / (1 + Math.exp(-score(r.features))) - (r.label ? 1 : 0);
      for (let j = 0; j < d; j++) g[j]! += e * r.features[j]!;
      g[d]! += e;
    }
    for (let j = 0; j <= d; j++) w[j]! -= (lr * g[j]!) / n;
  }
  return auc(
    rows.map((r) => score(r.features)),
    rows.map((r) => r.label),
  );
}

/** Mann–Whitney AUC (ties count one half). */
export function auc(scores: readonly number[], labels: readonly boolean[]): number {
  let pos = 0;
  let wins = 0;
  const negScores = scores.filter((_, i) => !labels[i]).sort((a, b) => a - b);
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    pos++;
    const s = scores[i]!;
    let lo = 0;
    let hi = negScores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (negScores[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    let eq = lo;
    while (eq < negScores.length && negScores[eq] === s) eq++;
    wins += lo + (eq - lo) / 2;
  }
  return pos && negScores.length ? wins / (pos * negScores.length) : 0.5;
}
