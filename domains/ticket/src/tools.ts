import type { ToolDef } from "@envtune/core/domain";
import {
  PyDict,
  PyException,
  pyAttributeError,
  pyEquals,
  pyGetItemStr,
  pyLower,
  pyPlusOne,
  pyRichCompare,
  pySetItemStr,
  pyStr,
  pyTruthy,
  pyTypeName,
  requireStr,
  type PyValue,
} from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import { setDifferenceOrder } from "./set-order.ts";
import type { TicketAPI } from "./state.ts";

type Tool = ToolDef<TicketAPI>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<TicketAPI>();

const err = (text: string): PyDict => PyDict.from({ error: text });

/** `_find_ticket`: the first ticket whose `"id"` equals `ticket_id` (a ticket without `"id"` raises KeyError). */
function findTicket(self: TicketAPI, ticketId: PyValue): PyValue | null {
  for (const ticket of self.ticket_queue) {
    if (pyEquals(pyGetItemStr(ticket, "id"), ticketId)) return ticket;
  }
  return null;
}

const VALID_UPDATE_FIELDS: ReadonlySet<string> = new Set(["title", "description", "status", "priority"]);

const createTicket = tool({
  name: "create_ticket",
  params: [{ name: "title" }, { name: "description", default: "" }, { name: "priority", default: 1n }],
  run(self, { title, description, priority }, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("create_not_authenticated"));
    const p = priority;
    // `priority < 1 or priority > 5`: only the first comparison can raise (same operand types).
    if (pyRichCompare(p, 1n, "<") || pyRichCompare(p, 5n, ">")) return err(ctx.msg("invalid_priority"));
    const ticket = PyDict.from({
      id: self.ticket_counter,
      title: title,
      description: description,
      status: "Open",
      priority: p,
      created_by: self.current_user,
    });
    self.ticket_queue.push(ticket);
    self.ticket_counter = pyPlusOne(self.ticket_counter);
    return ticket;
  },
});

const getTicket = tool({
  name: "get_ticket",
  params: [{ name: "ticket_id" }],
  run(self, { ticket_id }, ctx) {
    const id = ticket_id;
    const ticket = findTicket(self, id);
    if (ticket === null || !pyTruthy(ticket)) return err(ctx.msg("ticket_not_found", { ticket_id: pyStr(id) }));
    return ticket;
  },
});

const closeTicket = tool({
  name: "close_ticket",
  params: [{ name: "ticket_id" }],
  run(self, { ticket_id }, ctx) {
    const id = ticket_id;
    const ticket = findTicket(self, id);
    if (ticket === null || !pyTruthy(ticket)) return err(ctx.msg("ticket_not_found", { ticket_id: pyStr(id) }));
    if (pyEquals(pyGetItemStr(ticket, "status"), "Closed")) {
      return err(ctx.msg("ticket_already_closed", { ticket_id: pyStr(id) }));
    }
    pySetItemStr(ticket, "status", "Closed");
    return PyDict.from({ status: `Ticket ${pyStr(id)} has been closed successfully.` });
  },
});

const resolveTicket = tool({
  name: "resolve_ticket",
  params: [{ name: "ticket_id" }, { name: "resolution" }],
  run(self, { ticket_id, resolution }, ctx) {
    const id = ticket_id;
    const ticket = findTicket(self, id);
    if (ticket === null || !pyTruthy(ticket)) return err(ctx.msg("ticket_not_found", { ticket_id: pyStr(id) }));
    if (pyEquals(pyGetItemStr(ticket, "status"), "Resolved")) {
      return err(ctx.msg("ticket_already_resolved", { ticket_id: pyStr(id) }));
    }
    pySetItemStr(ticket, "status", "Resolved");
    pySetItemStr(ticket, "resolution", resolution);
    return PyDict.from({ status: `Ticket ${pyStr(id)} has been resolved successfully.` });
  },
});

const editTicket = tool({
  name: "edit_ticket",
  params: [{ name: "ticket_id" }, { name: "updates" }],
  run(self, { ticket_id, updates }, ctx) {
    const id = ticket_id;
    const ticket = findTicket(self, id);
    if (ticket === null || !pyTruthy(ticket)) return err(ctx.msg("ticket_not_found", { ticket_id: pyStr(id) }));
    if (!(updates instanceof PyDict)) {
      return pyAttributeError(updates, "keys");
    }
    // `set(updates.keys()) - valid_fields`, printed in CPython's set order (see set-order.ts).
    const isValid = (k: PyValue): boolean => typeof k === "string" && VALID_UPDATE_FIELDS.has(k);
    const keys = [...updates.keys()];
    let invalid = keys.filter((k) => !isValid(k));
    if (invalid.length > 0) {
      if (invalid.length > 1) invalid = setDifferenceOrder(keys, VALID_UPDATE_FIELDS.size, isValid) ?? invalid;
      const names = invalid.map((k, i) => {
        if (typeof k !== "string") {
          throw new PyException("TypeError", `sequence item ${i}: expected str instance, ${pyTypeName(k)} found`);
        }
        return k;
      });
      return err(ctx.msg("invalid_update_fields", { fields: names.join(", ") }));
    }
    // Every key passed isValid above, so it is one of the field names (a str).
    for (const [k, v] of updates) if (v !== null) pySetItemStr(ticket, k as string, v);
    return PyDict.from({ status: `Ticket ${pyStr(id)} has been updated successfully.` });
  },
});

const ticketLogin = tool({
  name: "ticket_login",
  params: [{ name: "username" }, { name: "password" }],
  run(self, { username, password }) {
    if (pyTruthy(username) && pyTruthy(password)) {
      self.current_user = username;
      return PyDict.from({ success: true });
    }
    return PyDict.from({ success: false });
  },
});

const ticketGetLoginStatus = tool({
  name: "ticket_get_login_status",
  params: [],
  run(self) {
    return PyDict.from({ login_status: pyTruthy(self.current_user) });
  },
});

const logout = tool({
  name: "logout",
  params: [],
  run(self) {
    if (pyTruthy(self.current_user)) {
      self.current_user = null;
      return PyDict.from({ success: true });
    }
    return PyDict.from({ success: false });
  },
});

const getUserTickets = tool({
  name: "get_user_tickets",
  params: [{ name: "status", default: null }],
  run(self, { status }, ctx) {
    if (!pyTruthy(self.current_user)) return [err(ctx.msg("view_not_authenticated"))];
    let userTickets = self.ticket_queue.filter((t) => pyEquals(pyGetItemStr(t, "created_by"), self.current_user));
    const s = status;
    if (pyTruthy(s)) {
      // Python evaluates `ticket["status"].lower()` before `status.lower()`, once per ticket.
      userTickets = userTickets.filter((t) => {
        const own = pyLower(requireStr(pyGetItemStr(t, "status"), "lower"));
        return own === pyLower(requireStr(s, "lower"));
      });
    }
    return userTickets;
  },
});

/** The 9 documented tools, in the function doc's order. */
export const tools: Tool[] = [
  closeTicket,
  createTicket,
  editTicket,
  getTicket,
  getUserTickets,
  logout,
  resolveTicket,
  ticketGetLoginStatus,
  ticketLogin,
];
