/**
 * Message catalogues of the MathAPI pack. `standard` holds the reference's exact texts; `augmented`
 * the same codes with actionable hints (what went wrong and which kind of step fixes it, never the
 * value a task expects). The paper's released code has no MathAPI hints, so these are envtune's own.
 */
import type { MessageCatalogue } from "@envtune/core/domain";

const SI_UNITS = "'km', 'm', 'cm', 'mm', 'um' and 'nm'";
const IMPERIAL_PAIRS = "'cm'/'in', 'm'/'ft', 'm'/'yd', 'km'/'miles', 'kg'/'lb' and 'celsius'/'fahrenheit' (either direction)";

export const standard: MessageCatalogue = {
  logarithm_failed: "{detail}",
  logarithm_division_by_zero: "{detail}",
  mean_empty: "Cannot calculate mean of an empty list",
  std_empty: "Cannot calculate standard deviation of an empty list",
  min_empty: "Cannot find minimum of an empty list",
  max_empty: "Cannot find maximum of an empty list",
  sum_empty: "Cannot calculate sum of an empty list",
  numbers_not_numeric: "All elements in the list must be numbers",
  value_not_number: "Value must be a number",
  si_unsupported: "Conversion from '{unit_in}' to '{unit_out}' is not supported",
  imperial_unsupported: "Conversion from '{unit_in}' to '{unit_out}' is not supported",
  conversion_overflow: "Conversion resulted in a value too large to represent",
  inputs_not_numbers: "Both inputs must be numbers",
  divide_by_zero: "Cannot divide by zero",
  sqrt_negative: "Cannot calculate square root of a negative number",
  sqrt_invalid: "Input must be a number or computation resulted in an invalid operation",
  abs_not_number: "Input must be a number",
  round_invalid: "First input must be a number, second input must be an integer",
  whole_zero: "Whole value cannot be zero",
  precision_too_large: "[envtune] [math] precision {precision} is above envtune's limit of {limit} digits. Ask for fewer digits.",
};

export const augmented: MessageCatalogue = {
  logarithm_failed:
    "logarithm could not be computed ({detail}). `value` and `base` must be numbers (int or float, not text or lists) and `precision` a whole number of significant digits.",
  logarithm_division_by_zero:
    "logarithm could not be computed: log(base) is 0, which happens when `base` is 1. Use a positive base different from 1.",
  mean_empty: "Cannot calculate mean of an empty list. Pass `numbers` as a non-empty list; collect the values from earlier results first.",
  std_empty:
    "Cannot calculate standard deviation of an empty list. Pass `numbers` as a non-empty list; collect the values from earlier results first.",
  min_empty: "Cannot find minimum of an empty list. Pass `numbers` as a non-empty list; collect the values from earlier results first.",
  max_empty: "Cannot find maximum of an empty list. Pass `numbers` as a non-empty list; collect the values from earlier results first.",
  sum_empty: "Cannot calculate sum of an empty list. Pass `numbers` as a non-empty list; collect the values from earlier results first.",
  numbers_not_numeric:
    "All elements in the list must be numbers. Pass `numbers` as a flat list of int or float values; extract the numeric fields from earlier results instead of passing text, None, dicts or nested lists.",
  value_not_number:
    "Value must be a number. Pass `value` as an int or float (not a string such as '5 km'); give the units separately in `unit_in` and `unit_out`.",
  si_unsupported: `Conversion from '{unit_in}' to '{unit_out}' is not supported. si_unit_conversion converts lengths between ${SI_UNITS} only, written exactly like that; for imperial units use imperial_si_conversion.`,
  imperial_unsupported: `Conversion from '{unit_in}' to '{unit_out}' is not supported. imperial_si_conversion supports ${IMPERIAL_PAIRS}, written exactly like that; for conversions between SI length units use si_unit_conversion.`,
  conversion_overflow:
    "Conversion resulted in a value too large to represent. Check the magnitude of `value`; it must fit in a 64-bit float after conversion.",
  inputs_not_numbers:
    "Both inputs must be numbers. Pass int or float values, not strings, None or lists; take the numeric fields out of earlier results first.",
  divide_by_zero:
    "Cannot divide by zero: the divisor `b` is 0. Check which quantity belongs in the denominator and that it was read correctly from an earlier result.",
  sqrt_negative:
    "Cannot calculate square root of a negative number. `number` must be zero or positive; check the sign of the value you computed or passed.",
  sqrt_invalid:
    "square_root failed: `number` must be an int or float and `precision` a whole number (int) of significant digits, not text or a float.",
  abs_not_number: "Input must be a number. Pass `number` as an int or float, not a string, None or a list.",
  round_invalid: "round_number failed: `number` must be an int or float and `decimal_places` a whole number (int, e.g. 2, not 2.0 or '2').",
  whole_zero:
    "Whole value cannot be zero: `whole` is the total the part is compared with. Check which quantity is the total and that it was read correctly.",
  precision_too_large:
    "[envtune] [math] precision {precision} is above envtune's limit of {limit} digits. Ask for fewer significant digits.",
};
