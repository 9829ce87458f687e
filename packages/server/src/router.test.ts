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
