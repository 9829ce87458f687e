/**
 * The default grid: the paper's claims (Lu et al. 2025, §4.2–4.4: Table 3's single-stage GRPO,
 * Fig. 4a's augmentation and Fig. 4b's reward ablations, and the out-of-distribution comparison
 * with supervised fine-tuning) checked on BFCL with the embedded policy, in distribution (the
 * paper split) and on leave-domain-out folds that together hold out each of the eight domains once.
 */
import { parseGrid, type Grid, type GridInput } from "./grid.ts";

/**
 * Four folds of two domains. The pairs balance the folds: every fold trains on 428–460 entries
 * (and validates on 48–52 more) and tests on 288–324 (an entry is held out when any of its
 * classes is).
 */
export const BFCL_OOD_FOLDS: readonly (readonly string[])[] = [
  ["GorillaFileSystem", "TwitterAPI"],
  ["MathAPI", "TravelAPI"],
  ["MessageAPI", "VehicleControlAPI"],
  ["TicketAPI", "TradingBot"],
];

export const PAPER_GRID: GridInput = {
  name: "paper",
  description: "Environment Tuning against single-stage GRPO, behaviour cloning and its own ablations, in and out of distribution.",
  train: { preset: "experiment" },
  sets: { id: { split: "paper" }, ood: { folds: BFCL_OOD_FOLDS.map((f) => [...f]) } },
  seeds: [1, 2, 3],
  methods: [
    { kind: "train", name: "et", description: "Environment Tuning: the four-stage curriculum with GRPO (paper §3)." },
    {
      kind: "train",
      name: "single-stage",
      description: "Single-stage GRPO on all training data, standard environment, same update budget (paper Table 3).",
      ablation: { singleStage: true },
    },
    {
      kind: "train",
      name: "sft",
      description: "Behaviour cloning on the ground-truth trajectories of all training data, same update budget.",
      learner: { name: "sft", options: {} },
      ablation: { singleStage: true },
    },
    {
      kind: "train",
      name: "sft-then-et",
      description: "Environment Tuning started from the behaviour-cloned policy of the same fold and seed.",
      initFrom: "sft",
    },
    {
      kind: "train",
      name: "et-no-aug",
      description: "Environment Tuning without actionable hints (paper Fig. 4a).",
      ablation: { noAugmentation: true },
    },
    {
      kind: "train",
      name: "et-binary",
      description: "Environment Tuning with a binary reward (paper Fig. 4b).",
      ablation: { binaryReward: true },
    },
    { kind: "baseline", name: "untrained", description: "The policy's random initialization.", policy: "untrained" },
    {
      kind: "baseline",
      name: "random-valid-call",
      description: "A random tool with schema-valid arguments each step.",
      policy: "random-valid-call",
    },
    { kind: "baseline", name: "always-answer", description: "Answers every turn without calling.", policy: "always-answer" },
  ],
  // The ablation claims are about training, so they pair over every fold (15 pairs with 3 seeds);
  // the generalization claims over the held-out domains only.
  claims: [
    {
      id: "curriculum",
      statement: "The curriculum learns where single-stage RL collapses: Environment Tuning beats single-stage GRPO.",
      a: "et",
      b: "single-stage",
      set: "all",
    },
    {
      id: "hints",
      statement:
        "Actionable hints matter on missing functions and parameters: Environment Tuning beats its no-augmentation ablation on miss_func and miss_param.",
      a: "et",
      b: "et-no-aug",
      set: "all",
      categories: ["miss_func", "miss_param"],
    },
    {
      id: "progress-reward",
      statement: "Fine-grained progress beats a binary reward: Environment Tuning beats its binary-reward ablation.",
      a: "et",
      b: "et-binary",
      set: "all",
    },
    {
      id: "ood-vs-sft",
      statement: "Environment Tuning generalizes out of distribution better than supervised fine-tuning on expert trajectories.",
      a: "et",
      b: "sft",
      set: "ood",
    },
    {
      id: "learns",
      statement: "Environment Tuning learns: it beats the random-valid-call baseline out of distribution.",
      a: "et",
      b: "random-valid-call",
      set: "ood",
    },
  ],
  workers: 2,
};

/** The default grid, validated. */
export function paperGrid(): Grid {
  return parseGrid(PAPER_GRID);
}

/**
 * `--quick`: the same machinery on a grid small enough for CI — one seed, one fold, the trainer's
 * tiny `smoke` budget and three methods. It tests that everything runs, not what comes out.
 */
export function quickGrid(grid: Grid): Grid {
  const keep = new Set(["et", "sft", "random-valid-call"]);
  const methods = grid.methods.filter((m) => keep.has(m.name));
  return parseGrid({
    ...grid,
    name: `${grid.name}-quick`,
    train: { ...grid.train, preset: "smoke" },
    sets: { id: grid.sets.id, ood: grid.sets.ood ? { folds: grid.sets.ood.folds.slice(0, 1) } : null },
    seeds: grid.seeds.slice(0, 1),
    methods: methods.length > 0 ? methods : grid.methods.slice(0, 2),
    claims: grid.claims.filter((c) => methods.some((m) => m.name === c.a) && methods.some((m) => m.name === c.b)),
  });
}
