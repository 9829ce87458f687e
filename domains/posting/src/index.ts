import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, TwitterAPI, view } from "./state.ts";
import { tools } from "./tools.ts";

export { SHARED_KEY, TwitterAPI } from "./state.ts";
export type { PostTweetDefaults } from "./state.ts";

/** BFCL TwitterAPI (upstream `posting_api.py`) as an envtune domain pack. */
export default defineDomain<TwitterAPI>({
  meta: {
    name: "posting",
    version: "0.1.0",
    className: "TwitterAPI",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Twitter-like posting: authenticate, post, retweet, comment, mention, follow and search tweets.",
  },
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});
