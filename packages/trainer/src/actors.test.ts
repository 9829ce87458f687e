import { beforeAll, describe, expect, it } from "vitest";
import { parseAction, type DomainPack } from "@envtune/core";
import { Episode, runEpisode } from "@envtune/engine";
import { Rng, TfjsPolicy, selectBackend } from "@envtune/policy-tfjs";
import { alwaysAnswerActor, enginePolicy, policyActor, randomValidActor } from "./actors.ts";
import { runEpisodes } from "./rollout.ts";
import { bfclPacks, bfclWorld, ds } from "./__fixtures__/bfcl.ts";

let packs: Map<string, DomainPack>;
const ids = ["multi_turn_base_0", "multi_turn_miss_param_5", "multi_turn_long_context_3"];

beforeAll(async () => {
  await selectBackend({});
  packs = await bfclPacks();
});

describe("actors", () => {
  it("random-valid-call sends schema-valid calls; always-answer never calls", async () => {
    const entries = ids.map((id) => ds.byId.get(id)!);
    const world = bfclWorld(packs);
    const specs = entries.map((entry, i) => ({ entry, config: { protocol: "paper" as const }, group: i }));
    const seen: string[] = [];
    const actor = randomValidActor();
    const wrapped = {
      name: actor.name,
      act: (obs: Parameters<typeof actor.act>[0], rng: Rng) => {
        const out = actor.act(obs, rng);
        for (const o of out) seen.push(o.text);
        return out;
      },
    };
    await runEpisodes(specs, world, wrapped, new Rng(3));
    const calls = seen.map((t) => parseAction(t, { format: "envelope" })).filter((r) => r.ok && r.kind === "tool_calls");
    expect(calls.length).toBeGreaterThan(5);
    for (const r of calls) {
      if (!r.ok || r.kind !== "tool_calls") continue;
      const c = r.calls[0]!;
      const pack = [...packs.values()].find((p) => p.toolMap.has(c.name))!;
      const args = Object.fromEntries(c.kwargs.map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));
      expect(pack.validateArgs(c.name, args).ok, `${c.name}(${JSON.stringify(args)})`).toBe(true);
    }
    const answers = await runEpisodes(specs, world, alwaysAnswerActor(), new Rng(3));
    for (const r of answers) {
      expect(r.steps).toBe(r.turnCount);
      expect(r.passed.filter((p, t) => p && r.gtNonEmpty[t])).toEqual([]);
    }
  });

  it("the engine Policy adapter acts exactly like the batched actor (same observations from the messages)", async () => {
    const policy = TfjsPolicy.create({}, 13);
    const entries = ids.map((id) => ds.byId.get(id)!);
    const world = bfclWorld(packs);
    const batched = await runEpisodes(
      entries.map((entry, i) => ({ entry, config: { protocol: "paper" as const }, group: i })),
      world,
      policyActor(policy, { greedy: true }),
      new Rng(1),
    );
    const adapter = enginePolicy(policy, { greedy: true });
    for (const [i, entry] of entries.entries()) {
      const ep = new Episode({
        entry,
        packs,
        constants: ds.longContext,
        funcDocs: ds.funcDocs,
        config: { protocol: "paper", ...adapter.episodeConfig },
      });
      const tr = await runEpisode(ep, adapter);
      expect(tr.turns.map((t) => t.passed)).toEqual(batched[i]!.turns.map((t) => t.passed));
      expect(tr.steps.length).toBe(batched[i]!.steps);
    }
  });
});
