/**
 * `envtune check`: the fixture-in, verdict-out interface other tooling depends on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvtuneError } from "@envtune/core";
import { bfclDataDir, traceFile } from "@envtune/testing";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, parseCommandArgs, type CommandContext } from "../../packages/cli/src/cli.ts";
import { checkCommand } from "../../packages/cli/src/commands/check.ts";
import { devFixtures } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command the way `envtune` does (same exit-code mapping for envtune errors). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let code: number;
  try {
    const { values, positionals } = parseCommandArgs(checkCommand, args);
    code = await checkCommand.run({
      values: values as CommandContext["values"],
      positionals,
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
    });
  } catch (e) {
    if (!(e instanceof EnvtuneError)) throw e;
    stderr += e.message + "\n";
    code = e.code === "USAGE" ? EXIT.USAGE : EXIT.CONFIG;
  }
  return { code, stdout, stderr };
}

const data = ["--data", bfclDataDir()];
const readJsonl = (f: string) =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("envtune check", () => {
  it("writes one verdict line per fixture and reports 100% agreement on verdicts_dev.jsonl", async () => {
    const out = join(tmp, "verdicts.jsonl");
    const r = await run(["--fixtures", traceFile("verdicts_dev.jsonl"), "--out", out, ...data]);
    expect(r.stderr).toMatch(/agreement with expected \(valid, error_type, failed_turn\): 400\/400 \(100\.00%\)/);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toBe("");
    const lines = readJsonl(out);
    const fixtures = devFixtures();
    expect(lines).toHaveLength(400);
    lines.forEach((l, i) => {
      const f = fixtures[i]!;
      expect(Object.keys(l).slice(0, 5)).toEqual(["fixture_id", "id", "valid", "error_type", "failed_turn"]);
      expect([l.fixture_id, l.valid, l.error_type, l.failed_turn]).toEqual([
        f.fixture_id,
        f.expected!.valid,
        f.expected!.error_type ?? null,
        f.failed_turn,
      ]);
      if (!l.valid) expect(l.error_message).toBe(f.expected!.error_message);
    });
  });

  it("needs only fixture_id, id and model_output, and prints JSON with --json", async () => {
    const slim = join(tmp, "slim.jsonl");
    const f = devFixtures().slice(0, 12);
    writeFileSync(
      slim,
      f.map((x) => JSON.stringify({ fixture_id: x.fixture_id, id: x.id, model_output: x.model_output })).join("\n") + "\n",
    );
    const out = join(tmp, "slim.out.jsonl");
    const r = await run(["--fixtures", slim, "--out", out, "--json", ...data]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toBe("");
    const summary = JSON.parse(r.stdout) as {
      fixtures: number;
      valid: number;
      invalid: number;
      agreement: unknown;
      by_error_type: Record<string, number>;
    };
    expect(summary.fixtures).toBe(12);
    expect(summary.agreement).toBeNull();
    expect(summary.valid + summary.invalid).toBe(12);
    expect(Object.values(summary.by_error_type).reduce((a, b) => a + b, 0)).toBe(summary.invalid);
    expect(readJsonl(out).map((l) => l.valid)).toEqual(f.map((x) => x.expected!.valid));
  });

  it("scores a non-list model_output as inference_error and exits 1 when a verdict disagrees with expected", async () => {
    const file = join(tmp, "odd.jsonl");
    const f = devFixtures()[0]!;
    writeFileSync(
      file,
      [
        JSON.stringify({ fixture_id: "x:text", id: f.id, model_output: "I cannot do that" }),
        JSON.stringify({
          fixture_id: "x:wrong",
          id: f.id,
          model_output: f.model_output,
          expected: { valid: !f.expected!.valid, error_type: "multi_turn:force_terminated" },
          failed_turn: null,
        }),
      ].join("\n"),
    );
    const out = join(tmp, "odd.out.jsonl");
    const r = await run(["--fixtures", file, "--out", out, ...data]);
    expect(r.code).toBe(EXIT.FAILURE);
    expect(r.stderr).toMatch(/agreement .*: 0\/1 \(0\.00%\)/);
    expect(r.stderr).toMatch(/✗ x:wrong: valid, error_type/);
    expect(readJsonl(out)[0]).toMatchObject({
      fixture_id: "x:text",
      valid: false,
      error_type: "multi_turn:inference_error",
      failed_turn: null,
    });
  });

  it("finds the data beside the shared traces without --data (the documented command as is)", async () => {
    const saved = { data: process.env.ENVTUNE_BFCL_DATA, xdg: process.env.XDG_CACHE_HOME };
    delete process.env.ENVTUNE_BFCL_DATA;
    process.env.XDG_CACHE_HOME = join(tmp, "empty-cache");
    try {
      const slim = join(tmp, "one.jsonl");
      const f = devFixtures()[0]!;
      writeFileSync(slim, JSON.stringify({ fixture_id: f.fixture_id, id: f.id, model_output: f.model_output }) + "\n");
      // Beside the traces folder: found through the fixtures' path.
      const r = await run(["--fixtures", traceFile("verdicts_dev.jsonl"), "--out", join(tmp, "nodata.jsonl"), "--json"]);
      expect(r.code).toBe(EXIT.OK);
      expect(JSON.parse(r.stdout).agreement.rate).toBe(1);
      // Elsewhere: through $ENVTUNE_SHARED_DIR (set for the test when the shared folder is not ../shared).
      const savedShared = process.env.ENVTUNE_SHARED_DIR;
      process.env.ENVTUNE_SHARED_DIR = join(bfclDataDir(), "../..");
      try {
        expect((await run(["--fixtures", slim, "--out", join(tmp, "one.out.jsonl")])).code).toBe(EXIT.OK);
      } finally {
        if (savedShared === undefined) delete process.env.ENVTUNE_SHARED_DIR;
        else process.env.ENVTUNE_SHARED_DIR = savedShared;
      }
    } finally {
      if (saved.data === undefined) delete process.env.ENVTUNE_BFCL_DATA;
      else process.env.ENVTUNE_BFCL_DATA = saved.data;
      if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.xdg;
    }
  });

  it("fails clearly on bad input", async () => {
    const out = join(tmp, "bad.out.jsonl");
    const bad = async (args: string[], code: number, re: RegExp) => {
      const r = await run(args);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(re);
    };
    await bad(["--out", out], EXIT.USAGE, /^\[envtune\] \[check\] Both --fixtures and --out are required/);
    await bad(["--fixtures", join(tmp, "missing.jsonl"), "--out", out, ...data], EXIT.CONFIG, /^\[envtune\] \[check\] Cannot read/);
    const write = (name: string, text: string) => {
      const p = join(tmp, name);
      writeFileSync(p, text);
      return p;
    };
    await bad(["--fixtures", write("empty.jsonl", "\n"), "--out", out, ...data], EXIT.CONFIG, /holds no fixtures/);
    await bad(
      ["--fixtures", write("broken.jsonl", '{"fixture_id": "a"\n'), "--out", out, ...data],
      EXIT.CONFIG,
      /broken\.jsonl:1 is not valid JSON/,
    );
    await bad(
      ["--fixtures", write("noid.jsonl", '{"fixture_id": "a", "model_output": []}\n'), "--out", out, ...data],
      EXIT.CONFIG,
      /noid\.jsonl:1 is not a verdict fixture/,
    );
    await bad(
      [
        "--fixtures",
        write("unknown.jsonl", '{"fixture_id": "a", "id": "multi_turn_base_999", "model_output": []}\n'),
        "--out",
        out,
        ...data,
      ],
      EXIT.CONFIG,
      /entry `multi_turn_base_999`, which is not in the dataset/,
    );
    await bad(
      [
        "--fixtures",
        write("shape.jsonl", '{"fixture_id": "a", "id": "multi_turn_base_0", "model_output": [["ls()"]]}\n'),
        "--out",
        out,
        ...data,
      ],
      EXIT.CONFIG,
      /is not \[turn\]\[step\]\[call string\]/,
    );
    await bad(
      ["--fixtures", traceFile("verdicts_dev.jsonl"), "--out", join(tmp, "no/such/dir/x.jsonl"), ...data],
      EXIT.CONFIG,
      /Cannot write/,
    );
    await bad(["--fixtures", "x", "--out", out, "--bogus"], EXIT.USAGE, /\[envtune\] \[cli\]/);
  });
});
