import type { LongContextConstants } from "@envtune/core/domain";
import { World, replayCalls } from "@envtune/core/exec";
import { PyDict, type PyValue } from "@envtune/core/py";
import { readTraceFile, sharedDataset, testDomainPack, testDomainTraces, traceFile } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack, { createTravelPack } from "./index.ts";
import { augmented, PAPER_HINT_CODES, standard } from "./messages.ts";
import { digitSumIsEven, pyFloat, strptimeYmd } from "./py.ts";
import type { TravelState } from "./state.ts";

const constants = (): LongContextConstants => sharedDataset().longContext;

testDomainPack(pack);

interface WorldOpts {
  augmented?: boolean;
  longContext?: boolean;
  shared?: Map<string, unknown>;
  p?: typeof pack;
}

function world(config: Record<string, PyValue> = {}, o: WorldOpts = {}): World {
  return new World({
    packs: [o.p ?? pack],
    initialConfig: PyDict.from({ TravelAPI: PyDict.from(config) }),
    longContext: o.longContext ?? false,
    ...(o.longContext ? { constants: constants() } : {}),
    augmented: o.augmented ?? false,
    shared: o.shared ?? new Map(),
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

const state = (w: World): TravelState => w.stateOf("TravelAPI") as TravelState;

/** The configuration most dataset entries use (multi_turn_base_151 style). */
const configured = (): Record<string, PyValue> => ({
  credit_card_list: PyDict.from({
    "144756014165": PyDict.from({
      card_number: "9356074812347623",
      expiration_date: "2026-12",
      cardholder_name: "Ethan Hunt",
      card_verification_number: 371n,
      balance: 34000.0,
    }),
    card_no_balance: PyDict.from({ card_number: "1" }),
    small: PyDict.from({ card_number: "2", balance: 100n }),
  }),
  booking_record: PyDict.from({
    legacy: PyDict.from({ flight_number: "LA1234", cost: 150.0 }),
  }),
  access_token: "abc123xyz",
  token_type: "Bearer",
  token_expires_in: 3600n,
  token_scope: "read write",
  user_first_name: "Michael",
  user_last_name: "Thompson",
  budget_limit: 1000.0,
});

const TOKEN = "abc123xyz";

describe("TravelAPI: RNG draws (seed 141053)", () => {
  it("draws token, card id + balance, booking + transaction ids, insurance id in the reference's order", () => {
    const w = world(configured());
    // Values from ground_truth.jsonl (multi_turn_base_151/161/172/155).
    expect(
      call(w, "book_flight", {
        access_token: TOKEN,
        card_id: "144756014165",
        travel_date: "2026-11-10",
        travel_from: "SFO",
        travel_to: "LAX",
        travel_class: "first",
      }),
    ).toBe('{"booking_id": "3426812", "transaction_id": "45451592", "booking_status": true, "booking_history": {}}');
    const w2 = world();
    expect(
      call(w2, "authenticate_travel", {
        client_id: "c",
        client_secret: "s",
        refresh_token: "r",
        grant_type: "read_write",
        user_first_name: "A",
        user_last_name: "B",
      }),
    ).toBe('{"expires_in": 2, "access_token": "251675", "token_type": "Bearer", "scope": "read_write"}');
    expect(
      call(w2, "register_credit_card", {
        access_token: "251675",
        card_number: "2345-6789-1234-5678",
        expiration_date: "08/2025",
        cardholder_name: "A B",
        card_verification_number: 567n,
      }),
    ).toBe('{"card_id": "391310425148"}');
    const card = state(w2).credit_card_list.get("391310425148") as PyDict;
    expect(typeof card.get("balance")).toBe("bigint");
  });

  it("honours a configured random_seed", () => {
    const a = call(world({ random_seed: 7n }), "authenticate_travel", {
      client_id: "c",
      client_secret: "s",
      refresh_token: "r",
      grant_type: "g",
      user_first_name: "A",
      user_last_name: "B",
    });
    expect(a).not.toContain('"251675"');
  });
});

describe("TravelAPI: error paths and CPython quirks", () => {
  it("checks tokens: None → not initialized (register only), 0 → expired, mismatch → invalid", () => {
    expect(
      call(world(), "register_credit_card", {
        access_token: "x",
        card_number: "1",
        expiration_date: "e",
        cardholder_name: "n",
        card_verification_number: 1n,
      }),
    ).toBe('{"error": "Token not initialized"}');
    const expired = world({ ...configured(), token_expires_in: false });
    expect(call(expired, "get_booking_history", { access_token: TOKEN })).toBe('{"error": "Token expired"}');
    expect(call(expired, "travel_get_login_status")).toBe('{"status": false}');
    expect(call(world(configured()), "cancel_booking", { access_token: 3.5, booking_id: "x" })).toBe(
      '{"cancel_status": false, "error": "Invalid access token"}',
    );
  });

  it("prints the valid-class set in CPython's PYTHONHASHSEED=0 order", () => {
    expect(
      call(world(configured()), "book_flight", {
        access_token: TOKEN,
        card_id: "144756014165",
        travel_date: "2026-11-10",
        travel_from: "SFO",
        travel_to: "LAX",
        travel_class: "Economy",
      }),
    ).toBe("{\"booking_status\": false, \"error\": \"Invalid travel class. Must be one of {'first', 'business', 'economy'}\"}");
  });

  it("book_flight: airport, date, route, funds and budget checks in order", () => {
    const w = world(configured());
    const book = (over: Record<string, PyValue>) =>
      call(w, "book_flight", {
        access_token: TOKEN,
        card_id: "144756014165",
        travel_date: "2026-11-10",
        travel_from: "SFO",
        travel_to: "LAX",
        travel_class: "economy",
        ...over,
      });
    expect(book({ card_id: "card_no_balance" })).toBe('{"booking_status": false, "error": "Balance not found"}');
    expect(book({ travel_to: 3.5 })).toBe('{"booking_status": false, "error": "Invalid destination airport code: 3.5"}');
    expect(book({ travel_date: "2026-02-29" })).toBe('{"booking_status": false, "error": "Invalid date format. Use YYYY-MM-DD."}');
    expect(book({ travel_date: 20260101n })).toBe("Error during execution: strptime() argument 1 must be str, not int");
    expect(book({ travel_class: ["a"] })).toBe("Error during execution: unhashable type: 'list'");
    expect(book({ travel_from: "PEK", travel_to: "HND" })).toBe(
      '{"booking_status": false, "error": "No available route for the given airports."}',
    );
    expect(book({ card_id: "small" })).toBe('{"booking_status": false, "error": "Insufficient funds"}');
    expect(call(w, "set_budget_limit", { access_token: TOKEN, budget_limit: "40000" })).toBe('{"budget_limit": 40000.0}');
    expect(book({})).toBe('{"booking_status": false, "error": "Balance is less than budget limit"}');
  });

  it("get_flight_cost: digit parity, unhashable codes, bad dates", () => {
    const w = world();
    // 2+0+2+6+1+0+0+6 = 17 (odd) → ×1; 2026-10-07 → 18 (even) → ×2.
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: "2026-10-06", travel_class: "economy" })).toBe(
      '{"travel_cost_list": [220.0]}',
    );
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: "2026-10-07", travel_class: "first" })).toBe(
      '{"travel_cost_list": [2200.0]}',
    );
    expect(
      call(w, "get_flight_cost", { travel_from: "x", travel_to: PyDict.from({ k: "v" }), travel_date: "d", travel_class: "economy" }),
    ).toBe("Error during execution: unhashable type: 'dict'");
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: 5n, travel_class: "economy" })).toBe(
      "Error during execution: 'int' object is not iterable",
    );
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: ["1", 2n], travel_class: "economy" })).toBe(
      "Error during execution: 'int' object has no attribute 'isdigit'",
    );
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: "2²", travel_class: "economy" })).toBe(
      "Error during execution: invalid literal for int() with base 10: '²'",
    );
    expect(call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: "d", travel_class: "coach" })).toBe(
      "Error during execution: Invalid travel class. Options are: economy, business, first.",
    );
  });

  it("compute_exchange_rate: int/float typing, str repetition, rounding", () => {
    const w = world();
    const x = (b: PyValue, t: PyValue, v: PyValue) => call(w, "compute_exchange_rate", { base_currency: b, target_currency: t, value: v });
    expect(x("GBP", "USD", 15400.0)).toBe('{"exchanged_value": 22000.0}');
    expect(x("USD", "RMB", 10n)).toBe('{"exchanged_value": 70.0}');
    expect(x("USD", "EUR", 10n)).toBe('{"exchanged_value": 8.0}');
    expect(x("RMB", "USD", 10n)).toBe('{"exchanged_value": 1.43}');
    expect(x("USD", "RMB", "1")).toBe('{"exchanged_value": 1111111.0}');
    expect(x("USD", "RMB", "abc")).toBe("Error during execution: could not convert string to float: 'abcabcabcabcabcabcabc'");
    expect(x("USD", "EUR", "abc")).toBe("Error during execution: can't multiply sequence by non-int of type 'float'");
    expect(x("EUR", "USD", null)).toBe("Error during execution: unsupported operand type(s) for /: 'NoneType' and 'float'");
    expect(x("GBP", PyDict.from({ k: "v" }), 1n)).toBe("Error during execution: No available exchange rate for the given currencies.");
  });

  it("verify_traveler_information: names, dates (frozen today), passport", () => {
    const w = world(configured());
    const v = (over: Record<string, PyValue>) =>
      call(w, "verify_traveler_information", {
        first_name: "Michael",
        last_name: "Thompson",
        date_of_birth: "1950-01-01",
        passport_number: "US1234",
        ...over,
      });
    expect(v({})).toBe('{"verification_status": true}');
    expect(v({ last_name: "Smith" })).toBe(
      '{"verification_status": false, "verification_failure": "Cannot book flight information for another user.Expected Michael Thompson, got Michael Smith"}',
    );
    expect(v({ date_of_birth: "1950/01/01" })).toBe(
      '{"verification_status": false, "verification_failure": "Invalid date of birth format. Please use YYYY-MM-DD."}',
    );
    // 18th birthday on 2025-06-15 (the frozen today) passes, one day later fails.
    expect(v({ date_of_birth: "2007-06-15" })).toBe('{"verification_status": true}');
    expect(v({ date_of_birth: "2007-06-16" })).toBe(
      '{"verification_status": false, "verification_failure": "Traveler must be at least 18 years old."}',
    );
    expect(v({ passport_number: "P1234" })).toBe(
      '{"verification_status": false, "verification_failure": "Passport must be issued by the United States."}',
    );
    expect(v({ passport_number: 5n })).toBe("Error during execution: 'int' object has no attribute 'startswith'");
    expect(v({ date_of_birth: null })).toBe("Error during execution: strptime() argument 1 must be str, not None");
  });

  it("makes today an explicit option", () => {
    const later = createTravelPack({ today: { year: 2025, month: 6, day: 16 } });
    const w = world(configured(), { p: later });
    expect(
      call(w, "verify_traveler_information", {
        first_name: "Michael",
        last_name: "Thompson",
        date_of_birth: "2007-06-16",
        passport_number: "US1",
      }),
    ).toBe('{"verification_status": true}');
  });

  it("cancel_booking / retrieve_invoice raise KeyError on configured records that lack fields", () => {
    const w = world(configured());
    expect(call(w, "cancel_booking", { access_token: TOKEN, booking_id: "legacy" })).toBe("Error during execution: 'card_id'");
    expect(call(w, "retrieve_invoice", { access_token: TOKEN, booking_id: "legacy" })).toBe("Error during execution: 'travel_date'");
    expect(call(w, "retrieve_invoice", { access_token: TOKEN })).toBe('{"error": "Booking not found"}');
  });

  it("purchase_insurance: budget compare, no funds check, balance arithmetic", () => {
    const w = world(configured());
    const buy = (over: Record<string, PyValue>) =>
      call(w, "purchase_insurance", {
        access_token: TOKEN,
        insurance_type: "full",
        booking_id: "legacy",
        insurance_cost: 100.0,
        card_id: "144756014165",
        ...over,
      });
    expect(buy({ insurance_cost: "x" })).toBe("Error during execution: '<' not supported between instances of 'float' and 'str'");
    expect(buy({ insurance_cost: 2000.0 })).toBe('{"insurance_status": false, "error": "Exceeded budget limit"}');
    expect(buy({ card_id: "nope" })).toBe('{"insurance_status": false, "error": "Credit card not registered"}');
    expect(buy({})).toMatch(/^\{"insurance_id": "\d{9}", "insurance_status": true\}$/);
    expect((state(w).credit_card_list.get("144756014165") as PyDict).get("balance")).toBe(33900.0);
  });

  it("looks cities up with hashing semantics", () => {
    const w = world();
    expect(call(w, "get_nearest_airport_by_city", { location: "Rome" })).toBe('{"nearest_airport": "CIA"}');
    expect(call(w, "get_nearest_airport_by_city", { location: true })).toBe('{"nearest_airport": "Unknown"}');
    expect(call(w, "get_nearest_airport_by_city", { location: ["a"] })).toBe("Error during execution: unhashable type: 'list'");
    expect(call(w, "list_all_airports")).toMatch(/^\['RMS', 'SBK', .*'BOS'\]$/);
  });
});

describe("TravelAPI: long context", () => {
  it("appends the extension cards/bookings and lists every route's cost", () => {
    const w = world(configured(), { longContext: true });
    const s = state(w);
    expect(s.credit_card_list.size).toBe(3 + 22);
    expect(s.booking_record.size).toBe(1 + 16);
    const r = call(w, "get_flight_cost", { travel_from: "RMS", travel_to: "SBK", travel_date: "2026-10-06", travel_class: "economy" });
    expect(JSON.parse(r).travel_cost_list).toHaveLength(153);
    expect(s._flight_cost_lookup.size).toBe(153);
  });

  it("shares extension cards between the worlds of one episode only (reference module-global aliasing)", () => {
    const shared = new Map<string, unknown>();
    const model = world(configured(), { longContext: true, shared });
    const gt = world(configured(), { longContext: true, shared });
    const other = world(configured(), { longContext: true });
    const card = "1234567812345678";
    expect(
      call(model, "book_flight", {
        access_token: TOKEN,
        card_id: card,
        travel_date: "2026-10-06",
        travel_from: "SFO",
        travel_to: "LAX",
        travel_class: "economy",
      }),
    ).toContain('"booking_status": true');
    const bal = (w: World) => (state(w).credit_card_list.get(card) as PyDict).get("balance");
    expect(bal(model)).toBe(4800.0);
    expect(bal(gt)).toBe(4800.0);
    expect(bal(other)).toBe(5000.0);
    // The constants themselves stay untouched.
    expect(((constants().get("CREDIT_CARD_EXTENSION") as PyDict).get(card) as PyDict).get("balance")).toBe(5000.0);
  });
});

describe("TravelAPI: messages", () => {
  it("has the same codes in both catalogues, paper texts where the paper has them", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    for (const code of Object.keys(standard) as Array<keyof typeof standard>) {
      expect(augmented[code], code).not.toBe(standard[code]);
    }
    expect(PAPER_HINT_CODES.every((c) => c in standard)).toBe(true);
  });

  it("augmented get_flight_cost validates codes first and names them (the authors' hint)", () => {
    const w = world({}, { augmented: true });
    const cost = (from: PyValue, to: PyValue) =>
      call(w, "get_flight_cost", { travel_from: from, travel_to: to, travel_date: "2026-10-06", travel_class: "economy" });
    expect(cost("XXX", "SBK")).toBe(
      "Error during execution: Invalid airport code(s): departure airport 'XXX'. Please use valid airport codes. You can use 'list_all_airports' to get all available airports or 'get_nearest_airport_by_city' to find the correct airport code for a city.",
    );
    expect(cost("Pinehaven", PyDict.from({ k: "v" }))).toContain("departure airport 'Pinehaven' and destination airport '{'k': 'v'}'.");
    expect(cost("PEK", "HND")).toBe("Error during execution: No available route from 'PEK' to 'HND'.");
    expect(call(world(), "get_flight_cost", { travel_from: "PEK", travel_to: "HND", travel_date: "d", travel_class: "economy" })).toBe(
      "Error during execution: No available route for the given airports.",
    );
    expect(call(w, "compute_exchange_rate", { base_currency: "USD", target_currency: "XYZ", value: 1.0 })).toBe(
      "Error during execution: No available exchange rate for 'USD' to 'XYZ'. Supported currencies are: USD, RMB, EUR, JPY, GBP, CAD, AUD, INR, RUB, BRL, MXN. Please check if the currency codes are correct.",
    );
  });
});

describe("TravelAPI: CPython helpers", () => {
  it("strptime %Y-%m-%d like CPython 3.11", () => {
    expect(strptimeYmd("2025-1-5")).toEqual({ year: 2025, month: 1, day: 5 });
    expect(strptimeYmd("2025-01- 5")).toEqual({ year: 2025, month: 1, day: 5 });
    expect(strptimeYmd("٢٠٢٥-01-1٥")).toEqual({ year: 2025, month: 1, day: 15 });
    expect(strptimeYmd("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ["2025-02-29", "0000-01-01", "2025-13-01", "2025-01-05 ", "2025-01-5x", ""]) {
      expect(() => strptimeYmd(bad), bad).toThrow();
    }
  });

  it("float() like CPython", () => {
    expect(pyFloat(" 1_000.5 ")).toBe(1000.5);
    expect(pyFloat("-Infinity")).toBe(-Infinity);
    expect(pyFloat("١٢٣")).toBe(123);
    expect(() => pyFloat("1__0")).toThrow("could not convert string to float: '1__0'");
    expect(() => pyFloat("0x10")).toThrow();
    expect(() => pyFloat(null)).toThrow("float() argument must be a string or a real number, not 'NoneType'");
    expect(() => pyFloat(10n ** 400n)).toThrow("int too large to convert to float");
  });

  it("digit-sum parity", () => {
    expect(digitSumIsEven("2026-10-07")).toBe(true);
    expect(digitSumIsEven(["12", "a"])).toBe(true);
    expect(digitSumIsEven(PyDict.from({ "3": 1n }))).toBe(false);
  });
});

testDomainTraces(pack);

describe("TravelAPI: reference traces, augmented", () => {
  it("ground_truth.jsonl in augmented mode: same states, only error texts differ", () => {
    const dataset = sharedDataset();
    const tools = new Set(pack.toolMap.keys());
    let calls = 0;
    let differing = 0;
    for (const rec of readTraceFile(traceFile("ground_truth.jsonl"))) {
      if (!rec.involvedClasses.includes("TravelAPI")) continue;
      const selected = rec.turns.map((t) => t.calls.filter((c) => tools.has(/^\s*([A-Za-z_]\w*)/.exec(c.call)?.[1] ?? "")));
      const replay = replayCalls(
        { id: rec.id, longContext: rec.longContext, turns: selected.map((cs) => ({ calls: cs.map((c) => c.call) })) },
        {
          packs: new Map([["TravelAPI", pack]]),
          initialConfig: dataset.byId.get(rec.id)!.initialConfig,
          involvedClasses: ["TravelAPI"],
          constants: dataset.longContext,
          augmented: true,
        },
      );
      replay.turns.forEach((turn, ti) => {
        expect(turn.state.get("TravelAPI"), `${rec.id} turn ${ti}`).toBe(rec.turns[ti]!.state!.get("TravelAPI"));
        turn.calls.forEach((c, ci) => {
          calls++;
          const expected = selected[ti]![ci]!.result!;
          if (c.result === expected) return;
          differing++;
          expect(c.result, c.call).toMatch(/^Error during execution: |"error": |"verification_failure": /);
          expect(expected, c.call).toMatch(/^Error during execution: |"error": |"verification_failure": /);
        });
      });
    }
    expect(calls).toBe(813);
    expect(differing).toBeGreaterThan(0);
  });
});
