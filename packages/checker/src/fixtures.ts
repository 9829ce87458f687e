import { EnvtuneError, formatZodIssues } from "@envtune/core";
import { z } from "zod";
import type { EntryVerdict } from "./types.ts";

const expectedSchema = z
  .object({
    valid: z.boolean(),
    error_type: z.string().nullable().optional(),
    error_message: z.string().optional(),
    class: z.string().optional(),
    differing_attrs: z.array(z.string()).optional(),
    missing_items: z.array(z.string()).optional(),
  })
  .loose();

const fixtureTurnSchema = z
  .object({
    turn: z.number().int(),
    gt_empty: z.boolean().optional(),
    model_steps: z.number().int().optional(),
    state_ok: z.boolean().nullable().optional(),
    response_ok: z.boolean().nullable().optional(),
    model_results: z.array(z.array(z.string())).optional(),
  })
  .loose();

/**
 * One record of the verdict-fixture format (`verdicts_dev.jsonl`). Only `fixture_id`, `id` and
 * `model_output` are required; the expected fields are used for agreement when present.
 */
const fixtureSchema = z
  .object({
    fixture_id: z.string().min(1),
    id: z.string().min(1),
    // Any JSON value but absent (zod 4 treats a missing z.unknown() key as an error here).
    model_output: z.unknown(),
    expected: expectedSchema.optional(),
    failed_turn: z.number().int().nullable().optional(),
    turns: z.array(fixtureTurnSchema).optional(),
  })
  .loose();

/** Decoded model output: `[turn][step][call string]`. */
export const decodedOutputSchema = z.array(z.array(z.array(z.string())));

export type VerdictFixture = z.infer<typeof fixtureSchema>;

function badInput(file: string, line: number, what: string, hint: string, details?: string[]): EnvtuneError {
  return new EnvtuneError("BAD_FIXTURE", "check", `${file}:${line} ${what}`, hint, details ? { details } : undefined);
}

/**
 * Parses verdict-fixture JSON lines. `model_output` that is not a list is kept as is (the
 * reference scores it `inference_error`); a list must be `[turn][step][call string]`.
 */
export function parseVerdictFixtures(text: string, file = "<fixtures>"): VerdictFixture[] {
  const out: VerdictFixture[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw badInput(file, i + 1, `is not valid JSON (${(e as Error).message}).`, "Each line must be one fixture record (JSON lines).");
    }
    const r = fixtureSchema.safeParse(raw);
    if (!r.success) {
      throw badInput(
        file,
        i + 1,
        "is not a verdict fixture.",
        "Each record needs `fixture_id` (string), `id` (a dataset entry id) and `model_output` ([turn][step][call string]).",
        formatZodIssues(r.error.issues),
      );
    }
    if (Array.isArray(r.data.model_output)) {
      const m = decodedOutputSchema.safeParse(r.data.model_output);
      if (!m.success) {
        throw badInput(
          file,
          i + 1,
          `(fixture \`${r.data.fixture_id}\`): \`model_output\` is not [turn][step][call string].`,
          "Give every turn as a list of steps and every step as a list of call strings.",
          formatZodIssues(m.error.issues.slice(0, 5), { prefix: "model_output" }),
        );
      }
    }
    out.push(r.data);
  });
  return out;
}

export interface Agreement {
  /** valid, error_type and failed_turn all agree (the fields absent from the fixture are skipped). */
  agrees: boolean;
  /** The fields that disagree. */
  fields: string[];
}

/** Compares a verdict with a fixture's expected verdict (`expected.valid`, `expected.error_type`, top-level `failed_turn`). */
export function verdictAgreement(fixture: VerdictFixture, verdict: EntryVerdict): Agreement | undefined {
  const exp = fixture.expected;
  if (!exp) return undefined;
  const fields: string[] = [];
  if (exp.valid !== verdict.valid) fields.push("valid");
  if ((exp.error_type ?? null) !== verdict.errorType) fields.push("error_type");
  if (fixture.failed_turn !== undefined && fixture.failed_turn !== verdict.failedTurn) fields.push("failed_turn");
  return { agrees: fields.length === 0, fields };
}
