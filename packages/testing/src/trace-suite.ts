/**
 * The reference-trace half of a BFCL pack's tests, written once: for each trace file, every
 * result string and every encoded turn state of the pack's class must equal the Python
 * reference's, per fuzz kind too. A pack adds its own count checks beside it.
 */
import { describe, expect, it } from "vitest";
import type { DomainPack } from "@envtune/core/domain";
import { checkDomainTraces, traceFile } from "./traces.ts";

export interface TraceSuiteOptions {
  /** Trace files under `bfcl/traces/` (default: `ground_truth.jsonl` and `fuzz.jsonl`). */
  files?: readonly string[];
}

export function testDomainTraces(pack: DomainPack, opts: TraceSuiteOptions = {}): void {
  const files = opts.files ?? ["ground_truth.jsonl", "fuzz.jsonl"];
  describe(`${pack.meta.className} reference traces`, () => {
    for (const file of files) {
      it(`${file}: every result and every turn state identical`, () => {
        const r = checkDomainTraces(pack, { traceFile: traceFile(file) });
        // A pack the file never calls would pass vacuously.
        expect(r.calls, `calls of ${pack.meta.className} in ${file}`).toBeGreaterThan(0);
        expect(r.mismatches).toEqual([]);
        expect(r.resultsIdentical).toBe(r.calls);
        expect(r.statesIdentical).toBe(r.states);
        for (const [kind, s] of r.byKind) {
          expect.soft(s.resultsIdentical, `${kind} results`).toBe(s.calls);
          expect.soft(s.statesIdentical, `${kind} states`).toBe(s.turns);
        }
      });
    }
  });
}
