import type { StateInit } from "@envtune/core/domain";
import { PyDict, PySet, pyDeepCopy, type PyValue } from "@envtune/core/py";
import { PyRandom } from "@envtune/core";

/** The reference's seed (`random.Random(scenario.get("random_seed", 200191))`). */
export const DEFAULT_SEED = 200191n;

/**
 * MessageAPI's instance attributes (upstream `message_api.py`), in `vars()` order. Values from
 * the dataset's `initial_config` keep their Python types, hence `PyValue` for the scalars.
 */
export class MessageAPI {
  /** The seed `_random` is created from (`random_seed` in the config, else 200191). */
  readonly _seed: bigint;
  private _rng: PyRandom | undefined;
  /** A set of ints (ids drawn so far). */
  generated_ids: PyValue;
  user_count: PyValue;
  /** user name → user id. */
  user_map: PyDict;
  /** `[{receiver_id: content}, ...]`; content is a str, or a list of str in most dataset configs. */
  inbox: PyValue[];
  message_count: PyValue;
  current_user: PyValue;

  constructor(
    seed: bigint,
    generated_ids: PyValue,
    user_count: PyValue,
    user_map: PyDict,
    inbox: PyValue[],
    message_count: PyValue,
    current_user: PyValue,
  ) {
    this._seed = seed;
    this.generated_ids = generated_ids;
    this.user_count = user_count;
    this.user_map = user_map;
    this.inbox = inbox;
    this.message_count = message_count;
    this.current_user = current_user;
  }

  /**
   * Private: draws message ids. Not compared, but it decides the ids results show. Seeding MT19937
   * costs more than most episodes spend on MessageAPI, and nothing draws before the first
   * `send_message`, so it is created on first use (same draws as seeding in `_load_scenario`).
   */
  get _random(): PyRandom {
    return (this._rng ??= new PyRandom(this._seed));
  }
}

function defaultUserMap(): PyDict {
  return PyDict.from({ Alice: "USR001", Bob: "USR002", Catherine: "USR003", Daniel: "USR004" });
}

function defaultInbox(): PyValue[] {
  return [
    PyDict.from({ USR002: "My name is Alice. I want to connect." }),
    PyDict.from({ USR003: "Could you upload the file?" }),
    PyDict.from({ USR004: "Could you upload the file?" }),
  ];
}

function seedOf(v: PyValue | undefined): bigint {
  if (v === undefined) return DEFAULT_SEED;
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  // CPython seeds from hash()/sha512 for other types; no dataset entry sets a seed at all.
  throw new Error(`[envtune] [message] Unsupported MessageAPI random_seed ${String(v)}. Use an int seed in initial_config.`);
}

/**
 * `MessageAPI()._load_scenario(deepcopy(config))`: each attribute is `scenario.get(key, default)`.
 * The config is shared and read-only, so the values kept are copied once here.
 */
export function createState(init: StateInit): MessageAPI {
  const cfg = init.config;
  // `scenario.get(k, default)`: an explicit None in the config stays None.
  const get = <T extends PyValue>(k: string, dflt: () => T): T => {
    const v = cfg.get(k);
    return v === undefined ? dflt() : (pyDeepCopy(v) as T);
  };
  return new MessageAPI(
    seedOf(cfg.get("random_seed")),
    get<PyValue>("generated_ids", () => new PySet()),
    get<PyValue>("user_count", () => 4n),
    get("user_map", defaultUserMap),
    get("inbox", defaultInbox),
    get<PyValue>("message_count", () => 3n),
    get<PyValue>("current_user", () => null),
  );
}

/** The compared attributes in `vars()` order (`_random` is private). */
export function view(self: MessageAPI): Array<[string, PyValue]> {
  return [
    ["generated_ids", self.generated_ids],
    ["user_count", self.user_count],
    ["user_map", self.user_map],
    ["inbox", self.inbox],
    ["message_count", self.message_count],
    ["current_user", self.current_user],
  ];
}
