/**
 * `@envtune/policy-tfjs/util`: the package's helpers that do not load TensorFlow.js — the
 * seedable RNG whose state a checkpoint keeps, and atomic file writes — for code that trains or
 * evaluates learners other than the tfjs policy.
 */
export { writeFileAtomic } from "./atomic-write.ts";
export { Rng, sampleLogits } from "./rng.ts";
