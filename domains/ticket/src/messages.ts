import type { MessageCatalogue } from "@envtune/core/domain";

/**
 * Every error text TicketAPI can produce. `standard` = the reference's texts verbatim; `augmented`
 * = the same codes with actionable hints (paper §3.3, App. B: what went wrong and which kind of step fixes
 * it, never the value the task expects). The upstream authors wrote no hints for this domain.
 *
 * Placeholders: `{ticket_id}` = `str(ticket_id)` as the model passed it; `{fields}` = the invalid
 * update keys joined by ", ".
 */
export const standard: MessageCatalogue = {
  create_not_authenticated: "User not authenticated. Please log in to create a ticket.",
  invalid_priority: "Invalid priority. Priority must be between 1 and 5.",
  ticket_not_found: "Ticket with ID {ticket_id} not found.",
  ticket_already_closed: "Ticket with ID {ticket_id} is already closed.",
  ticket_already_resolved: "Ticket with ID {ticket_id} is already resolved.",
  invalid_update_fields: "Invalid fields for update: {fields}",
  view_not_authenticated: "User not authenticated. Please log in to view tickets.",
};

export const augmented: MessageCatalogue = {
  create_not_authenticated:
    "User not authenticated. Creating a ticket needs a logged-in user: call ticket_login with the user's username and password first, then retry create_ticket.",
  invalid_priority:
    "Invalid priority. Priority must be an integer from 1 (lowest) to 5 (highest); map the requested urgency onto that scale and retry create_ticket.",
  ticket_not_found:
    "Ticket with ID {ticket_id} not found. Ticket IDs are integers assigned when a ticket is created; use the ID returned by create_ticket or given by the user, or list the logged-in user's tickets with get_user_tickets.",
  ticket_already_closed:
    "Ticket with ID {ticket_id} is already closed, so closing it again changes nothing. Use get_ticket to check a ticket's status before changing it.",
  ticket_already_resolved:
    "Ticket with ID {ticket_id} is already resolved, so resolving it again changes nothing. Use get_ticket to check a ticket's status before changing it.",
  invalid_update_fields:
    "Invalid fields for update: {fields}. The updates dict of edit_ticket accepts only the keys 'title', 'description', 'status' and 'priority'; drop or rename the other keys and retry.",
  view_not_authenticated:
    "User not authenticated. Viewing tickets needs a logged-in user: call ticket_login first, then retry get_user_tickets.",
};
