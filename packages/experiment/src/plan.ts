/**
 * From a grid to the list of runs: one per (method, set, fold, seed), each with its resolved
 * training configuration and a key that changes whenever anything that determines its result
 * changes (so a cached result is reused only for the very same run).
 */
import { createHash } from "node:crypto";
import { parseTrainConfig, presetConfig, type TrainConfig, type TrainConfigInput } from "@envtune/trainer";

/** A split by name or spec, as the training config takes it. */
type Split = NonNullable<TrainConfigInput["data"]>["split"];
import type { Grid, Method } from "./grid.ts";
import type { EvalSet } from "./results.ts";

export interface PlannedRun {
  /** `method/fold/seedN`. */
  id: string;
  /** Folder under the output's `runs/`: the id and the key's first 10 hex digits. */
  dir: string;
  method: Method;
  set: EvalSet;
  fold: string;
  seed: number;
  split: Split;
  /** The training config (trained methods), or the config whose data, policy and evaluation settings a baseline uses. */
  config: TrainConfig;
  /** The run whose last weights this one starts from (`initFrom`). */
  dependsOn?: string;
  key: string;
}

interface Fold {
  set: EvalSet;
  fold: string;
  split: Split;
}

/** Evaluation sets as folds: the in-distribution split, then one fold per held-out group. */
export function foldsOf(grid: Grid): Fold[] {
  const out: Fold[] = [];
  const id = grid.sets.id?.split;
  if (id !== undefined) out.push({ set: "id", fold: typeof id === "string" ? id : `${id.kind}-seed${id.seed}`, split: id });
  for (const heldOut of grid.sets.ood?.folds ?? [])
    out.push({ set: "ood", fold: `ood:${heldOut.map((c) => `-${c}`).join(",")}`, split: { kind: "ood", heldOut } });
  return out;
}

const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Config layers: objects merge key by key, everything else (arrays included) is replaced. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? mergeConfig(out[k], v) : v;
  return out;
}

/** A folder name for a fold: `paper`, `ood-MathAPI-TravelAPI`. */
function foldSlug(fold: string): string {
  return fold.replace(/^ood:/, "ood").replace(/[^A-Za-z0-9]+/g, "-");
}

function runConfig(grid: Grid, method: Method, f: Fold, seed: number): TrainConfig {
  const { preset, ...train } = grid.train;
  let input: Record<string, unknown> = mergeConfig(presetConfig(preset) as unknown as Record<string, unknown>, train);
  if (method.kind === "train") {
    input = mergeConfig(input, method.train);
    if (method.learner) input.learner = method.learner;
    if (method.ablation) input.ablation = mergeConfig(input.ablation as Record<string, unknown>, method.ablation);
  }
  const data = { ...(input.data as Record<string, unknown>), ...grid.data, split: f.split };
  // The grid evaluates each baseline once per fold and seed, not inside every trained run.
  const evaluation = { ...(input.evaluation as Record<string, unknown>), baselines: false };
  return parseTrainConfig({ ...input, seed, data, evaluation } as TrainConfigInput);
}

function hash(x: unknown): string {
  return createHash("sha256").update(JSON.stringify(x)).digest("hex");
}

/**
 * Every run of the grid, dependencies first. `version` (the packages' versions) enters the keys,
 * so results cached by another release are not reused.
 */
export function planRuns(grid: Grid, version: string): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const byId = new Map<string, PlannedRun>();
  const ordered = [...grid.methods].sort((a, b) => Number(a.kind === "train" && !!a.initFrom) - Number(b.kind === "train" && !!b.initFrom));
  for (const method of ordered)
    for (const f of foldsOf(grid))
      for (const seed of grid.seeds) {
        const id = `${method.name}/${foldSlug(f.fold)}/seed${seed}`;
        const config = runConfig(grid, method, f, seed);
        const dep = method.kind === "train" && method.initFrom ? byId.get(`${method.initFrom}/${foldSlug(f.fold)}/seed${seed}`) : undefined;
        const { dir: _dir, ...data } = config.data;
        const key = hash({ version, method, set: f.set, fold: f.fold, seed, config: { ...config, data }, from: dep?.key ?? null });
        const run: PlannedRun = {
          id,
          dir: `${id}-${key.slice(0, 10)}`,
          method,
          set: f.set,
          fold: f.fold,
          seed,
          split: f.split,
          config,
          ...(dep ? { dependsOn: dep.id } : {}),
          key,
        };
        runs.push(run);
        byId.set(id, run);
      }
  return runs;
}
