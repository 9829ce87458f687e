/**
 * The curriculum in one place: what a stage is (its name and which tasks it draws), the paper's
 * four stages (arXiv 2510.10197, Fig. 3) and the entry selection, "easiest first" included.
 * The trainer extends a stage with its GRPO and promotion fields and the server with its episode
 * settings (both with zod `.extend`); both select tasks with {@link selectStageEntries}, so a stage
 * trains and serves the same tasks.
 */
import { z } from "zod";
import { BFCL_CATEGORIES, type BfclEntry } from "@envtune/bfcl-data";
import type { RewardSpecInput } from "./rewards.ts";

export const stageDataSchema = z
  .object({
    /** Which part of the split the stage draws from. */
    part: z.enum(["train", "val", "test"]).default("train"),
    /** BFCL categories to draw from (default: all four). */
    categories: z
      .array(z.enum(BFCL_CATEGORIES))
      .min(1)
      .default([...BFCL_CATEGORIES]),
    /** Keep only the first N entries after ordering. */
    limit: z.number().int().positive().optional(),
    /**
     * `dataset`: split order. `easiest`: {@link easiestFirst} (the paper's Stage 1 is an "easy,
     * small volume" set whose ids were not released; the ground truth only sizes the data, a
     * policy never sees it).
     */
    order: z.enum(["dataset", "easiest"]).default("dataset"),
  })
  .strict();

export type StageData = z.output<typeof stageDataSchema>;
export type StageDataInput = z.input<typeof stageDataSchema>;

/** A curriculum stage as far as trainer and server agree: its name and the tasks it draws. */
export const curriculumStageSchema = z
  .object({
    /** The stage's canonical name (`stage1-syntax`, ...): in metrics, reports and `/v1/stages`. */
    name: z.string().min(1),
    description: z.string().default(""),
    data: stageDataSchema.default({ part: "train", categories: [...BFCL_CATEGORIES], order: "dataset" }),
  })
  .strict();

export type CurriculumStage = z.output<typeof curriculumStageSchema>;

/** A paper stage: the shared fields plus the episode settings both trainer and server give it. */
export interface PaperStage {
  name: string;
  /** Names the server used before the curriculum was shared; `GET /v1/tasks?stage=` still accepts them. */
  aliases: readonly string[];
  description: string;
  data: StageDataInput;
  reward: RewardSpecInput;
  /** Augmented (actionable hints) or standard environment. */
  augmented: boolean;
  /** System prompt variant (paper App. F: A in Stages 1–2, B in 3–4). */
  prompt: "paper-a" | "paper-b";
}

/** Stage 1's "easy, small" set: the N easiest Base training entries (the authors' Stage 1 data file is `train_format_75`). */
export const PAPER_STAGE1_ENTRIES = 75;

/**
 * The paper's curriculum (Fig. 3). Stage 1: syntax reward on a small easy set, standard
 * environment, Prompt A. Stage 2: progress reward on the Base training split, augmented, Prompt A.
 * Stage 3: all four training splits, augmented, Prompt B. Stage 4: as Stage 3, standard environment.
 */
export const PAPER_CURRICULUM: readonly PaperStage[] = [
  {
    name: "stage1-syntax",
    aliases: ["format"],
    description: "Syntax and schema: R_Stage1 = I_tool·(R_format + R_tool) on a small easy set, standard environment.",
    data: { part: "train", categories: ["base"], limit: PAPER_STAGE1_ENTRIES, order: "easiest" },
    reward: { kind: "stage1" },
    augmented: false,
    prompt: "paper-a",
  },
  {
    name: "stage2-base",
    aliases: ["base"],
    description: "Basic multi-turn: progress reward on the Base training split, augmented environment.",
    data: { part: "train", categories: ["base"], order: "dataset" },
    reward: { kind: "progress" },
    augmented: true,
    prompt: "paper-a",
  },
  {
    name: "stage3-all-augmented",
    aliases: ["all-augmented"],
    description: "All four training splits: progress reward, augmented environment.",
    data: { part: "train", order: "dataset" },
    reward: { kind: "progress" },
    augmented: true,
    prompt: "paper-b",
  },
  {
    name: "stage4-all-standard",
    aliases: ["all-standard"],
    description: "Alignment to the standard environment: progress reward on all four splits, no hints.",
    data: { part: "train", order: "dataset" },
    reward: { kind: "progress" },
    augmented: false,
    prompt: "paper-b",
  },
];

/** Ground-truth calls per non-empty turn (0 for an entry without calls). */
export function gtCallsPerTurn(e: BfclEntry): number {
  const ne = e.groundTruth.filter((g) => g.length > 0);
  return ne.length ? ne.reduce((a, g) => a + g.length, 0) / ne.length : 0;
}

/**
 * "Easiest first": fewest ground-truth calls per non-empty turn, then fewest turns, then id. The
 * trainer's published numbers were produced with this order.
 */
export function easiestFirst(a: BfclEntry, b: BfclEntry): number {
  return gtCallsPerTurn(a) - gtCallsPerTurn(b) || a.groundTruth.length - b.groundTruth.length || a.id.localeCompare(b.id);
}

/**
 * The entries a stage draws: the ids of its split part, in split order, kept when known, of one of
 * its categories and `usable` (e.g. every involved class has a loaded pack), then ordered and cut.
 */
export function selectStageEntries(
  data: StageData,
  partIds: readonly string[],
  byId: ReadonlyMap<string, BfclEntry>,
  usable: (e: BfclEntry) => boolean = () => true,
): BfclEntry[] {
  const cats = new Set<string>(data.categories);
  let entries = partIds.map((id) => byId.get(id)).filter((e): e is BfclEntry => e !== undefined && cats.has(e.category) && usable(e));
  if (data.order === "easiest") entries = [...entries].sort(easiestFirst);
  if (data.limit !== undefined) entries = entries.slice(0, data.limit);
  return entries;
}
