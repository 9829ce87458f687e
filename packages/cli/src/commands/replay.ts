import { createWriteStream, readFileSync } from "node:fs";
import {
  EnvtuneError,
  PyDict,
  formatReplayRecord,
  loadDomainPacks,
  parsePyJson,
  replayCalls,
  requirePacks,
  type PyValue,
  type ReplayInput,
} from "@envtune/core";
import { loadBfclDataset, resolveBfclDataDir } from "@envtune/bfcl-data";
import { EXIT, usageError, intOption, type Command, dataOption } from "../cli.ts";

interface RecordIn extends ReplayInput {
  involvedClasses?: string[];
}

function readRecords(file: string): RecordIn[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new EnvtuneError(
      "FILE_NOT_FOUND",
      "replay",
      `Cannot read \`${file}\` (${(e as Error).message}).`,
      "Pass an existing JSON-lines trace file with --trace.",
    );
  }
  const out: RecordIn[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let r: PyValue;
    try {
      r = parsePyJson(line);
    } catch (e) {
      throw new EnvtuneError(
        "BAD_TRACE",
        "replay",
        `${file}:${i + 1} is not valid JSON (${(e as Error).message}).`,
        "Each line must be one trace record.",
      );
    }
    if (!(r instanceof PyDict) || typeof r.get("id") !== "string" || !Array.isArray(r.get("turns"))) {
      throw new EnvtuneError(
        "BAD_TRACE",
        "replay",
        `${file}:${i + 1} lacks \`id\` or \`turns\`.`,
        "Each record needs `id`, `long_context` and `turns[].calls[].call`.",
      );
    }
    const turns = (r.get("turns") as PyValue[]).map((t, ti) => {
      const calls = t instanceof PyDict ? t.get("calls") : undefined;
      if (!Array.isArray(calls))
        throw new EnvtuneError(
          "BAD_TRACE",
          "replay",
          `${file}:${i + 1}: turn ${ti} has no \`calls\` list.`,
          "Each turn needs `calls: [{call}]`.",
        );
      return {
        calls: calls.map((c) => {
          const s = c instanceof PyDict ? c.get("call") : undefined;
          if (typeof s !== "string")
            throw new EnvtuneError(
              "BAD_TRACE",
              "replay",
              `${file}:${i + 1}: a call in turn ${ti} has no \`call\` string.`,
              'Each call needs `call: "name(...)"`.',
            );
          return s;
        }),
      };
    });
    const ic = r.get("involved_classes");
    out.push({
      id: r.get("id") as string,
      longContext: r.get("long_context") === true,
      turns,
      ...(Array.isArray(ic) ? { involvedClasses: ic as string[] } : {}),
    });
  });
  return out;
}

export const replayCommand: Command = {
  name: "replay",
  summary: "Replay trace call strings from initial_config and write every result and per-turn state.",
  usage: "envtune replay --trace FILE --out OUT.jsonl [--data DIR] [--repeat N] [--json]",
  options: {
    trace: { type: "string", valueName: "file", description: "Trace file (JSON lines: id, long_context, turns[].calls[].call)." },
    out: { type: "string", valueName: "file", description: "Where to write the replayed records (JSON lines)." },
    data: dataOption,
    repeat: {
      type: "string",
      valueName: "n",
      default: "1",
      description: "Replay the whole file N times in one process and print the time.",
    },
    augmented: { type: "boolean", description: "Use the augmented (hint) messages instead of the reference texts." },
    json: { type: "boolean", description: "Print a machine-readable summary on stdout." },
  },
  details:
    "The output uses the traces' lossless state encoding ($float, $dict, $set, $dir, $file, ...).\nExample: envtune replay --trace ../shared/bfcl/traces/ground_truth.jsonl --out /tmp/replay.jsonl",
  async run({ values, stdout, stderr }) {
    const trace = values.trace as string | undefined;
    const outFile = values.out as string | undefined;
    if (!trace || !outFile) throw usageError("replay", "Both --trace and --out are required.");
    const repeat = intOption("replay", values.repeat ?? "1", "repeat", { min: 1 })!;
    const dataDir = await resolveBfclDataDir({ ...(values.data ? { dataDir: values.data as string } : {}), nearFiles: [trace] });
    const dataset = loadBfclDataset(dataDir);
    const { packs } = await loadDomainPacks();
    const records = readRecords(trace);
    const jobs = records.map((r) => {
      const entry = dataset.byId.get(r.id);
      if (!entry)
        throw new EnvtuneError(
          "UNKNOWN_ENTRY",
          "replay",
          `Record \`${r.id}\` is not in the dataset at ${dataDir}.`,
          "Use traces of the same BFCL version as the data directory.",
        );
      const classes = entry.involvedClasses;
      requirePacks(packs, classes, `Entry ${r.id}`);
      return { r, entry, classes };
    });
    // Each record is encoded to UTF-8 as soon as it is made: the bytes live outside the JS heap, so
    // the garbage collector never walks the megabytes of string pieces a replay produces.
    let lines: Buffer[] = [];
    let calls = 0;
    const augmented = values.augmented === true;
    // Every repetition does all the work: parse each call string, execute it on fresh worlds,
    // stringify results, encode every turn's state and serialize the records.
    const repMs: number[] = [];
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < repeat; k++) {
      const r0 = process.hrtime.bigint();
      lines = [];
      calls = 0;
      for (const { r, entry, classes } of jobs) {
        const res = replayCalls(r, {
          packs,
          initialConfig: entry.initialConfig,
          involvedClasses: classes,
          constants: dataset.longContext,
          augmented,
        });
        for (const t of res.turns) calls += t.calls.length;
        lines.push(Buffer.from(formatReplayRecord(r, res) + "\n"));
      }
      repMs.push(Number(process.hrtime.bigint() - r0) / 1e6);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await new Promise<void>((resolve, reject) => {
      const ws = createWriteStream(outFile);
      ws.on("error", (e) =>
        reject(
          new EnvtuneError("WRITE_FAILED", "replay", `Cannot write \`${outFile}\` (${e.message}).`, "Check the path and permissions."),
        ),
      );
      ws.end(Buffer.concat(lines), () => resolve());
    });
    const usPerCall = (repMsValue: number) => (calls ? Math.round(((repMsValue * 1000) / calls) * 1000) / 1000 : 0);
    const sorted = [...repMs].sort((a, b) => a - b);
    const summary = {
      records: records.length,
      calls,
      repeat,
      elapsed_ms: Math.round(ms * 1000) / 1000,
      us_per_call: usPerCall(ms / repeat),
      // The first repetitions include JIT warm-up; the best and median show the steady state.
      best_us_per_call: usPerCall(sorted[0]!),
      median_us_per_call: usPerCall(sorted[sorted.length >> 1]!),
    };
    if (values.json) stdout(JSON.stringify(summary) + "\n");
    stderr(
      `replayed ${summary.records} records (${calls} calls) x${repeat} in ${summary.elapsed_ms} ms (${summary.us_per_call} µs/call) → ${outFile}\n`,
    );
    return EXIT.OK;
  },
};
