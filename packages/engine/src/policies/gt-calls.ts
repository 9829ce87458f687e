import { EnvtuneError, PyDict, parsePythonCalls, pyJsonDumps, type DomainPack, type PyValue } from "@envtune/core";

/** One ground-truth call in keyword form: the tool name and its arguments as JSON text (Python `json.dumps`). */
export interface KeywordCall {
  name: string;
  arguments: string;
}

/**
 * Rewrites a ground-truth call string into keyword form, mapping positional arguments to the
 * tool's parameter names (signature order), for formats that only carry named arguments.
 * JSON keeps ints and floats apart (`65` vs `65.0`), so nothing is lost for BFCL's values.
 */
export function gtCallToKeywords(text: string, packs: readonly DomainPack[]): KeywordCall[] {
  return parsePythonCalls(text).map((c) => {
    const args = new PyDict();
    if (c.args.length) {
      let params: readonly { name: string }[] | undefined;
      for (const p of packs) params = p.toolMap.get(c.name)?.params ?? params;
      if (!params || c.args.length > params.length) {
        throw new EnvtuneError(
          "BAD_GROUND_TRUTH",
          "engine",
          `Cannot name the positional arguments of \`${text}\`.`,
          "Check that the entry's packs implement the tool.",
        );
      }
      c.args.forEach((v, i) => args.set(params[i]!.name, v));
    }
    for (const [k, v] of c.kwargs) args.set(k, v);
    return { name: c.name, arguments: pyJsonDumps(args as PyValue) };
  });
}
