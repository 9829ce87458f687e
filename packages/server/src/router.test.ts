import { describe, expect, it } from "vitest";
import { routeSession } from "./router.ts";

const B3 = ["http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://127.0.0.1:8003"];

describe("routeSession (rendezvous hashing on the session id)", () => {
  it("is a pure function of the id and the backend set (order does not matter)", () => {
    for (let i = 0; i < 50; i++) {
      const id = `s-${i}`;
      expect(routeSession(id, B3)).toBe(routeSession(id, [...B3].reverse()));
    }
  });

  it("spreads ids over every backend", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const b = routeSession(`id-${i}`, B3);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    for (const b of B3) expect(counts.get(b)!).toBeGreaterThan(800);
  });

  it("moves only the removed backend's sessions when one goes away", () => {
    const two = B3.slice(0, 2);
    let moved = 0;
    for (let i = 0; i < 1000; i++) {
      const id = `k${i}`;
      const before = routeSession(id, B3);
      const after = routeSession(id, two);
      if (before !== B3[2]) expect(after).toBe(before);
      else moved++;
    }
    expect(moved).toBeGreaterThan(200);
  });

  it("needs at least one backend", () => {
    expect(() => routeSession("a", [])).toThrow(/No backends/);
  });
});

describe("createSessionRouter.setBackend (a restarted worker on a new port)", () => {
  it("re-points a slot: its sessions keep hashing to it and reach the new URL", async () => {
    const { createServer } = await import("node:http");
    const { createSessionRouter } = await import("./router.ts");
    // Real loopback backends that answer with their own name.
    const serve = (name: string) =>
      new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
        const s = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name })));
        s.listen(0, "127.0.0.1", () => {
          const a = s.address() as { port: number };
          resolve({ url: `http://127.0.0.1:${a.port}`, close: () => new Promise((r) => s.close(() => r())) });
        });
      });
    const [a, b, a2] = await Promise.all([serve("a"), serve("b"), serve("a-restarted")]);
    try {
      const router = createSessionRouter({ backends: [a.url, b.url] });
      const idOnA = Array.from({ length: 50 }, (_, i) => `s${i}`).find((id) => routeSession(id, [a.url, b.url]) === a.url)!;
      const get = async (id: string) =>
        (await (await router.fetch(new Request(`http://router/v1/sessions/${id}`))).json()) as { name: string };
      expect((await get(idOnA)).name).toBe("a");
      router.setBackend(0, a2.url + "/");
      expect((await get(idOnA)).name).toBe("a-restarted");
      expect(() => router.setBackend(2, a2.url)).toThrow(/No backend slot 2/);
    } finally {
      await Promise.all([a.close(), b.close(), a2.close()]);
    }
  });
});
