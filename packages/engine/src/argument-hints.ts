/**
 * Argument hints in the episode (`validateArguments`): core's `describeArgumentProblems` finds
 * what is wrong; this puts the sentence into a rejected call's result or a failed call's result.
 */
import {
  PyDict,
  describeArgumentProblems,
  parsePyJson,
  pyJsonDumps,
  type CallOutcome,
  type DomainPack,
  type PyValue,
  type ToolCall,
} from "@envtune/core";

/** The schema-mismatch sentence for a call, or undefined when its arguments fit (or its tool is unknown). */
export function schemaHint(packs: readonly DomainPack[], call: ToolCall): string | undefined {
  // The last involved class with the name wins, as in the world's tool table.
  let pack: DomainPack | undefined;
  for (const p of packs) if (p.toolMap.has(call.name)) pack = p;
  if (!pack) return undefined;
  return describeArgumentProblems(pack, pack.toolMap.get(call.name)!, call, "mismatch");
}

/** The result of a call not executed because its arguments break the schema. */
export function rejectedResult(call: ToolCall, hint: string): string {
  return pyJsonDumps(
    new PyDict([
      ["error", `Invalid arguments for '${call.name}'; the call was not executed.`],
      ["hint", hint],
    ]),
  );
}

/** A failed call's result with the schema hint added, when its arguments break the schema. */
export function withHint(packs: readonly DomainPack[], o: CallOutcome, call: ToolCall): string {
  // The world already hinted this type error (augmented environment).
  if (o.status === "exception" && o.result.includes("(Hint: ")) return o.result;
  const hint = schemaHint(packs, call);
  if (hint === undefined) return o.result;
  if (o.status === "exception") return `${o.result} (Hint: ${hint})`;
  let value: PyValue;
  try {
    value = parsePyJson(o.result);
  } catch {
    return o.result;
  }
  if (!(value instanceof PyDict)) return o.result;
  value.set("hint", hint);
  return pyJsonDumps(value);
}
