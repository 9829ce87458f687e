/** Shared fixtures of the server tests: one environment per test file, real servers on 127.0.0.1:0. */
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks } from "@envtune/core";
import { bfclDataDir, sharedDataset } from "@envtune/testing";
import { Episode, oraclePolicy, type AssistantInput, type EpisodeConfigInput } from "@envtune/engine";
import {
  BfclEnvironment,
  createEnvtuneServer,
  createLogger,
  type EnvtuneServer,
  type EnvtuneServerOptions,
  type RunningServer,
} from "@envtune/server";

export { bfclDataDir };

let envCache: Promise<BfclEnvironment> | undefined;
/** The BFCL environment over the shared dataset and every domain pack (loaded once per file). */
export function environment(): Promise<BfclEnvironment> {
  envCache ??= (async () => {
    const { packs, missing } = await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES));
    if (missing.length) throw new Error(`domain packs missing: ${missing.map((m) => m.specifier).join(", ")}`);
    return new BfclEnvironment({ dataset: sharedDataset(), packs });
  })();
  return envCache;
}

export interface TestServer {
  url: string;
  server: EnvtuneServer;
  running: RunningServer;
  logs: string[];
  close(): Promise<void>;
}

/** A real server on an ephemeral port; logs are captured (JSON lines) instead of printed. */
export async function startServer(opts: EnvtuneServerOptions = {}): Promise<TestServer> {
  const env = await environment();
  const logs: string[] = [];
  const server = createEnvtuneServer(env, { log: createLogger({ level: opts.logLevel ?? "debug", sink: (l) => logs.push(l) }), ...opts });
  const running = await server.listen({ port: 0, host: "127.0.0.1" });
  return { url: running.url, server, running, logs, close: () => running.close(1000) };
}

export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface OracleRun {
  actions: AssistantInput[];
  reward: number;
  components: Record<string, number>;
  stepRewards: number[];
}

/**
 * Plays `taskId` in-process with the oracle (optionally with mistakes mixed in) and returns the
 * actions and the rewards the engine gives: what a remote run of the same actions must reproduce.
 */
export async function oracleRun(
  taskId: string,
  opts: { stage?: string; config?: EpisodeConfigInput; style?: "python" | "envelope" | "openai"; mistakes?: boolean } = {},
): Promise<OracleRun> {
  const env = await environment();
  const policy = oraclePolicy({ packs: env.packs, style: opts.style ?? "envelope" });
  const config = { ...policy.episodeConfig, ...opts.config };
  const ep = env.createEpisode({ taskId, ...(opts.stage ? { stage: opts.stage } : {}), config });
  ep.reset();
  const actions: AssistantInput[] = [];
  const stepRewards: number[] = [];
  let injected = 0;
  let turn = -1;
  const style = opts.style ?? "envelope";
  while (!ep.done) {
    if (ep.turn !== turn) {
      turn = ep.turn;
      injected = 0;
    }
    const gtEmpty = (ep.entry.groundTruth[ep.turn] ?? []).length === 0;
    let a: AssistantInput;
    const last = ep.turn === ep.turnCount - 1;
    if (opts.mistakes && style === "envelope" && !gtEmpty && injected === 0 && ep.attempt === 0 && ep.turn % 2 === 0 && !last) {
      // Recoverable: a malformed response, then the ground truth.
      a = "<think>hmm</think> no tags here";
      injected++;
    } else if (opts.mistakes && style === "envelope" && !gtEmpty && injected === 0 && ep.attempt === 0 && ep.turn % 2 === 1 && !last) {
      // Recoverable: a call to a tool that does not exist, then the ground truth.
      a = '<think>try</think>\n<tool_call>\n[{"name": "no_such_tool", "arguments": {}}]\n</tool_call>';
      injected++;
    } else if (opts.mistakes && style === "envelope" && last && ep.turnCount > 1 && ep.attempt === 0 && injected === 0) {
      // Unrecoverable: the last turn is answered without doing anything.
      a = "<think>done already</think>\n<answer>Done.</answer>";
      injected++;
    } else {
      a = (await policy.act({
        entry: ep.entry,
        turn: ep.turn,
        attempt: ep.attempt - injected,
        messages: ep.messages,
        tools: ep.tools,
      })) as AssistantInput;
    }
    actions.push(a);
    stepRewards.push(ep.step(a).reward);
  }
  const r = ep.rewards();
  return { actions, reward: r.reward, components: { ...r.components }, stepRewards };
}

/** An episode of `taskId` with the stage's settings, for comparisons. */
export async function episode(taskId: string, stage?: string, config?: EpisodeConfigInput): Promise<Episode> {
  const env = await environment();
  return env.createEpisode({ taskId, ...(stage ? { stage } : {}), ...(config ? { config } : {}) });
}
