/**
 * What the server serves: the BFCL dataset, the installed domain packs, the dataset splits and the
 * curriculum stages. It builds one {@link Episode} per session and lists tasks; it never runs
 * episodes itself (the engine does).
 */
import { resolveDomainPacks, type DomainPack } from "@envtune/core";
import {
  assertDataSourceValid,
  getSplit,
  listSplits,
  loadDataSource,
  type BfclDataset,
  type BfclEntry,
  type DatasetSplit,
  type SplitSpecInput,
} from "@envtune/bfcl-data";
import { Episode, selectStageEntries, type EpisodeConfigInput, type EpisodeLimits, type OpenAITool } from "@envtune/engine";
import { serverError } from "./errors.ts";
import { PAPER_STAGES, mergeEpisodeConfig, parseStages, stageKeys, type StageSpec, type StageSpecInput } from "./stages.ts";

export type SplitPart = "train" | "val" | "test";

export interface TaskQuery {
  /** Split name (`paper`, `paper-full-test`, `ood:-TravelAPI`, ...) or `all`; default the environment's split. */
  split?: string;
  part?: SplitPart;
  /** Curriculum stage id: keeps the stage's categories, order and limit (and its part unless `part` is given). */
  stage?: string;
  category?: string;
  offset?: number;
  limit?: number;
}

export interface TaskInfo {
  task_id: string;
  category: string;
  turns: number;
  classes: string[];
  /** Ground-truth calls over all turns (how long the task is). */
  gt_calls: number;
}

export interface EpisodeRequest {
  taskId: string;
  stage?: string;
  /** Episode settings over the stage's (field by field). */
  config?: EpisodeConfigInput;
  /** The host's resource limits (the server's, not the client's). */
  limits?: EpisodeLimits;
}

export interface BfclEnvironmentOptions {
  dataset: BfclDataset;
  packs: ReadonlyMap<string, DomainPack>;
  /** The split stages draw from and tasks are listed from by default: a name or a split spec. */
  split?: string | SplitSpecInput;
  stages?: readonly StageSpecInput[];
  /** Settings under every stage's (e.g. `{ actionFormat: "auto" }`). */
  defaultConfig?: EpisodeConfigInput;
}

export class BfclEnvironment {
  readonly dataset: BfclDataset;
  readonly packs: ReadonlyMap<string, DomainPack>;
  readonly split: string;
  readonly stages: readonly StageSpec[];
  readonly defaultConfig: EpisodeConfigInput;
  private readonly splits = new Map<string, DatasetSplit>();
  private readonly playable: BfclEntry[];

  constructor(opts: BfclEnvironmentOptions) {
    this.dataset = opts.dataset;
    this.packs = opts.packs;
    const split = getSplit(opts.split ?? "paper", this.dataset);
    // A spec is known by its name from here on (GET /v1/tasks?split=<name> finds it).
    this.split = split.name;
    this.splits.set(canonicalSplitKey(split.name), split);
    this.stages = parseStages(opts.stages ?? PAPER_STAGES);
    this.defaultConfig = opts.defaultConfig ?? {};
    this.playable = this.dataset.entries.filter((e) => this.isPlayable(e));
  }

  /** Every involved class of the entry has a loaded pack. */
  private isPlayable(e: BfclEntry): boolean {
    return e.involvedClasses.every((c) => this.packs.has(c));
  }

  /** Entries every involved class of which has a loaded pack. */
  get taskCount(): number {
    return this.playable.length;
  }

  /** A stage by its id, its name or one of its aliases (the paper's: `1`, `stage1-syntax`, `format`). */
  stage(key: string): StageSpec {
    const s = this.stages.find((x) => stageKeys(x).includes(key));
    if (!s)
      throw serverError(
        "FACTORY_ERROR",
        `Unknown curriculum stage \`${key}\`.`,
        `Use one of: ${this.stages.map((x) => stageKeys(x).join("|")).join(", ")} (GET /v1/stages).`,
      );
    return s;
  }

  task(id: string): BfclEntry {
    const e = this.dataset.byId.get(id);
    if (!e) throw serverError("TASK_NOT_FOUND", `Unknown task \`${id}\`.`, "List task ids with GET /v1/tasks.");
    return e;
  }

  /** The episode settings a session of `stage` with `config` gets (before the engine resolves them). */
  episodeConfig(stage: string | undefined, config?: EpisodeConfigInput): EpisodeConfigInput {
    return mergeEpisodeConfig(this.defaultConfig, stage === undefined ? undefined : this.stage(stage).episode, config);
  }

  /** A fresh, not yet reset episode. Throws FACTORY_ERROR / TASK_NOT_FOUND on bad input. */
  createEpisode(req: EpisodeRequest): Episode {
    const entry = this.task(req.taskId);
    return new Episode({
      entry,
      packs: this.packs,
      constants: this.dataset.longContext,
      funcDocs: this.dataset.funcDocs,
      config: this.episodeConfig(req.stage, req.config),
      ...(req.limits ? { limits: req.limits } : {}),
    });
  }

  listTasks(q: TaskQuery = {}): { tasks: TaskInfo[]; total: number; split: string; part: SplitPart | null; stage: string | null } {
    const stage = q.stage === undefined ? undefined : this.stage(q.stage);
    const splitName = q.split ?? this.split;
    const part = q.part ?? stage?.data.part ?? "train";
    const partIds = splitName === "all" ? this.playable.map((e) => e.id) : this.getSplit(splitName)[part];
    // A stage selects exactly as the trainer does (the curriculum module); a plain listing keeps dataset order.
    let entries: BfclEntry[];
    if (stage) entries = selectStageEntries(stage.data, partIds, this.dataset.byId, (e) => this.isPlayable(e));
    else if (splitName === "all") entries = this.playable;
    else {
      const ids = new Set(partIds);
      entries = this.playable.filter((e) => ids.has(e.id));
    }
    if (q.category !== undefined) entries = entries.filter((e) => e.category === q.category);
    const offset = Math.max(0, q.offset ?? 0);
    const page = entries.slice(offset, q.limit === undefined ? undefined : offset + Math.max(0, q.limit));
    return {
      tasks: page.map(taskInfo),
      total: entries.length,
      split: splitName,
      part: splitName === "all" ? null : part,
      stage: stage?.id ?? null,
    };
  }

  splitNames(): Array<{ name: string; description: string }> {
    const named = listSplits(this.dataset).map((s) => ({ name: s.name, description: s.description }));
    // A default given as a spec has no entry among the named splits; list it so clients can ask for it.
    const def = this.getSplit(this.split);
    const extra = named.some((n) => n.name === def.name)
      ? []
      : [{ name: def.name, description: `${def.description} ${JSON.stringify(def.spec)}` }];
    return [{ name: "all", description: "Every task whose domains are installed (parts do not apply)." }, ...extra, ...named];
  }

  /** Every tool of every loaded pack (first pack wins on a name clash), in OpenAI layout. */
  allTools(): OpenAITool[] {
    const seen = new Set<string>();
    const out: OpenAITool[] = [];
    for (const p of this.packs.values()) {
      for (const t of p.openaiTools) {
        if (seen.has(t.function.name)) continue;
        seen.add(t.function.name);
        out.push({ type: "function", function: t.function });
      }
    }
    return out;
  }

  /**
   * The split of a name, cached under its canonical spelling (so `ood:-A,-A`, ` ood:-A` and
   * `ood:-B,-A` / `ood:-A,-B` share one entry) and at most {@link SPLIT_CACHE_SIZE} entries, least
   * recently used out first: clients choose these strings, so they must not grow the cache.
   */
  private getSplit(name: string): DatasetSplit {
    const key = canonicalSplitKey(name);
    let s = this.splits.get(key);
    if (s) {
      this.splits.delete(key);
    } else {
      s = getSplit(name, this.dataset);
    }
    this.splits.set(key, s);
    // The default split stays: it is listed and stages draw from it.
    for (const k of this.splits.keys()) {
      if (this.splits.size <= SPLIT_CACHE_SIZE) break;
      if (k !== canonicalSplitKey(this.split)) this.splits.delete(k);
    }
    return s;
  }
}

/** Splits a server keeps built; the named ones and a few OOD combinations fit. */
export const SPLIT_CACHE_SIZE = 32;

/** A split name's cache key: trimmed, and an OOD name's classes deduplicated and sorted (they hold out the same scenarios). */
export function canonicalSplitKey(name: string): string {
  const n = name.trim();
  if (!n.startsWith("ood:")) return n;
  const classes = [
    ...new Set(
      n
        .slice(4)
        .split(",")
        .map((c) => c.trim()),
    ),
  ].sort();
  return "ood:" + classes.join(",");
}

function gtCalls(e: BfclEntry): number {
  return e.groundTruth.reduce((n, t) => n + t.length, 0);
}

function taskInfo(e: BfclEntry): TaskInfo {
  return { task_id: e.id, category: e.category, turns: e.groundTruth.length, classes: [...e.involvedClasses], gt_calls: gtCalls(e) };
}

export interface LoadEnvironmentOptions extends Omit<BfclEnvironmentOptions, "dataset" | "packs"> {
  /** BFCL data directory (else `ENVTUNE_BFCL_DATA` or the download cache). */
  dataDir?: string;
  /** A dataset of your own in the BFCL format instead of BFCL (validated against the packs). */
  dataset?: string;
  /** Domain packs: package names, paths, `installed`, `bfcl` (default: every installed pack and the BFCL packs). */
  domains?: readonly string[];
}

/** Loads the dataset and the domain packs and builds the environment. */
export async function loadBfclEnvironment(
  opts: LoadEnvironmentOptions = {},
): Promise<{ env: BfclEnvironment; missing: Array<{ specifier: string; reason: string }> }> {
  const source = await loadDataSource({ dataset: opts.dataset, dataDir: opts.dataDir }, "server");
  const { packs, missing } = await resolveDomainPacks(opts.domains);
  assertDataSourceValid(source, packs);
  const { dataDir: _d, domains: _p, dataset: _u, ...rest } = opts;
  return { env: new BfclEnvironment({ ...rest, dataset: source.ds, packs }), missing };
}
