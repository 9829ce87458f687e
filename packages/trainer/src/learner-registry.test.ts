import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseTrainConfig, presetConfig } from "./config.ts";
import { importLearner, learnerFactory, learnerNames, parseLearnerOptions, registerLearner, resolveLearner } from "./learner-registry.ts";
import type { LearnerFactory } from "./learner.ts";

const tmp = mkdtempSync(join(tmpdir(), "envtune-learners-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const options = z.object({ lr: z.number().positive().default(1) }).strict();
const dummy = (name: string): LearnerFactory<typeof options> => ({
  name,
  description: "test",
  options,
  create: () => {
    throw new Error("not used");
  },
});

describe("learner registry", () => {
  it("has grpo-tfjs built in, the config's default", () => {
    expect(learnerNames()).toContain("grpo-tfjs");
    expect(presetConfig("quick").learner).toEqual({ name: "grpo-tfjs", options: {} });
    expect(() => parseLearnerOptions("grpo-tfjs", { lr: 1 })).toThrow(expect.objectContaining({ code: "INVALID_LEARNER_OPTIONS" }));
  });

  it("registers a factory once, validates its options with its own schema and names what is wrong", () => {
    registerLearner(dummy("reg-test"));
    expect(learnerFactory("reg-test").description).toBe("test");
    expect(parseLearnerOptions("reg-test", {})).toEqual({ lr: 1 });
    expect(() => registerLearner(dummy("reg-test"))).toThrow(expect.objectContaining({ code: "LEARNER_EXISTS" }));
    registerLearner({ ...dummy("reg-test"), description: "replaced" }, { replace: true });
    expect(learnerFactory("reg-test").description).toBe("replaced");
    expect(() => registerLearner(dummy("Bad Name"))).toThrow(expect.objectContaining({ code: "BAD_LEARNER_NAME" }));
    try {
      parseLearnerOptions("reg-test", { lr: -1, extra: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "INVALID_LEARNER_OPTIONS" });
      expect((e as { details: string[] }).details.join("\n")).toMatch(/learner\.options\.lr/);
    }
    expect(() => learnerFactory("nope")).toThrow(/No learner named `nope`.*grpo-tfjs.*registerLearner/s);
  });

  it("imports a learner from a module named in the config, and refuses modules without one", async () => {
    const good = join(tmp, "good.mjs");
    // A plain module outside the repository (no zod to import there): any schema with safeParse.
    writeFileSync(
      good,
      `export default { name: "from-module", description: "m", options: { safeParse: (x) => ({ success: true, data: x }) }, create() { throw new Error("x"); } };`,
    );
    const config = parseTrainConfig({ ...presetConfig("quick"), learner: { name: "from-module", module: good } });
    expect(learnerNames()).not.toContain("from-module");
    await expect(resolveLearner(config.learner)).resolves.toEqual({});
    expect(learnerNames()).toContain("from-module");
    const empty = join(tmp, "empty.mjs");
    writeFileSync(empty, "export const x = 1;");
    await expect(importLearner(empty)).rejects.toMatchObject({ code: "BAD_LEARNER_MODULE" });
    await expect(importLearner(join(tmp, "missing.mjs"))).rejects.toMatchObject({ code: "LEARNER_MODULE_NOT_FOUND" });
  });
});
