import { World, encodeView } from "@envtune/core/exec";
import { PyDict, PyTuple, decodeEncoded, encodeValue, parsePyJson, pyEquals, pyRepr, type PyValue } from "@envtune/core/py";
import { checkDomainTraces, sharedDataset, testDomainPack, traceFile } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack, { Directory, File, decodeObject, type GorillaFileSystemState } from "./index.ts";
import { augmented, standard } from "./messages.ts";

const CLS = "GorillaFileSystem";
const constants = () => sharedDataset().longContext;

/** Builds a scenario dict: a string is a file's content, an object a directory. */
type Spec = { [name: string]: string | Spec };
function contents(spec: Spec): PyDict {
  const d = new PyDict();
  for (const [k, v] of Object.entries(spec)) {
    d.set(k, typeof v === "string" ? PyDict.from({ type: "file", content: v }) : PyDict.from({ type: "directory", contents: contents(v) }));
  }
  return d;
}
function scenario(rootName: string, spec: Spec): PyDict {
  return PyDict.from({ root: PyDict.from({ [rootName]: PyDict.from({ type: "directory", contents: contents(spec) }) }) });
}

const WORKSPACE: Spec = {
  document: {
    "final_report.pdf": "Year2024 This is the final report content including budget analysis and other sections.",
    "previous_report.pdf": "Year203 This is the previous report content with different budget analysis.",
  },
  archive: {},
};

function world(config: PyDict = new PyDict(), opts: { augmented?: boolean; longContext?: boolean } = {}): World {
  return new World({
    packs: [pack],
    initialConfig: new PyDict([[CLS, config]]),
    longContext: opts.longContext ?? false,
    ...(opts.longContext ? { constants: constants() } : {}),
    augmented: opts.augmented ?? false,
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

const stateOf = (w: World) => w.stateOf(CLS) as GorillaFileSystemState;
const encoded = (w: World) => encodeView(w.view(CLS));

testDomainPack(pack, {
  constants: constants(),
  samples: [
    {
      config: scenario("workspace", WORKSPACE),
      calls: [
        "cd(folder='document')",
        "mkdir(dir_name='temp')",
        "mv(source='final_report.pdf', destination='temp')",
        "cat(file_name='previous_report.pdf')",
        "wc(file_name='nope', mode='w')",
        "cd(folder='temp/x')",
        "echo(content='x', file_name='temp')",
        "tail(file_name='temp')",
        "diff(file_name1='temp', file_name2='previous_report.pdf')",
        "rmdir(dir_name='temp')",
        "cp(source='previous_report.pdf', destination='a/b')",
        "rm(file_name='nope')",
        "find(path='nope')",
        "touch(file_name='a|b')",
        "pwd()",
      ],
    },
    {
      config: scenario("alex", { w: { "a.txt": "1\n2" }, "log.txt": "x" }),
      calls: ["ls(a=True)", "du(human_readable=True)"],
      longContext: true,
    },
  ],
});

describe("reference traces", () => {
  it("ground_truth.jsonl: every GorillaFileSystem result and state identical", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("ground_truth.jsonl") });
    expect(r.mismatches).toEqual([]);
    expect(r.records).toBe(200);
    expect(r.calls).toBe(984);
    expect(r.resultsIdentical).toBe(984);
    // 200 initial states + 736 turn states.
    expect(r.states).toBe(936);
    expect(r.statesIdentical).toBe(936);
  });

  it("fuzz.jsonl: every reproduced kind identical, wrong_type included", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("fuzz.jsonl") });
    expect(r.mismatches).toEqual([]);
    expect(r.resultsIdentical).toBe(r.calls);
    expect(r.statesIdentical).toBe(r.states);
    for (const kind of ["valid", "positional", "bad_value", "missing_required", "extra_kwarg", "forbidden", "gt"]) {
      const s = r.byKind.get(kind)!;
      expect(s.resultsIdentical, kind).toBe(s.calls);
      expect(s.statesIdentical, kind).toBe(s.turns);
    }
    // Measured: every wrong-typed call gives the reference's exact text (42 of the 48 are errors).
    expect(r.byKind.get("wrong_type")).toEqual({ calls: 48, resultsIdentical: 48, bothErrors: 42, turns: 39, statesIdentical: 39 });
    expect(r.records).toBe(84);
    expect(r.calls).toBe(779);
  });
});

describe("File / Directory objects", () => {
  it("encode exactly like the traces and decode back through the hook", () => {
    const w = world(scenario("workspace", WORKSPACE));
    const text =
      '{"$dir": {"name": "workspace", "contents": {"document": {"$dir": {"name": "document", "contents": {"final_report.pdf": {"$file": {"name": "final_report.pdf", "content": "Year2024 This is the final report content including budget analysis and other sections."}}, "previous_report.pdf": {"$file": {"name": "previous_report.pdf", "content": "Year203 This is the previous report content with different budget analysis."}}}}}, "archive": {"$dir": {"name": "archive", "contents": {}}}}}}';
    expect(encoded(w)).toBe(`{"long_context": false, "root": ${text}}`);
    const decoded = decodeEncoded(parsePyJson(text), { decodeObject });
    expect(decoded).toBeInstanceOf(Directory);
    expect(encodeValue(decoded)).toBe(text);
    expect(pyEquals(decoded, stateOf(w).root)).toBe(true);
    const doc = (decoded as Directory).contents.get("document") as Directory;
    expect(doc.parent).toBe(decoded);
    expect(decodeObject("$other", new PyDict())).toBeUndefined();
  });

  it("escape non-ASCII names and contents like json.dumps", () => {
    const f = new File("café", "☕ 𝄞");
    expect(f.pyEncode()).toBe('{"$file": {"name": "caf\\u00e9", "content": "\\u2615 \\ud834\\udd1e"}}');
    expect(new File("n", 3.0).pyEncode()).toBe('{"$file": {"name": "n", "content": {"$float": "3.0"}}}');
  });

  it("compare by name and contents, ignoring parent and order", () => {
    const a = new Directory("d", null);
    const b = new Directory("d", new Directory("other"));
    a.contents.set("x", new File("x", "1")).set("y", new File("y", "2"));
    b.contents.set("y", new File("y", "2")).set("x", new File("x", "1"));
    expect(a.pyEquals(b)).toBe(true);
    b.contents.set("x", new File("x", "changed"));
    expect(a.pyEquals(b)).toBe(false);
    expect(new File("x", "1").pyEquals(new Directory("x"))).toBe(false);
    expect(new File("x", 1n).pyEquals(new File("x", 1.0))).toBe(true);
  });

  it("repr like the reference", () => {
    const root = new Directory("r", null);
    const d = new Directory("d", root);
    d.contents.set("f", new File("f", "hi"));
    expect(d.pyRepr()).toBe("<Directory: d, Parent: r, Contents: {'f': <<File: f, Content: hi>>}>");
    expect(pyRepr([new File("a", "")])).toBe("[<<File: a, Content: >>]");
    expect(root.pyRepr()).toBe("<Directory: r, Parent: None, Contents: {}>");
  });
});

describe("GorillaFileSystem quirks", () => {
  it("pwd includes the root's own name; the default root prints //", () => {
    expect(call(world(), "pwd")).toBe('{"current_working_directory": "//"}');
    const w = world(scenario("alex", { w: {} }));
    expect(call(w, "cd", { folder: "w" })).toBe('{"current_working_directory": "w"}');
    expect(call(w, "pwd")).toBe('{"current_working_directory": "/alex/w"}');
    expect(call(w, "cd", { folder: "../" })).toBe("{}");
    expect(call(w, "cd", { folder: ".." })).toBe('{"error": "Current directory is already the root. Cannot go back."}');
  });

  it("cd moves one level at a time and raises CPython's errors for non-str folders", () => {
    const w = world(scenario("workspace", WORKSPACE));
    expect(call(w, "cd", { folder: "document/x" })).toBe(
      '{"error": "cd: document/x: Unsupported path. Only one folder level at a time is supported."}',
    );
    expect(call(w, "cd", { folder: "nope" })).toBe(`{"error": "cd: 'nope': No such file or directory"}`);
    expect(call(w, "cd", { folder: true })).toBe("Error during execution: 'bool' object has no attribute 'rstrip'");
    expect(call(w, "cd", { folder: 3.5 })).toBe("Error during execution: 'float' object has no attribute 'rstrip'");
    expect(call(w, "cd", { folder: "document/" })).toBe('{"current_working_directory": "document"}');
    expect(call(w, "cd", { folder: "final_report.pdf" })).toBe(`{"error": "cd: 'final_report.pdf': No such file or directory"}`);
    expect(call(w, "cd", { folder: "/" })).toBe('{"current_working_directory": "workspace"}');
  });

  it("find walks pre-order with the reference's path prefixes and substring match", () => {
    const w = world(scenario("r", { w: { "a.txt": "", sub: { "b.txt": "" } }, "c.md": "" }));
    expect(call(w, "find")).toBe('{"matches": ["./w", "./w/a.txt", "./w/sub", "./w/sub/b.txt", "./c.md"]}');
    expect(call(w, "find", { path: "/", name: "txt" })).toBe('{"matches": ["/w/a.txt", "/w/sub/b.txt"]}');
    expect(call(w, "find", { path: "w/", name: "b" })).toBe('{"matches": ["w/sub", "w/sub/b.txt"]}');
    expect(call(w, "find", { path: "./w/sub" })).toBe('{"matches": ["./w/sub/b.txt"]}');
    expect(call(w, "find", { path: "w/.." })).toBe(`{"error": "find: 'w/..': No such file or directory"}`);
    expect(call(w, "find", { path: new PyDict([["k", "v"]]) })).toBe("Error during execution: 'dict' object has no attribute 'strip'");
    expect(call(w, "find", { path: null })).toBe("Error during execution: 'NoneType' object has no attribute 'rstrip'");
    expect(call(w, "find", { name: 3.5 })).toBe("Error during execution: 'in <string>' requires string as left operand, not float");
  });

  it("cp of a directory is shallow: the copy shares its children with the original", () => {
    const w = world(scenario("r", { d: { "f.txt": "old" } }));
    expect(call(w, "cp", { source: "d", destination: "e" })).toBe(`{"result": "'d' copied to 'e'"}`);
    call(w, "cd", { folder: "e" });
    expect(call(w, "echo", { content: "new", file_name: "f.txt" })).toBe("None");
    call(w, "cd", { folder: ".." });
    call(w, "cd", { folder: "d" });
    expect(call(w, "cat", { file_name: "f.txt" })).toBe('{"file_content": "new"}');
    // Adding to the copy does not touch the original's dict.
    call(w, "cd", { folder: ".." });
    call(w, "cd", { folder: "e" });
    call(w, "touch", { file_name: "only_in_e" });
    call(w, "cd", { folder: ".." });
    call(w, "cd", { folder: "d" });
    expect(call(w, "ls")).toBe('{"current_directory_content": ["f.txt"]}');
  });

  it("cp into a directory that already holds the name raises the _add_file ValueError", () => {
    const w = world(scenario("r", { d: { "f.txt": "" }, "f.txt": "x", sub: {} }));
    expect(call(w, "cp", { source: "f.txt", destination: "d" })).toBe(
      "Error during execution: File 'f.txt' already exists in directory 'd'.",
    );
    call(w, "cp", { source: "sub", destination: "d" });
    expect(call(w, "cp", { source: "sub", destination: "d" })).toBe(
      "Error during execution: Directory 'sub' already exists in directory 'd'.",
    );
    expect(call(w, "cp", { source: "f.txt", destination: "a/b" })).toBe(
      '{"error": "cp: path not allowed in destination. Provide only a file or directory name."}',
    );
  });

  it("mv of a directory leaves its children pointing at the detached old directory", () => {
    const w = world(scenario("r", { d: { c: {} } }));
    expect(call(w, "mv", { source: "d", destination: "e" })).toBe(`{"result": "'d' moved to 'e'"}`);
    call(w, "cd", { folder: "e" });
    call(w, "cd", { folder: "c" });
    expect(call(w, "pwd")).toBe('{"current_working_directory": "/r/d/c"}');
    call(w, "cd", { folder: ".." });
    expect(call(w, "pwd")).toBe('{"current_working_directory": "/r/d"}');
  });

  it("mv of a directory into itself makes it vanish", () => {
    const w = world(scenario("r", { d: { x: "" }, k: "" }));
    expect(call(w, "mv", { source: "d", destination: "d" })).toBe(`{"result": "'d' moved to 'd/d'"}`);
    expect(call(w, "ls")).toBe('{"current_directory_content": ["k"]}');
  });

  it("echo overwrites, never creates, and raises on a directory (standard mode)", () => {
    const w = world(scenario("r", { d: {}, "f.txt": "a" }));
    expect(call(w, "echo", { content: "café" })).toBe('{"terminal_output": "caf\\u00e9"}');
    expect(call(w, "echo", { content: "x", file_name: "" })).toBe('{"terminal_output": "x"}');
    expect(call(w, "echo", { content: "x", file_name: "new.txt" })).toBe(`{"error": "echo: cannot write to 'new.txt': No such file"}`);
    expect(call(w, "echo", { content: "x", file_name: "d" })).toBe("Error during execution: 'Directory' object has no attribute '_write'");
    // The reference stores whatever content it gets.
    expect(call(w, "echo", { content: 5n, file_name: "f.txt" })).toBe("None");
    expect(call(w, "cat", { file_name: "f.txt" })).toBe('{"file_content": 5}');
    expect(call(w, "wc", { file_name: "f.txt" })).toBe("Error during execution: 'int' object has no attribute 'splitlines'");
  });

  it("validates names only in mkdir, touch, echo and cat, raising for non-iterables", () => {
    const w = world();
    expect(call(w, "touch", { file_name: "a|b" })).toBe(`{"error": "touch: cannot touch 'a|b': Invalid character"}`);
    expect(call(w, "mkdir", { dir_name: true })).toBe("Error during execution: argument of type 'bool' is not iterable");
    expect(call(w, "cat", { file_name: 5n })).toBe("Error during execution: argument of type 'int' is not iterable");
    expect(call(w, "touch", { file_name: new PyDict([["k", "v"]]) })).toBe("Error during execution: unhashable type: 'dict'");
    expect(call(w, "rm", { file_name: null })).toBe(`{"error": "rm: cannot remove 'None': No such file or directory"}`);
    expect(call(w, "mkdir", { dir_name: "x" })).toBe("None");
    expect(call(w, "mkdir", { dir_name: "x" })).toBe(`{"error": "mkdir: cannot create directory 'x': File exists"}`);
  });

  it("tail: 0 keeps everything, a negative count drops leading lines, floats fail when they slice", () => {
    const w = world(scenario("r", { "f.txt": "1\n2\n3\n4" }));
    expect(call(w, "tail", { file_name: "f.txt", lines: 2n })).toBe('{"last_lines": "3\\n4"}');
    expect(call(w, "tail", { file_name: "f.txt", lines: 0n })).toBe('{"last_lines": "1\\n2\\n3\\n4"}');
    expect(call(w, "tail", { file_name: "f.txt", lines: -1n })).toBe('{"last_lines": "2\\n3\\n4"}');
    expect(call(w, "tail", { file_name: "f.txt", lines: -9n })).toBe('{"last_lines": ""}');
    expect(call(w, "tail", { file_name: "f.txt", lines: 99.5 })).toBe('{"last_lines": "1\\n2\\n3\\n4"}');
    expect(call(w, "tail", { file_name: "f.txt", lines: 2.5 })).toBe(
      "Error during execution: slice indices must be integers or None or have an __index__ method",
    );
    expect(call(w, "tail", { file_name: "f.txt", lines: "3" })).toBe(
      "Error during execution: '>' not supported between instances of 'str' and 'int'",
    );
    expect(call(w, "tail", { file_name: "f.txt", lines: true })).toBe('{"last_lines": "4"}');
  });

  it("wc checks the mode first and counts like Python", () => {
    const w = world(scenario("r", { "f.txt": "a b\r\nc\u2028d  é𝄞" }));
    expect(call(w, "wc", { file_name: "nope", mode: true })).toBe(`{"error": "wc: invalid mode 'True'"}`);
    expect(call(w, "wc", { file_name: "f.txt" })).toBe('{"count": 3, "type": "lines"}');
    expect(call(w, "wc", { file_name: "f.txt", mode: "w" })).toBe('{"count": 5, "type": "words"}');
    expect(call(w, "wc", { file_name: "f.txt", mode: "c" })).toBe('{"count": 12, "type": "characters"}');
  });

  it("sort, grep, diff and du follow Python's string semantics", () => {
    const w = world(scenario("r", { a: "b\n\uffff\n𝄞\nA", b: "b\nx\nA\nextra" }));
    // Code-point order: U+FFFF sorts before U+1D11E (UTF-16 order would not).
    expect(call(w, "sort", { file_name: "a" })).toBe('{"sorted_content": "A\\nb\\n\\uffff\\n\\ud834\\udd1e"}');
    expect(call(w, "grep", { file_name: "b", pattern: "x" })).toBe('{"matching_lines": ["x", "extra"]}');
    expect(call(w, "grep", { file_name: "b", pattern: 5n })).toBe(
      "Error during execution: 'in <string>' requires string as left operand, not int",
    );
    expect(call(w, "diff", { file_name1: "a", file_name2: "b" })).toBe(
      '{"diff_lines": "- \\uffff\\n+ x\\n- \\ud834\\udd1e\\n+ A\\n- A\\n+ extra"}',
    );
    expect(call(w, "diff", { file_name1: "a", file_name2: true })).toBe('{"error": "diff: a or True: No such file or directory"}');
    expect(call(w, "du")).toBe('{"disk_usage": "23 bytes"}');
    expect(call(w, "du", { human_readable: "yes" })).toBe('{"disk_usage": "23.00 B"}');
  });

  it("rm removes non-empty directories; rmdir only empty ones", () => {
    const w = world(scenario("r", { d: { x: "" }, e: {}, f: "" }));
    expect(call(w, "rmdir", { dir_name: "d" })).toBe(`{"error": "rmdir: cannot remove 'd': Directory not empty"}`);
    expect(call(w, "rmdir", { dir_name: "f" })).toBe(`{"error": "rmdir: cannot remove 'f': Not a directory"}`);
    expect(call(w, "rmdir", { dir_name: "e" })).toBe(`{"result": "'e' removed"}`);
    expect(call(w, "rm", { file_name: "d" })).toBe(`{"result": "'d' removed"}`);
    expect(call(w, "ls")).toBe('{"current_directory_content": ["f"]}');
  });

  it("a file named '.' makes the reference address the directory itself", () => {
    const w = world();
    expect(call(w, "touch", { file_name: "." })).toBe("None");
    expect(call(w, "cat", { file_name: "." })).toBe(`{"error": "cat: '.': Is a directory"}`);
    expect(call(w, "ls")).toBe('{"current_directory_content": []}');
    expect(call(w, "ls", { a: "yes" })).toBe('{"current_directory_content": ["."]}');
  });

  it("hits CPython's recursion limit on a directory copied into itself", () => {
    const w = world(scenario("r", { d: {} }));
    expect(call(w, "cp", { source: "d", destination: "d" })).toBe(`{"result": "'d' copied to 'd/d'"}`);
    expect(call(w, "find")).toBe("Error during execution: maximum recursion depth exceeded while calling a Python object");
    // Which CPython check trips first in du depends on the caller's stack depth; both texts start so.
    expect(call(w, "du")).toMatch(/^Error during execution: maximum recursion depth exceeded/);
  });

  it("keeps non-str names (a tuple is hashable and passes the name check)", () => {
    const w = world();
    expect(call(w, "touch", { file_name: new PyTuple(["a"]) })).toBe("None");
    expect(call(w, "ls")).toBe("Error during execution: 'tuple' object has no attribute 'startswith'");
    expect(call(w, "find")).toBe('{"matches": ["./(\'a\',)"]}');
  });
});

describe("long_context", () => {
  it("extends file contents except FILES_TAIL_USED and populates bottom-most directories", () => {
    const lc = constants();
    const ext = lc.get("FILE_CONTENT_EXTENSION") as string;
    const populate = lc.get("POPULATE_FILE_EXTENSION") as string[];
    const config = scenario("alex", { w: { "a.txt": "A", "log.txt": "L" }, "b.txt": "B", empty: {} });
    const before = encodeValue(config);
    const w = world(config, { longContext: true });
    const root = stateOf(w).root;
    const wdir = root.contents.get("w") as Directory;
    expect((wdir.contents.get("a.txt") as File).content).toBe("A" + ext);
    expect((wdir.contents.get("log.txt") as File).content).toBe("L");
    expect((root.contents.get("b.txt") as File).content).toBe("B" + ext);
    expect([...wdir.contents.keys()]).toEqual(["a.txt", "log.txt", ...populate]);
    expect((root.contents.get("empty") as Directory).contents.size).toBe(30);
    // The root has subdirectories, so it is not populated.
    expect([...root.contents.keys()]).toEqual(["w", "b.txt", "empty"]);
    expect(encodeValue(config)).toBe(before);
    expect(encoded(w)).toMatch(/^\{"long_context": true, "root": /);
  });

  it("populates a root without subdirectories but never the default root", () => {
    const w = world(scenario("r", { "x.txt": "" }), { longContext: true });
    expect(stateOf(w).root.contents.size).toBe(31);
    expect(stateOf(world(new PyDict(), { longContext: true })).root.contents.size).toBe(0);
  });

  it("keeps episodes independent", () => {
    const config = scenario("r", { d: { "f.txt": "x" } });
    const a = world(config, { longContext: true });
    const b = world(config, { longContext: true });
    call(a, "cd", { folder: "d" });
    call(a, "echo", { content: "changed", file_name: "f.txt" });
    const file = (stateOf(b).root.contents.get("d") as Directory).contents.get("f.txt") as File;
    expect(file.content).toBe("x" + (constants().get("FILE_CONTENT_EXTENSION") as string));
  });
});

describe("messages", () => {
  it("standard and augmented catalogues share codes and differ where the paper has hints", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    for (const code of [
      "cd.not_found",
      "cd.nested_path",
      "mkdir.invalid_char",
      "wc.not_found",
      "mv.dest_path",
      "cp.not_found",
      "echo.is_dir",
    ]) {
      expect(augmented[code], code).not.toBe(standard[code]);
    }
  });

  it("augmented mode uses the paper's hints and checks", () => {
    const w = world(scenario("r", { d: { "f.txt": "" }, "g.txt": "1" }), { augmented: true });
    expect(call(w, "cd", { folder: "d/x" })).toBe(
      `{"error": "cd: 'd/x': Paths are not allowed. Use 'cd' to navigate one directory at a time."}`,
    );
    expect(call(w, "cd", { folder: "nope" })).toBe(`{"error": "cd: 'nope': No such directory in current location."}`);
    expect(call(w, "touch", { file_name: "d/x" })).toBe(
      `{"error": "touch: 'd/x': Paths are not allowed. Specify only file name in current directory."}`,
    );
    expect(call(w, "echo", { content: "x", file_name: "d" })).toBe(`{"error": "echo: 'd': Is a directory. Cannot write to directory."}`);
    expect(call(w, "wc", { file_name: "d" })).toBe(`{"error": "wc: 'd': Is a directory. Cannot count directory contents."}`);
    expect(call(w, "diff", { file_name1: "g.txt", file_name2: "nope" })).toBe(
      `{"error": "diff: 'nope': No such file in current directory."}`,
    );
    expect(call(w, "diff", { file_name1: "d", file_name2: "g.txt" })).toBe(
      `{"error": "diff: 'd': Is a directory. Cannot compare directory with file."}`,
    );
    expect(call(w, "mv", { source: "g.txt", destination: "d/x" })).toBe(
      `{"error": "mv: 'd/x': Paths are not allowed in destination. Specify only file/directory name in current directory."}`,
    );
    expect(call(w, "rmdir", { dir_name: "nope" })).toBe(`{"error": "rmdir: 'nope': No such directory in current directory."}`);
    // Successful calls are unchanged.
    expect(call(w, "cp", { source: "g.txt", destination: "h.txt" })).toBe(`{"result": "'g.txt' copied to 'h.txt'"}`);
  });
});
