/**
 * GorillaFileSystem state: the reference's `File`/`Directory` object graph, ported one to one.
 *
 * The graph is kept exactly as Python builds it because later results depend on its aliasing:
 * `cp` of a directory gives the copy a shallow copy of the contents dict (children shared with the
 * original), `mv` of a directory gives the new node the *same* dict object while the children keep
 * pointing at the detached old node as `parent` (visible through `cd ..` and `pwd`). `contents` is a
 * `PyDict` so that membership tests on wrong-typed names behave like Python (`unhashable type: 'list'`).
 */
import { PyDict, PyException, encodeValue, pyEquals, pyJsonString, pyRepr, pyStr, pyTypeName } from "@envtune/core/py";
import type { LongContextConstants, StateInit } from "@envtune/core/domain";
import type { PyObject, PyValue } from "@envtune/core/py";
import { RECURSION_LIMIT, recursionError } from "./py-ops.ts";

export type FsNode = File | Directory;

let depth = 0;
function enter(suffix: string): void {
  if (++depth > RECURSION_LIMIT) {
    depth--;
    throw recursionError(suffix);
  }
}
function leave(): void {
  depth--;
}

function encodeName(v: PyValue): string {
  return typeof v === "string" ? pyJsonString(v) : encodeValue(v);
}

/**
 * A long-context file's content as loaded: the scenario's text followed by the long-context
 * extension (3 KB, a constant). `json.dumps` escapes each UTF-16 unit on its own, so the escaped
 * content is the escaped scenario text followed by the extension's escaped text, which is computed
 * once per constants object (the scenario's part is escaped afresh in every episode).
 */
interface LoadedContent {
  /** The content string as built (the encoding below applies while the file still holds it). */
  readonly full: string;
  readonly base: string;
  /** The extension's escaped text with the closing quote, without the opening one. */
  readonly extTail: string;
}

/** Reference `File(name, content)`; `content` is whatever `echo` stored (normally a str). */
export class File implements PyObject {
  readonly pyKind = "object" as const;
  name: PyValue;
  content: PyValue;
  // Trace-encoding cache: valid while name and content are the same str values. True private
  // fields, so that structural comparisons of nodes never see them.
  #encText: string | undefined = undefined;
  #encName: PyValue = null;
  #encContent: PyValue = null;
  #loaded: LoadedContent | undefined;
  constructor(name: PyValue, content: PyValue = "", loaded?: LoadedContent) {
    this.name = name;
    this.content = content;
    this.#loaded = loaded;
  }
  /** Whether the cached encoding is still this file's encoding. */
  encFresh(): boolean {
    return this.#encText !== undefined && this.#encName === this.name && this.#encContent === this.content;
  }
  pyTypeName(): string {
    return "File";
  }
  pyRepr(): string {
    return `<<File: ${pyStr(this.name)}, Content: ${pyStr(this.content)}>>`;
  }
  pyEquals(other: PyValue): boolean {
    if (!(other instanceof File)) return false;
    if (other === this) return true;
    return eqValue(this.name, other.name) && eqValue(this.content, other.content);
  }
  pyEncode(): string {
    if (this.encFresh()) return this.#encText!;
    const name = this.name;
    const content = this.content;
    const loaded = this.#loaded;
    const contentText =
      loaded !== undefined && content === loaded.full ? pyJsonString(loaded.base).slice(0, -1) + loaded.extTail : encodeName(content);
    const text = `{"$file": {"name": ${encodeName(name)}, "content": ${contentText}}}`;
    // Only immutable (str) fields make the text cacheable.
    if (typeof name === "string" && typeof content === "string") {
      this.#encText = text;
      this.#encName = name;
      this.#encContent = content;
    } else this.#encText = undefined;
    return text;
  }
}

/** Reference `Directory(name, parent)`; equality ignores `parent`. */
export class Directory implements PyObject {
  readonly pyKind = "object" as const;
  name: PyValue;
  parent: Directory | null;
  /** name → node; may be shared with other directories (see module comment). */
  contents: PyDict;
  // Trace-encoding cache: valid while the name, the contents dict (and its mutation counter) and
  // every node below are unchanged.
  #encText: string | undefined = undefined;
  #encName: PyValue = null;
  #encContents: PyDict | undefined = undefined;
  #encVersion = -1;
  constructor(name: PyValue, parent: Directory | null = null) {
    this.name = name;
    this.parent = parent;
    this.contents = new PyDict();
  }
  /** Whether the cached encoding is still this tree's encoding (false past the recursion limit). */
  encFresh(depth = 0): boolean {
    if (
      this.#encText === undefined ||
      this.#encName !== this.name ||
      this.#encContents !== this.contents ||
      this.#encVersion !== this.contents.version
    )
      return false;
    if (depth > RECURSION_LIMIT) return false;
    for (const child of this.contents.values()) {
      if (child instanceof Directory ? !child.encFresh(depth + 1) : !(child as File).encFresh()) return false;
    }
    return true;
  }
  pyTypeName(): string {
    return "Directory";
  }
  pyRepr(): string {
    enter("");
    try {
      const parent = this.parent ? pyStr(this.parent.name) : "None";
      return `<Directory: ${pyStr(this.name)}, Parent: ${parent}, Contents: ${pyRepr(this.contents)}>`;
    } finally {
      leave();
    }
  }
  pyEquals(other: PyValue): boolean {
    if (!(other instanceof Directory)) return false;
    if (other === this) return true;
    if (!eqValue(this.name, other.name)) return false;
    const a = this.contents;
    const b = other.contents;
    if (a === b) return true;
    if (a.size !== b.size) return false;
    enter(" in comparison");
    try {
      for (const [k, v] of a) {
        const w = b.get(k);
        if (w === undefined) return false;
        if (v !== w && !(v as FsNode).pyEquals(w)) return false;
      }
      return true;
    } finally {
      leave();
    }
  }
  pyEncode(): string {
    if (this.encFresh()) return this.#encText!;
    enter("");
    try {
      const name = this.name;
      const contents = this.contents;
      const version = contents.version;
      let out = `{"$dir": {"name": ${encodeName(name)}, "contents": {`;
      let first = true;
      for (const [k, v] of this.contents) {
        if (!first) out += ", ";
        first = false;
        // Trace keys are always str; a non-str key (only reachable with a tuple name) is written as its str().
        out += pyJsonString(typeof k === "string" ? k : pyStr(k)) + ": " + (v as FsNode).pyEncode();
      }
      out += "}}}";
      if (typeof name === "string") {
        this.#encText = out;
        this.#encName = name;
        this.#encContents = contents;
        this.#encVersion = version;
      } else this.#encText = undefined;
      return out;
    } finally {
      leave();
    }
  }

  /** `_add_file`: raises ValueError when the name is taken. */
  addFile(name: PyValue, content: PyValue, existsMsg: () => string): File {
    if (this.contents.has(name)) throw new PyException("ValueError", existsMsg());
    const f = new File(name, content);
    this.contents.set(name, f);
    return f;
  }
  /** `_add_directory`: raises ValueError when the name is taken. */
  addDirectory(name: PyValue, existsMsg: () => string): Directory {
    if (this.contents.has(name)) throw new PyException("ValueError", existsMsg());
    const d = new Directory(name, this);
    this.contents.set(name, d);
    return d;
  }
  /** `_get_item`: `"."` is the directory itself, whatever the dict holds. */
  getItem(name: PyValue): FsNode | undefined {
    if (name === ".") return this;
    return this.contents.get(name) as FsNode | undefined;
  }
}

function eqValue(a: PyValue, b: PyValue): boolean {
  if (typeof a === "string" && typeof b === "string") return a === b;
  return a === b || pyEquals(a, b);
}

/** The reference instance: compared attributes `long_context`, `root`; `_current_dir` is private. */
export class GorillaFileSystemState {
  long_context: boolean;
  root: Directory;
  _current_dir: Directory;
  constructor(longContext: boolean, root: Directory) {
    this.long_context = longContext;
    this.root = root;
    this._current_dir = root;
  }
}

interface LongContextData {
  fileExtension: string;
  filesTailUsed: ReadonlySet<string>;
  populate: readonly string[];
  /** `fileExtension` escaped for JSON, closing quote included, opening quote left off. */
  extTail: string;
}
const longContextCache = new WeakMap<LongContextConstants, LongContextData>();

function longContextData(constants: LongContextConstants | undefined): LongContextData {
  if (!constants) {
    throw new Error(
      "[envtune] [file-system] A long-context episode was created without long-context constants. Pass `constants` (decoded long_context.json) in StateInit.",
    );
  }
  let data = longContextCache.get(constants);
  if (data) return data;
  const ext = constants.get("FILE_CONTENT_EXTENSION");
  const tail = constants.get("FILES_TAIL_USED");
  const pop = constants.get("POPULATE_FILE_EXTENSION");
  if (typeof ext !== "string" || !Array.isArray(tail) || !Array.isArray(pop)) {
    throw new Error(
      "[envtune] [file-system] Long-context constants FILE_CONTENT_EXTENSION, FILES_TAIL_USED or POPULATE_FILE_EXTENSION are missing or malformed. Load them from long_context.json.",
    );
  }
  data = {
    fileExtension: ext,
    filesTailUsed: new Set(tail.filter((x): x is string => typeof x === "string")),
    populate: pop.map((x) => pyStr(x)),
    extTail: pyJsonString(ext).slice(1),
  };
  longContextCache.set(constants, data);
  return data;
}

function dictItem(d: PyValue, key: string): PyValue {
  if (!(d instanceof PyDict)) {
    throw new PyException("TypeError", `'${pyTypeName(d)}' object is not subscriptable`);
  }
  return d.getItem(key);
}

const populateExists = (name: PyValue, dir: Directory) => () => `File '${pyStr(name)}' already exists in directory '${pyStr(dir.name)}'.`;

/**
 * `_load_scenario(deepcopy(config), long_context)`. The config is only read: the tree is built from
 * fresh nodes, and the content strings (the 3 KB long-context extension included) are shared, which
 * is free since JS strings are immutable.
 */
export function createState(init: StateInit): GorillaFileSystemState {
  const config = init.config;
  const lc = init.longContext ? longContextData(init.constants) : undefined;
  if (!config.has("root")) return new GorillaFileSystemState(init.longContext, new Directory("/", null));
  const rootSpec = config.getItem("root");
  if (!(rootSpec instanceof PyDict)) {
    throw new Error("[envtune] [file-system] initial_config.GorillaFileSystem.root must be a dict {rootName: {...}}. Fix the scenario.");
  }
  const first = rootSpec.keys().next();
  if (first.done) throw new PyException("IndexError", "list index out of range");
  const rootName = first.value;
  const root = new Directory(rootName, null);
  loadDirectory(dictItem(dictItem(rootSpec, rootName as string), "contents"), root, lc);
  return new GorillaFileSystemState(init.longContext, root);
}

function loadDirectory(current: PyValue, parent: Directory, lc: LongContextData | undefined): Directory {
  if (!(current instanceof PyDict)) {
    throw new Error("[envtune] [file-system] A directory's `contents` in the scenario must be a dict. Fix the scenario.");
  }
  let bottommost = true;
  for (const [name, data] of current) {
    const type = dictItem(data, "type");
    if (type === "directory") {
      bottommost = false;
      const dir = loadDirectory(dictItem(data, "contents"), new Directory(name, parent), lc);
      parent.contents.set(name, dir);
    } else if (type === "file") {
      const content = dictItem(data, "content");
      if (lc && !(typeof name === "string" && lc.filesTailUsed.has(name))) {
        if (typeof content !== "string") {
          throw new PyException("TypeError", `unsupported operand type(s) for +=: '${pyTypeName(content)}' and 'str'`);
        }
        const full = content + lc.fileExtension;
        parent.contents.set(name, new File(name, full, { full, base: content, extTail: lc.extTail }));
        continue;
      }
      parent.contents.set(name, new File(name, content));
    }
  }
  if (bottommost && lc) {
    for (const name of lc.populate) parent.addFile(name, "", populateExists(name, parent));
  }
  return parent;
}

/** The compared attributes in `vars()` order. */
export function view(self: GorillaFileSystemState): Array<[string, PyValue]> {
  return [
    ["long_context", self.long_context],
    ["root", self.root],
  ];
}

/**
 * Decoder hook for the lossless trace encoding (`{"$dir": {...}}`, `{"$file": {...}}`), for
 * `decodeEncoded(v, { decodeObject })`. Core decodes bottom-up, so a `$dir` payload's children are
 * already nodes; they are linked to their new parent as `_load_scenario` links them. Returns
 * `undefined` (keep the dict encoded) for anything that is not a well-formed node.
 */
export function decodeObject(tag: string, payload: PyValue): PyValue | undefined {
  if (!(payload instanceof PyDict) || !payload.has("name")) return undefined;
  if (tag === "$file") {
    const content = payload.get("content");
    return content === undefined ? undefined : new File(payload.getItem("name"), content);
  }
  if (tag !== "$dir") return undefined;
  const contents = payload.get("contents");
  if (!(contents instanceof PyDict)) return undefined;
  const dir = new Directory(payload.getItem("name"), null);
  for (const [k, child] of contents) {
    if (child instanceof Directory) child.parent = dir;
    else if (!(child instanceof File)) return undefined;
    dir.contents.set(k, child);
  }
  return dir;
}
