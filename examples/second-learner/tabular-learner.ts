/**
 * A second learner for the envtune trainer, in user code: a tabular softmax policy (no network,
 * no TensorFlow.js) trained with REINFORCE on group-normalized episode rewards.
 *
 * It decides per step between answering and calling one of the tools it sees, from a small
 * situation key (nothing called yet in the turn / the last call went through / the last step
 * failed). Arguments come from a fixed heuristic (numbers, quoted strings and enum values found in
 * the user's text), so what it learns is *which* tool to call in which situation and *when* to
 * stop and answer. It is deliberately small; what matters is that the unchanged trainer drives it:
 * curriculum, validation and promotion, checkpoints, resume, final evaluation and report.
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  groupAdvantages,
  type FrozenPolicy,
  type Learner,
  type LearnerAction,
  type LearnerFactory,
  type PolicyObservation,
  type Rng,
  type UpdateContext,
  type UpdateMetrics,
} from "@envtune/trainer";

/** What the learner remembers about one decision: where it was, what it could do, what it did. */
export interface TabularRecord {
  situation: string;
  actions: string[];
  chosen: number;
}

/** Preferences θ[situation][action]; the policy is softmax(θ) over the actions available. */
type Table = Record<string, Record<string, number>>;

export interface TabularMetrics extends UpdateMetrics {
  entropy: number;
  /** Situation–action pairs with a preference. */
  table_entries: number;
}

export const tabularOptionsSchema = z
  .object({
    /** Step size of the REINFORCE update on the preferences. */
    lr: z.number().positive().max(100).default(1),
  })
  .strict();
export type TabularOptions = z.output<typeof tabularOptionsSchema>;

const ANSWER = "answer";

function situation(obs: PolicyObservation): string {
  const last = obs.steps[obs.steps.length - 1];
  if (!last) return "start";
  const failed = last.kind === "parse_error" || last.results.some((r) => /error/i.test(r));
  return failed ? "failed" : "called";
}

function probabilities(table: Table, s: string, actions: readonly string[]): number[] {
  const row = table[s] ?? {};
  const logits = actions.map((a) => row[a] ?? 0);
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function pick(p: readonly number[], rng: Rng, greedy: boolean): number {
  if (greedy) return p.indexOf(Math.max(...p));
  let u = rng.next();
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}

/** A plausible value for a parameter, from the user's text (the learner does not learn these). */
function guessValue(schema: Record<string, unknown>, text: string): unknown {
  const enums = schema.enum as unknown[] | undefined;
  if (enums?.length) return enums[0];
  const number = text.match(/-?\d+(\.\d+)?/)?.[0];
  const quoted = text.match(/['"‘“]([^'"’”]+)['"’”]/)?.[1];
  switch (schema.type) {
    case "integer":
      return number ? Math.trunc(Number(number)) : 1;
    case "number":
      return number ? Number(number) : 1;
    case "boolean":
      return true;
    case "array":
      return quoted ? [quoted] : [];
    case "object":
      return {};
    default:
      return quoted ?? text.split(/\s+/).find((w) => /^[A-Z]/.test(w)) ?? "";
  }
}

function render(obs: PolicyObservation, action: string, format: "envelope" | "python"): string {
  if (action === ANSWER)
    return format === "envelope" ? "<think>Done.</think>\n<answer>I have completed the request.</answer>" : "I have completed the request.";
  const tool = obs.tools.find((t) => `tool:${t.name}` === action)!;
  const props = (tool.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = (tool.parameters.required ?? []) as string[];
  const args = Object.fromEntries(required.map((p) => [p, guessValue(props[p] ?? {}, obs.userText)]));
  if (format === "python")
    return `[${tool.name}(${Object.entries(args)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ")})]`;
  return `<think>Calling ${tool.name}.</think>\n<tool_call>\n${JSON.stringify([{ name: tool.name, arguments: args }])}\n</tool_call>`;
}

function act(
  table: Table,
  observations: readonly PolicyObservation[],
  opts: { greedy: boolean; rng: Rng; format: "envelope" | "python" },
): Array<LearnerAction<TabularRecord>> {
  return observations.map((obs) => {
    const s = situation(obs);
    const actions = [ANSWER, ...obs.tools.map((t) => `tool:${t.name}`)];
    const chosen = pick(probabilities(table, s, actions), opts.rng, opts.greedy);
    return { text: render(obs, actions[chosen]!, opts.format), record: { situation: s, actions, chosen } };
  });
}

function readTable(file: string): Table {
  return (JSON.parse(readFileSync(file, "utf8")) as { table: Table }).table;
}

function writeJson(dir: string, name: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify(value));
}

function frozen(table: Table): FrozenPolicy<TabularRecord> {
  return {
    act: (obs, opts) => act(table, obs, opts),
    save: async (dir, metadata) => writeJson(dir, "policy.json", { table, metadata }),
    dispose: () => {},
  };
}

export class TabularLearner implements Learner<TabularRecord, TabularMetrics> {
  private table: Table = {};
  private readonly options: TabularOptions;

  constructor(options: TabularOptions) {
    this.options = options;
  }

  act(observations: readonly PolicyObservation[], opts: { greedy: boolean; rng: Rng; format: "envelope" | "python" }) {
    return act(this.table, observations, opts);
  }

  /** REINFORCE: θ[s][b] += lr · Â · (1[b = a] − π(b|s)), averaged over the update's decisions. */
  async update(ctx: UpdateContext<TabularRecord>) {
    const episodes = await ctx.rollouts(ctx.settings.groupSize);
    const adv = groupAdvantages(
      episodes.map((e) => e.rewards.reward),
      episodes.map((e) => e.spec.group),
      { eps: 1e-6, normalizeStd: true },
    );
    const decisions = episodes.flatMap((e, i) => e.decisions.map((d) => ({ record: d.record, adv: adv[i]! })));
    const step: Table = {};
    let loss = 0;
    let entropy = 0;
    for (const { record: r, adv: a } of decisions) {
      const p = probabilities(this.table, r.situation, r.actions);
      loss -= (a * Math.log(p[r.chosen]!)) / decisions.length;
      entropy -= p.reduce((acc, q) => acc + (q > 0 ? q * Math.log(q) : 0), 0) / decisions.length;
      const row = (step[r.situation] ??= {});
      r.actions.forEach((b, i) => (row[b] = (row[b] ?? 0) + (a * ((i === r.chosen ? 1 : 0) - p[i]!)) / decisions.length));
    }
    let norm = 0;
    for (const [s, row] of Object.entries(step)) {
      const target = (this.table[s] ??= {});
      for (const [b, g] of Object.entries(row)) {
        norm += g * g;
        target[b] = (target[b] ?? 0) + this.options.lr * g;
      }
    }
    const entries = Object.values(this.table).reduce((n, row) => n + Object.keys(row).length, 0);
    return { episodes, metrics: { loss, grad_norm: Math.sqrt(norm), entropy, table_entries: entries } };
  }

  snapshot() {
    return frozen(structuredClone(this.table));
  }

  async save(dir: string, metadata: Record<string, unknown>) {
    writeJson(dir, "policy.json", { table: this.table, metadata });
  }

  async loadPolicy(dir: string) {
    return frozen(readTable(join(dir, "policy.json")));
  }

  async saveState(dir: string, metadata: Record<string, unknown>) {
    writeJson(dir, "tabular-state.json", { table: this.table, metadata });
  }

  async loadState(dir: string) {
    this.table = readTable(join(dir, "tabular-state.json"));
  }

  describe() {
    const entries = Object.values(this.table).reduce((n, row) => n + Object.keys(row).length, 0);
    return { parameters: entries, summary: `tabular softmax over (situation, action), REINFORCE lr ${this.options.lr}` };
  }

  dispose() {}
}

export const tabularLearner: LearnerFactory<typeof tabularOptionsSchema> = {
  name: "tabular-bandit",
  description: "A tabular softmax policy over (situation, answer or tool) trained with REINFORCE (examples/second-learner).",
  options: tabularOptionsSchema,
  create: (options) => new TabularLearner(options),
};

/** `envtune train --learner path/to/this-module` imports the default export. */
export default tabularLearner;
