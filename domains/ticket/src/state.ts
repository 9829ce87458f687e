import type { StateInit } from "@envtune/core/domain";
import { pyDeepCopy, type PyValue } from "@envtune/core/py";

/**
 * TicketAPI's instance attributes (upstream `ticket_api.py`). Attribute values come from the
 * dataset's `initial_config` and keep whatever Python type they had there, so they are `PyValue`s:
 * the bodies reproduce CPython's behaviour on them rather than trusting a narrower type.
 */
export class TicketAPI {
  /** list of ticket dicts (`{"id", "title", "description", "status", "priority", "created_by"}`; configured ones may lack keys). */
  ticket_queue: PyValue[];
  ticket_counter: PyValue;
  current_user: PyValue;

  constructor(ticket_queue: PyValue[], ticket_counter: PyValue, current_user: PyValue) {
    this.ticket_queue = ticket_queue;
    this.ticket_counter = ticket_counter;
    this.current_user = current_user;
  }
}

/**
 * `TicketAPI()._load_scenario(deepcopy(config))`: each attribute is `scenario.get(key, default)`.
 * `long_context` is ignored by the reference. The config is shared and read-only, so what the
 * episode may mutate (the queue and its tickets) is copied once here.
 */
export function createState(init: StateInit): TicketAPI {
  const cfg = init.config;
  const queue = cfg.get("ticket_queue");
  const counter = cfg.get("ticket_counter");
  const user = cfg.get("current_user");
  return new TicketAPI(
    queue === undefined ? [] : (pyDeepCopy(queue) as PyValue[]),
    counter === undefined ? 1n : pyDeepCopy(counter),
    user === undefined ? null : pyDeepCopy(user),
  );
}

/** The compared attributes in `vars()` order. */
export function view(self: TicketAPI): Array<[string, PyValue]> {
  return [
    ["ticket_queue", self.ticket_queue],
    ["ticket_counter", self.ticket_counter],
    ["current_user", self.current_user],
  ];
}
