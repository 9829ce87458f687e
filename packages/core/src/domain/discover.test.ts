import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvtuneError } from "../errors.ts";
import { discoverDomainPackages, domainSpecifiers, isDomainPackage, resolveDomainPacks } from "./discover.ts";
import { BFCL_DOMAIN_PACKAGES, requirePacks } from "./load.ts";

const root = mkdtempSync(join(tmpdir(), "envtune-discover-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A package in `root/node_modules` whose entry is a plain ESM module (no build, no workspace link). */
function pkg(name: string, json: Record<string, unknown>, entry = "export default {};\n"): string {
  const dir = join(root, "node_modules", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3", type: "module", exports: "./index.js", ...json }));
  writeFileSync(join(dir, "index.js"), entry);
  return dir;
}

pkg("@acme/domain-garden", { envtune: { domain: true } });
pkg("envtune-domain-kitchen", { keywords: ["envtune-domain"], version: "0.0.7" });
pkg("left-pad", { keywords: ["pad"] });
pkg("@acme/not-a-pack", { envtune: { domain: true } }, "export default { hello: 1 };\n");

describe("isDomainPackage", () => {
  it("accepts the envtune.domain flag or the envtune-domain keyword, nothing else", () => {
    expect(isDomainPackage({ envtune: { domain: true } })).toBe(true);
    expect(isDomainPackage({ keywords: ["x", "envtune-domain"] })).toBe(true);
    expect(isDomainPackage({ envtune: { domain: "yes" } })).toBe(false);
    expect(isDomainPackage({ keywords: "envtune-domain" })).toBe(false);
    expect(isDomainPackage({})).toBe(false);
  });
});

describe("discoverDomainPackages", () => {
  it("finds packs in node_modules by metadata, scoped or not, with versions, sorted", () => {
    const found = discoverDomainPackages([join(root, "sub", "dir")]);
    expect(found.map((p) => [p.name, p.version])).toEqual([
      ["@acme/domain-garden", "1.2.3"],
      ["@acme/not-a-pack", "1.2.3"],
      ["envtune-domain-kitchen", "0.0.7"],
    ]);
  });
});

describe("domainSpecifiers", () => {
  const discovered = [{ name: "@acme/domain-garden", version: "1.2.3", dir: "/x" }];
  it("defaults to every installed pack plus the BFCL packs", () => {
    const { specs, explicit } = domainSpecifiers(undefined, discovered);
    expect(specs).toEqual(["@acme/domain-garden", ...Object.values(BFCL_DOMAIN_PACKAGES)]);
    expect(explicit.size).toBe(0);
  });
  it("expands the groups, splits commas, drops duplicates and marks named items explicit", () => {
    const { specs, explicit } = domainSpecifiers(["installed, @acme/other", "@acme/domain-garden"], discovered);
    expect(specs).toEqual(["@acme/domain-garden", "@acme/other"]);
    expect([...explicit]).toEqual(["@acme/other", "@acme/domain-garden"]);
  });
});

describe("resolveDomainPacks", () => {
  it("an explicitly named pack that does not load is an error naming it", async () => {
    const err = await resolveDomainPacks(["@acme/never-published"], { from: [root] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvtuneError);
    expect((err as EnvtuneError).code).toBe("DOMAIN_NOT_INSTALLED");
    expect((err as Error).message).toContain("`@acme/never-published`");
  });
  it("groups load what they can: an installed pack that fails to import is reported, not thrown", async () => {
    const other = mkdtempSync(join(tmpdir(), "envtune-discover-broken-"));
    try {
      const dir = join(other, "node_modules", "@acme", "broken-pack");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ name: "@acme/broken-pack", version: "0.1.0", type: "module", exports: "./index.js", envtune: { domain: true } }),
      );
      writeFileSync(join(dir, "index.js"), 'throw new Error("boom at import");\n');
      const r = await resolveDomainPacks(["installed"], { from: [other] });
      expect(r.packs.size).toBe(0);
      expect(r.discovered.map((d) => d.name)).toEqual(["@acme/broken-pack"]);
      expect(r.missing).toEqual([{ specifier: "@acme/broken-pack", reason: expect.stringContaining("boom at import") }]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
  it("the `bfcl` group loads the eight BFCL packs, keyed by class, with where each came from", async () => {
    const r = await resolveDomainPacks(["bfcl"], { from: [root] });
    expect([...r.packs.keys()].sort()).toEqual(Object.keys(BFCL_DOMAIN_PACKAGES).sort());
    expect(r.sources.get("TwitterAPI")).toBe("@envtune/domain-posting");
    expect(r.missing).toEqual([]);
  });
  it("a path to something that is not a pack is refused with a fix hint", async () => {
    const err = await resolveDomainPacks([join(root, "node_modules/@acme/not-a-pack/index.js")]).catch((e: unknown) => e);
    expect((err as EnvtuneError).code).toBe("NOT_A_DOMAIN_PACK");
    expect((err as Error).message).toMatch(/defineDomain/);
  });
});

describe("requirePacks", () => {
  it("names the npm package of a missing BFCL class", () => {
    expect(() => requirePacks(new Map(), ["TwitterAPI"], "Entry multi_turn_base_3")).toThrowError(
      /Entry multi_turn_base_3 needs TwitterAPI, which no loaded domain pack implements\.[\s\S]*npm install @envtune\/domain-posting/,
    );
  });
  it("for a class that is not BFCL's, asks for its pack instead of inventing a package name", () => {
    let msg = "";
    try {
      requirePacks(new Map(), ["GardenAPI"], "Entry multi_turn_base_0");
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain("needs GardenAPI");
    expect(msg).toContain("Install the domain pack that implements GardenAPI and load it (--domains <package or path>)");
    expect(msg).not.toContain("npm install GardenAPI");
  });
});
