/**
 * A small OpenAI chat-completions server on loopback, driven by a scripted policy that knows the
 * ground truth. It speaks the real protocol over real HTTP: `POST /v1/chat/completions`, bearer
 * auth, `tools` / `tool_calls` (function calling) or the paper's envelope in plain text (prompt
 * mode), and it rejects malformed conversations (a tool_call id left without its tool message),
 * so the client is tested as a real server would test it.
 *
 * Behaviour by model name:
 * - `gt`: the ground truth, then a short answer; asks on empty-ground-truth turns.
 * - `sloppy`: like `gt` but answers turn 1 without calling anything.
 * - `eager`: like `gt` but on an empty-ground-truth turn it calls the next turn's ground truth.
 * - `flaky`: like `gt`, but the first request of a conversation gets a 503 and the second one
 *   stalls longer than the client's timeout.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { requirePacks, type DomainPack } from "@envtune/core";
import type { BfclEntry } from "@envtune/bfcl-data";
import { gtCallToKeywords } from "@envtune/engine";

interface Msg {
  role: string;
  content: string | null;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface FakeServer {
  url: string;
  /** Every request body received, in order. */
  requests: Array<{ model: string; messages: Msg[]; tools?: unknown[]; authorization: string | undefined }>;
  /** HTTP statuses sent, in order. */
  statuses: number[];
  close(): Promise<void>;
}

const RESULTS_PREFIX = "Here are the function's execution results.";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Problems with a conversation a real endpoint would refuse. */
function conversationProblems(messages: Msg[]): string[] {
  const problems: string[] = [];
  const open = new Set<string>();
  for (const m of messages) {
    if (!["system", "user", "assistant", "tool"].includes(m.role)) problems.push(`bad role ${m.role}`);
    if (m.role === "tool") {
      if (!m.tool_call_id || !open.has(m.tool_call_id)) problems.push(`tool message for unknown id ${m.tool_call_id}`);
      open.delete(m.tool_call_id!);
      continue;
    }
    if (open.size) problems.push(`tool_call ids without tool messages: ${[...open].join(", ")}`);
    if (m.role === "assistant") for (const tc of m.tool_calls ?? []) open.add(tc.id);
  }
  return problems;
}

export async function startFakeOpenAI(opts: {
  entries: readonly BfclEntry[];
  packs: ReadonlyMap<string, DomainPack>;
  apiKey: string;
}): Promise<FakeServer> {
  const byFirstQuestion = new Map<string, BfclEntry>();
  for (const e of opts.entries) {
    const q = e.question[0]![0]!.content;
    if (byFirstQuestion.has(q))
      throw new Error(`fake server: entries ${byFirstQuestion.get(q)!.id} and ${e.id} share their first question`);
    byFirstQuestion.set(q, e);
  }
  const requests: FakeServer["requests"] = [];
  const statuses: number[] = [];
  const seen = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        statuses.push(status);
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") return send(404, { error: { message: "not found" } });
      const body = JSON.parse(await readBody(req)) as { model: string; messages: Msg[]; tools?: unknown[] };
      const authorization = req.headers.authorization;
      requests.push({ ...body, authorization });
      if (authorization !== `Bearer ${opts.apiKey}`) return send(401, { error: { message: "invalid api key" } });
      const problems = conversationProblems(body.messages);
      if (problems.length) return send(400, { error: { message: problems.join("; ") } });
      const users = body.messages.filter((m) => m.role === "user");
      const entry = byFirstQuestion.get(users[0]?.content ?? "");
      if (!entry) return send(400, { error: { message: "unknown conversation" } });

      if (body.model === "flaky") {
        const key = `${entry.id}:${body.messages.length}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (body.messages.length === 2 && n === 1) return send(503, { error: { message: "overloaded" } }, { "retry-after": "0" });
        if (body.messages.length === 2 && n === 2) await new Promise((r) => setTimeout(r, 1500));
      }

      const prompt = body.tools === undefined;
      const questions = users.filter((m) => !(m.content ?? "").startsWith(RESULTS_PREFIX));
      const turn = questions.length - 1;
      const last = body.messages.at(-1)!;
      const atTurnStart = last.role === "user" && !(last.content ?? "").startsWith(RESULTS_PREFIX);
      let gt = entry.groundTruth[turn] ?? [];
      if (body.model === "eager" && gt.length === 0) gt = entry.groundTruth[turn + 1] ?? [];
      const skip = body.model === "sloppy" && turn === 1;
      let message: Record<string, unknown>;
      if (!atTurnStart || gt.length === 0 || skip) {
        const text = gt.length === 0 ? "Which value should I use? A parameter or function is missing." : "Done.";
        message = { role: "assistant", content: prompt ? `<think>ok</think>\n<answer>${text}</answer>` : text };
      } else {
        const calls = gt.flatMap((c) => gtCallToKeywords(c, requirePacks(opts.packs, entry.involvedClasses, entry.id)));
        message = prompt
          ? {
              role: "assistant",
              content: `<think>plan</think>\n<tool_call>\n[${calls.map((c) => `{"name": "${c.name}", "arguments": ${c.arguments}}`).join(", ")}]\n</tool_call>`,
            }
          : {
              role: "assistant",
              content: null,
              tool_calls: calls.map((c, i) => ({
                id: `call_${requests.length}_${i}`,
                type: "function",
                function: { name: c.name, arguments: c.arguments },
              })),
            };
      }
      send(200, {
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        model: body.model,
        choices: [{ index: 0, message, finish_reason: "stop" }],
      });
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
