/**
 * A fleet without a single point of failure: two real `envtune serve` processes on loopback, the
 * Python `EnvtuneClient` given both URLs (or `envtune route` in front of them). One server is
 * SIGKILLed half-way: only its sessions fail, with a clear error naming it; every new session
 * goes to the live server; the live server's episodes still sum to the episode reward.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeSession } from "@envtune/server";
import { main } from "../../packages/cli/src/index.ts";
import { bfclDataDir, call, oracleRun, type OracleRun } from "./helpers.ts";

const SERVE = fileURLToPath(new URL("./serve-entry.ts", import.meta.url));
const ROUTE = fileURLToPath(new URL("./route-entry.ts", import.meta.url));
const DRIVER = fileURLToPath(new URL("../../packages/server/adapters/python/tests/fleet_drive.py", import.meta.url));
const TASK = "multi_turn_base_0";
const procs: ChildProcess[] = [];

/** Starts a TypeScript entry as a real process; resolves with the URL it reports. */
function startProcess(
  entry: string,
  args: string[],
  urlOf: (line: string) => string | undefined,
): Promise<{ proc: ChildProcess; url: string }> {
  const p = spawn(process.execPath, ["--conditions=@envtune/source", "--import", "tsx", entry, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  procs.push(p);
  let err = "";
  return new Promise((resolve, reject) => {
    p.once("exit", (code) => reject(new Error(`${entry} exited with ${code}: ${err.slice(-2000)}`)));
    const onLine = (line: string) => {
      const url = urlOf(line);
      if (url) resolve({ proc: p, url });
    };
    createInterface({ input: p.stdout! }).on("line", onLine);
    createInterface({ input: p.stderr! }).on("line", (l) => {
      err += l + "\n";
      onLine(l);
    });
  });
}

const startServe = () =>
  startProcess(SERVE, ["--port", "0", "--announce", "--data", bfclDataDir(), "--log-level", "warn"], (l) => {
    try {
      return (JSON.parse(l) as { listening?: string }).listening;
    } catch {
      return undefined;
    }
  });
const startRoute = (upstreams: string[]) =>
  startProcess(
    ROUTE,
    ["--port", "0", "--log-level", "warn", ...upstreams.flatMap((u) => ["--upstream", u])],
    (l) => /listening on (\S+?),/.exec(l)?.[1],
  );

function kill(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill(signal);
  return exited;
}

interface Outcome {
  server: string;
  reward_sum?: number;
  done?: boolean;
  error?: { type: string; code: string; server: string | null; message: string };
}

/** The Python driver: one JSON command in, one JSON answer out. */
function startDriver(urls: string[], actions: unknown[]): { send(cmd: object): Promise<any>; close(): Promise<void> } {
  const plan = {
    urls,
    task_id: TASK,
    actions,
    client: { max_retries: 2, backoff_base: 0.05, backoff_max: 0.2, dead_cooldown: 600, seed: 7 },
  };
  const p = spawn("python3", [DRIVER, JSON.stringify(plan)], { stdio: ["pipe", "pipe", "pipe"] });
  procs.push(p);
  let err = "";
  p.stderr!.on("data", (d) => (err += d.toString()));
  const lines: Interface = createInterface({ input: p.stdout! });
  const waiting: Array<(v: unknown) => void> = [];
  lines.on("line", (l) => waiting.shift()?.(JSON.parse(l)));
  return {
    send(cmd) {
      return new Promise((resolve, reject) => {
        p.once("exit", (code) => reject(new Error(`driver exited with ${code}: ${err.slice(-3000)}`)));
        waiting.push(resolve);
        p.stdin!.write(JSON.stringify(cmd) + "\n");
      });
    },
    close: async () => {
      p.stdin!.end();
      await new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)));
    },
  };
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
let plan: OracleRun;

beforeAll(async () => {
  plan = await oracleRun(TASK);
}, 120_000);

afterAll(async () => {
  for (const p of procs) await kill(p, "SIGKILL");
});

describe("the Python client with two servers", () => {
  it("keeps each session on its server, loses only the killed server's sessions (SESSION_LOST), and sends new sessions to the live one", async () => {
    expect(plan.reward).toBe(1);
    const [a, b] = await Promise.all([startServe(), startServe()]);
    const driver = startDriver([a.url, b.url], plan.actions);
    const first = ids("fleet", 12);
    const { servers } = (await driver.send({ op: "start", ids: first })) as { servers: Record<string, string> };
    // Spread by the id's rendezvous hash, the same one `envtune route` uses.
    for (const id of first) expect(servers[id]).toBe(routeSession(id, [a.url, b.url]));
    const onA = first.filter((id) => servers[id] === a.url);
    expect(onA.length).toBeGreaterThan(0);
    expect(onA.length).toBeLessThan(first.length);
    expect((await call(a.url + "/v1/health", "GET")).body.sessions.active).toBe(onA.length);

    await kill(a.proc, "SIGKILL");
    const { results } = (await driver.send({ op: "finish", ids: first })) as { results: Record<string, Outcome> };
    for (const id of first) {
      const r = results[id]!;
      if (onA.includes(id)) {
        expect(r.error).toMatchObject({ type: "SessionLostError", code: "SESSION_LOST", server: a.url });
        expect(r.error!.message).toContain(a.url);
      } else {
        expect(r.error).toBeUndefined();
        expect(r).toMatchObject({ server: b.url, reward_sum: plan.reward, done: true });
      }
    }

    const fresh = ids("fleet-new", 10);
    // Some of these ids hash to the dead server: they must go to the live one all the same.
    expect(fresh.some((id) => routeSession(id, [a.url, b.url]) === a.url)).toBe(true);
    const played = (await driver.send({ op: "play", ids: fresh })) as { results: Record<string, Outcome> };
    for (const id of fresh) expect(played.results[id]).toMatchObject({ server: b.url, reward_sum: plan.reward, done: true });
    expect((await call(b.url + "/v1/health", "GET")).body.sessions.active).toBe(0);
    await driver.close();
    await kill(b.proc, "SIGTERM");
  }, 120_000);
});

describe("the Python client through `envtune route`", () => {
  it("loses only the killed upstream's sessions (UPSTREAM_ERROR naming it) and creates new sessions on the live one", async () => {
    const [a, b] = await Promise.all([startServe(), startServe()]);
    const router = await startRoute([a.url, b.url]);
    const driver = startDriver([router.url], plan.actions);
    const first = ids("routed", 12);
    await driver.send({ op: "start", ids: first });
    const onA = first.filter((id) => routeSession(id, [a.url, b.url]) === a.url);
    expect(onA.length).toBeGreaterThan(0);
    expect((await call(a.url + "/v1/health", "GET")).body.sessions.active).toBe(onA.length);
    expect((await call(router.url + "/v1/health", "GET")).body.sessions.active).toBe(first.length);

    await kill(a.proc, "SIGKILL");
    const { results } = (await driver.send({ op: "finish", ids: first })) as { results: Record<string, Outcome> };
    for (const id of first) {
      if (onA.includes(id)) {
        expect(results[id]!.error).toMatchObject({ code: "UPSTREAM_ERROR" });
        expect(results[id]!.error!.message).toContain(a.url);
      } else expect(results[id]).toMatchObject({ reward_sum: plan.reward, done: true });
    }
    const fresh = ids("routed-new", 10);
    expect(fresh.some((id) => routeSession(id, [a.url, b.url]) === a.url)).toBe(true);
    const played = (await driver.send({ op: "play", ids: fresh })) as { results: Record<string, Outcome> };
    for (const id of fresh) expect(played.results[id]).toMatchObject({ reward_sum: plan.reward, done: true });
    const h = await call(router.url + "/v1/health", "GET");
    expect(h.body.status).toBe("degraded");
    expect(h.body.sessions.active).toBe(0);
    await driver.close();
    await kill(router.proc, "SIGTERM");
    expect(router.proc.exitCode).toBe(0);
    await kill(b.proc, "SIGTERM");
  }, 120_000);
});

describe("envtune route as a command", () => {
  const run = async (argv: string[]) => {
    let out = "";
    let err = "";
    const code = await main(["route", ...argv], { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
    return { code, out, err };
  };

  it("documents itself and refuses bad usage with exit 2, an address in use with exit 3", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--upstream <url>");
    for (const argv of [
      [],
      ["--upstream", "ftp://x"],
      ["--upstream", "http://a:1", "--upstream", "http://a:1/"],
      ["--upstream", "http://a:1", "--port", "70000"],
      ["--upstream", "http://a:1", "--log-level", "loud"],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(/^\[envtune\] \[route\] /);
    }
    const taken = await startRoute(["http://127.0.0.1:9"]);
    const port = new URL(taken.url).port;
    const busy = await run(["--upstream", "http://127.0.0.1:9", "--port", port]);
    expect(busy.code).toBe(3);
    expect(busy.err).toContain("Cannot listen");
    await kill(taken.proc, "SIGINT");
    expect(taken.proc.exitCode).toBe(0);
  }, 60_000);
});
