import type { DomainPack, LongContextConstants } from "@envtune/core";
import type { BfclEntry } from "@envtune/bfcl-data";

/** The reference's multi-turn error types (`error_type` in BFCL score files). */
export const CHECKER_ERROR_TYPES = [
  "multi_turn:instance_state_mismatch",
  "multi_turn:execution_response_mismatch",
  "multi_turn:empty_turn_model_response",
  "multi_turn:force_terminated",
  "multi_turn:inference_error",
] as const;

export type CheckerErrorType = (typeof CHECKER_ERROR_TYPES)[number];

/** What the checker needs of a dataset entry (a {@link BfclEntry} has all of it). */
export type CheckableEntry = Pick<BfclEntry, "id" | "initialConfig" | "involvedClasses" | "groundTruth" | "longContext">;

export interface CheckerOptions {
  /** Domain packs by BFCL class name (what `loadDomainPacks()` returns in `packs`). */
  packs: ReadonlyMap<string, DomainPack>;
  /** The long-context constants (`dataset.longContext`); needed by long_context entries. */
  constants?: LongContextConstants;
  /**
   * Run both worlds with the augmented (hint) messages. Both, so that the response check compares
   * like with like (a GT call that returns an error text must find the same text among the model's
   * results). The official checker is the standard environment (`false`, the default).
   */
  augmented?: boolean;
}

/** Result of comparing the model world's state with the ground-truth world's. */
export type StateCheck =
  | { ok: true }
  | {
      ok: false;
      /** The first involved class (in `involved_classes` order) whose state differs. */
      className: string;
      /** Every differing compared attribute of that class, in `vars()` order. */
      differingAttrs: string[];
    };

/** Result of the response check: GT results of one turn vs. the model's results of all turns so far. */
export interface ResponseCheck {
  ok: boolean;
  /** GT result strings not found (multiset containment), in GT order. */
  missingItems: string[];
}

/** The verdict of one turn, as the reference's checker sees it. */
export interface TurnVerdict {
  turn: number;
  /** The ground truth of this turn is `[]` (nothing is checked). */
  gtEmpty: boolean;
  /** Model steps executed in this turn (empty decoded steps already dropped). */
  modelSteps: number;
  /** null: not checked (GT turn empty, or no model steps). */
  stateOk: boolean | null;
  /** null: not checked (as above, or the state check failed first, as the reference stops there). */
  responseOk: boolean | null;
  /**
   * Whether this turn passes: GT-empty turns pass (the reference does not check them), other turns
   * need model steps, the state check and the response check.
   */
  passed: boolean;
  /** The reference's error type for a failed turn, null if it passed. */
  errorType: CheckerErrorType | null;
  /** The reference's `error_message` for a failed turn. */
  errorMessage?: string;
  /** Exact result strings the model's calls got, per step then per call. */
  modelResults: string[][];
  /** Exact result strings of this turn's ground-truth calls. */
  gtResults: string[];
  /** State mismatch: the first differing class and its differing attributes. */
  className?: string;
  differingAttrs?: string[];
  /** Response mismatch: the GT results the model's results lack. */
  missingItems?: string[];
}

/** The verdict of one entry, with exactly the reference's `valid` / `error_type` / failed turn. */
export interface EntryVerdict {
  id: string;
  valid: boolean;
  errorType: CheckerErrorType | null;
  /** The reference's `error_message` (invalid only). */
  errorMessage?: string;
  /** Turn at which the checker stopped; null if valid, force-terminated or an inference error. */
  failedTurn: number | null;
  /** State mismatch only. */
  className?: string;
  differingAttrs?: string[];
  /** Response mismatch only. */
  missingItems?: string[];
  /** One per turn the checker executed (0..failedTurn, or all turns when valid). */
  turns: TurnVerdict[];
}
