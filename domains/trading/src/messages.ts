/**
 * TradingBot's message catalogues. `standard` holds the reference's exact texts; `augmented`
 * holds actionable hints (paper §3.3, App. B: say what went wrong and which kind of step fixes it, without
 * naming the value the task expects). The upstream augmented code leaves TradingBot untouched,
 * so these hints are envtune's own.
 */
import type { MessageCatalogue } from "@envtune/core/domain";

const loginHint = "Call trading_login first (trading_get_login_status shows whether a session is active), then retry.";

export const standard = {
  // Authentication, one text per tool as in the reference.
  AUTH_PLACE_ORDER: "User not authenticated. Please log in to place an order.",
  AUTH_WITHDRAW: "User not authenticated. Please log in to make a transaction.",
  AUTH_ACCOUNT_INFO: "User not authenticated. Please log in to view account information.",
  AUTH_FUND: "User not authenticated. Please log in to fund the account.",
  AUTH_WATCHLIST_MODIFY: "User not authenticated. Please log in to modify the watchlist.",
  AUTH_WATCHLIST_VIEW: "Error: User not authenticated. Please log in to view the watchlist.",
  AUTH_ORDER_HISTORY: "User not authenticated. Please log in to view order history.",
  AUTH_TRANSACTION_HISTORY: "User not authenticated. Please log in to view transaction history.",
  // Lookups.
  SYMBOL_NAME_NOT_FOUND: "Stock not found",
  STOCK_NOT_FOUND: "Stock with symbol '{symbol}' not found.",
  ORDER_DETAILS_NOT_FOUND: "Order with ID {order_id} not found.Here is the list of orders_id: {order_ids}",
  ORDER_DETAILS_FORMAT_ERROR: "KeyError during formatting: {error}",
  ORDER_NOT_FOUND: "Order with ID {order_id} not found.",
  ORDER_ALREADY_COMPLETED: "Can't cancel order {order_id}. Order is already completed.",
  // Orders and money.
  INVALID_SYMBOL: "Invalid stock symbol: {symbol}",
  ORDER_NOT_POSITIVE: "Price and amount must be positive values.",
  ORDER_INSUFFICIENT_FUNDS: "Insufficient funds: required ${total_cost} but only ${balance} available.",
  MARKET_CLOSED: "Market is closed. Transactions are not allowed.",
  WITHDRAW_NOT_POSITIVE: "Transaction amount must be positive.",
  WITHDRAW_INSUFFICIENT_FUNDS: "Insufficient funds for withdrawal.",
  FUND_NOT_POSITIVE: "Funding amount must be positive.",
  WATCHLIST_SYMBOL_NOT_FOUND: "Stock {symbol} not found in watchlist.",
  // `datetime.strptime` ValueErrors (raised, shown as `Error during execution: ...`).
  DATE_FORMAT_MISMATCH: "time data {value} does not match format {format}",
  DATE_UNCONVERTED_DATA: "unconverted data remains: {rest}",
  DATE_YEAR_OUT_OF_RANGE: "year {year} is out of range",
  DATE_DAY_OUT_OF_RANGE: "day is out of range for month",
  DATE_SECOND_OUT_OF_RANGE: "second must be in 0..59",
} as const satisfies MessageCatalogue;

export type MessageCode = keyof typeof standard;

export const augmented: Record<MessageCode, string> = {
  AUTH_PLACE_ORDER: `User not authenticated: placing an order needs a logged-in trading session. ${loginHint}`,
  AUTH_WITHDRAW: `User not authenticated: withdrawing funds needs a logged-in trading session. ${loginHint}`,
  AUTH_ACCOUNT_INFO: `User not authenticated: account information is only shown to a logged-in trading session. ${loginHint}`,
  AUTH_FUND: `User not authenticated: funding the account needs a logged-in trading session. ${loginHint}`,
  AUTH_WATCHLIST_MODIFY: `User not authenticated: changing the watchlist needs a logged-in trading session. ${loginHint}`,
  AUTH_WATCHLIST_VIEW: `Error: User not authenticated: the watchlist is only shown to a logged-in trading session. ${loginHint}`,
  AUTH_ORDER_HISTORY: `User not authenticated: the order history is only shown to a logged-in trading session. ${loginHint}`,
  AUTH_TRANSACTION_HISTORY: `User not authenticated: the transaction history is only shown to a logged-in trading session. ${loginHint}`,
  SYMBOL_NAME_NOT_FOUND:
    "Stock not found: the company name must match a listed company name exactly (spelling, capitalization and suffixes matter). Try the company's plain name, or browse a sector's symbols with get_available_stocks.",
  STOCK_NOT_FOUND:
    "Stock with symbol '{symbol}' not found. get_stock_info expects a ticker symbol of a listed stock, not a company name; look the ticker up with get_symbol_by_name or get_available_stocks first.",
  ORDER_DETAILS_NOT_FOUND:
    "Order with ID {order_id} not found. Existing order IDs: {order_ids}. Order IDs are integers; use get_order_history to list them, or take the order_id returned by place_order.",
  ORDER_DETAILS_FORMAT_ERROR:
    "KeyError during formatting: {error}. The order's details could not be rendered; inspect other orders or retry without relying on this one's metadata.",
  ORDER_NOT_FOUND:
    "Order with ID {order_id} not found. Order IDs are integers; list the existing ones with get_order_history (or use the order_id returned by place_order) before cancelling.",
  ORDER_ALREADY_COMPLETED:
    "Can't cancel order {order_id}: it is already completed, and only orders that have not completed can be cancelled. Check an order's status with get_order_details before cancelling it.",
  INVALID_SYMBOL:
    "Invalid stock symbol: {symbol}. place_order needs the ticker symbol of a listed stock, not a company name; look the ticker up with get_symbol_by_name (or check it with get_stock_info) first.",
  ORDER_NOT_POSITIVE:
    "Price and amount must be positive values: price is the price per share (> 0) and amount is the number of shares (a positive integer).",
  ORDER_INSUFFICIENT_FUNDS:
    "Insufficient funds: required ${total_cost} but only ${balance} available. A buy order's cost (price x amount) may not exceed the balance; check it with get_account_info and either add money with fund_account or lower the order's size.",
  MARKET_CLOSED:
    "Market is closed. Transactions are not allowed: withdrawals only work while the market is open, and no tool can open it. Tell the user the withdrawal cannot be made now (funding the account is not affected).",
  WITHDRAW_NOT_POSITIVE: "Transaction amount must be positive: pass the amount to withdraw as a number greater than 0.",
  WITHDRAW_INSUFFICIENT_FUNDS:
    "Insufficient funds for withdrawal: the amount exceeds the account balance. Check the balance with get_account_info; at most the balance can be withdrawn.",
  FUND_NOT_POSITIVE: "Funding amount must be positive: pass the amount to deposit as a number greater than 0.",
  WATCHLIST_SYMBOL_NOT_FOUND:
    "Stock {symbol} not found in watchlist. Only symbols currently on the watchlist can be removed, matched exactly as ticker symbols; check its contents with get_watchlist.",
  DATE_FORMAT_MISMATCH:
    "time data {value} does not match format {format}. Dates must be given as 'YYYY-MM-DD' (four-digit year, month, day, separated by '-'), or omitted to leave that side of the range open.",
  DATE_UNCONVERTED_DATA:
    "unconverted data remains: {rest}. A date must contain only 'YYYY-MM-DD', with no time of day or other text after it.",
  DATE_YEAR_OUT_OF_RANGE: "year {year} is out of range. Years must be between 0001 and 9999; pass the date as 'YYYY-MM-DD'.",
  DATE_DAY_OUT_OF_RANGE:
    "day is out of range for month. The date names a day that does not exist in that month; pass a valid calendar date as 'YYYY-MM-DD'.",
  DATE_SECOND_OUT_OF_RANGE: "second must be in 0..59. A stored timestamp is malformed; narrow the date range to skip it.",
};
