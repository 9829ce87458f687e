import { describe, expect, it } from "vitest";
import { ServerError } from "./errors.ts";
import { SessionStore, type EvictReason } from "./sessions.ts";

function store(capacity = 3, ttlMs = 100) {
  let now = 1000;
  const reaped: string[][] = [];
  const s = new SessionStore<number>({ capacity, ttlMs, intervalMs: 10, now: () => now, onReap: (ids) => reaped.push(ids) });
  return { s, reaped, advance: (ms: number) => (now += ms) };
}

describe("SessionStore", () => {
  it("enforces capacity with CAPACITY_REACHED and counts rejections", () => {
    const { s } = store(2);
    s.add("a", "rest", 1);
    s.add("b", "ws", 2);
    let err: unknown;
    try {
      s.add("c", "rest", 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).code).toBe("CAPACITY_REACHED");
    expect((err as ServerError).status).toBe(503);
    expect(s.stats()).toMatchObject({ active: 2, capacity: 2, created: 2, rejected: 1, byKind: { rest: 1, ws: 1 } });
    s.delete("a");
    expect(() => s.add("c", "rest", 3)).not.toThrow();
  });

  it("refuses a duplicate id", () => {
    const { s } = store();
    s.add("a", "rest", 1);
    expect(() => s.add("a", "rest", 2)).toThrow(/already exists/);
  });

  it("reaps sessions idle past the TTL; get() counts as activity, peek() does not", () => {
    const { s, reaped, advance } = store(10, 100);
    s.add("idle", "rest", 1);
    s.add("active", "rest", 2);
    s.add("peeked", "rest", 3);
    advance(60);
    s.get("active");
    s.peek("peeked");
    advance(60);
    expect(s.reap()).toEqual(["idle", "peeked"]);
    expect(reaped).toEqual([["idle", "peeked"]]);
    expect(s.ids()).toEqual(["active"]);
    expect(s.stats()).toMatchObject({ reaped: 2, deleted: 0 });
  });

  it("calls onEvict once with the reason, whatever removes the session", () => {
    const { s, advance } = store(10, 100);
    const seen: Array<[string, EvictReason]> = [];
    for (const id of ["d", "r", "x"]) s.add(id, "ws", 0, (why) => seen.push([id, why]));
    s.delete("d");
    s.delete("d");
    advance(500);
    s.get("x");
    s.reap();
    s.clear("shutdown");
    expect(seen).toEqual([
      ["d", "deleted"],
      ["r", "reaped"],
      ["x", "shutdown"],
    ]);
  });

  it("a failing onEvict does not corrupt the table; TTL 0 never reaps", () => {
    const { s, advance } = store(10, 0);
    s.add("a", "rest", 1, () => {
      throw new Error("boom");
    });
    advance(1e9);
    expect(s.reap()).toEqual([]);
    expect(s.delete("a")).toBe(true);
    expect(s.size).toBe(0);
  });
});
