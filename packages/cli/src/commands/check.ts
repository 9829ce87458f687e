import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { BFCL_DOMAIN_PACKAGES, EnvtuneError, loadDomainPacks, requirePacks } from "@envtune/core";
import { loadBfclDataset, resolveBfclDataDir, type BfclEntry } from "@envtune/bfcl-data";
import {
  CHECKER_ERROR_TYPES,
  checkEntry,
  parseVerdictFixtures,
  verdictAgreement,
  type EntryVerdict,
  type VerdictFixture,
} from "@envtune/checker";
import { EXIT, usageError, type Command } from "../cli.ts";

interface Disagreement {
  fixture_id: string;
  fields: string[];
  expected: { valid: boolean; error_type: string | null; failed_turn: number | null | undefined };
  got: { valid: boolean; error_type: string | null; failed_turn: number | null };
}

function readFixtures(file: string): VerdictFixture[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new EnvtuneError(
      "FILE_NOT_FOUND",
      "check",
      `Cannot read \`${file}\` (${(e as Error).message}).`,
      "Pass an existing JSON-lines fixture file with --fixtures.",
    );
  }
  const fixtures = parseVerdictFixtures(text, file);
  if (fixtures.length === 0)
    throw new EnvtuneError(
      "BAD_FIXTURE",
      "check",
      `\`${file}\` holds no fixtures.`,
      "Give one JSON record per line with `fixture_id`, `id` and `model_output`.",
    );
  return fixtures;
}

/** One output line: the reference's field names. */
function verdictLine(f: VerdictFixture, v: EntryVerdict): string {
  return JSON.stringify({
    fixture_id: f.fixture_id,
    id: f.id,
    valid: v.valid,
    error_type: v.errorType,
    failed_turn: v.failedTurn,
    ...(v.errorMessage !== undefined ? { error_message: v.errorMessage } : {}),
  });
}

export const checkCommand: Command = {
  name: "check",
  summary: "Score decoded model outputs with the BFCL multi-turn checker (reference-identical verdicts).",
  usage: "envtune check --fixtures FILE --out OUT.jsonl [--data DIR] [--json]",
  options: {
    fixtures: {
      type: "string",
      valueName: "file",
      description:
        "JSON lines with `fixture_id`, `id` and `model_output` ([turn][step][call string]); `expected` and `failed_turn` optional.",
    },
    out: {
      type: "string",
      valueName: "file",
      description: "Where to write one verdict per fixture (JSON lines: fixture_id, id, valid, error_type, failed_turn, error_message).",
    },
    data: {
      type: "string",
      valueName: "dir",
      description: "BFCL data directory (else $ENVTUNE_BFCL_DATA, the download cache, or ../shared/bfcl/data).",
    },
    json: { type: "boolean", description: "Print the summary as JSON on stdout." },
  },
  details: [
    "The model output is already decoded (call strings); the checker executes it and the entry's ground",
    "truth in fresh worlds and applies the reference's rules: force termination, dropped empty steps,",
    "empty-turn rule, state check (Python ==), response check (multiset over all turns so far).",
    "When records carry `expected` (and `failed_turn`), the summary gives the agreement rate and the",
    "command exits with 1 if any verdict disagrees.",
    "Example: envtune check --fixtures ../shared/bfcl/traces/verdicts_dev.jsonl --out /tmp/verdicts.jsonl",
  ].join("\n"),
  async run({ values, stdout, stderr }) {
    const fixturesFile = values.fixtures as string | undefined;
    const outFile = values.out as string | undefined;
    if (!fixturesFile || !outFile) throw usageError("check", "Both --fixtures and --out are required.");
    const fixtures = readFixtures(fixturesFile);
    const dataDir = await resolveBfclDataDir({ ...(values.data ? { dataDir: values.data as string } : {}), nearFiles: [fixturesFile] });
    const dataset = loadBfclDataset(dataDir);

    const entries = new Map<string, BfclEntry>();
    for (const f of fixtures) {
      const entry = dataset.byId.get(f.id);
      if (!entry)
        throw new EnvtuneError(
          "UNKNOWN_ENTRY",
          "check",
          `Fixture \`${f.fixture_id}\` names entry \`${f.id}\`, which is not in the dataset at ${dataDir}.`,
          "Use fixtures of the same BFCL version as the data directory.",
        );
      entries.set(f.id, entry);
    }
    // Import only the packs these entries need (a configuration decision, never model output).
    const classes = [...new Set([...entries.values()].flatMap((e) => e.involvedClasses))];
    const specs = classes.map((c) => BFCL_DOMAIN_PACKAGES[c]).filter((s): s is string => s !== undefined);
    const { packs } = await loadDomainPacks(specs);
    for (const e of entries.values()) requirePacks(packs, e.involvedClasses, `Entry ${e.id}`);

    // Open the output before the work so a bad path fails fast.
    let fd: number;
    try {
      fd = openSync(outFile, "w");
    } catch (e) {
      throw new EnvtuneError(
        "WRITE_FAILED",
        "check",
        `Cannot write \`${outFile}\` (${(e as Error).message}).`,
        "Check the path and permissions.",
      );
    }

    const opts = { packs, constants: dataset.longContext };
    const t0 = process.hrtime.bigint();
    const lines: string[] = [];
    const byType = new Map<string, number>([["valid", 0], ...CHECKER_ERROR_TYPES.map((t) => [t, 0] as [string, number])]);
    let compared = 0;
    const disagreements: Disagreement[] = [];
    try {
      for (const f of fixtures) {
        const v = checkEntry(entries.get(f.id)!, f.model_output, opts);
        lines.push(verdictLine(f, v));
        const key = v.valid ? "valid" : (v.errorType ?? "invalid");
        byType.set(key, (byType.get(key) ?? 0) + 1);
        const a = verdictAgreement(f, v);
        if (!a) continue;
        compared++;
        if (!a.agrees) {
          disagreements.push({
            fixture_id: f.fixture_id,
            fields: a.fields,
            expected: { valid: f.expected!.valid, error_type: f.expected!.error_type ?? null, failed_turn: f.failed_turn },
            got: { valid: v.valid, error_type: v.errorType, failed_turn: v.failedTurn },
          });
        }
      }
      try {
        writeSync(fd, lines.join("\n") + "\n");
      } catch (e) {
        throw new EnvtuneError(
          "WRITE_FAILED",
          "check",
          `Cannot write \`${outFile}\` (${(e as Error).message}).`,
          "Check the path and permissions.",
        );
      }
    } finally {
      closeSync(fd);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;

    const valid = byType.get("valid") ?? 0;
    const summary = {
      fixtures: fixtures.length,
      valid,
      invalid: fixtures.length - valid,
      by_error_type: Object.fromEntries([...byType].filter(([k]) => k !== "valid")),
      agreement: compared
        ? { compared, agree: compared - disagreements.length, rate: (compared - disagreements.length) / compared, disagreements }
        : null,
      elapsed_ms: Math.round(ms * 1000) / 1000,
      out: outFile,
    };
    if (values.json) {
      stdout(JSON.stringify(summary) + "\n");
    } else {
      const rows = [...byType].map(([k, n]) => `  ${k.padEnd(42)} ${String(n).padStart(6)}`);
      let text = `checked ${fixtures.length} fixtures in ${summary.elapsed_ms} ms → ${outFile}\n${rows.join("\n")}\n`;
      if (summary.agreement) {
        const ag = summary.agreement;
        text += `agreement with expected (valid, error_type, failed_turn): ${ag.agree}/${ag.compared} (${(100 * ag.rate).toFixed(2)}%)\n`;
        for (const d of disagreements.slice(0, 20)) {
          text += `  ✗ ${d.fixture_id}: ${d.fields.join(", ")} — expected ${d.expected.valid ? "valid" : d.expected.error_type} at turn ${String(d.expected.failed_turn)}, got ${d.got.valid ? "valid" : d.got.error_type} at turn ${String(d.got.failed_turn)}\n`;
        }
        if (disagreements.length > 20) text += `  … ${disagreements.length - 20} more (see --json)\n`;
      }
      stderr(text);
    }
    return disagreements.length ? EXIT.FAILURE : EXIT.OK;
  },
};
