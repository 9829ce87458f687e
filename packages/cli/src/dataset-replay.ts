/**
 * Replay validation of a dataset's ground truth: every entry's ground-truth calls executed in a
 * fresh world of its involved packs, as the checker executes them. A call that raises (argument
 * binding, a Python exception, an unknown name) makes the entry unusable: the checker would
 * compare models against a failing reference. A soft error (`{"error": ...}` result) is only a
 * warning: BFCL's own ground truth has a few on purpose.
 */
import { PyDict, World, type DomainPack, type LongContextConstants } from "@envtune/core";
import type { BfclEntry, DatasetProblem } from "@envtune/bfcl-data";
import { executeCallString } from "@envtune/checker";

export interface ReplayCheckOptions {
  constants?: LongContextConstants;
  /** Report soft errors (`{"error": ...}` results) as warnings (default true). */
  softErrors?: boolean;
}

const clip = (s: string, n = 200) => (s.length > n ? s.slice(0, n) + "…" : s);

/** Problems found by executing each entry's ground truth (entries whose classes are not loaded are skipped). */
export function replayGroundTruth(
  entries: readonly BfclEntry[],
  packs: ReadonlyMap<string, DomainPack>,
  opts: ReplayCheckOptions = {},
): DatasetProblem[] {
  const out: DatasetProblem[] = [];
  for (const e of entries) {
    if (!e.involvedClasses.every((c) => packs.has(c))) continue;
    let world: World;
    try {
      world = new World({
        packs: e.involvedClasses.map((c) => packs.get(c)!),
        initialConfig: e.initialConfig instanceof PyDict ? e.initialConfig : new PyDict(),
        longContext: e.longContext,
        ...(opts.constants ? { constants: opts.constants } : {}),
        shared: new Map(),
      });
    } catch (err) {
      out.push({
        id: e.id,
        severity: "error",
        code: "GROUND_TRUTH_FAILS",
        message: `the initial state cannot be built from initial_config: ${clip((err as Error).message)}`,
      });
      continue;
    }
    e.groundTruth.forEach((turn, t) =>
      turn.forEach((text, s) => {
        const at = `turn ${t}, call ${s}`;
        let outcome;
        try {
          outcome = executeCallString(world, text);
        } catch (err) {
          out.push({
            id: e.id,
            severity: "error",
            code: "GROUND_TRUTH_FAILS",
            at,
            message: `\`${clip(text, 120)}\` crashed the pack: ${clip((err as Error).message)}`,
          });
          return;
        }
        if (outcome.status === "exception") {
          out.push({
            id: e.id,
            severity: "error",
            code: "GROUND_TRUTH_FAILS",
            at,
            message: `\`${clip(text, 120)}\` fails on replay: ${clip(outcome.result)}`,
          });
        } else if (outcome.status === "error" && opts.softErrors !== false) {
          out.push({
            id: e.id,
            severity: "warning",
            code: "GROUND_TRUTH_SOFT_ERROR",
            at,
            message: `\`${clip(text, 120)}\` returns an error: ${clip(outcome.result)}`,
          });
        }
      }),
    );
  }
  return out;
}
