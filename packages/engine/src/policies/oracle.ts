import { requirePacks, type DomainPack } from "@envtune/core";
import { gtCallToKeywords } from "./gt-calls.ts";
import type { Policy, PolicyAction, PolicyContext } from "./policy.ts";

export interface OraclePolicyOptions {
  /** Domain packs by class name (needed to name positional arguments outside the Python format). */
  packs: ReadonlyMap<string, DomainPack>;
  /**
   * How the oracle writes its actions: `python` (the ground-truth strings verbatim, as one list),
   * `envelope` (the paper's `<think>`/`<tool_call>`/`<answer>`), or `openai` (`tool_calls`).
   */
  style?: "python" | "envelope" | "openai";
}

const ANSWER = "All done.";
const REFUSAL = "I cannot do this yet: a function or a parameter it needs is missing. Please provide it.";

/**
 * The ground truth as a policy: on the first action of a turn it sends the turn's ground-truth
 * calls as one step, then answers. On an empty-ground-truth turn it asks for what is missing.
 */
export function oraclePolicy(opts: OraclePolicyOptions): Policy {
  const style = opts.style ?? "python";
  return {
    name: `oracle-${style}`,
    episodeConfig: { actionFormat: style === "python" ? "python" : style },
    act(ctx: PolicyContext): PolicyAction {
      const gt = ctx.entry.groundTruth[ctx.turn] ?? [];
      const answer = gt.length === 0 ? REFUSAL : ANSWER;
      if (gt.length === 0 || ctx.attempt > 0) {
        if (style === "envelope") return `<think>Nothing left to call.</think>\n<answer>${answer}</answer>`;
        return style === "openai" ? { role: "assistant", content: answer } : answer;
      }
      if (style === "python") return `[${gt.join(", ")}]`;
      const packs = requirePacks(opts.packs, ctx.entry.involvedClasses, `Entry ${ctx.entry.id}`);
      const calls = gt.flatMap((c) => gtCallToKeywords(c, packs));
      if (style === "envelope") {
        const body = calls.map((c) => `{"name": ${JSON.stringify(c.name)}, "arguments": ${c.arguments}}`).join(", ");
        return `<think>Calling the ground truth of turn ${ctx.turn}.</think>\n<tool_call>\n[${body}]\n</tool_call>`;
      }
      return {
        role: "assistant",
        content: null,
        tool_calls: calls.map((c, i) => ({
          id: `call_${ctx.turn}_${i}`,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      };
    },
  };
}
