/** The few statistics the trainer reports and GRPO normalizes with, written once. */

/** Arithmetic mean; `ifEmpty` for no values (0 for metrics, NaN where "no data" must show). */
export function mean(xs: readonly number[], ifEmpty = 0): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : ifEmpty;
}

/** Unbiased (n − 1) variance, as `torch.std` squared; 0 below two values. */
export function sampleVariance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (n - 1);
}
