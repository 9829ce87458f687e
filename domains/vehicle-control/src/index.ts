import { defineDomain } from "@envtune/core/domain";
import { augmented, standard } from "./messages.ts";
import { schemas } from "./schemas.generated.ts";
import { createState } from "./state.ts";
import type { VehicleControlState } from "./state.ts";
import { tools } from "./tools.ts";

export { VehicleControlState, createState, PACK_NAME } from "./state.ts";
export type { VehicleShared } from "./state.ts";
export { augmented, standard } from "./messages.ts";
export type { MessageCode } from "./messages.ts";

export default defineDomain<VehicleControlState>({
  meta: {
    name: "vehicle-control",
    version: "0.1.0",
    className: "VehicleControlAPI",
    bfclCommit: "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8",
    description: "BFCL VehicleControlAPI: engine, doors, brakes, climate, cruise control, navigation and unit conversions of a car.",
  },
  tools,
  schemas,
  createState,
  view: (self) => self.view(),
  messages: { standard, augmented },
});
