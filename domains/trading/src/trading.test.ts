import { World } from "@envtune/core/exec";
import { PY_ELLIPSIS, PyDict, parsePyJson, type PyValue } from "@envtune/core/py";
import { checkDomainTraces, sharedDataset, testDomainPack, traceFile } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack from "./index.ts";
import { augmented, standard } from "./messages.ts";
import type { TradingBotState } from "./state.ts";
import { strptimeSeconds, TIMESTAMP_FORMAT } from "./strptime.ts";

const constants = sharedDataset().longContext;

/** A dataset-like scenario: the stray `order_type` key and an order with `num_shares`. */
const DATASET_LIKE = `{"orders": {"12345": {"symbol": "AAPL", "price": 210.65, "num_shares": 10, "status": "Completed"},
  "order_type": "Buy"}, "account_info": {"account_id": 12345, "balance": 100.0, "binding_card": 1974202140965533},
  "authenticated": true, "market_status": "Open", "order_counter": 12446,
  "watch_list": ["NVDA"], "transaction_history": []}`;
const datasetLike = (): PyDict => parsePyJson(DATASET_LIKE) as PyDict;

testDomainPack(pack, {
  constants,
  samples: [
    { config: new PyDict(), calls: [] },
    {
      config: new PyDict(),
      calls: [
        "place_order(order_type='Buy', symbol='AAPL', price=1.0, amount=1)",
        "withdraw_funds(amount=1.0)",
        "fund_account(amount=1.0)",
        "get_account_info()",
        "remove_stock_from_watchlist(symbol='NVDA')",
        "trading_login(username='u', password='p')",
        "place_order(order_type='Buy', symbol='XX', price=1.0, amount=1)",
        "place_order(order_type='Buy', symbol='AAPL', price=0, amount=1)",
        "place_order(order_type='Buy', symbol='AAPL', price=227.16, amount=1000)",
        "withdraw_funds(amount=1.0)",
        "fund_account(amount=0)",
        "get_stock_info(symbol='XX')",
        "get_order_details(order_id=1)",
        "cancel_order(order_id=1)",
        "cancel_order(order_id=12345)",
        "remove_stock_from_watchlist(symbol='XX')",
        "get_symbol_by_name(name='Nope')",
      ],
    },
    { config: datasetLike(), calls: ["withdraw_funds(amount=0)", "withdraw_funds(amount=1000)", "get_watchlist()"], longContext: true },
  ],
});

function world(
  config: PyDict = new PyDict(),
  opts: { augmented?: boolean; longContext?: boolean; shared?: Map<string, unknown> } = {},
): World {
  return new World({
    packs: [pack],
    initialConfig: new PyDict([["TradingBot", config]]),
    longContext: opts.longContext ?? false,
    constants,
    augmented: opts.augmented ?? false,
    ...(opts.shared ? { shared: opts.shared } : {}),
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

describe("reference traces", () => {
  it("ground_truth.jsonl: every TradingBot result and state is identical", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("ground_truth.jsonl") });
    expect(r.mismatches).toEqual([]);
    expect(r.records).toBe(200);
    expect(r.calls).toBe(812);
    expect(r.resultsIdentical).toBe(r.calls);
    expect(r.statesIdentical).toBe(r.states);
    expect(r.states).toBe(1112);
  });

  it("fuzz.jsonl: every TradingBot result and state is identical, wrong_type included", () => {
    const r = checkDomainTraces(pack, { traceFile: traceFile("fuzz.jsonl"), maxMismatches: 1000 });
    expect(r.mismatches).toEqual([]);
    expect(r.resultsIdentical).toBe(r.calls);
    expect(r.statesIdentical).toBe(r.states);
    const wrongType = r.byKind.get("wrong_type")!;
    expect(wrongType.calls).toBeGreaterThan(0);
    expect(wrongType.resultsIdentical).toBe(wrongType.calls);
    expect(wrongType.statesIdentical).toBe(wrongType.turns);
    for (const kind of ["valid", "positional", "bad_value", "missing_required", "extra_kwarg", "forbidden"]) {
      const s = r.byKind.get(kind)!;
      expect(s.calls, kind).toBeGreaterThan(0);
      expect(s.resultsIdentical, kind).toBe(s.calls);
      expect(s.statesIdentical, kind).toBe(s.turns);
    }
  });
});

describe("TradingBot quirks", () => {
  it("loads the defaults: order_counter equals an existing order id, so the first order overwrites it", () => {
    const w = world();
    expect(call(w, "trading_login", { username: "u", password: "p" })).toBe('{"status": "Logged in successfully"}');
    expect(call(w, "get_order_history")).toBe('{"history": [12345, 12446]}');
    expect(call(w, "place_order", { order_type: "Sell", symbol: "TSLA", price: 700n, amount: 2.5 })).toBe(
      '{"order_id": 12446, "order_type": "Sell", "status": "Pending", "price": 700.0, "amount": 2.5}',
    );
    expect(call(w, "get_order_history")).toBe('{"history": [12345, 12446]}');
    expect(call(w, "get_order_details", { order_id: 12446.0 })).toBe(
      '{"id": 12446, "order_type": "Sell", "symbol": "TSLA", "price": 700.0, "amount": 2.5, "status": "Open"}',
    );
  });

  it("keeps the stray str key of dataset orders and converts digit keys to int", () => {
    const w = world(datasetLike());
    expect(call(w, "get_order_history")).toBe('{"history": [12345, "order_type"]}');
    expect(call(w, "get_order_details", { order_id: 1n })).toBe(
      '{"error": "Order with ID 1 not found.Here is the list of orders_id: [12345, \'order_type\']"}',
    );
    expect(call(w, "get_order_details", { order_id: "order_type" })).toBe("Buy");
    expect(call(w, "cancel_order", { order_id: "order_type" })).toBe("Error during execution: string indices must be integers, not 'str'");
    expect(call(w, "cancel_order", { order_id: 12345n })).toBe('{"error": "Can\'t cancel order 12345. Order is already completed."}');
  });

  it("truncates the share count with int() for the funds check, and stores the amount as given", () => {
    const w = world(datasetLike());
    // 33.333 * int(3.99) = 99.999 <= 100.0 passes; 33.333 * 4 would not.
    expect(call(w, "place_order", { order_type: "BUY", symbol: "AAPL", price: 33.333, amount: 3.99 })).toBe(
      '{"order_id": 12446, "order_type": "BUY", "status": "Pending", "price": 33.333, "amount": 3.99}',
    );
    expect(call(w, "place_order", { order_type: "buy", symbol: "AAPL", price: 2n, amount: 51n })).toBe(
      '{"error": "Insufficient funds: required $102.00 but only $100.00 available."}',
    );
    expect(call(w, "place_order", { order_type: "Buy", symbol: "AAPL", price: true, amount: 1000n })).toBe(
      '{"error": "Insufficient funds: required $1000.00 but only $100.00 available."}',
    );
    // Sell orders are never checked against the balance.
    expect(call(w, "place_order", { order_type: "Sell", symbol: "GOOG", price: 1e6, amount: 1e6 })).toContain('"order_id": 12447');
    expect(call(w, "place_order", { order_type: 5n, symbol: "AAPL", price: 2n, amount: 1n })).toBe(
      "Error during execution: 'int' object has no attribute 'lower'",
    );
    expect(call(w, "place_order", { order_type: "Buy", symbol: ["a"], price: 1n, amount: 1n })).toBe(
      "Error during execution: unhashable type: 'list'",
    );
    expect(call(w, "place_order", { order_type: "Buy", symbol: "SYNX", price: 345.67, amount: "3" })).toBe(
      "Error during execution: '<=' not supported between instances of 'str' and 'int'",
    );
  });

  it("draws one RNG value per transaction (seed 1053520) and formats the timestamp like strftime", () => {
    const w = world(datasetLike());
    expect(call(w, "withdraw_funds", { amount: 100n })).toBe('{"status": "Withdrawal successful", "new_balance": 0.0}');
    expect(call(w, "withdraw_funds", { amount: 0.1 })).toBe('{"error": "Insufficient funds for withdrawal."}');
    expect(call(w, "fund_account", { amount: 0.2 })).toBe('{"status": "Account funded successfully", "new_balance": 0.2}');
    expect(call(w, "get_transaction_history")).toBe(
      '{"transaction_history": [{"type": "withdrawal", "amount": 100, "timestamp": "2024-09-02 05:40:15"}, ' +
        '{"type": "deposit", "amount": 0.2, "timestamp": "2024-09-01 12:26:34"}]}',
    );
    // Bounds are midnights: the end date excludes everything later that day.
    expect(call(w, "get_transaction_history", { start_date: "2024-09-01", end_date: "2024-09-02" })).toBe(
      '{"transaction_history": [{"type": "deposit", "amount": 0.2, "timestamp": "2024-09-01 12:26:34"}]}',
    );
  });

  it("raises strptime's errors for bad dates", () => {
    const w = world(datasetLike());
    const err = (v: PyValue) => call(w, "get_transaction_history", { start_date: v });
    expect(err("2024/01/01")).toBe("Error during execution: time data '2024/01/01' does not match format '%Y-%m-%d'");
    expect(err("tab\there")).toBe("Error during execution: time data 'tab\\there' does not match format '%Y-%m-%d'");
    expect(err("2024-9-1 ")).toBe("Error during execution: unconverted data remains:  ");
    expect(err("2024-02-30")).toBe("Error during execution: day is out of range for month");
    expect(err("0000-01-01")).toBe("Error during execution: year 0 is out of range");
    expect(err(3.5)).toBe("Error during execution: strptime() argument 1 must be str, not float");
    // Falsy values mean "no bound"; single-digit and space-padded fields parse like CPython.
    expect(err("")).toBe('{"transaction_history": []}');
    expect(err(0n)).toBe('{"transaction_history": []}');
    expect(err("2024-1- 1")).toBe('{"transaction_history": []}');
    // Python's \d matches any Unicode decimal digit (Arabic-Indic 2024 here).
    expect(err("\u0662\u0660\u0662\u0664-01-01")).toBe('{"transaction_history": []}');
  });

  it("parses timestamps with CPython's %S range (60 and 61 match, then fail the datetime check)", () => {
    expect(strptimeSeconds("2024-01-01 10:00:61", TIMESTAMP_FORMAT)).toEqual({ code: "DATE_SECOND_OUT_OF_RANGE", vars: {} });
    expect(typeof strptimeSeconds("2024-01-01\t\t1:2:3", TIMESTAMP_FORMAT)).toBe("number");
  });

  it("returns lists (Python repr) for some unauthenticated calls", () => {
    const w = world();
    expect(call(w, "get_watchlist")).toBe("['Error: User not authenticated. Please log in to view the watchlist.']");
    expect(call(w, "get_order_history")).toBe("[{'error': 'User not authenticated. Please log in to view order history.'}]");
    expect(call(w, "get_transaction_history")).toBe("[{'error': 'User not authenticated. Please log in to view transaction history.'}]");
  });

  it("mirrors CPython for wrong argument types", () => {
    const w = world(datasetLike());
    expect(call(w, "notify_price_change", { stocks: 5n, threshold: 1n })).toBe("Error during execution: 'int' object is not iterable");
    expect(call(w, "notify_price_change", { stocks: PyDict.from({ AAPL: 1n }), threshold: "x" })).toBe(
      "Error during execution: '>=' not supported between instances of 'float' and 'str'",
    );
    expect(call(w, "filter_stocks_by_price", { stocks: ["XX"], min_price: [1.0], max_price: 1n })).toBe(
      "Error during execution: '>=' not supported between instances of 'int' and 'list'",
    );
    // Unknown symbols have price 0 and pass a range that contains 0.
    expect(call(w, "filter_stocks_by_price", { stocks: ["AAPL", "GOOG", "XX"], min_price: 0n, max_price: 300n })).toBe(
      '{"filtered_stocks": ["AAPL", "XX"]}',
    );
    expect(call(w, "get_symbol_by_name", { name: PyDict.from({ k: "v" }) })).toBe("Error during execution: unhashable type: 'dict'");
    expect(call(w, "get_stock_info", { symbol: true })).toBe('{"error": "Stock with symbol \'True\' not found."}');
    expect(call(w, "remove_stock_from_watchlist", { symbol: ["a"] })).toBe('{"error": "Stock [\'a\'] not found in watchlist."}');
    expect(call(w, "withdraw_funds", { amount: null })).toBe(
      "Error during execution: '<=' not supported between instances of 'NoneType' and 'int'",
    );
    expect(call(w, "cancel_order", { order_id: 12345.0 })).toBe('{"error": "Can\'t cancel order 12345.0. Order is already completed."}');
  });

  it("adds only known symbols to the watchlist and removes by equality", () => {
    const w = world(datasetLike());
    expect(call(w, "add_to_watchlist", { stock: "XX" })).toBe('{"watchlist": ["NVDA"]}');
    expect(call(w, "add_to_watchlist", { stock: "AAPL" })).toBe('{"watchlist": ["NVDA", "AAPL"]}');
    expect(call(w, "add_to_watchlist", { stock: "AAPL" })).toBe('{"watchlist": ["NVDA", "AAPL"]}');
    expect(call(w, "remove_stock_from_watchlist", { symbol: "NVDA" })).toBe(
      '{"status": "Stock NVDA removed from watchlist successfully."}',
    );
    expect(call(w, "get_watchlist")).toBe('{"watchlist": ["AAPL"]}');
  });
});

describe("long context", () => {
  it("returns the watch list plus the 1000 extension symbols and Ellipsis, as a list", () => {
    const w = world(datasetLike(), { longContext: true });
    const out = call(w, "get_watchlist");
    expect(out.startsWith("['NVDA', 'JHGUN', 'LMAT',")).toBe(true);
    expect(out.endsWith("'YBTT', 'ZRFRE', Ellipsis]")).toBe(true);
    // The extension is appended to a copy; the state keeps only the real watch list.
    expect(w.view("TradingBot").find(([k]) => k === "watch_list")![1]).toEqual(["NVDA"]);
    expect((constants.get("WATCH_LIST_EXTENSION") as PyValue[]).at(-1)).toBe(PY_ELLIPSIS);
  });

  it("extends sectors, stock info and order details without touching the constants", () => {
    const before = (constants.get("TECHNOLOGY_EXTENSION") as PyValue[]).length;
    const w = world(datasetLike(), { longContext: true });
    const tech = call(w, "get_available_stocks", { sector: "Technology" });
    expect(tech.startsWith('{"stock_list": ["AAPL", "GOOG", "MSFT", "NVDA", "AAPL", "GOOG", "MSFT", "NVDA", "LGY"')).toBe(true);
    expect(call(w, "get_available_stocks", { sector: "Technology" })).toBe(tech);
    expect((constants.get("TECHNOLOGY_EXTENSION") as PyValue[]).length).toBe(before);
    expect(call(w, "get_stock_info", { symbol: "AAPL" })).toMatch(
      /^\{"price": 227\.16, "percent_change": 0\.17, "volume": 2\.552, "MA\(5\)": \[234\.34, 212\.46, /,
    );
    const details = call(w, "get_order_details", { order_id: 12345n });
    expect(details).toMatch(
      /^\{"symbol": "AAPL", "price": 210\.65, "num_shares": 10, "status": "Completed", "metadata": \{"company_overview": "\\n {4}AAPL is one/,
    );
    expect(details).toContain("company\\u2019s");
    expect(call(w, "get_order_details", { order_id: "order_type" })).toBe("Error during execution: 'str' object has no attribute 'copy'");
  });

  it("reports a template field other than {symbol} as the reference's KeyError error", () => {
    const custom = new Map(constants);
    custom.set("ORDER_DETAIL_EXTENSION", PyDict.from({ a: "{{symbol}} is {symbol}", b: "{price} of {symbol}" }));
    const w = new World({
      packs: [pack],
      initialConfig: new PyDict([["TradingBot", datasetLike()]]),
      longContext: true,
      constants: custom,
    });
    expect(call(w, "get_order_details", { order_id: 12345n })).toBe('{"error": "KeyError during formatting: \'price\'"}');
  });

  it("appends the 1000 extension transactions unfiltered", () => {
    const w = world(datasetLike(), { longContext: true });
    const out = call(w, "get_transaction_history", { start_date: "2030-01-01" });
    expect(
      out.startsWith('{"transaction_history": [{"type": "deposit", "amount": 9933.53, "timestamp": "2024-05-01 22:14:05.858817"}'),
    ).toBe(true);
  });

  it("hands out one frozen copy of the MA lists, so no episode can change another's", () => {
    const shared = new Map<string, unknown>();
    const a = world(datasetLike(), { longContext: true, shared });
    const b = world(datasetLike(), { longContext: true });
    const ma = (w: World) => {
      const value = pack.toolMap
        .get("get_stock_info")!
        .run(w.stateOf("TradingBot") as TradingBotState, { symbol: "AAPL" }, { augmented: false, msg: (x) => x });
      return (value as PyDict).get("MA(5)") as PyValue[];
    };
    const list = ma(a);
    expect(ma(b)).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
    expect(() => list.push(1.5)).toThrow(TypeError);
    // The constants object itself is left alone (other packs read it too).
    expect(list).not.toBe(constants.get("MA_5_EXTENSION"));
    expect(list).toEqual(constants.get("MA_5_EXTENSION"));
    expect(Object.isFrozen(constants.get("MA_5_EXTENSION"))).toBe(false);
  });

  it("copies a scenario's stocks table per episode (no printed text outlives an episode) and prints it identically", () => {
    const cfg = datasetLike();
    cfg.set(
      "stocks",
      parsePyJson(`{"AAPL": {"price": 227.16, "percent_change": 0.17, "volume": 2.552, "MA(5)": 227.11, "MA(20)": 227.09}}`),
    );
    const a = world(cfg);
    const b = world(cfg);
    const stocksOf = (w: World) => (w.stateOf("TradingBot") as TradingBotState).stocks as PyDict;
    expect(stocksOf(a)).not.toBe(stocksOf(b));
    expect(stocksOf(a)).not.toBe(cfg.get("stocks"));
    expect(stocksOf(a).frozen).toBe(false);
    expect(call(a, "get_stock_info", { symbol: "AAPL" })).toBe(call(b, "get_stock_info", { symbol: "AAPL" }));
  });
});

describe("messages", () => {
  it("standard and augmented catalogues share codes and differ where hints exist", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    for (const code of Object.keys(standard) as Array<keyof typeof standard>) {
      expect(augmented[code], code).not.toBe(standard[code]);
      // Every placeholder of the standard text survives in the hint.
      for (const v of standard[code].match(/\{\w+\}/g) ?? []) expect(augmented[code], code).toContain(v);
    }
  });

  it("augmented mode gives actionable hints without changing behaviour", () => {
    const std = world(datasetLike());
    const aug = world(datasetLike(), { augmented: true });
    const args = { order_type: "Buy", symbol: "Apple", price: 1n, amount: 1n };
    expect(call(std, "place_order", args)).toBe('{"error": "Invalid stock symbol: Apple"}');
    const hint = call(aug, "place_order", args);
    expect(hint).toContain("Invalid stock symbol: Apple");
    expect(hint).toContain("get_symbol_by_name");
    expect(hint).not.toContain("AAPL");
    expect(call(aug, "get_transaction_history", { start_date: "2024/01/01" })).toContain("'YYYY-MM-DD'");
    const logout = world(new PyDict(), { augmented: true });
    expect(call(logout, "fund_account", { amount: 5n })).toContain("trading_login");
    // State evolves identically in both modes.
    call(std, "withdraw_funds", { amount: 50n });
    call(aug, "withdraw_funds", { amount: 50n });
    expect(aug.view("TradingBot")).toEqual(std.view("TradingBot"));
  });
});
