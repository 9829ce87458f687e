/**
 * Named feature tables: a feature vector is the concatenation of named features, each writing a
 * fixed number of columns. Widths, offsets and the total come from the table, so adding a feature
 * is one row and no column index is written by hand anywhere.
 *
 * The order of the rows is the order of the columns the network's weights were trained against:
 * append new rows at the end of a table (and expect saved weights of the old width not to load).
 */
import { EnvtuneError } from "@envtune/core";

/** One named feature: `width` columns that `fill` writes from `at` on (the vector starts zeroed). */
export interface Feature<C, N extends string = string> {
  readonly name: N;
  readonly width: number;
  /** Per-column labels of multi-column features (one-hot blocks). */
  readonly labels?: readonly string[];
  readonly fill: (ctx: C, out: Float32Array, at: number) => void;
}

export interface FeatureTable<C, N extends string = string> {
  readonly features: readonly Feature<C, N>[];
  /** Columns of one vector: the sum of the features' widths. */
  readonly width: number;
  /** One name per column: the feature's name, or `name=label` within a one-hot block. */
  readonly columns: readonly string[];
  /** First column of a feature. */
  offset(name: N): number;
  /** Writes one vector into `out` from column `at` on (`out` must be zero there). */
  write(ctx: C, out: Float32Array, at: number): void;
}

export function featureTable<C, const N extends string>(features: readonly Feature<C, N>[]): FeatureTable<C, N> {
  const offsets = new Map<N, number>();
  const columns: string[] = [];
  for (const f of features) {
    if (offsets.has(f.name))
      throw new EnvtuneError(
        "DUPLICATE_FEATURE",
        "policy-tfjs",
        `Feature \`${f.name}\` is in the table twice.`,
        "Give each row of a feature table its own name.",
      );
    offsets.set(f.name, columns.length);
    for (let i = 0; i < f.width; i++) columns.push(f.labels ? `${f.name}=${f.labels[i]}` : f.name);
  }
  const at0 = features.map((f) => offsets.get(f.name)!);
  return {
    features,
    width: columns.length,
    columns,
    offset: (name) => offsets.get(name)!,
    write(ctx, out, at) {
      for (let i = 0; i < features.length; i++) features[i]!.fill(ctx, out, at + at0[i]!);
    },
  };
}

/** One column holding a number. */
export function scalar<C, const N extends string>(name: N, value: (ctx: C) => number): Feature<C, N> {
  return {
    name,
    width: 1,
    fill: (ctx, out, at) => {
      out[at] = value(ctx);
    },
  };
}

/** One column: 1 when the test holds, else 0. */
export function flag<C, const N extends string>(name: N, test: (ctx: C) => boolean): Feature<C, N> {
  return {
    name,
    width: 1,
    fill: (ctx, out, at) => {
      if (test(ctx)) out[at] = 1;
    },
  };
}

/** One column per label; the label `index` picks is 1 (none when it gives -1). */
export function oneHot<C, const N extends string>(name: N, labels: readonly string[], index: (ctx: C) => number): Feature<C, N> {
  return {
    name,
    width: labels.length,
    labels,
    fill: (ctx, out, at) => {
      const i = index(ctx);
      if (i >= labels.length || !Number.isInteger(i)) {
        throw new EnvtuneError(
          "FEATURE_INDEX_OUT_OF_RANGE",
          "policy-tfjs",
          `One-hot feature \`${name}\` picked column ${i} of ${labels.length}.`,
          "Return an index below the number of labels (or -1 for none).",
        );
      }
      if (i >= 0) out[at + i] = 1;
    },
  };
}

/** A count as a one-hot over 0, 1, …, `max` (and more). */
export function countOneHot<C, const N extends string>(name: N, max: number, count: (ctx: C) => number): Feature<C, N> {
  const labels = Array.from({ length: max + 1 }, (_, i) => (i === max ? `${i}+` : String(i)));
  return oneHot(name, labels, (ctx: C) => Math.min(count(ctx), max));
}

/** The feature builders with the row type fixed, so a table's rows need no type annotations. */
export function featuresOf<C>() {
  return {
    scalar: <const N extends string>(name: N, value: (ctx: C) => number) => scalar<C, N>(name, value),
    flag: <const N extends string>(name: N, test: (ctx: C) => boolean) => flag<C, N>(name, test),
    oneHot: <const N extends string>(name: N, labels: readonly string[], index: (ctx: C) => number) => oneHot<C, N>(name, labels, index),
    countOneHot: <const N extends string>(name: N, max: number, count: (ctx: C) => number) => countOneHot<C, N>(name, max, count),
  };
}

/** `n / max`, with n capped at `max`: counts on a 0…1 scale. */
export function capped(n: number, max: number): number {
  return Math.min(n, max) / max;
}

/** `part / whole`, 0 for an empty whole. */
export function share(part: number, whole: number): number {
  return whole ? part / whole : 0;
}
