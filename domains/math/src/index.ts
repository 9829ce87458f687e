import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState, view, type MathState } from "./state.ts";
import { tools } from "./tools.ts";

export { MathAPI } from "./state.ts";
export { PyDecimal } from "./decimal.ts";
export { PyMpc, PyMpf } from "./mpmath.ts";
export { PyComplex } from "./pyops.ts";
export { glibcPow } from "./libm.ts";

/** BFCL MathAPI (upstream `math_api.py`) as an envtune domain pack. */
export default defineDomain<MathState>({
  meta: {
    name: "math",
    version: "0.1.0",
    className: "MathAPI",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "Stateless calculator: arithmetic, statistics, unit conversion, mpmath logarithms and Decimal square roots.",
  },
  stateless: true,
  tools,
  schemas,
  createState,
  view,
  messages: { standard, augmented },
});
