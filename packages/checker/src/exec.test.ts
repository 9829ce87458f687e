import { PyDict, World } from "@envtune/core";
import { describe, expect, it } from "vitest";
import { counterPack } from "./__fixtures__/test-packs.ts";
import { executeCallString } from "./exec.ts";

const world = () => new World({ packs: [counterPack], initialConfig: new PyDict(), longContext: false });

describe("executeCallString", () => {
  it("executes positional and keyword arguments alike (ground-truth strings use both)", () => {
    const w = world();
    expect(executeCallString(w, "add(2)").result).toBe('{"count": 2}');
    expect(executeCallString(w, "add(n=3)").result).toBe('{"count": 5}');
    expect(executeCallString(w, "get()")).toMatchObject({ result: "5", status: "ok", tool: "get", className: "Counter" });
  });

  it("gives the reference's texts for refused strings", () => {
    const w = world();
    expect(executeCallString(w, "add(n=true)").result).toBe("Error during execution: name 'true' is not defined");
    expect(executeCallString(w, "nope(n=true)").result).toBe("Error during execution: name 'nope' is not defined");
    expect(executeCallString(w, "add(n=1, n=2)").result).toBe("Error during execution: keyword argument repeated: n (<string>, line 1)");
    expect(executeCallString(w, "add(").result).toMatch(/^Error during execution: .+ \(<string>, line 1\)$/);
    expect(executeCallString(w, "add(n=1,\n n=2)").result).toBe("Error during execution: keyword argument repeated: n (<string>, line 2)");
    expect(executeCallString(w, "").result).toBe("Error during execution: invalid syntax (<string>, line 0)");
    expect(executeCallString(w, "kill(pid=true)").result).toBe("Error during execution: Function call kill is not allowed.");
    expect(executeCallString(w, "get()").result).toBe("0");
  });

  it("evaluates a list of calls in one string up to the first exception", () => {
    const w = world();
    expect(executeCallString(w, "[add(n=1), get()]").result).toBe('[{"count": 1}, 1]');
    expect(executeCallString(w, "[add(n=1), add(), add(n=5)]")).toMatchObject({
      status: "exception",
      result: "Error during execution: Counter.add() missing 1 required positional argument: 'n'",
    });
    expect(executeCallString(w, "get()").result).toBe("2");
  });
});
