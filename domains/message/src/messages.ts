import type { MessageCatalogue } from "@envtune/core/domain";

/**
 * Every error text MessageAPI can produce. `standard` = the reference's texts verbatim; `augmented`
 * = the same codes with actionable hints (paper §3.3, App. B: what went wrong and which kind of step fixes
 * it, never the value the task expects). The upstream authors wrote no hints for this domain.
 *
 * Placeholders hold `str()` of the argument exactly as the model passed it.
 */
export const standard: MessageCatalogue = {
  not_logged_in: "No user is currently logged in.",
  user_not_found: "User '{user}' not found in the workspace.",
  login_user_id_not_found: "User ID '{user_id}' not found.",
  receiver_not_found: "Receiver ID '{receiver_id}' not found.",
  delete_receiver_not_found: "Receiver ID {receiver_id} not found.",
  user_name_exists: "User name '{user_name}' already exists.",
  user_id_exists: "User ID '{user_id}' already exists.",
};

export const augmented: MessageCatalogue = {
  not_logged_in:
    "No user is currently logged in. Call message_login with the acting user's ID first (get_user_id turns a user name into an ID), then retry.",
  user_not_found:
    "User '{user}' not found in the workspace. get_user_id expects a user name exactly as stored (case-sensitive); list_users shows every name, and add_contact adds a missing one.",
  login_user_id_not_found:
    "User ID '{user_id}' not found. message_login expects a user ID as returned by get_user_id or add_contact, not a user name; look the ID up first.",
  receiver_not_found:
    "Receiver ID '{receiver_id}' not found. send_message expects the receiver's user ID, not a name; look it up with get_user_id (or add the person with add_contact first).",
  delete_receiver_not_found:
    "Receiver ID {receiver_id} not found: no message to that user ID is in the inbox. view_messages_sent shows the receiver IDs that have messages; get_user_id turns a name into an ID.",
  user_name_exists: "User name '{user_name}' already exists, so there is nothing to add. Use get_user_id to get that contact's user ID.",
  user_id_exists:
    "User ID '{user_id}' already exists, so the contact was not added: the next generated ID collides with an existing user. Check list_users; the person may already be a contact.",
};
