/**
 * Load and soak benchmarks of the envtune server. The server runs in its own process (so its RSS
 * is the server's alone); virtual clients step ground-truth trajectories over HTTP keep-alive
 * (global fetch) or WebSocket (`ws`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks, type DomainPack, type LongContextConstants } from "@envtune/core";
import { loadBfclDataset, resolveBfclDataDir, type BfclDataset, type BfclEntry } from "@envtune/bfcl-data";
import { Episode, oraclePolicy, type AssistantInput, type EpisodeConfigInput } from "@envtune/engine";
import { WebSocket } from "ws";

export interface Trajectory {
  taskId: string;
  config: EpisodeConfigInput;
  actions: AssistantInput[];
  reward: number;
}

/** Ground-truth trajectories (the oracle in OpenAI tool-call form) of `count` tasks spread over the categories. */
export async function groundTruthTrajectories(count: number, dataDir?: string): Promise<Trajectory[]> {
  const ds = loadBfclDataset(await resolveBfclDataDir(dataDir ? { dataDir } : {}));
  const { packs } = await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES));
  const playable = ds.entries.filter((e) => e.involvedClasses.every((c) => packs.has(c)));
  const byCat = new Map<string, BfclEntry[]>();
  for (const e of playable) byCat.set(e.category, [...(byCat.get(e.category) ?? []), e]);
  const cats = [...byCat.values()];
  const picked: BfclEntry[] = [];
  for (let i = 0; picked.length < Math.min(count, playable.length); i++) {
    const list = cats[i % cats.length]!;
    const e = list[Math.floor(i / cats.length) % list.length]!;
    if (!picked.includes(e)) picked.push(e);
  }
  return picked.map((e) => record(e, packs, ds.longContext, ds.funcDocs));
}

function record(
  entry: BfclEntry,
  packs: ReadonlyMap<string, DomainPack>,
  constants: LongContextConstants,
  funcDocs: BfclDataset["funcDocs"],
): Trajectory {
  const policy = oraclePolicy({ packs, style: "openai" });
  const config: EpisodeConfigInput = { ...policy.episodeConfig, observation: "tool" };
  const ep = new Episode({ entry, packs, constants, funcDocs, config });
  ep.reset();
  const actions: AssistantInput[] = [];
  while (!ep.done) {
    const a = policy.act({ entry, turn: ep.turn, attempt: ep.attempt, messages: ep.messages, tools: ep.tools }) as AssistantInput;
    actions.push(a);
    ep.step(a);
  }
  return { taskId: entry.id, config, actions, reward: ep.rewards().reward };
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Full GC in the server (started with --expose-gc), then its memory use. */
  gc(): Promise<{ memory: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage; sessions: number }>;
  stop(): Promise<void>;
}

/**
 * Starts `bench/server-child.ts` (the envtune server) or `bench/echo-child.ts` (the bare Node HTTP
 * and WebSocket floor) in a child process (TypeScript sources through tsx).
 */
export async function startServerProcess(
  opts: { capacity?: number; dataDir?: string; echo?: boolean; turnBudgetMs?: number } = {},
): Promise<ServerProcess> {
  const entry = fileURLToPath(new URL(opts.echo ? "./echo-child.ts" : "./server-child.ts", import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--expose-gc",
      ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : []),
      "--conditions=@envtune/source",
      "--import",
      "tsx",
      entry,
    ],
    {
      stdio: ["ignore", "pipe", "inherit", "ipc"],
      env: {
        ...process.env,
        BENCH_CAPACITY: String(opts.capacity ?? 4096),
        ...(opts.dataDir ? { ENVTUNE_BFCL_DATA: opts.dataDir } : {}),
        ...(opts.turnBudgetMs !== undefined ? { BENCH_TURN_BUDGET: String(opts.turnBudgetMs) } : {}),
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const m = JSON.parse(line) as { listening?: string };
        if (m.listening) resolve(m.listening);
      } catch {
        // not the announcement
      }
    });
  });
  return {
    url,
    pid: child.pid!,
    gc: () =>
      new Promise((resolve) => {
        child.once("message", (m) => resolve(m as { memory: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage; sessions: number }));
        child.send("gc");
      }),
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

// --- clients -----------------------------------------------------------------------------------

interface StepReply {
  reward: number;
  done: boolean;
}

/** One virtual client's view of a session. */
interface SessionClient {
  create(t: Trajectory, id: string): Promise<void>;
  step(action: AssistantInput): Promise<StepReply>;
  close(): Promise<void>;
}

// node:http with a keep-alive agent: lighter than fetch, so the client steals less CPU from the
// server on a shared machine.
const agent = new Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096 });

function httpJson(url: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      url,
      { method, agent, headers: data ? { "content-type": "application/json", "content-length": data.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

function httpClient(base: string): SessionClient {
  let id = "";
  return {
    async create(t, sid) {
      const r = await httpJson(`${base}/v1/sessions`, "POST", { session_id: sid, task_id: t.taskId, config: t.config });
      if (r.status !== 201) throw new Error(`create ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
      id = sid;
    },
    async step(action) {
      const r = await httpJson(`${base}/v1/sessions/${id}/step`, "POST", { message: action });
      if (r.status !== 200) throw new Error(`step ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
      return r.body as StepReply;
    },
    async close() {
      const r = await httpJson(`${base}/v1/sessions/${id}`, "DELETE");
      if (r.status !== 200) throw new Error(`delete ${r.status}`);
    },
  };
}

function wsClient(base: string): SessionClient {
  let ws: WebSocket | undefined;
  const waiters: Array<(m: any) => void> = [];
  const next = () => new Promise<any>((resolve) => waiters.push(resolve));
  const send = async (m: unknown) => {
    const p = next();
    ws!.send(JSON.stringify(m));
    const r = await p;
    if (r.type === "error") throw new Error(`ws error: ${JSON.stringify(r.data).slice(0, 200)}`);
    return r;
  };
  return {
    async create(t) {
      ws = new WebSocket(base.replace(/^http/, "ws") + "/ws", { perMessageDeflate: false });
      ws.on("message", (d) => waiters.shift()?.(JSON.parse(d.toString())));
      await new Promise<void>((resolve, reject) => {
        ws!.once("open", () => resolve());
        ws!.once("error", reject);
      });
      await send({ type: "reset", data: { task_id: t.taskId, config: t.config } });
    },
    async step(action) {
      const r = await send({ type: "step", data: { message: action } });
      return { reward: r.data.reward, done: r.data.done };
    },
    async close() {
      const closed = new Promise<void>((resolve) => ws!.once("close", () => resolve()));
      ws!.send(JSON.stringify({ type: "close" }));
      await closed;
    },
  };
}

// --- load --------------------------------------------------------------------------------------

export interface LoadOptions {
  url: string;
  transport: "http" | "ws";
  sessions: number;
  trajectories: readonly Trajectory[];
  /** Memory probe of the server (its /v1/health or the IPC gc). */
  memory: () => Promise<MemorySample>;
  /** The server is the echo floor: its rewards are not the trajectories'. */
  echo?: boolean;
}

/** The server's memory (after a full GC), its CPU time so far (µs, user + system) and its live sessions. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  sessions: number;
  cpuUs?: number;
}

export interface LoadResult {
  transport: "http" | "ws";
  sessions: number;
  steps: number;
  errors: number;
  reward_mismatches: number;
  seconds: number;
  steps_per_s: number;
  step_p50_ms: number;
  step_p99_ms: number;
  create_p50_ms: number;
  create_p99_ms: number;
  /** Server CPU time (user + system) per step, creates included: the cost that does not depend on the client. */
  server_cpu_us_per_step: number | null;
  server_rss_baseline_mb: number;
  server_rss_loaded_mb: number;
  rss_per_session_kb: number;
  heap_per_session_kb: number;
  sessions_after: number;
}

/**
 * `sessions` clients at once: all create their session, then all step their trajectory to the end
 * (measured), the server's memory is read with every session open and finished, then all delete.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const base = await o.memory();
  const clients = Array.from({ length: o.sessions }, () => (o.transport === "http" ? httpClient(o.url) : wsClient(o.url)));
  const plans = clients.map((_, i) => o.trajectories[i % o.trajectories.length]!);
  const createLat: number[] = [];
  const stepLat: number[] = [];
  let errors = 0;
  let mismatches = 0;
  const ok = new Array<boolean>(o.sessions).fill(true);
  await Promise.all(
    clients.map(async (c, i) => {
      const t0 = performance.now();
      try {
        await c.create(plans[i]!, `load-${o.transport}-${i}-${Date.now()}`);
        createLat.push(performance.now() - t0);
      } catch {
        errors++;
        ok[i] = false;
      }
    }),
  );
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, i) => {
      if (!ok[i]) return;
      let total = 0;
      try {
        for (const a of plans[i]!.actions) {
          const s0 = performance.now();
          const r = await c.step(a);
          stepLat.push(performance.now() - s0);
          total += r.reward;
        }
        if (!o.echo && Math.abs(total - plans[i]!.reward) > 1e-9) mismatches++;
      } catch {
        errors++;
        ok[i] = false;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const loaded = await o.memory();
  await Promise.all(clients.map((c, i) => (ok[i] ? c.close().catch(() => void errors++) : Promise.resolve())));
  const after = await o.memory();
  stepLat.sort((a, b) => a - b);
  createLat.sort((a, b) => a - b);
  const mb = (b: number) => round(b / 2 ** 20, 1);
  return {
    transport: o.transport,
    sessions: o.sessions,
    steps: stepLat.length,
    errors,
    reward_mismatches: mismatches,
    seconds: round(seconds),
    steps_per_s: round(stepLat.length / seconds, 1),
    step_p50_ms: round(percentile(stepLat, 50)),
    server_cpu_us_per_step:
      base.cpuUs !== undefined && loaded.cpuUs !== undefined && stepLat.length
        ? round((loaded.cpuUs - base.cpuUs) / stepLat.length, 1)
        : null,
    step_p99_ms: round(percentile(stepLat, 99)),
    create_p50_ms: round(percentile(createLat, 50)),
    create_p99_ms: round(percentile(createLat, 99)),
    server_rss_baseline_mb: mb(base.rss),
    server_rss_loaded_mb: mb(loaded.rss),
    rss_per_session_kb: round((loaded.rss - base.rss) / 1024 / o.sessions, 1),
    heap_per_session_kb: round((loaded.heapUsed - base.heapUsed) / 1024 / o.sessions, 1),
    sessions_after: after.sessions,
  };
}

// --- soak --------------------------------------------------------------------------------------

export interface SoakOptions {
  url: string;
  /** Sessions to create, step through and delete. */
  total: number;
  concurrency: number;
  trajectories: readonly Trajectory[];
  /** Server memory after a full GC. */
  memory: () => Promise<MemorySample>;
  /** Memory samples this many times over the run. */
  samples?: number;
  /** Called with each memory sample (progress output). */
  onSample?: (s: { done: number; rss_mb: number; heap_mb: number; seconds: number }) => void;
}

export interface SoakResult {
  sessions: number;
  requests: number;
  errors: number;
  seconds: number;
  requests_per_s: number;
  sessions_per_s: number;
  rss_baseline_mb: number;
  rss_end_mb: number;
  rss_max_mb: number;
  heap_baseline_mb: number;
  heap_end_mb: number;
  heap_growth_mb: number;
  sessions_after: number;
  samples: Array<{ done: number; rss_mb: number; heap_mb: number }>;
}

/** Creates, steps through and deletes `total` sessions, `concurrency` at a time; memory before, during and after. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  // Warm-up so the baseline includes JIT code and lazily built caches, not just an idle heap.
  await soakBatch(o, Math.min(o.total, o.concurrency * 4));
  const base = await o.memory();
  const samples: SoakResult["samples"] = [];
  const every = Math.max(1, Math.floor(o.total / (o.samples ?? 10)));
  let done = 0;
  let requests = 0;
  let errors = 0;
  let nextSample = every;
  let maxRss = base.rss;
  const t0 = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < o.total) {
      const i = issued++;
      const t = o.trajectories[i % o.trajectories.length]!;
      const c = httpClient(o.url);
      try {
        await c.create(t, `soak-${i}`);
        requests++;
        for (const a of t.actions) {
          await c.step(a);
          requests++;
        }
        await c.close();
        requests++;
      } catch {
        errors++;
      }
      done++;
      if (done >= nextSample) {
        nextSample += every;
        const m = await o.memory();
        maxRss = Math.max(maxRss, m.rss);
        const sample = { done, rss_mb: round(m.rss / 2 ** 20, 1), heap_mb: round(m.heapUsed / 2 ** 20, 1) };
        samples.push(sample);
        o.onSample?.({ ...sample, seconds: round((performance.now() - t0) / 1000, 1) });
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const end = await o.memory();
  const mb = (b: number) => round(b / 2 ** 20, 1);
  return {
    sessions: o.total,
    requests,
    errors,
    seconds: round(seconds),
    requests_per_s: round(requests / seconds, 1),
    sessions_per_s: round(o.total / seconds, 1),
    rss_baseline_mb: mb(base.rss),
    rss_end_mb: mb(end.rss),
    rss_max_mb: mb(Math.max(maxRss, end.rss)),
    heap_baseline_mb: mb(base.heapUsed),
    heap_end_mb: mb(end.heapUsed),
    heap_growth_mb: mb(end.heapUsed - base.heapUsed),
    sessions_after: end.sessions,
    samples,
  };
}

async function soakBatch(o: SoakOptions, n: number): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < n) {
      const k = i++;
      const t = o.trajectories[k % o.trajectories.length]!;
      const c = httpClient(o.url);
      await c.create(t, `warm-${k}-${Date.now()}`);
      for (const a of t.actions) await c.step(a);
      await c.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, o.concurrency) }, worker));
}

/** Memory probe through the IPC `gc` of a bench server process. */
export function gcProbe(p: ServerProcess): () => Promise<MemorySample> {
  return async () => {
    const r = await p.gc();
    return { rss: r.memory.rss, heapUsed: r.memory.heapUsed, sessions: r.sessions, cpuUs: r.cpu.user + r.cpu.system };
  };
}

// --- saturation --------------------------------------------------------------------------------

export interface SaturationOptions {
  url: string;
  /** Keep-alive clients stepping without pause (create, step to the end, delete, again). */
  sessions: number;
  trajectories: readonly Trajectory[];
  /** Requests on fresh connections (GET /health, one connection each) sent while saturated. */
  fresh: number;
  /** Over how long the fresh requests are spread (ms). */
  spreadMs?: number;
  /** Give up on a fresh request after this long (ms); it counts as a timeout. */
  timeoutMs?: number;
}

export interface SaturationResult {
  sessions: number;
  fresh: number;
  fresh_ok: number;
  fresh_timeouts: number;
  fresh_p50_ms: number;
  fresh_p99_ms: number;
  fresh_max_ms: number;
  /** Deepest accept queue of the listening socket seen (Recv-Q in `ss -lnt`: connections the kernel completed and the server has not accepted). */
  accept_queue_max: number;
  /** Steps the saturating clients made per second meanwhile. */
  load_steps_per_s: number;
}

/**
 * What a liveness probe or a reconnecting trainer sees while `sessions` clients keep the server
 * busy: the latency of requests on fresh connections, and the listening socket's accept queue.
 */
export async function runSaturation(o: SaturationOptions): Promise<SaturationResult> {
  const port = Number(new URL(o.url).port);
  let stop = false;
  let steps = 0;
  const loop = async (i: number) => {
    const t = o.trajectories[i % o.trajectories.length]!;
    for (let round = 0; !stop; round++) {
      const c = httpClient(o.url);
      try {
        await c.create(t, `sat-${i}-${round}-${Date.now()}`);
        for (const a of t.actions) {
          if (stop) break;
          await c.step(a);
          steps++;
        }
        await c.close();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const clients = Array.from({ length: o.sessions }, (_, i) => loop(i));
  // Let every client get its connection and the server its backlog of work.
  await new Promise((r) => setTimeout(r, 2000));
  let queueMax = 0;
  const sampler = setInterval(() => (queueMax = Math.max(queueMax, acceptQueue(port))), 50);
  const t0 = performance.now();
  const steps0 = steps;
  const spread = o.spreadMs ?? 2000;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const lat: number[] = [];
  let timeouts = 0;
  await Promise.all(
    Array.from({ length: o.fresh }, async (_, k) => {
      await new Promise((r) => setTimeout(r, (k * spread) / o.fresh));
      const s0 = performance.now();
      const ok = await freshGet(o.url + "/health", timeoutMs);
      if (ok) lat.push(performance.now() - s0);
      else timeouts++;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const loadSteps = steps - steps0;
  clearInterval(sampler);
  stop = true;
  await Promise.all(clients);
  lat.sort((a, b) => a - b);
  return {
    sessions: o.sessions,
    fresh: o.fresh,
    fresh_ok: lat.length,
    fresh_timeouts: timeouts,
    fresh_p50_ms: round(percentile(lat, 50)),
    fresh_p99_ms: round(percentile(lat, 99)),
    fresh_max_ms: round(lat[lat.length - 1] ?? 0),
    accept_queue_max: queueMax,
    load_steps_per_s: round(loadSteps / seconds, 1),
  };
}

/** One GET on a connection of its own (no agent, `connection: close`); false on error or timeout. */
function freshGet(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: "close" }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve((res.statusCode ?? 0) < 500));
      res.on("error", () => resolve(false));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** The accept queue (rx_queue of the LISTEN entry in /proc/net/tcp) of a local port; 0 where unreadable. */
function acceptQueue(port: number): number {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === "0A") return parseInt(f[4]!.split(":")[1]!, 16);
    }
  } catch {
    // Not Linux.
  }
  return 0;
}
