/**
 * @envtune/domain-trading — BFCL's TradingBot (`trading_bot.py`, gorilla 6ea57973) as an envtune
 * domain pack, exact to the Python reference.
 */
import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, view, type TradingBotState } from "./state.ts";
import { tools } from "./tools.ts";

const pack = defineDomain<TradingBotState>({
  meta: {
    name: "trading",
    version: "0.1.0",
    className: "TradingBot",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Stock trading account: login, quotes, orders, watchlist, deposits/withdrawals (BFCL TradingBot).",
  },
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});

export default pack;
export { TradingBotState, createState, view } from "./state.ts";
export { tools } from "./tools.ts";
export { standard as standardMessages, augmented as augmentedMessages } from "./messages.ts";
export type { MessageCode } from "./messages.ts";
