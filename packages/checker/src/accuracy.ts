import { BFCL_CATEGORIES, categoryOf, type BfclCategory } from "@envtune/bfcl-data";

export interface CategoryAccuracy {
  correct: number;
  total: number;
  /** correct / total; 0 when total is 0. */
  accuracy: number;
}

export interface AccuracyReport {
  /** The four multi-turn categories, always present (total 0 when no entry of it was scored). */
  categories: Record<BfclCategory, CategoryAccuracy>;
  /**
   * The reference's overall multi-turn accuracy: the unweighted mean of the four category
   * accuracies. null when a category has no scored entry (the reference prints N/A then).
   */
  overall: number | null;
  /** Unweighted mean over the categories that have scored entries (null if none has). */
  overallPresent: number | null;
  /** Categories without any scored entry. */
  missingCategories: BfclCategory[];
  /** Entries whose id is not of a multi-turn category (not counted anywhere). */
  ignored: string[];
}

/**
 * Per-category accuracy (correct / entries, as the reference's score files) and the overall
 * multi-turn accuracy (unweighted mean of the categories, the reference's
 * `calculate_unweighted_accuracy`). Each result counts once; pass one result per entry.
 */
export function accuracy(results: ReadonlyArray<{ id: string; valid: boolean }>): AccuracyReport {
  const categories = Object.fromEntries(BFCL_CATEGORIES.map((c) => [c, { correct: 0, total: 0, accuracy: 0 }])) as Record<
    BfclCategory,
    CategoryAccuracy
  >;
  const known: ReadonlySet<string> = new Set(BFCL_CATEGORIES);
  const ignored: string[] = [];
  for (const r of results) {
    const cat = categoryOf(r.id);
    if (!known.has(cat)) {
      ignored.push(r.id);
      continue;
    }
    const c = categories[cat as BfclCategory];
    c.total++;
    if (r.valid) c.correct++;
  }
  for (const c of Object.values(categories)) c.accuracy = c.total ? c.correct / c.total : 0;
  const present = BFCL_CATEGORIES.filter((c) => categories[c].total > 0);
  const missingCategories = BFCL_CATEGORIES.filter((c) => categories[c].total === 0);
  const mean = (cs: readonly BfclCategory[]) => (cs.length ? cs.reduce((s, c) => s + categories[c].accuracy, 0) / cs.length : null);
  return {
    categories,
    overall: missingCategories.length ? null : mean(BFCL_CATEGORIES),
    overallPresent: mean(present),
    missingCategories,
    ignored,
  };
}
