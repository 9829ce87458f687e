import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvtuneError } from "@envtune/core";
import { assertDataSourceValid, loadDataSource } from "./source.ts";

// The shared folder sits beside the repository (CI has it there too).
const shared = process.env.ENVTUNE_SHARED_DIR
  ? resolve(process.env.ENVTUNE_SHARED_DIR)
  : resolve(import.meta.dirname, "../../../../shared");
const bfclDataDir = () => join(shared, "bfcl/data");
const exampleData = join(resolve(import.meta.dirname, "../../.."), "domains/example-library/data");

describe("loadDataSource", () => {
  it("reads a dataset of one's own when given, else BFCL", async () => {
    const own = await loadDataSource({ dataset: exampleData }, "eval");
    expect([own.user, own.path, own.ds.entries.length]).toEqual([true, exampleData, 12]);
    const bfcl = await loadDataSource({ dataDir: bfclDataDir() }, "eval");
    expect([bfcl.user, bfcl.ds.entries.length]).toEqual([false, 800]);
  });
  it("refuses both at once with a usage error of the caller's scope", async () => {
    const err = await loadDataSource({ dataset: exampleData, dataDir: bfclDataDir() }, "train").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvtuneError);
    expect((err as EnvtuneError).code).toBe("USAGE");
    expect((err as Error).message).toMatch(
      /^\[envtune\] \[train\] Both BFCL data .* Pass either --data \(BFCL\) or --dataset \(your own data\), not both\.$/,
    );
  });
  it("checks a dataset of one's own against the packs, and leaves BFCL alone", async () => {
    const own = await loadDataSource({ dataset: exampleData }, "eval");
    // No pack implements LibraryAPI: every entry names an unknown class.
    expect(() => assertDataSourceValid(own, new Map())).toThrow(/The dataset `.*example-library\/data` has \d+ error/);
    expect(() => assertDataSourceValid(own, new Map(), [])).not.toThrow();
    const bfcl = await loadDataSource({ dataDir: bfclDataDir() }, "eval");
    expect(() => assertDataSourceValid(bfcl, new Map())).not.toThrow();
  });
});
