/**
 * TravelAPI instance state: the attributes of the reference object in `vars()` order, built like
 * `TravelAPI()._load_scenario(deepcopy(config), long_context)`.
 */
import type { StateInit } from "@envtune/core/domain";
import { PyDict, freezePyValue, pyDeepCopy, pyStr, type PyValue } from "@envtune/core/py";
import { EnvtuneError, PyRandom } from "@envtune/core";
import { API_DESCRIPTION, ROUTES } from "./data.ts";

export const PACK_NAME = "travel";
export const DEFAULT_RANDOM_SEED = 141053n;

/** A wall-clock instant as `datetime.today()` would give it (only the date part is ever used). */
export interface TravelToday {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
}

/**
 * `datetime.today()` of the reference traces (frozen there to 2025-06-15 12:00:00). The reference
 * reads the real clock in `verify_traveler_information`; envtune makes "today" explicit so that
 * episodes replay identically: pass `today` to {@link createTravelState} or to
 * `createTravelPack({ today })` to use another date.
 */
export const TRACE_TODAY: TravelToday = Object.freeze({ year: 2025, month: 6, day: 15, hour: 12, minute: 0, second: 0 });

export interface TravelStateOptions {
  /** The instant `datetime.today()` returns for this instance (default {@link TRACE_TODAY}). */
  today?: TravelToday;
}

/** What the last `get_flight_cost` cached; `_flight_cost_lookup` is materialized from it on demand. */
interface FlightCostQuery {
  readonly from: PyValue;
  readonly to: PyValue;
  readonly travelClass: string;
  readonly date: PyValue;
  /** factor × date multiplier. */
  readonly scale: number;
  /** long_context caches every route, otherwise only the requested one. */
  readonly all: boolean;
  readonly cost: number;
}

/**
 * The long-context extension cards and bookings of one episode. The reference inserts the
 * module-level `CREDIT_CARD_EXTENSION` / `BOOKING_RECORD_EXTENSION` dicts themselves, so balance
 * changes on an extension card are seen by every instance (model and ground truth). envtune keeps
 * one copy per episode in `init.shared`, which gives the same sharing within an episode and none
 * across episodes.
 */
interface EpisodeExtensions {
  readonly cards: PyDict;
  readonly bookings: PyDict;
}

export class TravelState {
  // vars() order: __init__ assigns the private attributes, _load_scenario the rest.
  _api_description: string = API_DESCRIPTION;
  private flightCostQuery: FlightCostQuery | undefined;
  _random: PyRandom;
  credit_card_list: PyDict;
  booking_record: PyDict;
  access_token: PyValue;
  token_type: PyValue;
  token_expires_in: PyValue;
  token_scope: PyValue;
  user_first_name: PyValue;
  user_last_name: PyValue;
  budget_limit: PyValue;
  long_context: boolean;
  /** envtune's explicit `datetime.today()` (not a reference attribute; never compared). */
  _today: TravelToday;

  constructor(fields: {
    random: PyRandom;
    creditCards: PyDict;
    bookings: PyDict;
    config: PyDict;
    longContext: boolean;
    today: TravelToday;
  }) {
    const c = fields.config;
    this._random = fields.random;
    this.credit_card_list = fields.creditCards;
    this.booking_record = fields.bookings;
    this.access_token = c.get("access_token") ?? null;
    this.token_type = c.get("token_type") ?? null;
    this.token_expires_in = c.get("token_expires_in") ?? null;
    this.token_scope = c.get("token_scope") ?? null;
    this.user_first_name = c.get("user_first_name") ?? null;
    this.user_last_name = c.get("user_last_name") ?? null;
    this.budget_limit = c.get("budget_limit") ?? null;
    this.long_context = fields.longContext;
    this._today = fields.today;
  }

  /** Records what `get_flight_cost` cached (cheap; the dict is only built if someone reads it). */
  cacheFlightCost(q: FlightCostQuery): void {
    this.flightCostQuery = q;
  }

  /**
   * The reference's private `_flight_cost_lookup` (`"from|to|class|date"` → `{"cost": float}`),
   * built on demand. `book_flight` does not need it: the entry it would read always holds the cost
   * of the requested route, which the tool computes directly.
   */
  get _flight_cost_lookup(): PyDict {
    const out = new PyDict();
    const q = this.flightCostQuery;
    if (!q) return out;
    const tail = `|${q.travelClass}|${pyStr(q.date)}`;
    if (!q.all) {
      out.set(`${pyStr(q.from)}|${pyStr(q.to)}${tail}`, PyDict.from({ cost: q.cost }));
      return out;
    }
    for (const r of ROUTES) out.set(`${r.from}|${r.to}${tail}`, PyDict.from({ cost: r.base * q.scale }));
    return out;
  }
}

/** The compared attributes (`multi_turn_checker` skips `_`-prefixed ones), in `vars()` order. */
export function view(s: TravelState): Array<[string, PyValue]> {
  return [
    ["credit_card_list", s.credit_card_list],
    ["booking_record", s.booking_record],
    ["access_token", s.access_token],
    ["token_type", s.token_type],
    ["token_expires_in", s.token_expires_in],
    ["token_scope", s.token_scope],
    ["user_first_name", s.user_first_name],
    ["user_last_name", s.user_last_name],
    ["budget_limit", s.budget_limit],
    ["long_context", s.long_context],
  ];
}

function bad(what: string, fix: string): EnvtuneError {
  return new EnvtuneError("INVALID_SCENARIO", PACK_NAME, what, fix);
}

/** `random.Random(seed)` for the seed kinds a JSON config can hold. */
function seedOf(v: PyValue | undefined): bigint {
  if (v === undefined) return DEFAULT_RANDOM_SEED;
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  // CPython seeds with hash(float), which equals the int value for integral floats.
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw bad(
    "initial_config.TravelAPI.random_seed must be an int.",
    "Use an integer seed (the reference's default is 141053) or leave the key out.",
  );
}

function dictField(config: PyDict, key: string): PyDict | undefined {
  const v = config.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof PyDict)) {
    throw bad(`initial_config.TravelAPI.${key} must be a dict.`, `Give ${key} as an object keyed by id, or leave it out.`);
  }
  return v;
}

/** One level deeper than `dict.copy()`: the inner dicts tools mutate (card balances) are fresh. */
function copyTwoLevels(d: PyDict): PyDict {
  const out = new PyDict();
  for (const [k, v] of d.entries()) out.set(k, v instanceof PyDict ? v.copy() : v);
  return out;
}

const FROZEN_BOOKINGS = new WeakMap<PyDict, PyDict>();

function frozenBookings(bookings: PyDict): PyDict {
  let f = FROZEN_BOOKINGS.get(bookings);
  if (f === undefined) {
    f = freezePyValue(pyDeepCopy(bookings));
    FROZEN_BOOKINGS.set(bookings, f);
  }
  return f;
}

function episodeExtensions(init: StateInit): EpisodeExtensions {
  const existing = init.shared.get(PACK_NAME) as EpisodeExtensions | undefined;
  if (existing) return existing;
  const cards = init.constants?.get("CREDIT_CARD_EXTENSION");
  const bookings = init.constants?.get("BOOKING_RECORD_EXTENSION");
  if (!(cards instanceof PyDict) || !(bookings instanceof PyDict)) {
    throw bad(
      "Long-context constants CREDIT_CARD_EXTENSION / BOOKING_RECORD_EXTENSION are missing.",
      "Pass the decoded long_context.json constants as `constants` when longContext is true.",
    );
  }
  // Cards get their balance mutated: one private copy per episode. Booking records are never
  // mutated in place by any tool, so every episode shares one frozen copy (frozen values print
  // once; the constants object itself belongs to every pack and is left alone).
  const ext: EpisodeExtensions = { cards: copyTwoLevels(cards), bookings: frozenBookings(bookings) };
  init.shared.set(PACK_NAME, ext);
  return ext;
}

/** `TravelAPI()._load_scenario(deepcopy(config), long_context)`, plus envtune's explicit "today". */
export function createTravelState(init: StateInit, options: TravelStateOptions = {}): TravelState {
  const config = init.config;
  // The reference deep-copies the config; only the card dicts (balances) and the two outer dicts
  // (cards/bookings added and removed) are ever mutated. The bookings are deep-copied all the same:
  // a dict shared with the dataset would keep its cached trace text from one episode to the next.
  const cards = dictField(config, "credit_card_list");
  const bookings = dictField(config, "booking_record");
  const state = new TravelState({
    random: new PyRandom(seedOf(config.get("random_seed"))),
    creditCards: cards ? copyTwoLevels(cards) : new PyDict(),
    bookings: bookings ? pyDeepCopy(bookings) : new PyDict(),
    config,
    longContext: init.longContext,
    today: options.today ?? TRACE_TODAY,
  });
  if (init.longContext) {
    const ext = episodeExtensions(init);
    for (const [id, card] of ext.cards.entries()) if (!state.credit_card_list.has(id)) state.credit_card_list.set(id, card);
    for (const [id, rec] of ext.bookings.entries()) if (!state.booking_record.has(id)) state.booking_record.set(id, rec);
  }
  return state;
}
