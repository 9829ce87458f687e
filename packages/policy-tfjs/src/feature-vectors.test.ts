/**
 * Guards the exact feature vectors: a hash of everything the featurizer hands the network (answer,
 * tool, fill and candidate features, the candidates themselves, their form rows and renderings) for
 * a fixed set of observations. The expected hashes were computed from the featurizer before it was
 * restructured into feature tables; a trained policy's weights only mean something against the
 * same columns in the same order with the same values, so any change here is a model change.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ToolSchema } from "@envtune/core";
import {
  DEFAULT_LIMITS,
  VALUE_FORMS,
  argCandidates,
  candidateFeatures,
  decisionContext,
  fillFeatures,
  formRow,
  renderValue,
  type FeaturizerLimits,
} from "./featurize.ts";
import type { PolicyObservation } from "./observation.ts";
import { cd, lock } from "./__fixtures__/tools.ts";

const order: ToolSchema = {
  name: "place_order",
  description: "Places an order for a stock symbol.",
  parameters: {
    type: "object",
    properties: {
      symbol: { type: "string", description: "Symbol of the stock to trade." },
      amount: { type: "integer", description: "Number of shares.", default: 1 },
      order_type: { type: "string", description: "Type of the order (Buy/Sell).", enum: ["Buy", "Sell"] },
      options: { type: "object", description: "Extra options, e.g. 'fast' or \"slow\"." },
      tags: { type: ["array", "null"], items: { type: "number" }, description: "Numeric tags." },
    },
    required: ["symbol", "amount", "order_type"],
  },
};
const status: ToolSchema = { name: "get_status", description: "Returns the status.", parameters: { type: "object", properties: {} } };
const TOOLS = [cd, lock, order, status];

function obs(userText: string, extra: Partial<PolicyObservation> = {}): PolicyObservation {
  return { tools: TOOLS, userText, previousUserTexts: [], steps: [], earlierResults: [], earlierCalls: [], ...extra };
}

const OBSERVATIONS: PolicyObservation[] = [
  obs("Move 'final report.pdf' into the archive folder, then pay $2,000 to Michael Thompson for file1.txt."),
  obs("Please lock the doors of my car and press the pedal to 0.5.", {
    steps: [{ kind: "calls", calls: [{ name: "cd", values: ["x"] }], results: ['{"error": "Use lockDoors first."}'] }],
  }),
  obs("Buy 100 shares of NVDA for me on November 15th, 2026 with #Travel and #Fun for @amy and @bob.", {
    previousUserTexts: ["Check the status of AAPL first.", "Then list the 'first-class' options on 12/01/2026."],
    earlierResults: ['{"count": 3}', '{"count": 16}', "['alpha', 'beta']", "plain words MSFT 42.123456 here"],
    earlierCalls: ["get_status", "cd"],
    steps: [
      {
        kind: "calls",
        calls: [{ name: "get_status", values: [] }],
        results: ['{"status": "open", "price": 43.852552, "other": 2.675, "list": [1, 2, 3]}'],
      },
      { kind: "parse_error", calls: [], results: [], feedback: "Could not parse the tool call: expected JSON." },
    ],
  }),
  obs("Call place_order with symbol TSLA, amount 12 and order_type Sell.", {
    steps: [
      {
        kind: "calls",
        calls: [{ name: "place_order", values: ["TSLA", "12", "Sell"] }],
        results: ["Error during execution: insufficient funds"],
      },
      {
        kind: "calls",
        calls: [
          { name: "place_order", values: ["TSLA", "6"] },
          { name: "get_status", values: [] },
        ],
        results: ['{"order_id": 12446, "status": "Pending"}', "Error: market closed"],
      },
      { kind: "calls", calls: [{ name: "lockDoors", values: ["true"] }], results: ["Doors locked: driver, passenger. Remaining 3 of 4"] },
      {
        kind: "calls",
        calls: [{ name: "cd", values: ["TSLA"] }],
        results: [`{"files": ${JSON.stringify(Array.from({ length: 40 }, (_, i) => `f${i}.txt`))}}`],
      },
    ],
  }),
  obs("Average the three counts.", {
    steps: [1, 2, 3].map((n) => ({ kind: "calls" as const, calls: [{ name: "get_status", values: [] }], results: [`{"count": ${n}}`] })),
  }),
  obs("What is it?", { previousUserTexts: ["Lock the 'rear_left' door."], earlierResults: ["x".repeat(5000)] }),
];

const CONSTRAINED_LIMITS: FeaturizerLimits = { ...DEFAULT_LIMITS, contextCandidates: 7 };

interface Vectors {
  answer: Float32Array[];
  tool: Float32Array[];
  fill: Float32Array[];
  cand: Float32Array[];
  widths: { answer: number; tool: number; fill: number; cand: number };
  /** Candidates, form rows and renderings as text. */
  text: string[];
}

function collect(limits: FeaturizerLimits): Vectors {
  const v: Vectors = { answer: [], tool: [], fill: [], cand: [], widths: { answer: 0, tool: 0, fill: 0, cand: 0 }, text: [] };
  for (const o of OBSERVATIONS) {
    const ctx = decisionContext(o, limits);
    v.answer.push(ctx.answerFeatures);
    v.tool.push(ctx.toolFeatures);
    v.widths.answer = ctx.answerFeatures.length;
    v.widths.tool = ctx.toolFeatures.length / ctx.tools.length;
    for (const t of ctx.tools) {
      for (const p of t.params) {
        v.fill.push(fillFeatures(ctx, p));
        v.widths.fill = v.fill.at(-1)!.length;
        for (const constrain of [true, false]) {
          const cands = argCandidates(ctx, p, limits.hashBuckets, constrain);
          const f = candidateFeatures(ctx, p, cands);
          v.cand.push(f);
          if (cands.length) v.widths.cand = f.length / cands.length;
          for (const c of cands)
            v.text.push(
              JSON.stringify([
                c.kind,
                c.text,
                c.tokenBag,
                c.neighborBag,
                formRow(p, c),
                ...VALUE_FORMS.map((form) => renderValue(c, form)),
              ]),
            );
        }
      }
    }
  }
  return v;
}

function hash(parts: ReadonlyArray<Float32Array | string>): string {
  const h = createHash("sha256");
  for (const p of parts) {
    if (typeof p === "string") h.update(p);
    else {
      h.update(String(p.length));
      h.update(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    }
  }
  return h.digest("hex").slice(0, 16);
}

/** Columns that are zero in every row of a block: the hash would not notice them moving. */
function deadColumns(rows: readonly Float32Array[], width: number): number[] {
  const live = new Set<number>();
  for (const r of rows) r.forEach((x, i) => x !== 0 && live.add(i % width));
  return Array.from({ length: width }, (_, i) => i).filter((i) => !live.has(i));
}

describe("feature vectors are bit-identical to the reference featurizer", () => {
  const def = collect(DEFAULT_LIMITS);
  const small = collect(CONSTRAINED_LIMITS);

  it("keeps the block widths", () => {
    expect(def.widths).toEqual({ answer: 17, tool: 15, fill: 13, cand: 37 });
  });

  it("exercises every column of every block (so the hashes guard them all)", () => {
    const dead = {
      answer: deadColumns(def.answer, def.widths.answer),
      tool: deadColumns(def.tool, def.widths.tool),
      fill: deadColumns(def.fill, def.widths.fill),
      cand: deadColumns(def.cand, def.widths.cand),
    };
    expect(dead).toEqual({ answer: [], tool: [], fill: [], cand: [] });
  });

  it("hashes to the reference values", () => {
    const got = {
      answer: hash(def.answer),
      tool: hash(def.tool),
      fill: hash(def.fill),
      cand: hash(def.cand),
      candidates: hash(def.text),
      capped: hash([...small.answer, ...small.tool, ...small.fill, ...small.cand, ...small.text]),
    };
    expect(got).toEqual({
      answer: "5a63d457a8c8bfef",
      tool: "acb5737422081694",
      fill: "f94447e5b928fed7",
      cand: "39c6138cc54fa191",
      candidates: "c1b131544db2bd3c",
      capped: "328b3adcb533bbbd",
    });
  });
});
