/**
 * Automatic stage promotion (paper Remark 3.1, App. E.1): move on when the validation metric has
 * plateaued and the gradient norm is stable, within a minimum and maximum number of updates.
 * The paper chose checkpoints by hand; these numeric rules are ours and every decision is logged
 * with its reason.
 */
import type { StageSpec } from "./config.ts";

export interface ValPoint {
  /** Updates done in the stage when this validation ran. */
  stageUpdate: number;
  value: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number): string => x.toFixed(4);

/**
 * Decides whether the current stage is done. `vals` are the stage's validations in order,
 * `gradNorms` its per-update gradient norms in order.
 */
export function promotionDecision(
  p: StageSpec["promotion"],
  stageUpdates: number,
  vals: readonly ValPoint[],
  gradNorms: readonly number[],
): PromotionDecision {
  if (stageUpdates >= p.maxUpdates) {
    const best = vals.length ? Math.max(...vals.map((v) => v.value)) : NaN;
    return {
      promote: true,
      reason: `reached the maximum of ${p.maxUpdates} updates (best ${p.metric} ${Number.isNaN(best) ? "n/a" : fmt(best)})`,
    };
  }
  if (stageUpdates < p.minUpdates) return { promote: false, reason: `below the minimum of ${p.minUpdates} updates` };
  if (vals.length < p.window + 1) return { promote: false, reason: `${vals.length} validations, the plateau test needs ${p.window + 1}` };
  const before = vals.slice(0, vals.length - p.window);
  const recent = vals.slice(vals.length - p.window);
  const bestBefore = Math.max(...before.map((v) => v.value));
  const bestRecent = Math.max(...recent.map((v) => v.value));
  if (bestRecent >= bestBefore + p.minDelta) {
    return {
      promote: false,
      reason: `${p.metric} still improving (${fmt(bestRecent)} vs ${fmt(bestBefore)} before the last ${p.window} validations)`,
    };
  }
  const span = gradNorms.slice(-Math.max(2, stageUpdates - recent[0]!.stageUpdate + 1));
  const finite = span.filter((g) => Number.isFinite(g));
  const med = finite.length ? median(finite) : NaN;
  const ratio = finite.length === span.length && med > 0 ? Math.max(...finite) / med : Infinity;
  if (!(ratio <= p.gradNormMaxRatio)) {
    return {
      promote: false,
      reason: `${p.metric} plateaued but the gradient norm is unstable (max/median ${Number.isFinite(ratio) ? ratio.toFixed(2) : "∞"} > ${p.gradNormMaxRatio})`,
    };
  }
  return {
    promote: true,
    reason: `${p.metric} plateaued (best ${fmt(bestRecent)} in the last ${p.window} validations vs ${fmt(bestBefore)} before, gain < ${p.minDelta}) and the gradient norm is stable (max/median ${ratio.toFixed(2)} ≤ ${p.gradNormMaxRatio})`,
  };
}
