/**
 * Curriculum stages as the server sees them: the curriculum's stage (name, which tasks; from
 * `@envtune/engine`, shared with the trainer) plus the episode settings its sessions take (standard
 * or augmented environment, reward spec, system prompt, action budget). Declared as data; the
 * defaults are the paper's four stages (arXiv 2510.10197, Fig. 3).
 */
import { z } from "zod";
import { EnvtuneError, formatZodIssues } from "@envtune/core";
import { PAPER_CURRICULUM, curriculumStageSchema, episodeConfigSchema, type EpisodeConfigInput } from "@envtune/engine";

const STAGE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export const stageSpecSchema = curriculumStageSchema.extend({
  /** Short handle of the stage (`1`..`4` for the paper's); the stage is also found by its name and aliases. */
  id: z.string().regex(STAGE_KEY),
  /** Other names the stage answers to (`GET /v1/tasks?stage=`, sessions, exports). */
  aliases: z.array(z.string().regex(STAGE_KEY)).default([]),
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
});

export type StageSpec = Omit<z.output<typeof stageSpecSchema>, "episode"> & { episode: EpisodeConfigInput };
export type StageSpecInput = z.input<typeof stageSpecSchema>;

/**
 * The paper's curriculum as served: ids `1`..`4`, the trainer's stage names, the server's former
 * names (`format`, `base`, `all-augmented`, `all-standard`) as aliases. Every stage uses the paper
 * protocol (5 actions a turn, force-advance).
 */
export const PAPER_STAGES: readonly StageSpecInput[] = PAPER_CURRICULUM.map((s, i) => ({
  id: String(i + 1),
  name: s.name,
  aliases: [...s.aliases],
  description: s.description,
  data: s.data,
  episode: { protocol: "paper", augmented: s.augmented, systemPrompt: s.prompt, reward: s.reward },
}));

/** Every name a stage answers to: its id, its name and its aliases. */
export function stageKeys(s: Pick<StageSpec, "id" | "name" | "aliases">): string[] {
  return [...new Set([s.id, s.name, ...s.aliases])];
}

export function parseStages(input: readonly unknown[]): StageSpec[] {
  const out: StageSpec[] = [];
  const problems: string[] = [];
  input.forEach((s, i) => {
    const r = stageSpecSchema.safeParse(s);
    if (r.success) out.push(r.data as StageSpec);
    else problems.push(...formatZodIssues(r.error.issues, { prefix: `stages.${i}` }));
  });
  const seen = new Map<string, string>();
  for (const s of out) {
    for (const k of stageKeys(s)) {
      const other = seen.get(k);
      if (other === undefined) seen.set(k, s.id);
      // Two stages with one id collide on every key they share: name the id once.
      else if (other === s.id) {
        if (k === s.id) problems.push(`stages: duplicate id \`${k}\``);
      } else problems.push(`stages: \`${k}\` names both stage \`${other}\` and stage \`${s.id}\``);
    }
  }
  if (problems.length) {
    throw new EnvtuneError(
      "INVALID_STAGES",
      "server",
      "The curriculum stage list is invalid.",
      "Fix the listed fields (see `stageSpecSchema`); ids, names and aliases must be unique.",
      { details: problems },
    );
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
