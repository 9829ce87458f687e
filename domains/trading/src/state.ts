/**
 * TradingBot's instance state and `_load_scenario`.
 *
 * The reference deep-copies `DEFAULT_STATE` and the scenario on every load. Here the scenario's
 * values are copied per episode; the module default stocks table, never written by any tool, is
 * shared frozen by every instance that loads a scenario without `stocks`. The long-context lists
 * are shared frozen too. Frozen values print once (core caches their texts), which is what keeps a
 * long-context `get_stock_info` (two lists of thousands of floats) cheap.
 */
import type { LongContextConstants, StateInit } from "@envtune/core/domain";
import { PyDict, PyException, freezePyValue, pyDeepCopy as deepCopy, pyTypeName, type PyValue } from "@envtune/core/py";
import { PyRandom } from "@envtune/core";

export const PACK_NAME = "trading";
export const DEFAULT_RANDOM_SEED = 1053520n;

const stock = (price: number, percent_change: number, volume: number, ma5: number, ma20: number): PyDict =>
  PyDict.from({ price, percent_change, volume, "MA(5)": ma5, "MA(20)": ma20 });

// Read-only, shared by every instance that loads a scenario without `stocks`.
const DEFAULT_STOCKS: PyDict = freezePyValue(
  PyDict.from({
    AAPL: stock(227.16, 0.17, 2.552, 227.11, 227.09),
    GOOG: stock(2840.34, 0.24, 1.123, 2835.67, 2842.15),
    TSLA: stock(667.92, -0.12, 1.654, 671.15, 668.2),
    MSFT: stock(310.23, 0.09, 3.234, 309.88, 310.11),
    NVDA: stock(220.34, 0.34, 1.234, 220.45, 220.67),
    ALPH: stock(1320.45, -0.08, 1.567, 1321.12, 1325.78),
    OMEG: stock(457.23, 0.12, 2.345, 456.78, 458.12),
    QUAS: stock(725.89, -0.03, 1.789, 726.45, 728.0),
    NEPT: stock(88.34, 0.19, 0.654, 88.21, 88.67),
    SYNX: stock(345.67, 0.11, 2.112, 345.34, 346.12),
    ZETA: stock(22.09, -0.05, 0.789, 22.12, 22.34),
  }),
);

function defaultOrders(): PyDict {
  return new PyDict([
    [12345n, PyDict.from({ id: 12345n, order_type: "Buy", symbol: "AAPL", price: 210.65, amount: 10n, status: "Completed" })],
    [12446n, PyDict.from({ id: 12446n, order_type: "Sell", symbol: "GOOG", price: 2840.56, amount: 5n, status: "Pending" })],
  ]);
}

const defaultAccountInfo = (): PyDict => PyDict.from({ account_id: 12345n, balance: 10000.0, binding_card: 1974202140965533n });

/** The long-context constants TradingBot reads (upstream `long_context.py`). */
export interface TradingExtensions {
  readonly watchList: readonly PyValue[];
  readonly transactionHistory: readonly PyValue[];
  readonly technology: readonly PyValue[];
  readonly automobile: readonly PyValue[];
  /** `ORDER_DETAIL_EXTENSION` as (key, compiled template) pairs, in dict order. */
  readonly orderDetail: ReadonlyArray<readonly [PyValue, OrderDetailTemplate]>;
  /** Rendered `orderDetail` texts per symbol (immutable strings, shared by all episodes). */
  /**
   * The reference hands out the module's `MA_5_EXTENSION`/`MA_20_EXTENSION` lists themselves inside
   * `get_stock_info` results. Only a nested call (which envtune does not evaluate) could mutate
   * them there, so every episode shares one frozen copy: any mutation would throw instead of
   * leaking into other episodes.
   */
  readonly ma5: PyValue[];
  readonly ma20: PyValue[];
}

export class TradingBotState {
  orders: PyDict;
  account_info: PyValue;
  authenticated: PyValue;
  market_status: PyValue;
  order_counter: PyValue;
  stocks: PyValue;
  watch_list: PyValue[];
  transaction_history: PyValue[];
  long_context: boolean;
  readonly _random: PyRandom;
  /** Present only in long-context episodes. */
  readonly _ext: TradingExtensions | undefined;

  constructor(init: StateInit) {
    const cfg = init.config;
    // `scenario.get(key, default)`: a present key wins even when its value is None.
    const get = (key: string, dflt: () => PyValue): PyValue => {
      const v = cfg.get(key);
      return v === undefined ? dflt() : v;
    };
    const orders = cfg.get("orders");
    this.orders = orders === undefined ? defaultOrders() : loadOrders(orders);
    const account = cfg.get("account_info");
    this.account_info = account === undefined ? defaultAccountInfo() : deepCopy(account);
    this.authenticated = get("authenticated", () => false);
    this.market_status = get("market_status", () => "Closed");
    this.order_counter = get("order_counter", () => 12446n);
    this.stocks = get("stocks", () => DEFAULT_STOCKS);
    // A scenario's own table is copied for every episode, like the reference's deepcopy: a copy
    // shared between episodes would carry its printed texts from one episode to the next.
    if (this.stocks !== DEFAULT_STOCKS) this.stocks = deepCopy(this.stocks);
    this.watch_list = loadList(cfg, "watch_list", ["NVDA"]);
    this.transaction_history = loadList(cfg, "transaction_history", []);
    this.long_context = init.longContext;
    this._random = new PyRandom(seedOf(get("random_seed", () => DEFAULT_RANDOM_SEED)));
    this._ext = init.longContext ? loadExtensions(init) : undefined;
  }
}

/** `{int(k) if isinstance(k, str) and k.isdigit() else k: v for k, v in orders.items()}` over a deep copy. */
function loadOrders(orders: PyValue): PyDict {
  if (!(orders instanceof PyDict)) {
    throw new PyException("AttributeError", `'${pyTypeName(orders)}' object has no attribute 'items'`);
  }
  const out = new PyDict();
  for (const [k, v] of orders) {
    const key = typeof k === "string" && /^[0-9]+$/.test(k) ? BigInt(k) : k;
    out.set(key, deepCopy(v));
  }
  return out;
}

/**
 * A list attribute of the scenario (deep-copied). The reference would store any value and fail
 * only when a tool uses it; envtune rejects a non-list up front (dataset scenarios always hold lists).
 */
function loadList(cfg: PyDict, key: string, dflt: PyValue[]): PyValue[] {
  const v = cfg.get(key);
  if (v === undefined) return dflt;
  if (!Array.isArray(v)) {
    throw new Error(
      `[envtune] [${PACK_NAME}] scenario TradingBot.${key} must be a list, got ${pyTypeName(v)}. Fix the entry's initial_config.`,
    );
  }
  return deepCopy(v);
}

function seedOf(v: PyValue): bigint | number {
  if (typeof v === "bigint" || typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  throw new Error(`[envtune] [${PACK_NAME}] random_seed must be an int, got ${String(v)}. Fix the scenario's TradingBot.random_seed.`);
}

/** A frozen copy of a list constant (the constants object is shared with other packs; it is not ours to freeze). */
function listConstant(init: StateInit, name: string): PyValue[] {
  const v = init.constants?.get(name);
  if (!Array.isArray(v)) {
    throw new Error(
      `[envtune] [${PACK_NAME}] long-context constant ${name} is missing or not a list. Pass the decoded long_context.json as StateInit.constants.`,
    );
  }
  return freezePyValue(deepCopy(v));
}

// Per-constants-object cache, so that episodes reuse one parsed view of the same constants.
const extCache = new WeakMap<LongContextConstants, TradingExtensions>();

function loadExtensions(init: StateInit): TradingExtensions {
  const constants = init.constants;
  if (!constants) {
    throw new Error(`[envtune] [${PACK_NAME}] a long-context episode needs StateInit.constants. Pass the decoded long_context.json.`);
  }
  let base = extCache.get(constants);
  if (!base) {
    const detail = constants.get("ORDER_DETAIL_EXTENSION");
    if (!(detail instanceof PyDict)) {
      throw new Error(
        `[envtune] [${PACK_NAME}] long-context constant ORDER_DETAIL_EXTENSION is missing or not a dict. Pass the decoded long_context.json.`,
      );
    }
    base = {
      watchList: listConstant(init, "WATCH_LIST_EXTENSION"),
      transactionHistory: listConstant(init, "TRANSACTION_HISTORY_EXTENSION"),
      technology: listConstant(init, "TECHNOLOGY_EXTENSION"),
      automobile: listConstant(init, "AUTOMOBILE_EXTENSION"),
      orderDetail: [...detail].map(([k, v]) => [k, compileTemplate(String(v))] as const),
      ma5: listConstant(init, "MA_5_EXTENSION"),
      ma20: listConstant(init, "MA_20_EXTENSION"),
    };
    extCache.set(constants, base);
  }
  return base;
}

/**
 * A `str.format` template whose only argument is `symbol`: literal pieces around `{symbol}` fields
 * (`{{`/`}}` unescaped), or the first other field name, which makes `.format(symbol=...)` raise
 * `KeyError`.
 */
export type OrderDetailTemplate = { pieces: string[] } | { missingField: string };

function compileTemplate(t: string): OrderDetailTemplate {
  const pieces: string[] = [];
  let lit = "";
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if ((c === "{" || c === "}") && t[i + 1] === c) {
      lit += c;
      i++;
    } else if (c === "{") {
      const end = t.indexOf("}", i);
      const field = end < 0 ? t.slice(i + 1) : t.slice(i + 1, end);
      if (field !== "symbol") return { missingField: field };
      pieces.push(lit);
      lit = "";
      i = end;
    } else lit += c;
  }
  pieces.push(lit);
  return { pieces };
}

export function createState(init: StateInit): TradingBotState {
  return new TradingBotState(init);
}

/** The compared attributes in the reference's `vars()` order. */
export function view(s: TradingBotState): Array<[string, PyValue]> {
  return [
    ["orders", s.orders],
    ["account_info", s.account_info],
    ["authenticated", s.authenticated],
    ["market_status", s.market_status],
    ["order_counter", s.order_counter],
    ["stocks", s.stocks],
    ["watch_list", s.watch_list],
    ["transaction_history", s.transaction_history],
    ["long_context", s.long_context],
  ];
}
