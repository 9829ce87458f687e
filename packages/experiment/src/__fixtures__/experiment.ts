/**
 * A small synthetic experiment for the analysis and report tests: numbers chosen so that each
 * statistic can be computed by hand (the tests spell the computations out).
 */
import { parseGrid, type Grid } from "../grid.ts";
import { runResultSchema, type RunResult, type Score } from "../results.ts";

/** [passed, turns with calls, entries, entries fully passed, all-turn success]. */
type Counts = readonly [number, number, number, number, number];

function score([passed, turns, entries, correct, allTurns]: Counts): Score {
  return {
    entries,
    non_empty_turns: turns,
    non_empty_passed: passed,
    turn_success: passed / turns,
    all_turn_success: allTurns,
    entry_accuracy: correct / entries,
    progress: 0,
  };
}

/** A run whose totals pool its categories (as the evaluator's do). */
export function run(method: string, set: "id" | "ood", fold: string, seed: number, cats: Record<string, Counts>, extra: Partial<RunResult> = {}): RunResult {
  const per = Object.values(cats);
  const sum = (i: number) => per.reduce((a, c) => a + c[i]!, 0);
  const entries = sum(2);
  const allTurns = per.reduce((a, c) => a + c[4] * c[2], 0) / entries;
  return runResultSchema.parse({
    ...score([sum(0), sum(1), entries, sum(3), allTurns]),
    id: `${method}/${fold}/seed${seed}`,
    method,
    set,
    fold,
    seed,
    per_category: Object.fromEntries(Object.entries(cats).map(([c, v]) => [c, score(v)])),
    updates: method === "random-valid-call" ? 0 : 40,
    wall_s: 12.5,
    val_curve: [],
    train_curve: [],
    key: `key-${method}-${fold}-${seed}`,
    ...extra,
  });
}

export const SEEDS = [1, 2, 3] as const;

/** In distribution (fold `paper`): per category, et's and single-stage's passed turns per seed. */
const ID_BASE = { et: [50, 60, 55], "single-stage": [40, 45, 50] } as const;
const ID_MISS_FUNC = { et: [301, 302, 303], "single-stage": [300, 300, 300] } as const;
const ID_MISS_PARAM = { et: [20, 25, 30], "single-stage": [20, 20, 20] } as const;

/** The curves of et's in-distribution runs: seed 2 lacks update 20 (e.g. it stopped early). */
export const ET_VAL_CURVES: Record<number, Array<[number, number]>> = {
  1: [
    [0, 0.1],
    [10, 0.2],
    [20, 0.3],
  ],
  2: [
    [0, 0.2],
    [10, 0.3],
  ],
  3: [
    [0, 0.3],
    [10, 0.4],
    [20, 0.5],
  ],
};

function idRuns(): RunResult[] {
  return (["et", "single-stage"] as const).flatMap((m) =>
    SEEDS.map((seed, i) =>
      run(
        m,
        "id",
        "paper",
        seed,
        {
          base: [ID_BASE[m][i]!, 100, 20, m === "et" ? 5 : 4, m === "et" ? 0.6 : 0.5],
          miss_func: [ID_MISS_FUNC[m][i]!, 1000, 20, 2, 0.4],
          miss_param: [ID_MISS_PARAM[m][i]!, 50, 10, 1, 0.5],
        },
        m === "et" ? { val_curve: ET_VAL_CURVES[seed]!, train_curve: [[1, 0.1], [2, 0.2]] } : {},
      ),
    ),
  );
}

/**
 * Out of distribution, folds A (100 turns, 20 entries) and B (50 turns, 10 entries): et passes
 * 40 + seed and 30 + seed turns, random-valid-call 10 and 5, single-stage 35 and 25.
 */
function oodRuns(): RunResult[] {
  const passed: Record<string, (seed: number) => [number, number]> = {
    et: (s) => [40 + s, 30 + s],
    "random-valid-call": () => [10, 5],
    "single-stage": () => [35, 25],
  };
  return Object.entries(passed).flatMap(([m, f]) =>
    SEEDS.flatMap((seed) => [
      run(m, "ood", "ood:A", seed, { base: [f(seed)[0], 100, 20, 5, 0.6] }),
      run(m, "ood", "ood:B", seed, { base: [f(seed)[1], 50, 10, 5, 0.9] }),
    ]),
  );
}

/** sft has one in-distribution run (seed 1) and no out-of-distribution results. */
export function fixtureResults(): RunResult[] {
  const sft = run("sft", "id", "paper", 1, { base: [45, 100, 20, 4, 0.5] }, { coverage: { values: 100, covered: 80 } });
  return [...idRuns(), ...oodRuns(), sft];
}

export function fixtureGrid(overrides: Record<string, unknown> = {}): Grid {
  return parseGrid({
    name: "fixture",
    description: "A synthetic grid for the tests.",
    sets: { id: { split: "paper" }, ood: { folds: [["A"], ["B"]] } },
    methods: [
      { kind: "train", name: "et", description: "Environment Tuning." },
      { kind: "train", name: "single-stage", description: "Single stage <b>bold</b> & co.", ablation: { singleStage: true } },
      { kind: "train", name: "sft", description: "Behaviour cloning.", learner: { name: "sft", options: {} } },
      { kind: "baseline", name: "random-valid-call", description: "Random calls.", policy: "random-valid-call" },
    ],
    claims: [
      { id: "learns", statement: "et beats random calls out of distribution.", a: "et", b: "random-valid-call", set: "ood" },
      { id: "reversal", statement: "random calls beat et out of distribution.", a: "random-valid-call", b: "et", set: "ood" },
      { id: "noisy", statement: "et beats single-stage on base.", a: "et", b: "single-stage", set: "id", categories: ["base"] },
      { id: "tiny", statement: "et beats single-stage on miss_func.", a: "et", b: "single-stage", set: "id", categories: ["miss_func"] },
      { id: "one-pair", statement: "et beats sft in distribution.", a: "et", b: "sft", set: "id" },
    ],
    ...overrides,
  });
}
