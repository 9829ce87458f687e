/**
 * TradingBot's 20 tools, mirroring `trading_bot.py` (gorilla 6ea57973) statement by statement:
 * same check order, same returned objects (the state's own dicts/lists where the reference returns
 * them), same Python failures for inputs of the wrong type.
 */
import type { ToolContext, ToolDef } from "@envtune/core/domain";
import {
  PyDict,
  PyException,
  pyEquals,
  pyFormatFixed,
  pyIntFromFloat,
  pyListConcat,
  pyLower,
  pyRepr,
  pyRichCompare,
  pyStr,
  pyTypeName,
  toFloat,
  type PyValue,
} from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import type { MessageCode } from "./messages.ts";
import { pyAbs, pyAdd, pyDictGet, pyGetStrItem, pyIter, pyJoin, pySetStrItem, pySub, pyTruthy } from "./pyops.ts";
import type { TradingBotState, TradingExtensions } from "./state.ts";
import { DATE_FORMAT, strptimeSeconds, TIMESTAMP_FORMAT } from "./strptime.ts";

type Tool = ToolDef<TradingBotState>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<TradingBotState>();

/** Python `a <op> b` (TypeError for unorderable operands). */
const cmp = (op: "<" | "<=" | ">" | ">=", a: PyValue, b: PyValue): boolean => pyRichCompare(a, b, op);

const msg = (ctx: ToolContext, code: MessageCode, vars?: Record<string, string>): string => ctx.msg(code, vars);
const error = (ctx: ToolContext, code: MessageCode, vars?: Record<string, string>): PyDict => PyDict.from({ error: msg(ctx, code, vars) });

/** `datetime(2024, 9, 1, 10, 30)` as a Unix timestamp (the traces' TZ=UTC; see `transactionTimestamp`). */
const CURRENT_TIME_EPOCH_MS = Date.UTC(2024, 8, 1, 10, 30, 0);
const ONE_DAY_SECONDS = 86400n;

const pad2 = (n: number): string => (n < 10 ? "0" : "") + n;

/**
 * `_generate_transaction_timestamp`: `randint(ts(CURRENT_TIME), ts(CURRENT_TIME + 1 day))`, i.e. one
 * `randbelow(86401)` draw, formatted `%Y-%m-%d %H:%M:%S`. The reference goes through local-time
 * `timestamp()`/`fromtimestamp()`, which is the identity on wall-clock time on a day without a DST
 * change, so the result is zone independent.
 */
function transactionTimestamp(s: TradingBotState): string {
  const offset = s._random.randbelow(ONE_DAY_SECONDS + 1n);
  const d = new Date(CURRENT_TIME_EPOCH_MS + Number(offset) * 1000);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

function parseOrThrow(ctx: ToolContext, value: PyValue, format: typeof DATE_FORMAT | typeof TIMESTAMP_FORMAT): number {
  const r = strptimeSeconds(value, format);
  if (typeof r === "number") return r;
  throw new PyException("ValueError", msg(ctx, r.code, r.vars));
}

const SYMBOL_MAP = PyDict.from({
  Apple: "AAPL",
  Google: "GOOG",
  Tesla: "TSLA",
  Microsoft: "MSFT",
  Nvidia: "NVDA",
  "Zeta Corp": "ZETA",
  "Alpha Tech": "ALPH",
  "Omega Industries": "OMEG",
  "Quasar Ltd.": "QUAS",
  "Neptune Systems": "NEPT",
  "Synex Solutions": "SYNX",
  Amazon: "AMZN",
  Gorilla: "GORI",
});

// Looked up by Python equality; each call hands out fresh lists, as the reference builds the map per call.
const SECTOR_MAP = PyDict.from({
  Technology: ["AAPL", "GOOG", "MSFT", "NVDA"],
  Automobile: ["TSLA", "F", "GM"],
});

/** `symbol in self.stocks`. */
function stocksHas(s: TradingBotState, symbol: PyValue): boolean {
  const stocks = s.stocks;
  if (stocks instanceof PyDict) return stocks.has(symbol);
  if (Array.isArray(stocks)) return stocks.some((x) => pyEquals(x, symbol));
  throw new PyException("TypeError", `argument of type '${pyTypeName(stocks)}' is not iterable`);
}

/** Index of the first element equal to `x` (list `in` / `remove`), -1 when absent. */
function indexOfEqual(list: PyValue[], x: PyValue): number {
  for (let i = 0; i < list.length; i++) if (pyEquals(list[i]!, x)) return i;
  return -1;
}

const tools: Tool[] = [
  tool({
    name: "add_to_watchlist",
    params: [{ name: "stock" }],
    run(s, { stock }) {
      if (indexOfEqual(s.watch_list, stock) < 0 && stocksHas(s, stock)) s.watch_list.push(stock);
      return PyDict.from({ watchlist: s.watch_list });
    },
  }),
  tool({
    name: "cancel_order",
    params: [{ name: "order_id" }],
    run(s, { order_id }, ctx) {
      const id = order_id;
      if (!s.orders.has(id)) return error(ctx, "ORDER_NOT_FOUND", { order_id: pyStr(id) });
      const order = s.orders.getItem(id);
      if (pyEquals(pyGetStrItem(order, "status"), "Completed")) {
        return error(ctx, "ORDER_ALREADY_COMPLETED", { order_id: pyStr(id) });
      }
      pySetStrItem(order, "status", "Cancelled");
      return PyDict.from({ order_id: id, status: "Cancelled" });
    },
  }),
  tool({
    name: "filter_stocks_by_price",
    params: [{ name: "stocks" }, { name: "min_price" }, { name: "max_price" }],
    run(s, { stocks, min_price, max_price }) {
      const filtered: PyValue[] = [];
      const priceOf = (symbol: PyValue): PyValue => pyDictGet(pyDictGet(s.stocks, symbol, new PyDict()), "price", 0n);
      for (const symbol of pyIter(stocks)) {
        if (cmp(">=", priceOf(symbol), min_price) && cmp("<=", priceOf(symbol), max_price)) {
          filtered.push(symbol);
        }
      }
      return PyDict.from({ filtered_stocks: filtered });
    },
  }),
  tool({
    name: "fund_account",
    params: [{ name: "amount" }],
    run(s, { amount }, ctx) {
      if (!pyTruthy(s.authenticated)) return error(ctx, "AUTH_FUND");
      if (cmp("<=", amount, 0n)) return error(ctx, "FUND_NOT_POSITIVE");
      pySetStrItem(s.account_info, "balance", pyAdd(pyGetStrItem(s.account_info, "balance"), amount));
      const entry = PyDict.from({ type: "deposit", amount: amount });
      entry.set("timestamp", transactionTimestamp(s));
      s.transaction_history.push(entry);
      return PyDict.from({ status: "Account funded successfully", new_balance: pyGetStrItem(s.account_info, "balance") });
    },
  }),
  tool({
    name: "get_account_info",
    params: [],
    run(s, _args, ctx) {
      if (!pyTruthy(s.authenticated)) return error(ctx, "AUTH_ACCOUNT_INFO");
      return s.account_info;
    },
  }),
  tool({
    name: "get_available_stocks",
    params: [{ name: "sector" }],
    run(s, { sector }) {
      const base = SECTOR_MAP.get(sector) as PyValue[] | undefined;
      let list: PyValue[] = base ? base.slice() : [];
      const ext = s._ext;
      if (ext && base) {
        // Only the two mapped sectors are extended, and only they can be returned.
        list = pyListConcat(list, base === SECTOR_MAP.get("Technology") ? ext.technology : ext.automobile);
      }
      return PyDict.from({ stock_list: list });
    },
  }),
  tool({
    name: "get_current_time",
    params: [],
    run() {
      return PyDict.from({ current_time: "10:30 AM" });
    },
  }),
  tool({
    name: "get_order_details",
    params: [{ name: "order_id" }],
    run(s, { order_id }, ctx) {
      const id = order_id;
      if (!s.orders.has(id)) {
        return error(ctx, "ORDER_DETAILS_NOT_FOUND", { order_id: pyStr(id), order_ids: pyRepr([...s.orders.keys()]) });
      }
      const stored = s.orders.getItem(id);
      const ext = s._ext;
      if (!ext) return stored;
      const order = shallowCopy(stored);
      const symbol = pyGetStrItem(order, "symbol");
      const texts = orderDetailTexts(ext, pyStr(symbol));
      if (typeof texts === "string") return error(ctx, "ORDER_DETAILS_FORMAT_ERROR", { error: texts });
      const metadata = new PyDict();
      ext.orderDetail.forEach(([key], i) => metadata.set(key, texts[i]!));
      pySetStrItem(order, "metadata", metadata);
      return order;
    },
  }),
  tool({
    name: "get_order_history",
    params: [],
    run(s, _args, ctx) {
      if (!pyTruthy(s.authenticated)) return [error(ctx, "AUTH_ORDER_HISTORY")];
      return PyDict.from({ history: [...s.orders.keys()] });
    },
  }),
  tool({
    name: "get_stock_info",
    params: [{ name: "symbol" }],
    run(s, { symbol }, ctx) {
      if (!stocksHas(s, symbol)) return error(ctx, "STOCK_NOT_FOUND", { symbol: pyStr(symbol) });
      const entry = pyGetStrItemAny(s.stocks, symbol);
      const ext = s._ext;
      if (!ext) return entry;
      const stock = shallowCopy(entry);
      pySetStrItem(stock, "MA(5)", ext.ma5);
      pySetStrItem(stock, "MA(20)", ext.ma20);
      return stock;
    },
  }),
  tool({
    name: "get_symbol_by_name",
    params: [{ name: "name" }],
    run(_s, { name }, ctx) {
      return PyDict.from({ symbol: SYMBOL_MAP.get(name) ?? msg(ctx, "SYMBOL_NAME_NOT_FOUND") });
    },
  }),
  tool({
    name: "get_transaction_history",
    params: [
      { name: "start_date", default: null },
      { name: "end_date", default: null },
    ],
    run(s, { start_date, end_date }, ctx) {
      if (!pyTruthy(s.authenticated)) return [error(ctx, "AUTH_TRANSACTION_HISTORY")];
      const start = pyTruthy(start_date) ? parseOrThrow(ctx, start_date, DATE_FORMAT) : -Infinity;
      const end = pyTruthy(end_date) ? parseOrThrow(ctx, end_date, DATE_FORMAT) : Infinity;
      const filtered: PyValue[] = [];
      for (const t of s.transaction_history) {
        const at = parseOrThrow(ctx, pyGetStrItem(t, "timestamp"), TIMESTAMP_FORMAT);
        if (start <= at && at <= end) filtered.push(t);
      }
      const ext = s._ext;
      return PyDict.from({ transaction_history: ext ? pyListConcat(filtered, ext.transactionHistory) : filtered });
    },
  }),
  tool({
    name: "get_watchlist",
    params: [],
    run(s, _args, ctx) {
      if (!pyTruthy(s.authenticated)) return [msg(ctx, "AUTH_WATCHLIST_VIEW")];
      const ext = s._ext;
      if (ext) return pyListConcat(s.watch_list, ext.watchList);
      return PyDict.from({ watchlist: s.watch_list });
    },
  }),
  tool({
    name: "notify_price_change",
    params: [{ name: "stocks" }, { name: "threshold" }],
    run(s, { stocks, threshold }) {
      const changed: PyValue[] = [];
      for (const symbol of pyIter(stocks)) {
        if (stocksHas(s, symbol)) {
          const change = pyGetStrItem(pyGetStrItemAny(s.stocks, symbol), "percent_change");
          if (cmp(">=", pyAbs(change), threshold)) changed.push(symbol);
        }
      }
      if (changed.length > 0) {
        return PyDict.from({ notification: `Stocks ${pyJoin(", ", changed)} have significant price changes.` });
      }
      return PyDict.from({ notification: "No significant price changes in the selected stocks." });
    },
  }),
  tool({
    name: "place_order",
    params: [{ name: "order_type" }, { name: "symbol" }, { name: "price" }, { name: "amount" }],
    run(s, { order_type, symbol, price, amount }, ctx) {
      if (!pyTruthy(s.authenticated)) return error(ctx, "AUTH_PLACE_ORDER");
      if (!stocksHas(s, symbol)) return error(ctx, "INVALID_SYMBOL", { symbol: pyStr(symbol) });
      if (cmp("<=", price, 0n) || cmp("<=", amount, 0n)) return error(ctx, "ORDER_NOT_POSITIVE");
      if (lower(order_type) === "buy") {
        // float(price) * int(amount): the share count is truncated, then promoted back to float.
        const totalCost = toFloat(price) * toFloat(pyIntFromFloat(numeric(amount)));
        const balance = pyDictGet(s.account_info, "balance", 0n);
        if (cmp(">", totalCost, balance)) {
          return error(ctx, "ORDER_INSUFFICIENT_FUNDS", {
            total_cost: pyFormatFixed(totalCost, 2),
            balance: formatMoney(balance),
          });
        }
      }
      const fprice = toFloat(price);
      const orderId = s.order_counter;
      s.orders.set(
        orderId,
        PyDict.from({ id: orderId, order_type: order_type, symbol: symbol, price: fprice, amount: amount, status: "Open" }),
      );
      s.order_counter = pyAdd(s.order_counter, 1n);
      return PyDict.from({ order_id: orderId, order_type: order_type, status: "Pending", price: fprice, amount: amount });
    },
  }),
  tool({
    name: "remove_stock_from_watchlist",
    params: [{ name: "symbol" }],
    run(s, { symbol }, ctx) {
      if (!pyTruthy(s.authenticated)) return error(ctx, "AUTH_WATCHLIST_MODIFY");
      const list = s.watch_list;
      const i = indexOfEqual(list, symbol);
      if (i < 0) return error(ctx, "WATCHLIST_SYMBOL_NOT_FOUND", { symbol: pyStr(symbol) });
      list.splice(i, 1);
      return PyDict.from({ status: `Stock ${pyStr(symbol)} removed from watchlist successfully.` });
    },
  }),
  tool({
    name: "trading_get_login_status",
    params: [],
    run(s) {
      return PyDict.from({ status: pyTruthy(s.authenticated) });
    },
  }),
  tool({
    name: "trading_login",
    params: [{ name: "username" }, { name: "password" }],
    run(s) {
      if (pyTruthy(s.authenticated)) return PyDict.from({ status: "Already logged in" });
      s.authenticated = true;
      return PyDict.from({ status: "Logged in successfully" });
    },
  }),
  tool({
    name: "trading_logout",
    params: [],
    run(s) {
      if (!pyTruthy(s.authenticated)) return PyDict.from({ status: "No user is currently logged in" });
      s.authenticated = false;
      return PyDict.from({ status: "Logged out successfully" });
    },
  }),
  tool({
    name: "withdraw_funds",
    params: [{ name: "amount" }],
    run(s, { amount }, ctx) {
      if (!pyTruthy(s.authenticated)) return error(ctx, "AUTH_WITHDRAW");
      if (s.market_status !== "Open") return error(ctx, "MARKET_CLOSED");
      if (cmp("<=", amount, 0n)) return error(ctx, "WITHDRAW_NOT_POSITIVE");
      if (cmp(">", amount, pyGetStrItem(s.account_info, "balance"))) return error(ctx, "WITHDRAW_INSUFFICIENT_FUNDS");
      pySetStrItem(s.account_info, "balance", pySub(pyGetStrItem(s.account_info, "balance"), amount));
      const entry = PyDict.from({ type: "withdrawal", amount: amount });
      entry.set("timestamp", transactionTimestamp(s));
      s.transaction_history.push(entry);
      return PyDict.from({ status: "Withdrawal successful", new_balance: pyGetStrItem(s.account_info, "balance") });
    },
  }),
];

/** `f"{x:.2f}"` of the balance (an int or a float in practice). */
function formatMoney(v: PyValue): string {
  if (typeof v === "number" || typeof v === "bigint") return pyFormatFixed(v, 2);
  if (typeof v === "boolean") return pyFormatFixed(v ? 1n : 0n, 2);
  throw new PyException("TypeError", `unsupported format string passed to ${pyTypeName(v)}.__format__`);
}

/**
 * `ORDER_DETAIL_EXTENSION[k].format(symbol=...)` for every template, or `str(KeyError)` of the
 * first template with another field (the reference returns that as an error). Rendered per call:
 * the templates are parsed once per constants object, the join is cheap.
 */
function orderDetailTexts(ext: TradingExtensions, symbol: string): readonly string[] | string {
  const out: string[] = [];
  for (const [, template] of ext.orderDetail) {
    if ("missingField" in template) return pyRepr(template.missingField);
    out.push(template.pieces.join(symbol));
  }
  return out;
}

/** `x.copy()` of a stored order or stock entry. */
function shallowCopy(v: PyValue): PyValue {
  if (v instanceof PyDict) return v.copy();
  if (Array.isArray(v)) return v.slice();
  throw new PyException("AttributeError", `'${pyTypeName(v)}' object has no attribute 'copy'`);
}

/** `self.stocks[symbol]` after a successful membership test. */
function pyGetStrItemAny(container: PyValue, key: PyValue): PyValue {
  if (container instanceof PyDict) return container.getItem(key);
  throw new PyException("TypeError", `'${pyTypeName(container)}' object is not subscriptable`);
}

/** `x.lower()` (AttributeError for non-str). */
function lower(v: PyValue): string {
  if (typeof v !== "string") throw new PyException("AttributeError", `'${pyTypeName(v)}' object has no attribute 'lower'`);
  return pyLower(v);
}

/** A value that passed `x <= 0` without raising is an int, float or bool. */
function numeric(v: PyValue): number | bigint | boolean {
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v;
  throw new PyException("TypeError", `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}

export { tools };
