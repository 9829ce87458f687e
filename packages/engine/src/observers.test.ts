import { describe, expect, it } from "vitest";
import { OBSERVATION_RENDERERS, renderObservation, type Executed } from "./observers.ts";

const executed: Executed[] = [
  { call: "cd(folder='a')", name: "cd", result: '{"current_working_directory": "a"}', status: "ok" },
  { call: "ls()", name: "ls", result: '{"current_directory_content": []}', status: "ok" },
];

describe("observation renderers", () => {
  it("has one renderer per observation kind", () => {
    expect(Object.keys(OBSERVATION_RENDERERS).sort()).toEqual(["bfcl", "paper", "tool"]);
  });

  it("answers OpenAI tool_calls with tool messages under their ids, whatever the configured kind", () => {
    let n = 0;
    const out = renderObservation("paper", executed, ["id_a"], () => `synthetic_${n++}`);
    expect(out.map((m) => [m.role, m.tool_call_id, m.name])).toEqual([
      ["tool", "id_a", "cd"],
      ["tool", "synthetic_0", "ls"],
    ]);
  });

  it("renders text actions by the configured kind", () => {
    const none = () => {
      throw new Error("no id is needed");
    };
    expect(
      renderObservation(
        "tool",
        executed,
        undefined,
        (() => {
          let n = 0;
          return () => `s${n++}`;
        })(),
      ).map((m) => m.tool_call_id),
    ).toEqual(["s0", "s1"]);
    expect(renderObservation("paper", executed, undefined, none).map((m) => m.role)).toEqual(["user"]);
    expect(renderObservation("bfcl", executed, undefined, none)[0]!.content).toContain("'role': 'tool'");
  });
});
