import type { ToolSchema } from "@envtune/core";

const DOMAIN = "This tool belongs to the library system, which lets members search the catalogue, borrow, return and renew books, reserve books that are out, and pay late fees.";
const memberId = { type: "string", description: "The member's id, e.g. 'M100'." };
const bookId = { type: "string", description: "The book's id from the catalogue, e.g. 'B003' (search_catalog returns it)." };
const loanId = { type: "integer", description: "The loan's id (returned by checkout_book and listed by list_loans)." };
const days = (what: string) => ({ type: "integer", description: `${what} in days, from 1 to 28. Defaults to 14.`, minimum: 1, maximum: 28, default: 14 });

const tool = (name: string, description: string, properties: Record<string, unknown>, required: string[]): ToolSchema => ({
  name,
  description: `${DOMAIN} Tool description: ${description}`,
  parameters: { type: "object", properties, required, additionalProperties: false },
});

/**
 * What the model sees of each tool (OpenAI function-calling layout, JSON Schema draft 2020-12).
 * Property names equal the tools' parameter names; the augmented environment validates arguments
 * against these schemas and explains what is wrong.
 */
export const schemas: ToolSchema[] = [
  tool(
    "search_catalog",
    "Search the catalogue by words of a title or an author's name (case-insensitive). Returns the matching books with their ids and available copies.",
    {
      query: { type: "string", description: "Words of the title or the author's name, e.g. 'Dune' or 'Le Guin'." },
      available_only: { type: "boolean", description: "Only list books with a copy on the shelf. Defaults to false.", default: false },
    },
    ["query"],
  ),
  tool("get_book", "Get one book's details: title, author, year, copies, copies available and the number of holds.", { book_id: bookId }, ["book_id"]),
  tool("get_member", "Get a member's account: name, loan ids, loan limit and fines due (dollars).", { member_id: memberId }, ["member_id"]),
  tool("list_loans", "List a member's loans with titles, due dates and whether each is overdue.", { member_id: memberId }, ["member_id"]),
  tool(
    "checkout_book",
    "Lend a copy of a book to a member. Needs a free copy, no unpaid fines and a free loan slot; members waiting on a hold are served first. Returns the loan id and due date.",
    { member_id: memberId, book_id: bookId, days: days("Loan period") },
    ["member_id", "book_id"],
  ),
  tool("return_book", "Return a borrowed book. A late return adds a fee of 0.25 dollars per day to the member's fines.", { loan_id: loanId }, ["loan_id"]),
  tool(
    "renew_loan",
    "Extend a loan's due date. Not possible for overdue loans, after 2 renewals, or when another member is waiting for the book.",
    { loan_id: loanId, days: days("Extension") },
    ["loan_id"],
  ),
  tool("place_hold", "Join the waiting list for a book whose copies are all out. Returns the member's position in the queue.", { member_id: memberId, book_id: bookId }, ["member_id", "book_id"]),
  tool(
    "pay_fine",
    "Pay some or all of a member's fines.",
    { member_id: memberId, amount: { type: "number", description: "Amount in dollars, more than 0 and at most the fines due.", exclusiveMinimum: 0 } },
    ["member_id", "amount"],
  ),
];
