import { describe, expect, it } from "vitest";
import { stageSchema } from "./config.ts";
import { promotionDecision } from "./plateau.ts";

const p = stageSchema.parse({
  name: "s",
  reward: { kind: "progress" },
  augmented: true,
  promotion: { metric: "val_progress", window: 3, minDelta: 0.01, minUpdates: 4, maxUpdates: 40, gradNormMaxRatio: 3 },
}).promotion;

const vals = (xs: number[]) => xs.map((value, i) => ({ stageUpdate: i * 2, value }));

describe("plateau promotion", () => {
  it("waits for the minimum number of updates and for enough validations", () => {
    expect(promotionDecision(p, 2, vals([0.1, 0.1, 0.1, 0.1]), [1, 1]).promote).toBe(false);
    expect(promotionDecision(p, 6, vals([0.1, 0.1, 0.1]), [1, 1, 1, 1, 1, 1]).reason).toMatch(/needs 4/);
  });

  it("keeps training while the metric improves by at least minDelta", () => {
    const d = promotionDecision(p, 8, vals([0.1, 0.12, 0.2, 0.3]), new Array(8).fill(1));
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/still improving/);
  });

  it("promotes on a plateau with a stable gradient norm, and says why", () => {
    const d = promotionDecision(p, 8, vals([0.3, 0.29, 0.3, 0.305]), [1, 1.2, 0.9, 1, 1.1, 1, 1, 1.05]);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/plateaued .* gradient norm is stable/);
  });

  it("does not promote while the gradient norm spikes", () => {
    const d = promotionDecision(p, 8, vals([0.3, 0.29, 0.3, 0.3]), [1, 1, 1, 1, 1, 1, 9, 1]);
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/unstable/);
  });

  it("always promotes at the maximum", () => {
    const d = promotionDecision(p, 40, vals([0.1, 0.5]), [1]);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/maximum of 40/);
  });
});
