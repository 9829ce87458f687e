/** The upstream files envtune reads, pinned to one gorilla commit with their SHA-256 (see UPSTREAM.md of the data). */
export const BFCL_REPO = "ShishirPatil/gorilla";
export const BFCL_COMMIT = "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8";
export const BFCL_RAW_BASE = "https://raw.githubusercontent.com";
const ROOT = "berkeley-function-call-leaderboard/bfcl_eval";

export const BFCL_CATEGORIES = ["base", "miss_func", "miss_param", "long_context"] as const;
export type BfclCategory = (typeof BFCL_CATEGORIES)[number];

export interface ManifestFile {
  /** Path under the local data directory. */
  local: string;
  /** Path in the upstream repository. */
  upstream: string;
  sha256: string;
}

export const BFCL_FILES: readonly ManifestFile[] = [
  {
    local: "BFCL_v4_multi_turn_base.json",
    upstream: `${ROOT}/data/BFCL_v4_multi_turn_base.json`,
    sha256: "1a21a995d06fd6f20ba55de7bced30ef953ec35e998f502ec2ecf4d66ef1c43a",
  },
  {
    local: "BFCL_v4_multi_turn_long_context.json",
    upstream: `${ROOT}/data/BFCL_v4_multi_turn_long_context.json`,
    sha256: "78c3268c5cc8e97c0f4ec6c811b3b9a2bba14323b1830b7a874b06d822749324",
  },
  {
    local: "BFCL_v4_multi_turn_miss_func.json",
    upstream: `${ROOT}/data/BFCL_v4_multi_turn_miss_func.json`,
    sha256: "87d28ce10e37d864b72de85d5732eef2a867b241d6c1c99b4ae682c9e3ea921c",
  },
  {
    local: "BFCL_v4_multi_turn_miss_param.json",
    upstream: `${ROOT}/data/BFCL_v4_multi_turn_miss_param.json`,
    sha256: "f0c66dda3795f5f53e3e1c0cc8ba0246b6761c8f58bdba8317203bf451ab8838",
  },
  {
    local: "possible_answer/BFCL_v4_multi_turn_base.json",
    upstream: `${ROOT}/data/possible_answer/BFCL_v4_multi_turn_base.json`,
    sha256: "1fee67823b317571649177dd89d63969feaae4e810cc7448ee55ba797fb7c8fc",
  },
  {
    local: "possible_answer/BFCL_v4_multi_turn_long_context.json",
    upstream: `${ROOT}/data/possible_answer/BFCL_v4_multi_turn_long_context.json`,
    sha256: "e82aa0e839c39d23c64a05834f7ae024d7c9738ec21738ecee78dc876e3d0d18",
  },
  {
    local: "possible_answer/BFCL_v4_multi_turn_miss_func.json",
    upstream: `${ROOT}/data/possible_answer/BFCL_v4_multi_turn_miss_func.json`,
    sha256: "69e679b806d1c871b05393a4b95583bb973248e5b8d96c2d7f4ca05e29fc32e6",
  },
  {
    local: "possible_answer/BFCL_v4_multi_turn_miss_param.json",
    upstream: `${ROOT}/data/possible_answer/BFCL_v4_multi_turn_miss_param.json`,
    sha256: "59c442901779e2c31c33abcd566d032e03736e5ad8069de2fe05489873046ecf",
  },
  {
    local: "func_doc/gorilla_file_system.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/gorilla_file_system.json`,
    sha256: "c4c1b741c71e2a17c97a5dc9c4a91d89978c4eaece56494d14272d5df6c650e9",
  },
  {
    local: "func_doc/math_api.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/math_api.json`,
    sha256: "83fa31708c89442bdcf12ac4dfbe3be8663ec9183a1b1524a9fda98164bc7e0b",
  },
  {
    local: "func_doc/message_api.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/message_api.json`,
    sha256: "4d58ea933a5d2b280d7a52366617fb47fecd333d7b0e08e724db6fa12fb5f847",
  },
  {
    local: "func_doc/posting_api.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/posting_api.json`,
    sha256: "87f9fc404a06e4107d7c366f1399c596440e84c16cb119faf374b2f532d86e8b",
  },
  {
    local: "func_doc/ticket_api.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/ticket_api.json`,
    sha256: "31324e0380782664fe82ba05bd23517808ad55692b45a5fe7c3d4d395fe4f0f8",
  },
  {
    local: "func_doc/trading_bot.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/trading_bot.json`,
    sha256: "1a7933fd8f0cb8fbec38aeae05cb8c24132747cad4904fe1c13ac3d01fc22c2d",
  },
  {
    local: "func_doc/travel_booking.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/travel_booking.json`,
    sha256: "f17b950c13adddf41d0848077df58788252e4c2e7cad5cfa71c8c4bf04f57b26",
  },
  {
    local: "func_doc/vehicle_control.json",
    upstream: `${ROOT}/data/multi_turn_func_doc/vehicle_control.json`,
    sha256: "0c8a66292844874ef7b168f343bc394d8615d2d9e1f4387999a9ee23011eac78",
  },
];

/** Upstream keeps the long-context constants as Python literal assignments; envtune parses them without executing. */
export const LONG_CONTEXT_PY: ManifestFile = {
  local: "long_context.py",
  upstream: `${ROOT}/eval_checker/multi_turn_eval/func_source_code/long_context.py`,
  sha256: "5c9a5710115609c779e5b2ccb43f6ad58271ed96f2ea7a797edb0d65c385aa38",
};

/** BFCL class name → function-doc file. */
export const FUNC_DOC_FILES: Readonly<Record<string, string>> = {
  GorillaFileSystem: "func_doc/gorilla_file_system.json",
  MathAPI: "func_doc/math_api.json",
  MessageAPI: "func_doc/message_api.json",
  TwitterAPI: "func_doc/posting_api.json",
  TicketAPI: "func_doc/ticket_api.json",
  TradingBot: "func_doc/trading_bot.json",
  TravelAPI: "func_doc/travel_booking.json",
  VehicleControlAPI: "func_doc/vehicle_control.json",
};
