import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { currentBackend, selectBackend } from "./backend.ts";

describe("backend selection", () => {
  it("falls back to a working backend, installs the fast gradients on wasm/cpu, and logs the choice", async () => {
    const lines: string[] = [];
    const info = await selectBackend({ log: (l) => lines.push(l), env: {} });
    expect(["tensorflow", "wasm", "cpu"]).toContain(info.name);
    expect(info.fastGradients).toBe(info.name !== "tensorflow");
    expect(currentBackend()).toBe(info);
    // the second call returns the first choice and may not switch
    expect(await selectBackend({ env: {} })).toBe(info);
    const other = info.name === "cpu" ? "wasm" : "cpu";
    await expect(selectBackend({ backend: other })).rejects.toThrow(/already/);
  });

  it("rejects an unknown TF_BACKEND", async () => {
    await expect(selectBackend({ env: { TF_BACKEND: "gpu-please" } })).rejects.toThrow(
      /TF_BACKEND is `gpu-please`.*Use one of: auto, tensorflow, wasm, cpu/,
    );
  });

  it("fails loudly when a forced backend cannot load (TF_BACKEND=tensorflow without the native binding)", () => {
    const script = `import { selectBackend } from ${JSON.stringify(fileURLToPath(new URL("./backend.ts", import.meta.url)))};
try { const i = await selectBackend({}); console.log("OK " + i.name); } catch (e) { console.log("ERR " + e.message.split("\\n")[0]); }`;
    const out = execFileSync(process.execPath, ["--conditions=@envtune/source", "--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, TF_BACKEND: "tensorflow" },
    });
    // Where tfjs-node-gpu works the forced backend loads; elsewhere the error says what to do.
    expect(out).toMatch(
      /^OK tensorflow|^ERR \[envtune\] \[policy-tfjs\] The TensorFlow.js backend `tensorflow` was requested but could not be loaded/m,
    );
  }, 60_000);
});
