import { DEFAULT_HASH_BUCKETS } from "../tokenize.ts";

export interface FeaturizerLimits {
  /** Words of the user text that go into its bag. */
  userWords: number;
  /** Words of the latest observation that go into its bag. */
  observationWords: number;
  /** Context candidates (copied spans) per decision. */
  contextCandidates: number;
  /** Characters of one result string that are scanned for values. */
  resultChars: number;
  hashBuckets: number;
  /** Propose only values that fit the parameter's schema type (see {@link fitsSchema}). */
  schemaConstrained: boolean;
}

export const DEFAULT_LIMITS: FeaturizerLimits = {
  userWords: 64,
  observationWords: 48,
  contextCandidates: 40,
  resultChars: 3000,
  hashBuckets: DEFAULT_HASH_BUCKETS,
  schemaConstrained: true,
};
