import type { PyValue } from "../py/value.ts";

/**
 * One tool call as envtune executes it: the (possibly dotted) name exactly as written, positional
 * arguments in order and keyword arguments in source order. Values use the core Python value model
 * (int = bigint, float = number, tuple = PyTuple, dict = PyDict, set = PySet).
 */
export interface ToolCall {
  name: string;
  args: PyValue[];
  kwargs: Array<[string, PyValue]>;
}
