import { describe, expect, it } from "vitest";
import { EnvtuneError } from "@envtune/core";
import { SERVER_ERROR_CODES, ServerError, toServerError } from "./errors.ts";
import { resolveServerOptions, reapInterval } from "./options.ts";

describe("server errors", () => {
  it("OpenEnv's WebSocket codes are all present, each with an HTTP status and a JSON-RPC code", () => {
    for (const c of [
      "INVALID_JSON",
      "UNKNOWN_TYPE",
      "VALIDATION_ERROR",
      "EXECUTION_ERROR",
      "CAPACITY_REACHED",
      "FACTORY_ERROR",
      "SESSION_ERROR",
    ])
      expect(SERVER_ERROR_CODES).toHaveProperty(c);
    for (const v of Object.values(SERVER_ERROR_CODES)) {
      expect(v.http).toBeGreaterThanOrEqual(400);
      expect(v.rpc).toBeLessThan(0);
    }
  });

  it("maps engine errors that are the client's fault, and hides internals of the rest", () => {
    expect(toServerError(new EnvtuneError("EPISODE_DONE", "engine", "done.", "reset.")).code).toBe("EPISODE_DONE");
    expect(
      toServerError(new EnvtuneError("INVALID_EPISODE_CONFIG", "engine", "bad.", "fix.", { details: ["a: b"] })).toJSON().error,
    ).toMatchObject({ code: "FACTORY_ERROR", details: { issues: ["a: b"] } });
    const internal = toServerError(new TypeError("x is undefined at secret/path.ts"));
    expect(internal.code).toBe("INTERNAL_ERROR");
    expect(internal.message).not.toMatch(/secret/);
    const same = new ServerError("NOT_FOUND", "m");
    expect(toServerError(same)).toBe(same);
  });

  it("options are validated with every problem listed; the reaper period follows the TTL", () => {
    expect(() => resolveServerOptions({ capacity: 0, maxBodyBytes: 1 } as never)).toThrow(/capacity[\s\S]*maxBodyBytes/);
    expect(() => resolveServerOptions({ nope: 1 } as never)).toThrow(/invalid/);
    expect(reapInterval({ sessionTtlMs: 1000 })).toBe(250);
    expect(reapInterval({ sessionTtlMs: 3_600_000 })).toBe(30_000);
    expect(reapInterval({ sessionTtlMs: 1000, reapIntervalMs: 20 })).toBe(20);
  });
});
