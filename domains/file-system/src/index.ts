/**
 * @envtune/domain-file-system — BFCL's GorillaFileSystem (`gorilla_file_system.py`, gorilla 6ea57973)
 * as an envtune domain pack, exact to the Python reference.
 */
import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, view, type GorillaFileSystemState } from "./state.ts";
import { tools } from "./tools.ts";

export { Directory, File, GorillaFileSystemState, decodeObject } from "./state.ts";
export type { FsNode } from "./state.ts";

/** BFCL GorillaFileSystem as an envtune domain pack. */
export default defineDomain<GorillaFileSystemState>({
  meta: {
    name: "file-system",
    version: "0.1.0",
    className: "GorillaFileSystem",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Unix-like file system: navigate, list, create, read, write, search, copy, move and remove files.",
  },
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});
