/**
 * Two tiny domain packs for the checker's unit tests (not exported from the package): a counter
 * with an int and a float attribute and a list, and a notebook whose `note()` default list is
 * shared per episode like `TwitterAPI.post_tweet`'s mutable default.
 */
import { PyDict, PyException, defineDomain, type DomainPack, type PyValue } from "@envtune/core";

const COMMIT = "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8";
const schema = (name: string, props: string[]) => ({
  name,
  description: name,
  parameters: { type: "object", properties: Object.fromEntries(props.map((p) => [p, {}])), required: [] },
});

interface Counter {
  count: bigint;
  total: number;
  log: PyValue[];
}

export const counterPack: DomainPack<Counter> = defineDomain<Counter>({
  meta: { name: "test-counter", version: "0.0.0", className: "Counter", bfclCommit: COMMIT, description: "test counter" },
  tools: [
    {
      name: "add",
      params: [{ name: "n" }],
      run(s, a) {
        if (typeof a.n !== "bigint") throw new PyException("TypeError", "n must be an int");
        s.count += a.n;
        s.log.push(a.n);
        return new PyDict([["count", s.count]]);
      },
    },
    {
      name: "add_float",
      params: [{ name: "x" }],
      run(s, a) {
        s.total += Number(a.x);
        return s.total;
      },
    },
    { name: "get", params: [], run: (s) => s.count },
  ],
  schemas: [schema("add", ["n"]), schema("add_float", ["x"]), schema("get", [])],
  createState: ({ config }) => {
    const c = config.get("count");
    return { count: typeof c === "bigint" ? c : 0n, total: 0, log: [] };
  },
  view: (s) => [
    ["count", s.count],
    ["total", s.total],
    ["log", s.log],
  ],
  messages: { standard: {}, augmented: {} },
});

interface Notebook {
  notes: PyValue[][];
  shared: PyValue[];
}

export const notebookPack: DomainPack<Notebook> = defineDomain<Notebook>({
  meta: { name: "test-notebook", version: "0.0.0", className: "Notebook", bfclCommit: COMMIT, description: "test notebook" },
  tools: [
    {
      name: "note",
      // The default list is one object per episode, shared by the model and GT worlds.
      params: [{ name: "text" }, { name: "tags", default: (s: Notebook) => s.shared }],
      run(s, a) {
        const tags = a.tags as PyValue[];
        s.notes.push([a.text!, tags] as PyValue[]);
        return BigInt(s.notes.length - 1);
      },
    },
    {
      name: "tag",
      params: [{ name: "index" }, { name: "tag" }],
      run(s, a) {
        const note = s.notes[Number(a.index)];
        if (!note) return new PyDict([["error", "no such note"]]);
        (note[1] as PyValue[]).push(a.tag!);
        return null;
      },
    },
  ],
  schemas: [schema("note", ["text", "tags"]), schema("tag", ["index", "tag"])],
  createState: ({ shared }) => {
    let list = shared.get("test-notebook") as PyValue[] | undefined;
    if (!list) shared.set("test-notebook", (list = []));
    return { notes: [], shared: list };
  },
  view: (s) => [["notes", s.notes]],
  messages: { standard: {}, augmented: {} },
});

export const testPacks = new Map<string, DomainPack>([
  ["Counter", counterPack],
  ["Notebook", notebookPack],
]);
