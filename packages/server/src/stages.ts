/**
 * Curriculum stages as the server sees them: which tasks a stage trains on and the episode
 * settings its sessions take (standard or augmented environment, reward spec, system prompt,
 * action budget). Declared as data; the defaults are the paper's four stages (paper doc §1, §5.2,
 * §6.2, Fig. 3).
 */
import { z } from "zod";
import { EnvtuneError } from "@envtune/core";
import { BFCL_CATEGORIES } from "@envtune/bfcl-data";
import { episodeConfigSchema, type EpisodeConfigInput } from "@envtune/engine";

export const stageSpecSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    name: z.string().min(1),
    description: z.string().default(""),
    data: z
      .object({
        /** BFCL categories the stage draws from. */
        categories: z.array(z.enum(BFCL_CATEGORIES)).min(1).default([...BFCL_CATEGORIES]),
        /** Part of the server's split the stage trains on. */
        part: z.enum(["train", "val", "test"]).default("train"),
        /**
         * `dataset`: split order. `easiest`: fewest turns, then fewest ground-truth calls, then id
         * (the paper's Stage 1 is an "easy, small volume" set whose exact ids were not released).
         */
        order: z.enum(["dataset", "easiest"]).default("dataset"),
        /** Keep only the first N tasks after ordering. */
        limit: z.number().int().min(1).optional(),
      })
      .strict()
      .default({ categories: [...BFCL_CATEGORIES], part: "train", order: "dataset" }),
    /**
     * Episode settings of the stage's sessions (an `EpisodeConfigInput`, checked against
     * `episodeConfigSchema`); a session's own `config` overrides them field by field. Kept as given
     * so that unset fields fall through to the server's defaults rather than the schema's.
     */
    episode: z
      .record(z.string(), z.unknown())
      .default({})
      .superRefine((v, ctx) => {
        const r = episodeConfigSchema.safeParse(v);
        if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message, path: i.path as PropertyKey[] });
      }),
  })
  .strict();

export type StageSpec = Omit<z.output<typeof stageSpecSchema>, "episode"> & { episode: EpisodeConfigInput };
export type StageSpecInput = z.input<typeof stageSpecSchema>;

/**
 * The paper's curriculum. Stage 1: syntax reward on a small easy set, standard environment,
 * Prompt A. Stage 2: progress reward on the Base training split, augmented, Prompt A. Stage 3:
 * progress reward on all four training splits, augmented, Prompt B. Stage 4: as Stage 3 with the
 * standard environment. Every stage uses the paper protocol (5 actions a turn, force-advance).
 */
export const PAPER_STAGES: readonly StageSpecInput[] = [
  {
    id: "1",
    name: "format",
    description: "Stage 1: syntax/format reward I_tool·(R_format + R_tool) on 75 easy Base training tasks, standard environment.",
    data: { categories: ["base"], part: "train", order: "easiest", limit: 75 },
    episode: { protocol: "paper", augmented: false, systemPrompt: "paper-a", reward: { kind: "stage1" } },
  },
  {
    id: "2",
    name: "base",
    description: "Stage 2: progress reward on the Base training split, augmented environment.",
    data: { categories: ["base"], part: "train" },
    episode: { protocol: "paper", augmented: true, systemPrompt: "paper-a", reward: { kind: "progress" } },
  },
  {
    id: "3",
    name: "all-augmented",
    description: "Stage 3: progress reward on all four training splits, augmented environment.",
    data: { categories: [...BFCL_CATEGORIES], part: "train" },
    episode: { protocol: "paper", augmented: true, systemPrompt: "paper-b", reward: { kind: "progress" } },
  },
  {
    id: "4",
    name: "all-standard",
    description: "Stage 4: progress reward on all four training splits, standard environment.",
    data: { categories: [...BFCL_CATEGORIES], part: "train" },
    episode: { protocol: "paper", augmented: false, systemPrompt: "paper-b", reward: { kind: "progress" } },
  },
];

export function parseStages(input: readonly unknown[]): StageSpec[] {
  const out: StageSpec[] = [];
  const problems: string[] = [];
  input.forEach((s, i) => {
    const r = stageSpecSchema.safeParse(s);
    if (r.success) out.push(r.data as StageSpec);
    else problems.push(...r.error.issues.map((x) => `stages.${i}.${x.path.join(".")}: ${x.message}`));
  });
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.id)) problems.push(`stages: duplicate id \`${s.id}\``);
    seen.add(s.id);
  }
  if (problems.length) {
    throw new EnvtuneError("INVALID_STAGES", "server", "The curriculum stage list is invalid.", "Fix the listed fields (see `stageSpecSchema`).", { details: problems });
  }
  return out;
}

/** Merges episode configs field by field (later wins); `reward` is replaced whole. */
export function mergeEpisodeConfig(...layers: Array<EpisodeConfigInput | undefined>): EpisodeConfigInput {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  }
  return out as EpisodeConfigInput;
}
