import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, TicketAPI, view } from "./state.ts";
import { tools } from "./tools.ts";

export { TicketAPI } from "./state.ts";

/** BFCL TicketAPI (upstream `ticket_api.py`) as an envtune domain pack. */
export default defineDomain<TicketAPI>({
  meta: {
    name: "ticket",
    version: "0.1.0",
    className: "TicketAPI",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Support-ticket system: log in, create, view, edit, close and resolve tickets.",
  },
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});
