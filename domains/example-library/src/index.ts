import { defineDomain, toolSchemas } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { createState, view, type LibraryAPI } from "./state.ts";
import { tools } from "./tools.ts";

export { LibraryAPI } from "./state.ts";

/** Opens every tool description the model reads: which system the tool belongs to. */
const DOMAIN =
  "This tool belongs to the library system, which lets members search the catalogue, borrow, return and renew books, reserve books that are out, and pay late fees.";

/**
 * LibraryAPI, envtune's example domain: a small lending library (catalogue search, loans, returns
 * with late fees, renewals, holds, fines). Written from scratch to show how a domain pack is made;
 * it is not a BFCL domain.
 */
export default defineDomain<LibraryAPI>({
  meta: {
    name: "example-library",
    // Keep equal to package.json's version (changesets bump package.json; bump this with it).
    version: "0.1.0",
    // Dataset entries name this class in involved_classes and initial_config.
    className: "LibraryAPI",
    // BFCL packs pin the gorilla commit they reproduce; this domain has none.
    description: "A small lending library: search the catalogue, lend and return books, renew loans, place holds and settle late fees.",
  },
  tools,
  // Derived from the tools' typed parameter lists, so schema and signature cannot disagree.
  schemas: toolSchemas(tools, (d) => `${DOMAIN} Tool description: ${d}`),
  createState,
  view,
  messages: { standard, augmented },
});
