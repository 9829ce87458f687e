import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRegistry, type NamedFactory } from "./registry.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-registry-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Widget extends NamedFactory {
  readonly options: z.ZodObject;
  create(options: { size: number }, unit: string): string;
}
const options = z.object({ size: z.number().int().positive().default(1), color: z.enum(["red", "blue"]).optional() }).strict();
const widget = (name: string): Widget => ({ name, options, create: (o, unit) => `${name}:${o.size}${unit}` });
const labels = {
  noun: "widget",
  code: "WIDGET",
  scope: "test",
  unknownHint: "Register it first.",
  optionsPath: "widget.options",
  moduleExports: ["widget"],
};

describe("createRegistry", () => {
  it("registers once, replaces on purpose, refuses bad names", () => {
    const r = createRegistry<Widget>(labels);
    r.register(widget("b"));
    r.register(widget("a"));
    expect(r.names()).toEqual(["a", "b"]);
    expect(() => r.register(widget("a"))).toThrow(expect.objectContaining({ code: "WIDGET_EXISTS", scope: "test" }));
    const other = widget("a");
    r.register(other, { replace: true });
    expect(r.get("a")).toBe(other);
    expect(() => r.register(widget("Not OK"))).toThrow(expect.objectContaining({ code: "BAD_WIDGET_NAME" }));
  });

  it("names the known entries when a name is unknown", () => {
    const r = createRegistry<Widget>(labels);
    r.register(widget("gear"));
    r.register(widget("bolt"));
    expect(() => r.get("nut")).toThrow(
      expect.objectContaining({
        code: "UNKNOWN_WIDGET",
        message: expect.stringMatching(/No widget named `nut`.*known: bolt, gear.*Register it first\./s),
      }),
    );
  });

  it("validates options with the factory's schema, listing every issue, and creates with context", () => {
    const r = createRegistry<Widget>(labels);
    r.register(widget("gear"));
    expect(r.create("gear", {}, "mm")).toBe("gear:1mm");
    expect(r.create("gear", { size: 3 }, "cm")).toBe("gear:3cm");
    try {
      r.parseOptions("gear", { size: -1, color: "green", extra: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "INVALID_WIDGET_OPTIONS" });
      const details = (e as { details: string[] }).details;
      expect(details).toHaveLength(3);
      expect(details.join("\n")).toMatch(/widget\.options\.size/);
      expect(details.join("\n")).toMatch(/widget\.options\.color/);
    }
  });

  it("imports a factory from a module: default or named export, missing file, no factory, taken name", async () => {
    const r = createRegistry<Widget>(labels);
    const body = (name: string) =>
      `{ name: "${name}", options: { safeParse: (x) => ({ success: true, data: x }) }, create: (o, unit) => "m" + unit }`;
    writeFileSync(join(tmp, "def.mjs"), `export default ${body("from-default")};`);
    writeFileSync(join(tmp, "named.mjs"), `export const widget = ${body("from-named")};`);
    writeFileSync(join(tmp, "none.mjs"), "export const x = 1;");
    writeFileSync(join(tmp, "broken.mjs"), "export default {;");
    writeFileSync(join(tmp, "taken.mjs"), `export default ${body("gear")};`);
    r.register(widget("gear"));
    const f = await r.importModule(join(tmp, "def.mjs"));
    expect(f.name).toBe("from-default");
    expect(r.create("from-default", {}, "x")).toBe("mx");
    expect(await r.importModule(join(tmp, "def.mjs"))).toBe(f); // the same module again: no-op
    expect((await r.importModule(join(tmp, "named.mjs"))).name).toBe("from-named");
    await expect(r.importModule(join(tmp, "missing.mjs"))).rejects.toMatchObject({ code: "WIDGET_MODULE_NOT_FOUND" });
    await expect(r.importModule("@envtune/no-such-package")).rejects.toMatchObject({ code: "WIDGET_MODULE_NOT_FOUND" });
    await expect(r.importModule(join(tmp, "none.mjs"))).rejects.toMatchObject({ code: "BAD_WIDGET_MODULE" });
    await expect(r.importModule(join(tmp, "broken.mjs"))).rejects.toMatchObject({ code: "BAD_WIDGET_MODULE" });
    await expect(r.importModule(join(tmp, "taken.mjs"))).rejects.toMatchObject({ code: "WIDGET_EXISTS" });
  });
});
