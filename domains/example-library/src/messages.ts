import type { MessageCatalogue } from "@envtune/core/domain";

/**
 * Every error text of LibraryAPI, by code. `standard` is what a plain environment says;
 * `augmented` says the same thing plus an actionable hint (what went wrong and which kind of step
 * fixes it, never the value a task expects), the paper's environment augmentation (§3.3, App. B).
 * Placeholders are filled by the tools: ids as given, other values as Python reprs.
 */
export const standard: MessageCatalogue = {
  invalid_argument: "Invalid value for {name}: {value}.",
  member_not_found: "Member {member_id} not found.",
  book_not_found: "Book {book_id} not found.",
  loan_not_found: "Loan {loan_id} not found.",
  invalid_days: "Invalid number of days: {days}.",
  fines_block_checkout: "Member {member_id} has unpaid fines of {fines}.",
  loan_limit_reached: "Member {member_id} has reached the limit of {max_loans} loans.",
  no_copies_available: "No copies of {book_id} are available.",
  book_reserved: "Book {book_id} is reserved for another member.",
  loan_overdue: "Loan {loan_id} is overdue (due {due_date}).",
  renewal_limit: "Loan {loan_id} has already been renewed {max} times.",
  already_on_hold: "Member {member_id} is already waiting for {book_id}.",
  hold_not_needed: "Book {book_id} has a copy available.",
  invalid_amount: "Invalid amount: {amount}.",
  amount_exceeds_fines: "Amount {amount} is more than the fines due ({fines}).",
};

export const augmented: MessageCatalogue = {
  invalid_argument:
    "Invalid value for {name}: {value}. Expected {expected}; take the value from the user's request or an earlier tool result and retry.",
  member_not_found:
    "Member {member_id} not found. Member ids look like 'M100' and come from the user; check the id in the conversation or ask the user for it rather than guessing.",
  book_not_found:
    "Book {book_id} not found. Book ids look like 'B003'; call search_catalog with words of the title or the author to find the right id.",
  loan_not_found: "Loan {loan_id} not found. Loan ids are integers; call list_loans with the member's id to see their loans.",
  invalid_days:
    "Invalid number of days: {days}. Loan periods and extensions are whole days from 1 to 28 (integers); leave the argument out for the default of 14.",
  fines_block_checkout:
    "Member {member_id} has unpaid fines of {fines}, and members with fines cannot borrow. Tell the user, and pay the fines with pay_fine first if they ask you to; then retry checkout_book.",
  loan_limit_reached:
    "Member {member_id} has reached the limit of {max_loans} loans. A book must be returned (return_book) before another can be borrowed.",
  no_copies_available:
    "No copies of {book_id} are available. The member can join the waiting list with place_hold instead of checkout_book.",
  book_reserved:
    "Book {book_id} is reserved for another member who is waiting for it, so it cannot be borrowed or renewed now. Tell the user; place_hold adds them to the waiting list.",
  loan_overdue:
    "Loan {loan_id} is overdue (due {due_date}), and overdue loans cannot be renewed. The book has to be returned with return_book.",
  renewal_limit: "Loan {loan_id} has already been renewed {max} times, the maximum. Tell the user the book has to be returned.",
  already_on_hold:
    "Member {member_id} is already waiting for {book_id}; placing the hold again changes nothing. get_book shows how many are waiting.",
  hold_not_needed: "Book {book_id} has a copy available, so no hold is needed. Use checkout_book to lend it directly.",
  invalid_amount:
    "Invalid amount: {amount}. The amount must be a number of dollars greater than 0, e.g. 1.5; get_member shows the fines due.",
  amount_exceeds_fines: "Amount {amount} is more than the fines due ({fines}). Pay at most the amount due; get_member shows it.",
};
