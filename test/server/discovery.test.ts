/**
 * The server finds domain packs as `envtune domains list` does (installed packs by package
 * metadata, plus the BFCL packs) and serves a dataset of one's own: the example pack's tasks, played
 * over real HTTP with the oracle's ground-truth calls.
 */
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvtuneError } from "@envtune/core";
import { createEnvtuneServer, loadBfclEnvironment } from "@envtune/server";
import { bfclDataDir, call } from "./helpers.ts";

const exampleData = join(resolve(import.meta.dirname, "../.."), "domains/example-library/data");

describe("server domain discovery", () => {
  it("by default loads every installed pack (the example pack included) and the eight BFCL packs", async () => {
    const { env, missing } = await loadBfclEnvironment({ dataDir: bfclDataDir() });
    expect(missing).toEqual([]);
    expect([...env.packs.keys()].sort()).toEqual([
      "GorillaFileSystem",
      "LibraryAPI",
      "MathAPI",
      "MessageAPI",
      "TicketAPI",
      "TradingBot",
      "TravelAPI",
      "TwitterAPI",
      "VehicleControlAPI",
    ]);
  });

  it("serves a dataset of one's own with the packs it names, over HTTP", async () => {
    // BFCL's named splits assume 200 scenarios; a small dataset names a split spec that fits it.
    const tooSmall = await loadBfclEnvironment({ dataset: exampleData, domains: ["@envtune/domain-example-library"] }).catch(
      (e: unknown) => e,
    );
    expect((tooSmall as Error).message).toContain("fewer than the split asks for");
    const { env } = await loadBfclEnvironment({
      dataset: exampleData,
      domains: ["@envtune/domain-example-library"],
      split: { kind: "shared-id", train: 3, val: 1, test: 2 },
    });
    expect([...env.packs.keys()]).toEqual(["LibraryAPI"]);
    expect(env.split).toBe("custom:shared-id:seed=42");
    const running = await createEnvtuneServer(env).listen({ port: 0, host: "127.0.0.1" });
    try {
      const md = await call(`${running.url}/v1/info`, "GET");
      expect(md.status).toBe(200);
      expect(md.body.domains).toEqual([{ name: "example-library", class_name: "LibraryAPI", version: "0.1.0", bfcl_commit: null }]);
      const splits = await call(`${running.url}/v1/splits`, "GET");
      expect(splits.body.default).toBe("custom:shared-id:seed=42");
      expect(splits.body.splits.map((x: { name: string }) => x.name)).toContain("custom:shared-id:seed=42");
      const train = await call(`${running.url}/v1/tasks?part=train&limit=100`, "GET");
      expect(train.body.tasks.map((t: { id: string }) => t.id)).toHaveLength(6);
      const all = await call(`${running.url}/v1/tasks?split=all&limit=100`, "GET");
      expect(all.body.total).toBe(12);
      const created = await call(`${running.url}/v1/sessions`, "POST", { task_id: "multi_turn_base_0" });
      expect(created.status).toBe(201);
      expect(created.body.tools.map((t: { function?: { name: string }; name?: string }) => t.function?.name ?? t.name)).toContain(
        "search_catalog",
      );
    } finally {
      await running.close(1000);
    }
  });

  it("refuses a named pack that does not load, and BFCL data together with a dataset", async () => {
    const err = await loadBfclEnvironment({ dataset: exampleData, domains: ["@acme/domain-nowhere"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvtuneError);
    expect((err as EnvtuneError).code).toBe("DOMAIN_NOT_INSTALLED");
    expect((err as Error).message).toContain("`@acme/domain-nowhere`");
    const both = await loadBfclEnvironment({ dataset: exampleData, dataDir: bfclDataDir() }).catch((e: unknown) => e);
    expect((both as Error).message).toContain("Pass either --data (BFCL) or --dataset (your own data), not both.");
  });
});
