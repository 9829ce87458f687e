/**
 * @envtune/domain-travel — BFCL's TravelAPI (travel_booking.py, gorilla 6ea57973) as an envtune
 * domain pack: the same results, state and RNG draws as the Python reference.
 */
import { defineDomain, type DomainPack, type StateInit } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createTravelState, PACK_NAME, TravelState, view, type TravelStateOptions } from "./state.ts";
import { tools } from "./tools.ts";

/**
 * Builds the pack. `options.today` fixes what `datetime.today()` returns inside
 * `verify_traveler_information` (default: the traces' frozen 2025-06-15 12:00:00).
 */
export function createTravelPack(options: TravelStateOptions = {}): DomainPack<TravelState> {
  return defineDomain<TravelState>({
    meta: {
      name: PACK_NAME,
      version: "0.1.0",
      className: "TravelAPI",
      bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
      description: "BFCL TravelAPI: flights, credit cards, bookings, insurance and budget (exact to the Python reference).",
    },
    tools,
    schemas,
    createState: (init: StateInit) => createTravelState(init, options),
    view,
    messages: { standard, augmented },
  });
}

const pack: DomainPack<TravelState> = createTravelPack();
export default pack;

export { createTravelState, TravelState, TRACE_TODAY, DEFAULT_RANDOM_SEED } from "./state.ts";
export type { TravelStateOptions, TravelToday } from "./state.ts";
export { PAPER_HINT_CODES, type MessageCode } from "./messages.ts";
