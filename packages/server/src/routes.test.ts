import { describe, expect, it } from "vitest";
import { BUILTIN_ROUTES, RouteTable, createRouteTable } from "./routes.ts";

describe("route table", () => {
  const table = createRouteTable({ "/v1/reward": { handler: () => ({}), routing: "reward-labels" } });
  const at = (path: string) => table.match(path);

  it("matches session paths (with an optional trailing slash) and keeps the id percent-encoded", () => {
    expect(at("/v1/sessions/a%2Fb/step")).toMatchObject({ route: { name: "session-step", routing: "session" }, params: { id: "a%2Fb" } });
    expect(at("/v1/sessions/a/step/")).toMatchObject({ route: { name: "session-step" }, params: { id: "a" } });
    expect(at("/v1/sessions/x/")).toMatchObject({ route: { name: "session", routing: "session" }, params: { id: "x" } });
    // `step` alone is an id, as before the table.
    expect(at("/v1/sessions/step")).toMatchObject({ route: { name: "session" }, params: { id: "step" } });
    expect(at("/v1/sessions/")?.route.name).toBe("session-create");
    expect(at("/v1/sessions")?.route.routing).toBe("create");
    expect(at("/v1/sessions/a/b")).toBeUndefined();
  });

  it("matches exact paths only where no trailing slash is declared", () => {
    expect(at("/health")?.route.name).toBe("health");
    expect(at("/health/")).toBeUndefined();
    expect(at("/mcp")?.route.routing).toBe("mcp");
    expect(at("/v1/reward")?.route).toMatchObject({ methods: ["POST"], routing: "reward-labels", abortable: true });
  });

  it("lets a built-in path win over an extra one, and refuses a second route of one name", () => {
    const t = createRouteTable({ "/health": { handler: () => ({}) } });
    expect(t.match("/health")?.route.name).toBe("health");
    expect(() => new RouteTable(BUILTIN_ROUTES).register({ ...BUILTIN_ROUTES[0]! })).toThrow(/already registered/);
  });

  it("asks for the token on every route but the health probes", () => {
    expect(BUILTIN_ROUTES.filter((r) => !r.auth).map((r) => r.name)).toEqual(["health", "v1-health"]);
  });
});
