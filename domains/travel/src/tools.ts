/**
 * TravelAPI tools, one per public method of travel_booking.py (gorilla 6ea57973), parameters in
 * Python signature order. Each body mirrors the reference statement by statement, because the
 * order of checks decides which error (or CPython exception) a malformed call produces and when
 * the RNG is drawn.
 */
import type { ToolContext, ToolDef } from "@envtune/core/domain";
import { PyDict, PyException, pyContains, pyEquals, pyLt, pyRepr, pyRound, pyStr, pyTypeName, type PyValue } from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import {
  AIRPORTS,
  AIRPORT_SET,
  BASE_COST,
  CITY_AIRPORT,
  CLASS_FACTOR,
  CUSTOMER_SUPPORT_REPLY,
  EXCHANGE_RATE,
  ROUTES,
  VALID_CLASSES_REPR,
} from "./data.ts";
import type { MessageCode } from "./messages.ts";
import { augAssign, digitSumIsEven, divByRate, getItem, isZero, mulByRate, pyFloat, requireHashable, setItem, strptimeYmd } from "./py.ts";
import type { TravelState } from "./state.ts";

type Tool = ToolDef<TravelState>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<TravelState>();
type Vars = Record<string, string>;

const msg = (ctx: ToolContext, code: MessageCode, vars?: Vars): string => ctx.msg(code, vars);

/** `{"error": msg}` */
const fail = (ctx: ToolContext, code: MessageCode, vars?: Vars): PyDict => PyDict.from({ error: msg(ctx, code, vars) });

/** `{<statusKey>: False, "error": msg}` */
const failWith = (statusKey: string, ctx: ToolContext, code: MessageCode, vars?: Vars): PyDict =>
  PyDict.from({ [statusKey]: false, error: msg(ctx, code, vars) });

const raise = (ctx: ToolContext, code: MessageCode, vars?: Vars): never => {
  throw new PyException("ValueError", msg(ctx, code, vars));
};

const isAirport = (v: PyValue): boolean => typeof v === "string" && AIRPORT_SET.has(v);

/** The `token_expires_in == 0` / `access_token != self.access_token` pair most tools start with. */
function tokenProblem(s: TravelState, accessToken: PyValue): MessageCode | undefined {
  if (isZero(s.token_expires_in)) return "token_expired";
  if (!pyEquals(accessToken, s.access_token)) return "invalid_access_token";
  return undefined;
}

const INVOICE_FIELDS = ["travel_date", "travel_from", "travel_to", "travel_class", "travel_cost", "transaction_id"] as const;

/**
 * `get_flight_cost`'s body, shared with `book_flight` (which calls the method). Returns the list
 * the method returns and the requested route's cost: the entry `book_flight` reads back from
 * `_flight_cost_lookup`, which always exists once the call succeeded.
 */
function flightCost(
  s: TravelState,
  from: PyValue,
  to: PyValue,
  date: PyValue,
  travelClass: PyValue,
  ctx: ToolContext,
): { list: PyValue[]; cost: number } {
  const vars = (): Vars => ({ from: pyStr(from), to: pyStr(to) });
  const badCode = (): MessageCode =>
    isAirport(from)
      ? isAirport(to)
        ? "flight_no_route"
        : "flight_invalid_destination"
      : isAirport(to)
        ? "flight_invalid_departure"
        : "flight_invalid_both";
  // Augmented mode (the authors' travel_booking.py:405 @ 4aeef7b) checks the codes first, by list membership (no hashing).
  if (ctx.augmented && (!isAirport(from) || !isAirport(to))) raise(ctx, badCode(), vars());
  // `(travel_from, travel_to) in base_costs` hashes the tuple, element by element.
  requireHashable(from);
  requireHashable(to);
  const base = typeof from === "string" && typeof to === "string" ? BASE_COST.get(`${from}|${to}`) : undefined;
  if (base === undefined) return raise(ctx, badCode(), vars());
  const factor = typeof travelClass === "string" ? CLASS_FACTOR.get(travelClass) : undefined;
  if (factor === undefined) return raise(ctx, "flight_invalid_class", { travel_class: pyStr(travelClass) });
  const scale = factor * (digitSumIsEven(date) ? 2 : 1);
  const cost = base * scale;
  const all = s.long_context;
  s.cacheFlightCost({ from, to, travelClass: travelClass as string, date, scale, all, cost });
  return { list: all ? ROUTES.map((r) => r.base * scale) : [cost], cost };
}

export const tools: Tool[] = [
  tool({
    name: "authenticate_travel",
    params: [
      { name: "client_id" },
      { name: "client_secret" },
      { name: "refresh_token" },
      { name: "grant_type" },
      { name: "user_first_name" },
      { name: "user_last_name" },
    ],
    run(s, a) {
      s.token_expires_in = 2n;
      s.access_token = String(s._random.randint(100000n, 999999n));
      s.token_type = "Bearer";
      s.token_scope = a.grant_type;
      s.user_first_name = a.user_first_name;
      s.user_last_name = a.user_last_name;
      return PyDict.from({ expires_in: 2n, access_token: s.access_token, token_type: "Bearer", scope: a.grant_type });
    },
  }),
  tool({
    name: "travel_get_login_status",
    params: [],
    run(s) {
      const notLoggedIn = s.token_expires_in === null || isZero(s.token_expires_in);
      return PyDict.from({ status: !notLoggedIn });
    },
  }),
  tool({
    name: "get_budget_fiscal_year",
    params: [
      { name: "lastModifiedAfter", default: null },
      { name: "includeRemoved", default: null },
    ],
    run() {
      return PyDict.from({ budget_fiscal_year: "2018" });
    },
  }),
  tool({
    name: "register_credit_card",
    params: [
      { name: "access_token" },
      { name: "card_number" },
      { name: "expiration_date" },
      { name: "cardholder_name" },
      { name: "card_verification_number" },
    ],
    run(s, a, ctx) {
      if (s.token_expires_in === null) return fail(ctx, "token_not_initialized");
      const problem = tokenProblem(s, a.access_token);
      if (problem) return fail(ctx, problem);
      // Upstream tests the card *number* against the registered card *ids*.
      if (s.credit_card_list.has(a.card_number)) return fail(ctx, "card_already_registered");
      const cardId = String(s._random.randint(100000000000n, 999999999999n));
      const card = PyDict.from({
        card_number: a.card_number,
        expiration_date: a.expiration_date,
        cardholder_name: a.cardholder_name,
        card_verification_number: a.card_verification_number,
        balance: s._random.randint(10000n, 99999n),
      });
      s.credit_card_list.set(cardId, card);
      return PyDict.from({ card_id: cardId });
    },
  }),
  tool({
    name: "get_flight_cost",
    params: [{ name: "travel_from" }, { name: "travel_to" }, { name: "travel_date" }, { name: "travel_class" }],
    run(s, a, ctx) {
      const { list } = flightCost(s, a.travel_from, a.travel_to, a.travel_date, a.travel_class, ctx);
      return PyDict.from({ travel_cost_list: list });
    },
  }),
  tool({
    name: "get_credit_card_balance",
    params: [{ name: "access_token" }, { name: "card_id" }],
    run(s, a, ctx) {
      const problem = tokenProblem(s, a.access_token);
      if (problem) return fail(ctx, problem);
      const cardId = a.card_id;
      if (!s.credit_card_list.has(cardId)) {
        return fail(ctx, "card_not_registered_list", { card_ids: pyRepr([...s.credit_card_list.keys()]) });
      }
      return PyDict.from({ card_balance: getItem(s.credit_card_list.getItem(cardId), "balance") });
    },
  }),
  tool({
    name: "book_flight",
    params: [
      { name: "access_token" },
      { name: "card_id" },
      { name: "travel_date" },
      { name: "travel_from" },
      { name: "travel_to" },
      { name: "travel_class" },
    ],
    run(s, a, ctx) {
      const no = (code: MessageCode, vars?: Vars): PyDict => failWith("booking_status", ctx, code, vars);
      const problem = tokenProblem(s, a.access_token);
      if (problem) return no(problem);
      const cardId = a.card_id;
      if (!s.credit_card_list.has(cardId)) return no("card_not_registered");
      const card = s.credit_card_list.getItem(cardId);
      if (!pyContains(card, "balance")) return no("balance_not_found");
      const from = a.travel_from;
      const to = a.travel_to;
      if (!isAirport(from)) return no("invalid_departure_airport", { code: pyStr(from) });
      if (!isAirport(to)) return no("invalid_destination_airport", { code: pyStr(to) });
      const date = a.travel_date;
      try {
        strptimeYmd(date);
      } catch (e) {
        if (e instanceof PyException && e.pyType === "ValueError") return no("invalid_date_format");
        throw e;
      }
      const travelClass = a.travel_class;
      requireHashable(travelClass);
      if (typeof travelClass !== "string" || !CLASS_FACTOR.has(travelClass)) {
        return no("booking_invalid_class", { valid_classes: VALID_CLASSES_REPR, travel_class: pyStr(travelClass) });
      }
      let cost: number;
      try {
        cost = flightCost(s, from, to, date, travelClass, ctx).cost;
      } catch (e) {
        // `except ValueError as e: return {"booking_status": False, "error": str(e)}`
        if (e instanceof PyException && e.pyType === "ValueError") return PyDict.from({ booking_status: false, error: e.message });
        throw e;
      }
      const balance = getItem(card, "balance");
      if (pyLt(balance, cost)) return no("insufficient_funds");
      if (s.budget_limit !== null && pyLt(balance, s.budget_limit)) return no("balance_below_budget");
      setItem(card, "balance", augAssign(getItem(card, "balance"), "-=", cost));
      const bookingId = String(s._random.randint(1000000n, 9999999n));
      const transactionId = String(s._random.randint(10000000n, 99999999n));
      s.booking_record.set(
        bookingId,
        PyDict.from({
          card_id: cardId,
          travel_date: date,
          travel_from: from,
          travel_to: to,
          travel_class: travelClass,
          travel_cost: cost,
          transaction_id: transactionId,
        }),
      );
      return PyDict.from({
        booking_id: bookingId,
        transaction_id: transactionId,
        booking_status: true,
        booking_history: s.long_context ? s.booking_record : new PyDict(),
      });
    },
  }),
  tool({
    name: "retrieve_invoice",
    params: [{ name: "access_token" }, { name: "booking_id", default: null }, { name: "insurance_id", default: null }],
    run(s, a, ctx) {
      const problem = tokenProblem(s, a.access_token);
      if (problem) return fail(ctx, problem);
      const bookingId = a.booking_id;
      if (!s.booking_record.has(bookingId)) return fail(ctx, "booking_not_found");
      const rec = s.booking_record.getItem(bookingId);
      const invoice = new PyDict().set("booking_id", bookingId);
      // Read in the reference's order: the first missing field is the KeyError raised.
      for (const f of INVOICE_FIELDS) invoice.set(f, getItem(rec, f));
      return PyDict.from({ invoice });
    },
  }),
  tool({
    name: "get_booking_history",
    params: [{ name: "access_token" }],
    run(s, a, ctx) {
      const problem = tokenProblem(s, a.access_token);
      if (problem) return fail(ctx, problem);
      // deepcopy(booking_record): no tool mutates a record's values in place, so copying the
      // outer dict and each record dict gives the same isolation.
      const history = new PyDict();
      for (const [k, v] of s.booking_record.entries()) history.set(k, v instanceof PyDict ? v.copy() : v);
      return PyDict.from({ booking_history: history });
    },
  }),
  tool({
    name: "list_all_airports",
    params: [],
    run() {
      return [...AIRPORTS];
    },
  }),
  tool({
    name: "cancel_booking",
    params: [{ name: "access_token" }, { name: "booking_id" }],
    run(s, a, ctx) {
      const problem = tokenProblem(s, a.access_token);
      if (problem) return failWith("cancel_status", ctx, problem);
      const bookingId = a.booking_id;
      if (!s.booking_record.has(bookingId)) return failWith("cancel_status", ctx, "booking_not_found");
      const rec = s.booking_record.getItem(bookingId);
      const cardId = getItem(rec, "card_id");
      const travelCost = getItem(rec, "travel_cost");
      // KeyError (repr of the id) when the booking's card is not registered, as upstream.
      const card = s.credit_card_list.getItem(cardId);
      setItem(card, "balance", augAssign(getItem(card, "balance"), "+=", travelCost));
      s.booking_record.delete(bookingId);
      return PyDict.from({ cancel_status: true });
    },
  }),
  tool({
    name: "compute_exchange_rate",
    params: [{ name: "base_currency" }, { name: "target_currency" }, { name: "value" }],
    run(_s, a, ctx) {
      const base = a.base_currency;
      const target = a.target_currency;
      const value = a.value;
      // The reference scans (USD, X) pairs; only one direction can match a given pair.
      if (base === "USD" && typeof target === "string") {
        const rate = EXCHANGE_RATE.get(target);
        if (rate !== undefined) return PyDict.from({ exchanged_value: pyFloat(mulByRate(value, rate)) });
      }
      if (target === "USD" && typeof base === "string") {
        const rate = EXCHANGE_RATE.get(base);
        if (rate !== undefined) return PyDict.from({ exchanged_value: pyRound(divByRate(value, rate), 2n) });
      }
      return raise(ctx, "no_exchange_rate", { base: pyStr(base), target: pyStr(target) });
    },
  }),
  tool({
    name: "verify_traveler_information",
    params: [{ name: "first_name" }, { name: "last_name" }, { name: "date_of_birth" }, { name: "passport_number" }],
    run(s, a, ctx) {
      const no = (code: MessageCode, vars?: Vars): PyDict =>
        PyDict.from({ verification_status: false, verification_failure: msg(ctx, code, vars) });
      const first = a.first_name;
      const last = a.last_name;
      if (!pyEquals(s.user_first_name, first) || !pyEquals(s.user_last_name, last)) {
        return no("traveler_other_user", {
          expected_first: pyStr(s.user_first_name),
          expected_last: pyStr(s.user_last_name),
          first: pyStr(first),
          last: pyStr(last),
        });
      }
      let age: number;
      try {
        const dob = strptimeYmd(a.date_of_birth);
        const today = s._today;
        const beforeBirthday = today.month < dob.month || (today.month === dob.month && today.day < dob.day);
        age = today.year - dob.year - (beforeBirthday ? 1 : 0);
      } catch (e) {
        if (e instanceof PyException && e.pyType === "ValueError") return no("invalid_date_of_birth");
        throw e;
      }
      if (age < 18) return no("traveler_underage");
      const passport = a.passport_number;
      if (typeof passport !== "string") {
        throw new PyException("AttributeError", `'${pyTypeName(passport)}' object has no attribute 'startswith'`);
      }
      if (!passport.startsWith("US")) return no("passport_not_us");
      return PyDict.from({ verification_status: true });
    },
  }),
  tool({
    name: "set_budget_limit",
    params: [{ name: "access_token" }, { name: "budget_limit" }],
    run(s, a, ctx) {
      const problem = tokenProblem(s, a.access_token);
      if (problem) return fail(ctx, problem);
      const limit = pyFloat(a.budget_limit);
      s.budget_limit = limit;
      return PyDict.from({ budget_limit: limit });
    },
  }),
  tool({
    name: "get_nearest_airport_by_city",
    params: [{ name: "location" }],
    run(_s, a) {
      const location = a.location;
      requireHashable(location);
      return PyDict.from({ nearest_airport: (typeof location === "string" && CITY_AIRPORT.get(location)) || "Unknown" });
    },
  }),
  tool({
    // Python order (the function doc lists insurance_cost before booking_id).
    name: "purchase_insurance",
    params: [{ name: "access_token" }, { name: "insurance_type" }, { name: "booking_id" }, { name: "insurance_cost" }, { name: "card_id" }],
    run(s, a, ctx) {
      const no = (code: MessageCode): PyDict => failWith("insurance_status", ctx, code);
      const problem = tokenProblem(s, a.access_token);
      if (problem) return no(problem);
      const cost = a.insurance_cost;
      if (s.budget_limit !== null && pyLt(s.budget_limit, cost)) return no("exceeded_budget");
      if (!s.booking_record.has(a.booking_id)) return no("booking_not_found");
      const cardId = a.card_id;
      if (!s.credit_card_list.has(cardId)) return no("credit_card_not_registered");
      // No funds check upstream: the balance may go negative.
      const card = s.credit_card_list.getItem(cardId);
      setItem(card, "balance", augAssign(getItem(card, "balance"), "-=", cost));
      return PyDict.from({ insurance_id: String(s._random.randint(100000000n, 999999999n)), insurance_status: true });
    },
  }),
  tool({
    name: "contact_customer_support",
    params: [{ name: "booking_id" }, { name: "message" }],
    run(s, a, ctx) {
      if (!s.booking_record.has(a.booking_id)) return fail(ctx, "booking_not_found");
      return PyDict.from({ customer_support_message: CUSTOMER_SUPPORT_REPLY });
    },
  }),
  tool({
    name: "get_all_credit_cards",
    params: [],
    run(s) {
      return PyDict.from({ credit_card_list: s.credit_card_list });
    },
  }),
];
