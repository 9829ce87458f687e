/**
 * TravelAPI message catalogues. `standard` holds the reference's exact texts (gorilla 6ea57973);
 * `augmented` the actionable hints. The codes marked "authors' code" carry the Environment Tuning
 * authors' hint texts verbatim (AWorld-RL travel_booking.py @ 4aeef7b); the others are envtune's own hints in the same spirit: say what is
 * wrong and which kind of step fixes it, never the value the task expects.
 *
 * Placeholders (`{name}`) are filled by the tool bodies with Python `str()` of the values.
 */
import type { MessageCatalogue } from "@envtune/core/domain";

const STD_NO_ROUTE = "No available route for the given airports.";
const AUG_AIRPORT_TAIL =
  ". Please use valid airport codes. You can use 'list_all_airports' to get all available airports or 'get_nearest_airport_by_city' to find the correct airport code for a city.";

export const standard = {
  // token checks shared by the authenticated tools
  token_not_initialized: "Token not initialized",
  token_expired: "Token expired",
  invalid_access_token: "Invalid access token",
  // register_credit_card
  card_already_registered: "Card already registered",
  // get_flight_cost (raised). The standard reference has one text for unknown airports and
  // unknown routes; the augmented catalogue tells them apart (authors' code).
  flight_invalid_departure: STD_NO_ROUTE,
  flight_invalid_destination: STD_NO_ROUTE,
  flight_invalid_both: STD_NO_ROUTE,
  flight_no_route: STD_NO_ROUTE,
  flight_invalid_class: "Invalid travel class. Options are: economy, business, first.",
  // get_credit_card_balance
  card_not_registered_list: "Card not registered. Here are a list of card_id's: {card_ids}",
  // book_flight
  card_not_registered: "Card not registered",
  balance_not_found: "Balance not found",
  invalid_departure_airport: "Invalid departure airport code: {code}",
  invalid_destination_airport: "Invalid destination airport code: {code}",
  invalid_date_format: "Invalid date format. Use YYYY-MM-DD.",
  booking_invalid_class: "Invalid travel class. Must be one of {valid_classes}",
  // Unreachable in the reference (the cached entry always exists); kept for completeness.
  booking_no_route_parameters: "No available route for the given parameters",
  insufficient_funds: "Insufficient funds",
  balance_below_budget: "Balance is less than budget limit",
  // retrieve_invoice, cancel_booking, purchase_insurance, contact_customer_support
  booking_not_found: "Booking not found",
  // compute_exchange_rate (raised)
  no_exchange_rate: "No available exchange rate for the given currencies.",
  // verify_traveler_information (no space between the two sentences, as upstream)
  traveler_other_user: "Cannot book flight information for another user.Expected {expected_first} {expected_last}, got {first} {last}",
  invalid_date_of_birth: "Invalid date of birth format. Please use YYYY-MM-DD.",
  traveler_underage: "Traveler must be at least 18 years old.",
  passport_not_us: "Passport must be issued by the United States.",
  // purchase_insurance
  exceeded_budget: "Exceeded budget limit",
  credit_card_not_registered: "Credit card not registered",
} as const satisfies MessageCatalogue;

export type MessageCode = keyof typeof standard;

export const augmented: Readonly<Record<MessageCode, string>> = {
  token_not_initialized:
    "Token not initialized: no travel session exists yet. Authenticate with the travel system first, then retry with the access token it returns.",
  token_expired: "Token expired: the travel session is no longer valid. Authenticate again to obtain a fresh access token.",
  invalid_access_token:
    "Invalid access token: the token does not match the current travel session. Pass the access token issued by the latest authentication (or the one already given to you), unchanged.",
  card_already_registered:
    "Card already registered: a registered card already uses this id. Check the registered cards before registering, and use the existing card instead.",
  // authors' code, travel_booking.py:405-414
  flight_invalid_departure: "Invalid airport code(s): departure airport '{from}'" + AUG_AIRPORT_TAIL,
  flight_invalid_destination: "Invalid airport code(s): destination airport '{to}'" + AUG_AIRPORT_TAIL,
  flight_invalid_both: "Invalid airport code(s): departure airport '{from}' and destination airport '{to}'" + AUG_AIRPORT_TAIL,
  flight_no_route: "No available route from '{from}' to '{to}'.",
  flight_invalid_class:
    "Invalid travel class '{travel_class}'. Options are: economy, business, first (lower case). Retry with one of them.",
  card_not_registered_list:
    "Card not registered: no card has this card_id. Here are a list of card_id's: {card_ids}. Use one of these ids, or register the card first.",
  card_not_registered:
    "Card not registered: no card has this card_id. Look up the registered cards (or register the card) and pass its card_id, not the card number.",
  balance_not_found: "Balance not found: this card has no balance on record, so it cannot pay for a booking. Use another registered card.",
  invalid_departure_airport:
    "Invalid departure airport code: {code}. travel_from must be a 3-letter airport code known to the travel system; look the code up from the airport list or from the city name first.",
  invalid_destination_airport:
    "Invalid destination airport code: {code}. travel_to must be a 3-letter airport code known to the travel system; look the code up from the airport list or from the city name first.",
  invalid_date_format: "Invalid date format. Use YYYY-MM-DD (a real calendar date, e.g. four-digit year, month 01-12).",
  booking_invalid_class: "Invalid travel class '{travel_class}'. Must be one of {valid_classes} (lower case).",
  booking_no_route_parameters:
    "No available route for the given parameters. Check the airports, date and class with a flight cost lookup before booking.",
  insufficient_funds:
    "Insufficient funds: the card's balance is lower than the flight cost. Check the card balance, then use another card or a cheaper option.",
  balance_below_budget:
    "Balance is less than budget limit: the card's balance is below the budget limit that is set. Use a card whose balance covers the budget limit, or adjust the budget limit.",
  booking_not_found:
    "Booking not found: no booking has this booking_id. Use the booking_id returned when the flight was booked (the booking history lists them).",
  // authors' code, travel_booking.py:688
  no_exchange_rate:
    "No available exchange rate for '{base}' to '{target}'. Supported currencies are: USD, RMB, EUR, JPY, GBP, CAD, AUD, INR, RUB, BRL, MXN. Please check if the currency codes are correct.",
  traveler_other_user:
    "Cannot book flight information for another user. Expected {expected_first} {expected_last}, got {first} {last}. Verify the traveler whose name the travel session was authenticated with.",
  invalid_date_of_birth: "Invalid date of birth format. Please use YYYY-MM-DD (a real calendar date).",
  traveler_underage: "Traveler must be at least 18 years old. This traveler cannot be verified for booking.",
  passport_not_us:
    "Passport must be issued by the United States: the passport number must start with 'US'. Check the passport number provided by the user.",
  exceeded_budget:
    "Exceeded budget limit: the insurance cost is above the budget limit that is set. Choose a cost within the budget limit, or adjust the budget limit first.",
  credit_card_not_registered:
    "Credit card not registered: no card has this card_id. Look up the registered cards and pass a card_id, not the card number.",
};

/** The codes whose augmented text is the Environment Tuning authors' (`EnvTuning/bfcl_env/func_source_code/travel_booking.py` @ 4aeef7b), verbatim. */
export const PAPER_HINT_CODES: readonly MessageCode[] = [
  "flight_invalid_departure",
  "flight_invalid_destination",
  "flight_invalid_both",
  "flight_no_route",
  "no_exchange_rate",
];
