/** Tool schemas the featurizer tests share (BFCL-shaped: a string, a boolean, an enum list and a number parameter). */
import type { ToolSchema } from "@envtune/core";

export const cd: ToolSchema = {
  name: "cd",
  description:
    "This tool belongs to the Gorilla file system. Tool description: Change the current working directory to the specified folder.",
  parameters: {
    type: "object",
    properties: { folder: { type: "string", description: "The folder of the directory to change to." } },
    required: ["folder"],
  },
};
export const lock: ToolSchema = {
  name: "lockDoors",
  description: "Tool description: Locks the doors of the vehicle.",
  parameters: {
    type: "object",
    properties: {
      unlock: { type: "boolean", description: "True if the doors are to be unlocked, False otherwise." },
      door: {
        type: "array",
        items: { type: "string" },
        description: 'The list of doors to lock or unlock. [Enum]: ["driver", "passenger", "rear_left", "rear_right"]',
      },
      pedal: { type: "number", description: "Position between 0 (not pressed) and 1 (fully pressed)." },
    },
    required: ["unlock", "door"],
  },
};
