/**
 * An experiment is data: which methods, on which evaluation sets and folds, with which seeds,
 * testing which claims. This module holds the grid's schema and the paper grid (the default);
 * a user's grid is a JSON file validated by the same schema.
 */
import { z } from "zod";
import { parseOrThrow } from "@envtune/core";
import { splitSpecSchema } from "@envtune/bfcl-data";
import { BASELINE_NAMES, ablationSchema, learnerSchema } from "@envtune/trainer";
import { claimSetSchema } from "./results.ts";

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes (it names folders)")
  .max(40);

/** A trained method: a learner (default GRPO on the embedded policy) and the trainer's ablation switches. */
const trainMethodSchema = z
  .object({
    kind: z.literal("train"),
    name,
    description: z.string().default(""),
    learner: learnerSchema.optional(),
    ablation: ablationSchema.partial().optional(),
    /**
     * Start from the last weights of another method's run with the same fold and seed (e.g. the
     * curriculum after behaviour cloning); that run goes first.
     */
    initFrom: name.optional(),
    /** Fields of the training config that differ from the grid's `train` block for this method. */
    train: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** An evaluation-only method: one of the trainer's baseline policies. */
const baselineMethodSchema = z
  .object({
    kind: z.literal("baseline"),
    name,
    description: z.string().default(""),
    policy: z.enum(BASELINE_NAMES),
  })
  .strict();

export const methodSchema = z.discriminatedUnion("kind", [trainMethodSchema, baselineMethodSchema]);
export type Method = z.output<typeof methodSchema>;
export type TrainMethod = z.output<typeof trainMethodSchema>;

/** The per-run score a claim compares. */
export const claimMetricSchema = z.enum(["turn_success", "entry_accuracy", "all_turn_success"]);

export const claimSpecSchema = z
  .object({
    id: name,
    /** The claim in words, as the report prints it. */
    statement: z.string().min(1),
    /**
     * The claim is "a is better than b" on `metric` over `set`, paired by fold and seed; `all`
     * pairs over every fold of both sets (for claims about training that should hold on any test set).
     */
    a: name,
    b: name,
    set: claimSetSchema,
    metric: claimMetricSchema.default("turn_success"),
    /** Pool only these categories' entries (e.g. miss_func and miss_param for the hints claim). */
    categories: z.array(z.string().min(1)).min(1).optional(),
    /**
     * The smallest difference (in rate, 0.01 = 1 point) that would matter. "Not supported" means
     * the 95% interval lies entirely below it: the data rule out an effect that large.
     */
    minEffect: z.number().min(0).max(1).default(0.01),
  })
  .strict();
export type ClaimSpec = z.output<typeof claimSpecSchema>;

export const gridSchema = z
  .object({
    name: z.string().min(1).default("custom"),
    description: z.string().default(""),
    /**
     * The training config every trained run starts from: a trainer preset plus fields of the
     * trainer's config (`trainConfigSchema`). Its budget is what one run costs.
     */
    train: z
      .object({ preset: z.string().min(1).default("quick") })
      .catchall(z.unknown())
      .default({ preset: "quick" }),
    /** Data and domain packs for every run (a dataset of your own works as in `envtune train`). */
    data: z
      .object({ dir: z.string().optional(), dataset: z.string().optional(), domains: z.array(z.string().min(1)).min(1).optional() })
      .strict()
      .default({}),
    sets: z
      .object({
        /**
         * In distribution: train on the split's train part, test on its test part. A split name
         * (`paper`, …) or a split spec (e.g. `{ "kind": "shared-id", "train": 3, "val": 1, "test": 2 }`
         * for a small dataset of your own).
         */
        id: z
          .object({ split: z.union([z.string().min(1), splitSpecSchema]).default("paper") })
          .strict()
          .nullable()
          .default({ split: "paper" }),
        /** Out of distribution: one fold per entry, holding those domains (classes) out of training and testing on them. */
        ood: z
          .object({ folds: z.array(z.array(z.string().min(1)).min(1)).min(1) })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .default({ id: { split: "paper" }, ood: null }),
    seeds: z.array(z.number().int().min(0)).min(1).default([1, 2, 3]),
    methods: z.array(methodSchema).min(1),
    claims: z.array(claimSpecSchema).default([]),
    /** Runs in parallel (one process each; the embedded policy uses one core). */
    workers: z.number().int().min(1).max(64).default(2),
  })
  .strict()
  .superRefine((g, ctx) => {
    const names = new Set<string>();
    for (const m of g.methods) {
      if (names.has(m.name)) ctx.addIssue({ code: "custom", message: `method \`${m.name}\` is declared twice`, path: ["methods"] });
      names.add(m.name);
    }
    for (const m of g.methods)
      if (m.kind === "train" && m.initFrom !== undefined) {
        const from = g.methods.find((x) => x.name === m.initFrom);
        if (!from || from.kind !== "train" || from.initFrom !== undefined)
          ctx.addIssue({
            code: "custom",
            message: `\`${m.name}\`.initFrom must name a trained method without initFrom`,
            path: ["methods"],
          });
      }
    for (const c of g.claims)
      for (const side of [c.a, c.b])
        if (!names.has(side))
          ctx.addIssue({ code: "custom", message: `claim \`${c.id}\` names unknown method \`${side}\``, path: ["claims"] });
  });

export type Grid = z.output<typeof gridSchema>;
export type GridInput = z.input<typeof gridSchema>;

export function parseGrid(input: unknown): Grid {
  return parseOrThrow(gridSchema, input, {
    code: "INVALID_GRID",
    scope: "experiment",
    what: "The experiment grid is invalid.",
    hint: "Fix the listed fields (see `gridSchema` in @envtune/experiment, or `envtune experiment --print-grid` for the default).",
    root: "(grid)",
  });
}

/** The grid file's JSON Schema, derived from {@link gridSchema} (editors validate grid files with it). */
export function gridJsonSchema(): unknown {
  return z.toJSONSchema(gridSchema, { io: "input", unrepresentable: "any" });
}
