import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, MessageAPI, view } from "./state.ts";
import { tools } from "./tools.ts";

export { DEFAULT_SEED, MessageAPI } from "./state.ts";

/** BFCL MessageAPI (upstream `message_api.py`) as an envtune domain pack. */
export default defineDomain<MessageAPI>({
  meta: {
    name: "message",
    version: "0.1.0",
    className: "MessageAPI",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Workspace messaging: look up users, log in, send, search, view and delete messages, add contacts.",
  },
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});
