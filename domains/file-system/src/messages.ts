/**
 * Message catalogues. `standard` holds the reference texts (gorilla 6ea57973); `augmented` holds the
 * actionable hints of the Environment Tuning authors' code (gorilla_file_system.py @ 4aeef7b) and, where it has none, envtune's own
 * hints in the same style: what went wrong and what kind of step fixes it, never the expected value.
 *
 * Codes used only by augmented-mode checks (`*.path`, `*.is_dir`, the split `diff.*` cases) carry, in
 * `standard`, the text the reference prints for that situation, so both catalogues stay complete.
 * `*.not_file_or_dir` and `cd.no_parent` mirror reference branches that no call sequence reaches
 * (every node is a File or a Directory; only the root lacks a parent); they are kept so that the
 * catalogue covers every error path of the source.
 * Placeholders: {name}, {folder}, {path}, {mode}, {source}, {destination}, {name1}, {name2}, {dir}.
 */
import type { MessageCatalogue } from "@envtune/core/domain";

const BAD_CHARS = `| / \\ ? % * : > < "`;

export const standard: MessageCatalogue = {
  "cd.nested_path": "cd: {folder}: Unsupported path. Only one folder level at a time is supported.",
  "cd.at_root": "Current directory is already the root. Cannot go back.",
  "cd.no_parent": "cd: ..: No such directory",
  "cd.not_found": "cd: '{folder}': No such file or directory",

  "mkdir.path": "mkdir: cannot create directory '{name}': Invalid character",
  "mkdir.invalid_char": "mkdir: cannot create directory '{name}': Invalid character",
  "mkdir.exists": "mkdir: cannot create directory '{name}': File exists",

  "touch.path": "touch: cannot touch '{name}': Invalid character",
  "touch.invalid_char": "touch: cannot touch '{name}': Invalid character",
  "touch.exists": "touch: cannot touch '{name}': File exists",

  "echo.path": "echo: cannot write to '{name}': Invalid character",
  "echo.invalid_char": "echo: cannot write to '{name}': Invalid character",
  "echo.not_found": "echo: cannot write to '{name}': No such file",
  // Raised (AttributeError) by the reference: it calls File._write on the directory.
  "echo.is_dir": "'Directory' object has no attribute '_write'",

  "cat.path": "cat: '{name}': Invalid character",
  "cat.invalid_char": "cat: '{name}': Invalid character",
  "cat.is_dir": "cat: '{name}': Is a directory",
  "cat.not_found": "cat: '{name}': No such file or directory",

  "find.not_found": "find: '{path}': No such file or directory",

  "wc.invalid_mode": "wc: invalid mode '{mode}'",
  "wc.path": "wc: {name}: No such file or directory",
  "wc.is_dir": "wc: {name}: No such file or directory",
  "wc.not_found": "wc: {name}: No such file or directory",

  "sort.path": "sort: {name}: No such file or directory",
  "sort.is_dir": "sort: {name}: No such file or directory",
  "sort.not_found": "sort: {name}: No such file or directory",

  "grep.path": "grep: {name}: No such file or directory",
  "grep.is_dir": "grep: {name}: No such file or directory",
  "grep.not_found": "grep: {name}: No such file or directory",

  "tail.path": "tail: {name}: No such file or directory",
  "tail.is_dir": "tail: {name}: No such file or directory",
  "tail.not_found": "tail: {name}: No such file or directory",

  "diff.path": "diff: {name1} or {name2}: No such file or directory",
  "diff.both_missing": "diff: {name1} or {name2}: No such file or directory",
  "diff.missing": "diff: {name1} or {name2}: No such file or directory",
  "diff.both_dirs": "diff: {name1} or {name2}: No such file or directory",
  "diff.is_dir": "diff: {name1} or {name2}: No such file or directory",
  "diff.not_found": "diff: {name1} or {name2}: No such file or directory",

  "mv.src_path": "mv: cannot move '{source}': No such file or directory",
  "mv.not_found": "mv: cannot move '{source}': No such file or directory",
  "mv.not_file_or_dir": "mv: cannot move '{source}': Not a file or directory",
  "mv.dest_path": "mv: path not allowed in destination. Provide only a file or directory name.",
  "mv.exists": "mv: cannot move '{source}' to '{destination}/{source}': File exists",
  "mv.not_dir": "mv: cannot move '{source}' to '{destination}': Not a directory",

  "cp.src_path": "cp: cannot copy '{source}': No such file or directory",
  "cp.not_found": "cp: cannot copy '{source}': No such file or directory",
  "cp.not_file_or_dir": "cp: cannot copy '{source}': Not a file or directory",
  "cp.dest_path": "cp: path not allowed in destination. Provide only a file or directory name.",
  "cp.exists": "cp: cannot copy '{source}' to '{destination}/{source}': File exists",
  "cp.not_dir": "cp: cannot copy '{source}' to '{destination}': Not a directory",

  // Raised (ValueError) by Directory._add_file / _add_directory; reachable through `cp` into a
  // directory that already holds the name.
  "fs.file_exists_in_dir": "File '{name}' already exists in directory '{dir}'.",
  "fs.dir_exists_in_dir": "Directory '{name}' already exists in directory '{dir}'.",

  "rm.path": "rm: cannot remove '{name}': No such file or directory",
  "rm.not_found": "rm: cannot remove '{name}': No such file or directory",
  "rm.not_file_or_dir": "rm: cannot remove '{name}': Not a file or directory",

  "rmdir.path": "rmdir: cannot remove '{name}': No such file or directory",
  "rmdir.not_empty": "rmdir: cannot remove '{name}': Directory not empty",
  "rmdir.not_dir": "rmdir: cannot remove '{name}': Not a directory",
  "rmdir.not_found": "rmdir: cannot remove '{name}': No such file or directory",
};

export const augmented: MessageCatalogue = {
  // The authors' texts, gorilla_file_system.py @ 4aeef7b (the root message is already fixed upstream, so it is unchanged).
  "cd.nested_path": "cd: '{folder}': Paths are not allowed. Use 'cd' to navigate one directory at a time.",
  "cd.at_root": "Current directory is already the root. Cannot go back.",
  "cd.no_parent": "cd: ..: The current directory has no parent directory. Use 'pwd' to see where you are.",
  "cd.not_found": "cd: '{folder}': No such directory in current location.",

  "mkdir.path": "mkdir: '{name}': Paths are not allowed. Specify only directory name in current directory.",
  "mkdir.invalid_char": `mkdir: '{name}': Invalid character. Directory names cannot contain: ${BAD_CHARS}`,
  "mkdir.exists": "mkdir: cannot create directory '{name}': File or directory already exists",

  "touch.path": "touch: '{name}': Paths are not allowed. Specify only file name in current directory.",
  "touch.invalid_char": `touch: '{name}': Invalid character. File names cannot contain: ${BAD_CHARS}`,
  "touch.exists": "touch: '{name}': File or directory already exists",

  "echo.path": "echo: '{name}': Paths are not allowed. Specify only file name in current directory.",
  "echo.invalid_char": `echo: '{name}': Invalid character. File names cannot contain: ${BAD_CHARS}`,
  "echo.not_found":
    "echo: '{name}': No such file in current directory. echo only writes to an existing file; create the file first or check the name with 'ls'.",
  "echo.is_dir": "echo: '{name}': Is a directory. Cannot write to directory.",

  // envtune's own (the paper has no cat hints).
  "cat.path": "cat: '{name}': Paths are not allowed. Specify only file name in current directory.",
  "cat.invalid_char": `cat: '{name}': Invalid character. File names cannot contain: ${BAD_CHARS}`,
  "cat.is_dir": "cat: '{name}': Is a directory. Cannot display directory contents.",
  "cat.not_found": "cat: '{name}': No such file in current directory.",

  "find.not_found":
    "find: '{path}': No such directory. The path must lead through existing directories, relative to the current directory or starting with '/' from the root ('..' is not supported).",

  "wc.invalid_mode": "wc: invalid mode '{mode}'. The mode must be 'l' (lines), 'w' (words) or 'c' (characters).",
  "wc.path": "wc: '{name}': Paths are not allowed. Specify only file name in current directory.",
  "wc.is_dir": "wc: '{name}': Is a directory. Cannot count directory contents.",
  "wc.not_found": "wc: '{name}': No such file in current directory.",

  "sort.path": "sort: '{name}': Paths are not allowed. Specify only the file name in current directory.",
  "sort.is_dir": "sort: '{name}': Is a directory. Cannot sort directory contents.",
  "sort.not_found": "sort: '{name}': No such file in current directory.",

  "grep.path": "grep: '{name}': Paths are not allowed. Specify only file name in current directory.",
  "grep.is_dir": "grep: '{name}': Is a directory. Cannot search in directory.",
  "grep.not_found": "grep: '{name}': No such file in current directory.",

  "tail.path": "tail: '{name}': Paths are not allowed. Specify only the file name in current directory.",
  "tail.is_dir": "tail: '{name}': Is a directory. Cannot display directory contents.",
  "tail.not_found": "tail: '{name}': No such file in current directory.",

  "diff.path": "diff: Paths are not allowed. Specify only file names in current directory.",
  "diff.both_missing": "diff: '{name1}' and '{name2}': Both files not found in current directory.",
  "diff.missing": "diff: '{name}': No such file in current directory.",
  "diff.both_dirs": "diff: '{name1}' and '{name2}': Both are directories. Cannot compare directories.",
  "diff.is_dir": "diff: '{name}': Is a directory. Cannot compare directory with file.",
  "diff.not_found": "diff: '{name1}' or '{name2}': No such file in current directory.",

  "mv.src_path": "mv: '{source}': Paths are not allowed in source. Specify only file/directory name in current directory.",
  "mv.not_found": "mv: '{source}': No such file or directory in current directory.",
  "mv.not_file_or_dir": "mv: '{source}': Not a file or directory.",
  "mv.dest_path": "mv: '{destination}': Paths are not allowed in destination. Specify only file/directory name in current directory.",
  "mv.exists": "mv: cannot move '{source}' to '{destination}/{source}': File already exists in destination directory.",
  "mv.not_dir": "mv: '{destination}': Destination exists but is not a directory. Cannot overwrite existing file.",

  "cp.src_path": "cp: '{source}': Paths are not allowed in source. Specify only file/directory name in current directory.",
  "cp.not_found": "cp: '{source}': No such file or directory in current directory.",
  "cp.not_file_or_dir": "cp: '{source}': Not a file or directory.",
  "cp.dest_path": "cp: '{destination}': Paths are not allowed in destination. Specify only file/directory name in current directory.",
  "cp.exists": "cp: cannot copy '{source}' to '{destination}/{source}': File already exists in destination directory.",
  "cp.not_dir": "cp: '{destination}': Destination exists but is not a directory. Cannot overwrite existing file.",

  "fs.file_exists_in_dir":
    "File '{name}' already exists in directory '{dir}'. Remove or rename the existing item first, or choose a destination where the name is free.",
  "fs.dir_exists_in_dir":
    "Directory '{name}' already exists in directory '{dir}'. Remove or rename the existing item first, or choose a destination where the name is free.",

  "rm.path": "rm: '{name}': Paths are not allowed. Specify only file/directory name in current directory.",
  "rm.not_found": "rm: '{name}': No such file or directory in current directory.",
  "rm.not_file_or_dir": "rm: '{name}': Not a file or directory.",

  "rmdir.path": "rmdir: '{name}': Paths are not allowed. Specify only directory name in current directory.",
  "rmdir.not_empty": "rmdir: cannot remove '{name}': Directory not empty. Empty it first; rmdir only removes empty directories.",
  "rmdir.not_dir": "rmdir: '{name}': Not a directory. rmdir only removes directories.",
  "rmdir.not_found": "rmdir: '{name}': No such directory in current directory.",
};
