/**
 * The 18 GorillaFileSystem tools, one per public method of the reference (gorilla 6ea57973), with
 * the reference's checks in the reference's order. Arguments are untyped PyValues: every operation
 * the reference applies to them (`in`, `rstrip`, `splitlines`, f-strings) goes through a helper
 * that fails with CPython's text, so wrong-typed calls error (or succeed) exactly where Python does.
 *
 * Augmented mode (the authors' gorilla_file_system.py @ 4aeef7b) adds path checks before the other checks, tells "is a directory"
 * apart from "missing", and makes `echo` onto a directory return an error instead of raising.
 */
import {
  PyDict,
  PyException,
  pyCodePointCompare,
  pyContains,
  pyFormatFixed,
  pyRichCompare,
  pyRstrip,
  pySplit,
  pySplitlines,
  pyStr,
  pyStrip,
  pyTypeName,
  requireStr,
} from "@envtune/core/py";
import type { ToolContext, ToolDef } from "@envtune/core/domain";
import type { PyValue } from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import { RECURSION_LIMIT, pyLenOf, pyTruthy, recursionError, utf8Length } from "./py-ops.ts";
import { Directory, File, type FsNode, type GorillaFileSystemState } from "./state.ts";

type S = GorillaFileSystemState;
type Tool = ToolDef<S>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<S>();

/** f-string interpolation `f"{x}"` (= `str(x)` for every value a call can carry). */
const fs = pyStr;

function err(ctx: ToolContext, code: string, vars?: Record<string, string>): PyDict {
  return new PyDict().set("error", ctx.msg(code, vars));
}

function one(key: string, value: PyValue): PyDict {
  return new PyDict().set(key, value);
}

/**
 * `name in cwd.contents` followed by `cwd._get_item(name)`, with one hash lookup: `undefined` when
 * absent (unhashable names raise like Python's `in`), the directory itself for `"."`.
 */
function lookup(dir: Directory, name: PyValue): FsNode | undefined {
  const item = dir.contents.get(name) as FsNode | undefined;
  return item === undefined || name !== "." ? item : dir;
}

/** Augmented-mode path check: only a str can be "a path"; other types keep the reference's behaviour. */
function isPath(ctx: ToolContext, v: PyValue): boolean {
  return ctx.augmented && typeof v === "string" && v.includes("/");
}

const INVALID_CHARS = ["|", "/", "\\", "?", "%", "*", ":", '"', ">", "<"] as const;
const INVALID_RE = /[|/\\?%*:"><]/;

/** `_validate_file_or_directory_name`: `any(c in name for c in '|/\\?%*:"><')`, short-circuiting. */
function validName(name: PyValue): boolean {
  if (typeof name === "string") return !INVALID_RE.test(name);
  for (const c of INVALID_CHARS) if (pyContains(name, c)) return false;
  return true;
}

/** `_navigate_to_directory`; `undefined` where the reference returns its `cd: '{path}': ...` error. */
function navigate(self: S, path: PyValue): Directory | undefined {
  if (path === null || path === ".") return self._current_dir;
  if (path === "/") return self.root;
  const p = requireStr(path, "strip");
  let dir = p.startsWith("/") ? self.root : self._current_dir;
  for (const name of pyStrip(p, "/").split("/")) {
    const next = dir.getItem(name);
    if (!(next instanceof Directory)) return undefined;
    dir = next;
  }
  return dir;
}

function addExistsMsg(ctx: ToolContext, code: string, name: PyValue, dir: Directory): () => string {
  return () => ctx.msg(code, { name: fs(name), dir: fs(dir.name) });
}

function lines(file: File): string[] {
  return pySplitlines(requireStr(file.content, "splitlines"));
}

const cd = tool({
  name: "cd",
  params: [{ name: "folder" }],
  run(self, { folder }, ctx) {
    let f = pyRstrip(requireStr(folder, "rstrip"), "/");
    if (f === "") f = "/";
    if (f !== "." && f !== ".." && f !== "/" && f.includes("/")) return err(ctx, "cd.nested_path", { folder: f });
    if (f === "..") {
      const cur = self._current_dir;
      if (cur.parent) self._current_dir = cur.parent;
      else if (self.root.pyEquals(cur)) return err(ctx, "cd.at_root");
      else return err(ctx, "cd.no_parent");
      return new PyDict();
    }
    const target = navigate(self, f);
    if (!target) return err(ctx, "cd.not_found", { folder: f });
    self._current_dir = target;
    return one("current_working_directory", target.name);
  },
});

const ls = tool({
  name: "ls",
  params: [{ name: "a", default: false }],
  run(self, { a }) {
    const names = [...self._current_dir.contents.keys()];
    const shown = pyTruthy(a) ? names : names.filter((n) => !requireStr(n, "startswith").startsWith("."));
    return one("current_directory_content", shown);
  },
});

const pwd = tool({
  name: "pwd",
  params: [],
  run(self) {
    // The reference's loop test `dir.name != self.root` compares a str with a Directory, so it
    // never stops early: the root's own name is part of the path ("/" alone gives "//").
    const names: PyValue[] = [];
    for (let d: Directory | null = self._current_dir; d !== null; d = d.parent) names.push(d.name);
    names.reverse();
    names.forEach((n, i) => {
      if (typeof n !== "string") {
        throw new PyException("TypeError", `sequence item ${i}: expected str instance, ${pyTypeName(n)} found`);
      }
    });
    return one("current_working_directory", "/" + names.join("/"));
  },
});

const mkdir = tool({
  name: "mkdir",
  params: [{ name: "dir_name" }],
  run(self, { dir_name }, ctx) {
    const n = dir_name;
    if (isPath(ctx, n)) return err(ctx, "mkdir.path", { name: fs(n) });
    if (!validName(n)) return err(ctx, "mkdir.invalid_char", { name: fs(n) });
    const cur = self._current_dir;
    if (cur.contents.has(n)) return err(ctx, "mkdir.exists", { name: fs(n) });
    cur.addDirectory(n, addExistsMsg(ctx, "fs.dir_exists_in_dir", n, cur));
    return null;
  },
});

const touch = tool({
  name: "touch",
  params: [{ name: "file_name" }],
  run(self, { file_name }, ctx) {
    const n = file_name;
    if (isPath(ctx, n)) return err(ctx, "touch.path", { name: fs(n) });
    if (!validName(n)) return err(ctx, "touch.invalid_char", { name: fs(n) });
    const cur = self._current_dir;
    if (cur.contents.has(n)) return err(ctx, "touch.exists", { name: fs(n) });
    cur.addFile(n, "", addExistsMsg(ctx, "fs.file_exists_in_dir", n, cur));
    return null;
  },
});

const echo = tool({
  name: "echo",
  params: [{ name: "content" }, { name: "file_name", default: null }],
  run(self, { content, file_name }, ctx) {
    const c = content;
    const n = file_name;
    if (n === null) return one("terminal_output", c);
    if (isPath(ctx, n)) return err(ctx, "echo.path", { name: fs(n) });
    if (!validName(n)) return err(ctx, "echo.invalid_char", { name: fs(n) });
    if (!pyTruthy(n)) return one("terminal_output", c);
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item === undefined) return err(ctx, "echo.not_found", { name: fs(n) });
    if (item instanceof Directory) {
      if (ctx.augmented) return err(ctx, "echo.is_dir", { name: fs(n) });
      throw new PyException("AttributeError", ctx.msg("echo.is_dir", { name: fs(n) }));
    }
    item.content = c;
    return null;
  },
});

const cat = tool({
  name: "cat",
  params: [{ name: "file_name" }],
  run(self, { file_name }, ctx) {
    const n = file_name;
    if (isPath(ctx, n)) return err(ctx, "cat.path", { name: fs(n) });
    if (!validName(n)) return err(ctx, "cat.invalid_char", { name: fs(n) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item === undefined) return err(ctx, "cat.not_found", { name: fs(n) });
    if (item instanceof File) return one("file_content", item.content);
    return err(ctx, "cat.is_dir", { name: fs(n) });
  },
});

const find = tool({
  name: "find",
  params: [
    { name: "path", default: "." },
    { name: "name", default: null },
  ],
  run(self, { path, name }, ctx) {
    const p = path;
    const pattern = name;
    const target = navigate(self, p);
    if (!target) return err(ctx, "find.not_found", { path: fs(p) });
    const matches: string[] = [];
    let depth = 0;
    const walk = (dir: Directory, base: string): void => {
      // CPython trips its limit here on the C call `matches.append`, hence the suffix.
      if (++depth > RECURSION_LIMIT) throw recursionError(" while calling a Python object");
      for (const [itemName, item] of dir.contents) {
        const itemPath = `${base}/${fs(itemName)}`;
        if (pattern === null || pyContains(itemName, pattern)) matches.push(itemPath);
        if (item instanceof Directory) walk(item, itemPath);
      }
      depth--;
    };
    walk(target, pyRstrip(requireStr(p, "rstrip"), "/"));
    return one("matches", matches);
  },
});

const wc = tool({
  name: "wc",
  params: [{ name: "file_name" }, { name: "mode", default: "l" }],
  run(self, { file_name, mode }, ctx) {
    const n = file_name;
    const m = mode;
    if (isPath(ctx, n)) return err(ctx, "wc.path", { name: fs(n) });
    if (m !== "l" && m !== "w" && m !== "c") return err(ctx, "wc.invalid_mode", { mode: fs(m) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item !== undefined) {
      if (item instanceof File) {
        const c = item.content;
        if (m === "l") return PyDict.from({ count: BigInt(lines(item).length), type: "lines" });
        if (m === "w") return PyDict.from({ count: BigInt(pySplit(requireStr(c, "split")).length), type: "words" });
        return PyDict.from({ count: pyLenOf(c), type: "characters" });
      }
      if (ctx.augmented) return err(ctx, "wc.is_dir", { name: fs(n) });
    }
    return err(ctx, "wc.not_found", { name: fs(n) });
  },
});

const sort = tool({
  name: "sort",
  params: [{ name: "file_name" }],
  run(self, { file_name }, ctx) {
    const n = file_name;
    if (isPath(ctx, n)) return err(ctx, "sort.path", { name: fs(n) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item !== undefined) {
      if (item instanceof File) return one("sorted_content", lines(item).sort(pyCodePointCompare).join("\n"));
      if (ctx.augmented) return err(ctx, "sort.is_dir", { name: fs(n) });
    }
    return err(ctx, "sort.not_found", { name: fs(n) });
  },
});

const grep = tool({
  name: "grep",
  params: [{ name: "file_name" }, { name: "pattern" }],
  run(self, { file_name, pattern }, ctx) {
    const n = file_name;
    const p = pattern;
    if (isPath(ctx, n)) return err(ctx, "grep.path", { name: fs(n) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item !== undefined) {
      if (item instanceof File)
        return one(
          "matching_lines",
          lines(item).filter((l) => pyContains(l, p)),
        );
      if (ctx.augmented) return err(ctx, "grep.is_dir", { name: fs(n) });
    }
    return err(ctx, "grep.not_found", { name: fs(n) });
  },
});

const SIZE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

function sizeOf(dir: Directory, depth: number): bigint {
  if (depth > RECURSION_LIMIT) throw recursionError();
  let total = 0n;
  for (const child of dir.contents.values()) {
    total += child instanceof File ? utf8Length(requireStr(child.content, "encode")) : sizeOf(child as Directory, depth + 1);
  }
  return total;
}

const du = tool({
  name: "du",
  params: [{ name: "human_readable", default: false }],
  run(self, { human_readable }) {
    const total = sizeOf(self._current_dir, 1);
    if (!pyTruthy(human_readable)) return one("disk_usage", `${total} bytes`);
    let size: bigint | number = total;
    for (const unit of SIZE_UNITS) {
      if (size < 1024) return one("disk_usage", `${pyFormatFixed(size, 2)} ${unit}`);
      size = Number(size) / 1024;
    }
    return one("disk_usage", `${pyFormatFixed(size, 2)} PB`);
  },
});

const tail = tool({
  name: "tail",
  params: [{ name: "file_name" }, { name: "lines", default: 10n }],
  run(self, { file_name, lines: count }, ctx) {
    const n = file_name;
    if (isPath(ctx, n)) return err(ctx, "tail.path", { name: fs(n) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item !== undefined) {
      if (item instanceof File) {
        const all = lines(item);
        const len = BigInt(all.length);
        let k = count;
        if (pyRichCompare(k, len, ">")) k = len;
        // `content[-lines:]`: 0 keeps everything, a negative count drops lines from the front.
        if (typeof k === "boolean") k = k ? 1n : 0n;
        if (typeof k !== "bigint") {
          throw new PyException("TypeError", "slice indices must be integers or None or have an __index__ method");
        }
        let start = -k;
        if (start < 0n) start = start + len < 0n ? 0n : start + len;
        else if (start > len) start = len;
        return one("last_lines", all.slice(Number(start)).join("\n"));
      }
      if (ctx.augmented) return err(ctx, "tail.is_dir", { name: fs(n) });
    }
    return err(ctx, "tail.not_found", { name: fs(n) });
  },
});

function diffLines(a: File, b: File): PyDict {
  const l1 = lines(a);
  const l2 = lines(b);
  const out: string[] = [];
  const n = Math.min(l1.length, l2.length);
  for (let i = 0; i < n; i++) {
    const x = l1[i] as string;
    const y = l2[i] as string;
    if (x !== y) out.push(`- ${x}\n+ ${y}`);
  }
  return one("diff_lines", out.join("\n"));
}

const diff = tool({
  name: "diff",
  params: [{ name: "file_name1" }, { name: "file_name2" }],
  run(self, { file_name1, file_name2 }, ctx) {
    const n1 = file_name1;
    const n2 = file_name2;
    const vars = { name1: fs(n1), name2: fs(n2), name: fs(n1) };
    const cur = self._current_dir;
    if (ctx.augmented) {
      if (isPath(ctx, n1) || isPath(ctx, n2)) return err(ctx, "diff.path", vars);
      const a = lookup(cur, n1);
      const b = lookup(cur, n2);
      if (a === undefined && b === undefined) return err(ctx, "diff.both_missing", vars);
      if (a === undefined || b === undefined) return err(ctx, "diff.missing", { ...vars, name: a ? vars.name2 : vars.name1 });
      if (a instanceof Directory && b instanceof Directory) return err(ctx, "diff.both_dirs", vars);
      if (a instanceof Directory) return err(ctx, "diff.is_dir", vars);
      if (b instanceof Directory) return err(ctx, "diff.is_dir", { ...vars, name: vars.name2 });
      return diffLines(a as File, b as File);
    }
    // `n1 in contents and n2 in contents`: the second name is only hashed when the first exists.
    const a = lookup(cur, n1);
    const b = a === undefined ? undefined : lookup(cur, n2);
    if (a instanceof File && b instanceof File) return diffLines(a, b);
    return err(ctx, "diff.not_found", vars);
  },
});

const mv = tool({
  name: "mv",
  params: [{ name: "source" }, { name: "destination" }],
  run(self, { source, destination }, ctx) {
    const src = source;
    const dst = destination;
    const vars = () => ({ source: fs(src), destination: fs(dst) });
    const cur = self._current_dir;
    if (isPath(ctx, src)) return err(ctx, "mv.src_path", vars());
    const item = lookup(cur, src);
    if (item === undefined) return err(ctx, "mv.not_found", vars());
    if (pyContains(dst, "/")) return err(ctx, "mv.dest_path", vars());
    const target = lookup(cur, dst);
    if (target !== undefined) {
      if (!(target instanceof Directory)) return err(ctx, "mv.not_dir", vars());
      if (target.contents.has(src)) return err(ctx, "mv.exists", vars());
      cur.contents.pop(src);
      moveInto(ctx, target, src, item);
      return one("result", `'${fs(src)}' moved to '${fs(dst)}/${fs(src)}'`);
    }
    cur.contents.pop(src);
    moveInto(ctx, cur, dst, item);
    return one("result", `'${fs(src)}' moved to '${fs(dst)}'`);
  },
});

/** mv's re-add: a file becomes a new File; a directory becomes a new Directory sharing the old contents dict. */
function moveInto(ctx: ToolContext, dir: Directory, name: PyValue, item: FsNode): void {
  if (item instanceof File) dir.addFile(name, item.content, addExistsMsg(ctx, "fs.file_exists_in_dir", name, dir));
  else dir.addDirectory(name, addExistsMsg(ctx, "fs.dir_exists_in_dir", name, dir)).contents = item.contents;
}

/** cp's add: a directory copy gets a shallow copy of the contents (children shared with the source). */
function copyInto(ctx: ToolContext, dir: Directory, name: PyValue, item: FsNode): void {
  if (item instanceof File) dir.addFile(name, item.content, addExistsMsg(ctx, "fs.file_exists_in_dir", name, dir));
  else {
    const copy = dir.addDirectory(name, addExistsMsg(ctx, "fs.dir_exists_in_dir", name, dir));
    // Copied after the add: copying a directory into itself makes the copy contain itself, as upstream.
    copy.contents = item.contents.copy();
  }
}

const cp = tool({
  name: "cp",
  params: [{ name: "source" }, { name: "destination" }],
  run(self, { source, destination }, ctx) {
    const src = source;
    const dst = destination;
    const vars = () => ({ source: fs(src), destination: fs(dst) });
    const cur = self._current_dir;
    if (isPath(ctx, src)) return err(ctx, "cp.src_path", vars());
    const item = lookup(cur, src);
    if (item === undefined) return err(ctx, "cp.not_found", vars());
    if (pyContains(dst, "/")) return err(ctx, "cp.dest_path", vars());
    const target = lookup(cur, dst);
    if (target !== undefined) {
      if (!(target instanceof Directory)) return err(ctx, "cp.not_dir", vars());
      // The reference guards with the key "dst/src", which never matches a plain name, so a
      // duplicate surfaces as the ValueError of _add_file/_add_directory instead.
      if (target.contents.has(`${fs(dst)}/${fs(src)}`)) return err(ctx, "cp.exists", vars());
      copyInto(ctx, target, src, item);
      return one("result", `'${fs(src)}' copied to '${fs(dst)}/${fs(src)}'`);
    }
    copyInto(ctx, cur, dst, item);
    return one("result", `'${fs(src)}' copied to '${fs(dst)}'`);
  },
});

const rm = tool({
  name: "rm",
  params: [{ name: "file_name" }],
  run(self, { file_name }, ctx) {
    const n = file_name;
    if (isPath(ctx, n)) return err(ctx, "rm.path", { name: fs(n) });
    const cur = self._current_dir;
    // Values are never None, so a None default means "absent".
    if (cur.contents.pop(n, null) === null) return err(ctx, "rm.not_found", { name: fs(n) });
    return one("result", `'${fs(n)}' removed`);
  },
});

const rmdir = tool({
  name: "rmdir",
  params: [{ name: "dir_name" }],
  run(self, { dir_name }, ctx) {
    const n = dir_name;
    if (isPath(ctx, n)) return err(ctx, "rmdir.path", { name: fs(n) });
    const cur = self._current_dir;
    const item = lookup(cur, n);
    if (item === undefined) return err(ctx, "rmdir.not_found", { name: fs(n) });
    if (!(item instanceof Directory)) return err(ctx, "rmdir.not_dir", { name: fs(n) });
    if (item.contents.size > 0) return err(ctx, "rmdir.not_empty", { name: fs(n) });
    cur.contents.pop(n);
    return one("result", `'${fs(n)}' removed`);
  },
});

/** In the function docs' (alphabetical) order. */
export const tools: Tool[] = [cat, cd, cp, diff, du, echo, find, grep, ls, mkdir, mv, pwd, rm, rmdir, sort, tail, touch, wc];
