/**
 * Runs `envtune eval --policy ./policy.ts` on a few Base entries, twice: the policy as is (every
 * entry passes) and with `--policy-options '{"dropRate": 1}'` (every turn loses a call, so no
 * entry passes), and checks both summaries.
 *
 *   ENVTUNE_BFCL_DATA=path/to/bfcl/data npm run examples -- eval-policy
 *   node --conditions=@envtune/source --import tsx examples/eval-policy/main.ts
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "envtune";
import type { EvalResult, EvalSummary } from "@envtune/engine";

const policyFile = join(dirname(fileURLToPath(import.meta.url)), "policy.ts");
const tmp = mkdtempSync(join(tmpdir(), "envtune-eval-policy-"));

async function evalWith(extra: string[], out: string): Promise<{ summary: EvalSummary; results: EvalResult[] }> {
  const argv = ["eval", "--policy", policyFile, "--split", "base", "--limit", "4", "--out", join(tmp, out), ...extra];
  console.log(`$ envtune ${argv.join(" ")}`);
  const code = await main(argv);
  if (code !== 0) throw new Error(`envtune eval exited ${code}`);
  const summary = JSON.parse(readFileSync(join(tmp, out, "summary.json"), "utf8")) as EvalSummary;
  const results = readFileSync(join(tmp, out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EvalResult);
  return { summary, results };
}

try {
  const clean = await evalWith([], "clean");
  const noisy = await evalWith(["--policy-options", '{"dropRate": 1}'], "noisy");
  const passed = (r: EvalResult[]) => r.filter((x) => x.valid).length;
  if (clean.results.length !== 4 || !clean.results.every((r) => r.policy === "noisy-oracle-0"))
    throw new Error("the user policy did not play the 4 entries");
  if (passed(clean.results) !== 4) throw new Error(`expected the clean run to pass all 4 entries, got ${passed(clean.results)}`);
  if (passed(noisy.results) !== 0) throw new Error(`expected dropRate 1 to fail every entry, got ${passed(noisy.results)} passing`);
  console.log(`eval-policy: noisy-oracle passed ${passed(clean.results)}/4 with dropRate 0 and ${passed(noisy.results)}/4 with dropRate 1`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
