import { describe, expect, it } from "vitest";
import { intOption, numberOption, usageError } from "./cli.ts";

describe("CLI option parsers", () => {
  it("usageError names the command and points at its help", () => {
    const e = usageError("serve", "Bad thing.");
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe("[envtune] [serve] Bad thing. Run `envtune serve --help`.");
    expect(usageError("x", "Y.", "Do Z.").message).toBe("[envtune] [x] Y. Do Z.");
  });

  it("intOption: absent is undefined; the range is checked and named in the message", () => {
    expect(intOption("serve", undefined, "port")).toBeUndefined();
    expect(intOption("serve", "8000", "port", { min: 0 })).toBe(8000);
    expect(() => intOption("serve", "1.5", "port", { min: 0 })).toThrow("--port must be an integer ≥ 0, got `1.5`.");
    expect(() => intOption("route", "70000", "port", { min: 0, max: 65535 })).toThrow(
      "--port must be an integer from 0 to 65535, got `70000`.",
    );
    expect(() => intOption("splits", "x", "seed")).toThrow("--seed must be an integer, got `x`.");
  });

  it("numberOption accepts fractions within the range", () => {
    expect(numberOption("splits", "0.25", "val-fraction", { min: 0, max: 1 })).toBe(0.25);
    expect(() => numberOption("splits", "2", "val-fraction", { min: 0, max: 1 })).toThrow(
      "--val-fraction must be a number from 0 to 1, got `2`.",
    );
    expect(() => numberOption("eval", "NaN", "temperature", { min: 0 })).toThrow(/must be a number ≥ 0/);
  });
});
