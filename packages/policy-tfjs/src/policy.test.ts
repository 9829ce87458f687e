import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAction, type ToolSchema } from "@envtune/core";
import { selectBackend, tf } from "./backend.ts";
import { buildBatch, tokenCounts, tokenDecisions, tokenOutputs } from "./batch.ts";
import { forward, parameterShapes, resolvePolicyNetConfig } from "./model.ts";
import type { PolicyObservation } from "./observation.ts";
import { TfjsPolicy } from "./policy.ts";
import { Rng } from "./rng.ts";
import { loadNamedTensors, saveNamedTensors } from "./weights-io.ts";

const tools: ToolSchema[] = [
  {
    name: "touch",
    description: "Tool description: Create a new file of any extension in the current directory.",
    parameters: {
      type: "object",
      properties: { file_name: { type: "string", description: "The name of the new file in the current directory." } },
      required: ["file_name"],
    },
  },
  {
    name: "tail",
    description: "Tool description: Display the last part of a file.",
    parameters: {
      type: "object",
      properties: {
        file_name: { type: "string", description: "The name of the file." },
        lines: { type: "integer", description: "The number of lines to display.", default: 10 },
      },
      required: ["file_name"],
    },
  },
  {
    name: "ls",
    description: "Tool description: List the contents of the current directory.",
    parameters: { type: "object", properties: { a: { type: "boolean", description: "Show hidden files.", default: false } }, required: [] },
  },
];

const observations: PolicyObservation[] = [
  { tools, userText: "Create 'notes.txt' please.", previousUserTexts: [], steps: [], earlierResults: [], earlierCalls: [] },
  {
    tools: tools.slice(1),
    userText: "Show the last 5 lines of log.txt.",
    previousUserTexts: ["Create 'notes.txt' please."],
    steps: [{ kind: "parse_error", calls: [], results: [], feedback: "Error: Invalid JSON inside <tool_call>: Expecting value" }],
    earlierResults: ["{}"],
    earlierCalls: ["touch"],
  },
  {
    tools,
    userText: "List everything, hidden files too.",
    previousUserTexts: [],
    steps: [{ kind: "calls", calls: [{ name: "ls", values: [] }], results: ['{"current_directory_content": ["a.txt"]}'] }],
    earlierResults: [],
    earlierCalls: [],
  },
];

let dir: string;
beforeAll(async () => {
  await selectBackend({});
  dir = mkdtempSync(join(tmpdir(), "envtune-policy-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the policy network", () => {
  it("has the documented parameter shapes and a small size", () => {
    const p = TfjsPolicy.create({ hashBuckets: 1024, embedDim: 8, hiddenDim: 12 }, 1);
    const shapes = parameterShapes(resolvePolicyNetConfig({ hashBuckets: 1024, embedDim: 8, hiddenDim: 12 }));
    for (const [k, v] of p.variables) expect(v.shape).toEqual(shapes[k]);
    expect(TfjsPolicy.create({}, 1).parameterCount()).toBeLessThan(400_000);
    expect(() => TfjsPolicy.create({ embedDim: 0 })).toThrow(/embedDim/);
  });

  it("acts on a batch: one action per observation, each parsed by the engine's envelope parser", () => {
    const p = TfjsPolicy.create({}, 3);
    const acts = p.act(observations, { rng: new Rng(1) });
    expect(acts).toHaveLength(3);
    for (const [i, a] of acts.entries()) {
      expect(a.record.tools.map((t) => t.name)).toEqual(observations[i]!.tools.map((t) => t.name));
      const r = parseAction(a.text, { format: "envelope" });
      if (a.record.choice === 0) expect(r.ok && r.kind === "answer").toBe(true);
      else {
        // A call can be malformed ("bare" text is not JSON): Stage 1 has something to teach.
        const tool = a.record.tools[a.record.choice - 1]!;
        if (r.ok) expect(r.kind === "tool_calls" && r.calls[0]!.name).toBe(tool.name);
        else expect(r.error.code).toBe("ENVELOPE_INVALID_JSON");
        expect(a.record.args).toHaveLength(tool.params.length);
      }
    }
    const py = p.act(observations, { rng: new Rng(1), format: "python" });
    for (const a of py) if (a.record.choice !== 0) expect(a.text).toMatch(/^\[\w+\(.*\)\]$/);
  });

  it("samples reproducibly from a seed, and greedy decoding is deterministic", () => {
    const p = TfjsPolicy.create({}, 5);
    const a = p.act(observations, { rng: new Rng(9) }).map((x) => x.text);
    const b = p.act(observations, { rng: new Rng(9) }).map((x) => x.text);
    expect(a).toEqual(b);
    const g1 = p.act(observations, { rng: new Rng(1), greedy: true }).map((x) => x.text);
    const g2 = p.act(observations, { rng: new Rng(2), greedy: true }).map((x) => x.text);
    expect(g1).toEqual(g2);
  });

  it("gives finite per-token log-probabilities and entropies for its own actions, with gradients for every weight", () => {
    const p = TfjsPolicy.create({}, 7);
    const recs = Array.from({ length: 6 }, (_, k) => p.act(observations, { rng: new Rng(k) }).map((x) => x.record)).flat();
    const built = buildBatch(recs, "train");
    const counts = tokenCounts(recs, built);
    const out = tf.tidy(() => {
      const o = tokenOutputs(p.weights(), recs, built);
      return { logp: Array.from(o.logp.dataSync()), ent: Array.from(o.entropy.dataSync()) };
    });
    expect(out.logp).toHaveLength(counts.tool + counts.fill + counts.value + counts.form);
    expect(tokenDecisions(recs, built)).toHaveLength(out.logp.length);
    expect(out.logp.every((x) => Number.isFinite(x) && x <= 1e-6)).toBe(true);
    expect(out.ent.every((x) => Number.isFinite(x) && x >= -1e-6)).toBe(true);
    const { grads } = tf.variableGrads(
      () => tf.neg(tf.sum(tokenOutputs(p.weights(), recs, built).logp)) as tf.Scalar,
      [...p.variables.values()],
    );
    for (const v of p.variables.values()) {
      expect(grads[v.name], v.name).toBeDefined();
      expect(Array.from(grads[v.name]!.dataSync()).every(Number.isFinite)).toBe(true);
    }
    built.dispose();
  });

  it("scores a decision the same alone or batched with others (shared bags and padded tool slots)", () => {
    const p = TfjsPolicy.create({}, 13);
    const recs = p.act(observations, { rng: new Rng(3) }).map((x) => x.record);
    const noWords = { ...recs[0]!, userBag: [] };
    const logits = (rs: typeof recs): number[][] => {
      const built = buildBatch(rs, "tools");
      const out = tf.tidy(() => forward(p.weights(), built.inputs).toolLogits.arraySync());
      built.dispose();
      return out;
    };
    const all = logits([...recs, noWords]);
    for (const [i, r] of [...recs, noWords].entries()) {
      const alone = logits([r])[0]!;
      // Slots past a decision's own tools are padding (-1e9) in the batch and absent alone.
      for (const [j, x] of alone.entries()) expect(all[i]![j]).toBeCloseTo(x, 4);
    }
  });

  it("saves model.json + weights.bin and loads back to identical outputs", async () => {
    const p = TfjsPolicy.create({ hiddenDim: 16 }, 11);
    const d = join(dir, "policy");
    await p.save(d, { note: "test" });
    const json = JSON.parse(readFileSync(join(d, "model.json"), "utf8"));
    expect(json.weightsManifest[0].paths).toEqual(["./weights.bin"]);
    expect(json.modelTopology.config.hiddenDim).toBe(16);
    expect(json.userDefinedMetadata).toEqual({ note: "test" });
    const { policy: q, metadata } = await TfjsPolicy.load(d);
    expect(metadata).toEqual({ note: "test" });
    for (const [k, v] of p.variables) expect(Array.from(q.variables.get(k)!.dataSync())).toEqual(Array.from(v.dataSync()));
    const a = p.act(observations, { rng: new Rng(4) }).map((x) => x.text);
    const b = q.act(observations, { rng: new Rng(4) }).map((x) => x.text);
    expect(b).toEqual(a);
  });

  it("round-trips raw named tensors and rejects directories that are not policies", async () => {
    const d = join(dir, "raw");
    await saveNamedTensors(d, new Map([["m/x", tf.tensor2d([1, 2, 3, 4], [2, 2])]]), { kind: "x" }, { step: 3 });
    const back = await loadNamedTensors(d);
    expect(Array.from(back.tensors.get("m/x")!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(back.metadata).toEqual({ step: 3 });
    await expect(TfjsPolicy.load(d)).rejects.toThrow(/not an envtune policy/);
    await expect(TfjsPolicy.load(join(dir, "missing"))).rejects.toThrow(/Cannot read/);
  });
});

describe("Rng", () => {
  it("continues identically from a saved state", () => {
    const r = new Rng(42);
    r.next();
    const s = r.state();
    const a = [r.next(), r.int(10), r.nextU32()];
    const q = new Rng(s);
    expect([q.next(), q.int(10), q.nextU32()]).toEqual(a);
  });
});
