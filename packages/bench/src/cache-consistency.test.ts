/**
 * The caches that make replay and checking fast must never change an answer. Every ground-truth
 * and fuzz trajectory (the fuzz trace drives every tool through its odd argument and error paths)
 * is run call by call, and after every call `World.encodedView` (per-class text kept until a tool
 * of the class runs, per-attribute texts kept while nothing below the attribute changed) must equal
 * an encoding made from a deep copy of the view, where no cached text can exist.
 * And no episode may leave a cached text on the dataset's own objects (benchmark repetitions would
 * reuse it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PyDict, PyTuple, World, encodeView, parsePythonCalls, pyDeepCopy, replayCalls, type PyValue } from "@envtune/core";
import { checkEntry } from "@envtune/checker";
import { loadFixtures, sharedDir, type Fixtures } from "./fixtures.ts";

interface Trajectory {
  id: string;
  turns: string[][];
}

function readTrajectories(file: string): Trajectory[] {
  const out: Trajectory[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; turns: Array<{ calls: Array<{ call: string }> }> };
    out.push({ id: r.id, turns: r.turns.map((t) => t.calls.map((c) => c.call)) });
  }
  return out;
}

let fx: Fixtures;
let trajectories: Trajectory[];

beforeAll(async () => {
  fx = await loadFixtures();
  const traces = join(sharedDir(), "bfcl/traces");
  trajectories = [...readTrajectories(join(traces, "ground_truth.jsonl")), ...readTrajectories(join(traces, "fuzz.jsonl"))];
}, 60_000);

/** The encoded view computed from scratch: a deep copy has no cached texts anywhere below it. */
function uncachedEncoding(world: World, className: string): string {
  return encodeView(world.view(className).map(([k, v]) => [k, pyDeepCopy(v as PyValue)] as const));
}

describe("encoding caches", () => {
  it("every class's cached encoding equals a from-scratch encoding after every call (GT and fuzz traces)", () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const t of trajectories) {
      const entry = fx.dataset.byId.get(t.id)!;
      const packs = entry.involvedClasses.map((c) => fx.packs.get(c)!);
      const world = new World({
        packs,
        initialConfig: entry.initialConfig,
        longContext: entry.longContext,
        constants: fx.dataset.longContext,
        shared: new Map(),
      });
      const compare = (where: string): void => {
        for (const c of entry.involvedClasses) {
          checked++;
          if (world.encodedView(c) !== uncachedEncoding(world, c) && wrong.length < 5) wrong.push(`${t.id} ${where} ${c}`);
        }
      };
      compare("initial");
      t.turns.forEach((calls, ti) => {
        for (const text of calls) {
          let parsed;
          try {
            parsed = parsePythonCalls(text);
          } catch {
            continue;
          }
          for (const call of parsed) world.call(call);
          compare(`turn ${ti} after ${text}`);
        }
      });
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  }, 120_000);
});

describe("benchmark honesty", () => {
  it("no dict of the dataset's initial_config carries a cached trace text after replay and checking", () => {
    // A state that shares a dict with the dataset would cache that dict's text on the dataset's
    // object, and every later episode of the entry (every benchmark repetition) would reuse it.
    for (const r of fx.gt) {
      replayCalls(r, {
        packs: fx.packs,
        initialConfig: r.entry.initialConfig,
        involvedClasses: r.entry.involvedClasses,
        constants: fx.dataset.longContext,
      });
      checkEntry(
        r.entry,
        r.entry.groundTruth.map((c) => (c.length ? [c] : [])),
        { packs: fx.packs, constants: fx.dataset.longContext },
      );
    }
    const carrying: string[] = [];
    const walk = (v: PyValue, path: string): void => {
      if (v instanceof PyDict) {
        if (v._text !== undefined && carrying.length < 5) carrying.push(path);
        for (const [k, x] of v) walk(x, `${path}.${String(k)}`);
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v instanceof PyTuple) v.items.forEach((x, i) => walk(x, `${path}(${i})`));
    };
    for (const r of fx.gt) walk(r.entry.initialConfig, r.id);
    expect(carrying).toEqual([]);
  }, 120_000);

  it("two worlds of one entry share no container that worlds of another entry do not share too", () => {
    // Sharing across every entry is a constant (module defaults, long-context constants); sharing
    // only within an entry would be that entry's initial state, built once and reused by every
    // episode of it (and its cached texts with it).
    const containers = (w: World, classes: readonly string[]): Set<object> => {
      const seen = new Set<object>();
      const walk = (v: PyValue): void => {
        if (typeof v !== "object" || v === null || seen.has(v)) return;
        seen.add(v);
        if (v instanceof PyDict) for (const [, x] of v) walk(x);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v instanceof PyTuple) v.items.forEach(walk);
      };
      for (const c of classes) for (const [, v] of w.view(c)) walk(v);
      return seen;
    };
    const build = (r: (typeof fx.gt)[number]): World =>
      new World({
        packs: r.entry.involvedClasses.map((c) => fx.packs.get(c)!),
        initialConfig: r.entry.initialConfig,
        longContext: r.longContext,
        constants: fx.dataset.longContext,
        shared: new Map(),
      });
    const perEntry: string[] = [];
    let pairs = 0;
    for (const r of fx.gt) {
      const other = fx.gt.find(
        (o) => o !== r && o.longContext === r.longContext && o.entry.involvedClasses.join() === r.entry.involvedClasses.join(),
      );
      if (!other) continue;
      pairs++;
      const a = containers(build(r), r.entry.involvedClasses);
      const b = containers(build(r), r.entry.involvedClasses);
      const c = containers(build(other), r.entry.involvedClasses);
      for (const o of a) if (b.has(o) && !c.has(o) && perEntry.length < 5) perEntry.push(`${r.id} (vs ${other.id})`);
    }
    expect(perEntry).toEqual([]);
    expect(pairs).toBeGreaterThan(700);
  }, 120_000);
});
