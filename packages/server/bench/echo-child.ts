/**
 * The floor the server bench compares against: a bare `node:http` server and a bare `ws` server
 * that answer every session request with a fixed small JSON reply, doing no work. Driven by the
 * same load generator as the envtune server, the ratio of the two is envtune's own cost.
 * Prints `{"listening": url}` once serving.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

const STEP = JSON.stringify({ reward: 0, done: false, messages: [] });
const CREATED = JSON.stringify({ session_id: "echo", messages: [] });
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = req.method === "POST" && req.url === "/v1/sessions" ? CREATED : STEP;
    res.writeHead(req.method === "POST" && req.url === "/v1/sessions" ? 201 : 200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
});
const wss = new WebSocketServer({ server, path: "/ws" });
wss.on("connection", (ws) => {
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString()) as { type?: string };
    if (m.type === "close") return ws.close(1000);
    ws.send(JSON.stringify({ type: "observation", data: { reward: 0, done: false } }));
  });
});
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  process.stdout.write(
    JSON.stringify({ listening: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid }) + "\n",
  );
});
process.on("message", (m: unknown) => {
  if (m === "gc") process.send?.({ memory: process.memoryUsage(), cpu: process.cpuUsage(), sessions: 0, gc: false });
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("disconnect", stop);
