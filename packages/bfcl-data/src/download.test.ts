import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeValue } from "@envtune/core";
import { downloadBfclData, resolveBfclDataDir, verifyBfclData } from "./download.ts";
import { loadBfclDataset, loadLongContext } from "./load.ts";
import { BFCL_COMMIT, BFCL_FILES, BFCL_REPO, LONG_CONTEXT_PY } from "./manifest.ts";

const shared = process.env.ENVTUNE_SHARED_DIR ?? resolve(import.meta.dirname, "../../../../shared");
const dataDir = join(shared, "bfcl/data");

/** A loopback server laid out like raw.githubusercontent.com for the pinned commit. */
function upstreamServer(mutate?: (path: string, body: Buffer) => Buffer | undefined) {
  const files = new Map<string, string>();
  for (const f of BFCL_FILES) files.set(`/${BFCL_REPO}/${BFCL_COMMIT}/${f.upstream}`, join(dataDir, f.local));
  files.set(`/${BFCL_REPO}/${BFCL_COMMIT}/${LONG_CONTEXT_PY.upstream}`, join(shared, "bfcl/upstream/long_context.py"));
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const file = files.get(req.url ?? "");
    if (!file) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = readFileSync(file);
    const out = mutate ? mutate(req.url!, body) : body;
    if (!out) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(out);
  });
  return { server, requests: () => requests };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  return `http://127.0.0.1:${addr.port}`;
}

describe("downloadBfclData against a loopback upstream", () => {
  const tmp = mkdtempSync(join(tmpdir(), "envtune-dl-"));
  const good = upstreamServer();
  let base = "";
  beforeAll(async () => {
    base = await listen(good.server);
  });
  afterAll(() => {
    good.server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("fetches every pinned file, verifies checksums and caches them", async () => {
    const cache = join(tmp, "cache");
    const events: string[] = [];
    const dir = await downloadBfclData({ cacheDir: cache, baseUrl: base, onProgress: (e) => events.push(`${e.file}:${e.cached}`) });
    expect(dir).toBe(cache);
    expect(verifyBfclData(dir)).toEqual([]);
    expect(events).toHaveLength(BFCL_FILES.length + 1);
    const before = good.requests();
    await downloadBfclData({ cacheDir: cache, baseUrl: base });
    expect(good.requests()).toBe(before); // all cached
    const ds = loadBfclDataset(dir);
    expect(ds.entries).toHaveLength(800);
    // With no explicit directory configured, a complete cache is what resolves.
    const saved = process.env.ENVTUNE_BFCL_DATA;
    delete process.env.ENVTUNE_BFCL_DATA;
    try {
      expect(await resolveBfclDataDir({ downloadOptions: { cacheDir: cache } })).toBe(cache);
    } finally {
      if (saved !== undefined) process.env.ENVTUNE_BFCL_DATA = saved;
    }
  });

  it("reads long_context.py as literals, giving the same constants as long_context.json", async () => {
    const cache = join(tmp, "cache");
    expect(existsSync(join(cache, "long_context.py"))).toBe(true);
    const fromPy = loadLongContext(cache);
    const fromJson = loadLongContext(dataDir);
    expect([...fromPy.keys()].sort()).toEqual([...fromJson.keys()].sort());
    for (const [k, v] of fromJson) expect(encodeValue(fromPy.get(k)!), k).toBe(encodeValue(v));
  });

  it("refuses a corrupted file and caches nothing for it", async () => {
    const bad = upstreamServer((path, body) => (path.endsWith("math_api.json") ? Buffer.concat([body, Buffer.from(" ")]) : body));
    const url = await listen(bad.server);
    const cache = join(tmp, "corrupt");
    await expect(downloadBfclData({ cacheDir: cache, baseUrl: url })).rejects.toMatchObject({ code: "BFCL_CHECKSUM_MISMATCH" });
    expect(existsSync(join(cache, "func_doc/math_api.json"))).toBe(false);
    bad.server.close();
  });

  it("reports an unreachable or failing upstream with a fix hint", async () => {
    const cache = join(tmp, "fail");
    const failing = upstreamServer(() => undefined);
    const url = await listen(failing.server);
    await expect(downloadBfclData({ cacheDir: cache, baseUrl: url })).rejects.toMatchObject({ code: "BFCL_DOWNLOAD_FAILED" });
    failing.server.close();
    await expect(resolveBfclDataDir({ dataDir: tmp })).rejects.toMatchObject({ code: "BFCL_DATA_NOT_FOUND" });
  });
});

describe("loadBfclDataset", () => {
  it("loads 800 entries with Python types and ground truth", () => {
    const ds = loadBfclDataset(dataDir);
    expect(ds.entries).toHaveLength(800);
    const counts = new Map<string, number>();
    for (const e of ds.entries) counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ base: 200, miss_func: 200, miss_param: 200, long_context: 200 });
    expect(ds.entries.reduce((n, e) => n + e.groundTruth.flat().length, 0)).toBe(4625);
    expect(ds.entries.filter((e) => e.longContext)).toHaveLength(200);
    expect(ds.funcDocs.size).toBe(8);
    expect(ds.longContext.get("WATCH_LIST_EXTENSION")).toHaveLength(1001);
  });
});
