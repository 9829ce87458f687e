import { PyDict, pyRepr, pyRound, type PyValue } from "@envtune/core/py";
import { defineTool, type ParamSpec, type ToolContext, type ToolDef } from "@envtune/core/domain";
import type { LibraryAPI } from "./state.ts";

/** A soft error: the model reads `{"error": "..."}` and can recover. Texts come from the catalogues. */
const error = (text: string): PyDict => PyDict.from({ error: text });

/** Loan periods and renewals, in days. */
const MIN_DAYS = 1n;
const MAX_DAYS = 28n;
const MAX_RENEWALS = 2n;
/** Late fee per day, in dollars (a power-of-two fraction, so sums of fees stay exact floats). */
const FEE_PER_DAY = 0.25;

const repr = (v: PyValue | undefined): string => pyRepr(v ?? null);

// Arguments arrive as the model wrote them. Each parameter below declares its type and, where
// needed, a further `check`; `defineTool` checks them in signature order before a body runs and
// answers a misfit with `reject`, so the bodies receive typed values. The same list is the JSON
// Schema the model sees (`toolSchemas` in index.ts): one source for signature, types and schema.

/** What a valid value of each parameter looks like, for the `invalid_argument` message. */
const EXPECTED: Record<string, string> = {
  query: "a non-empty string (words of a title or an author's name)",
  available_only: "true or false",
  member_id: "a member id string such as 'M100'",
  book_id: "a book id string such as 'B001'",
  loan_id: "an integer loan id such as 3",
};

function reject(ctx: ToolContext, param: ParamSpec<LibraryAPI>, value: PyValue): PyDict {
  if (param.name === "days") return error(ctx.msg("invalid_days", { days: repr(value) }));
  if (param.name === "amount") return error(ctx.msg("invalid_amount", { amount: repr(value) }));
  return error(ctx.msg("invalid_argument", { name: param.name, value: repr(value), expected: EXPECTED[param.name] ?? "another value" }));
}

const tool = defineTool<LibraryAPI>({ reject });

const nonEmpty = (s: string): boolean => s.trim() !== "";
const memberId = { name: "member_id", type: "string", check: nonEmpty, description: "The member's id, e.g. 'M100'." } as const;
const bookId = {
  name: "book_id",
  type: "string",
  check: nonEmpty,
  description: "The book's id from the catalogue, e.g. 'B003' (search_catalog returns it).",
} as const;
const loanId = {
  name: "loan_id",
  type: "integer",
  description: "The loan's id (returned by checkout_book and listed by list_loans).",
} as const;
const days = (what: string) =>
  ({
    name: "days",
    type: "integer",
    default: 14n,
    check: (d: bigint) => d >= MIN_DAYS && d <= MAX_DAYS,
    description: `${what} in days, from 1 to 28. Defaults to 14.`,
    schema: { minimum: 1, maximum: 28 },
  }) as const;

const DAY_MS = 86_400_000;
function addDays(iso: string, days: bigint): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + Number(days) * DAY_MS).toISOString().slice(0, 10);
}
function daysBetween(from: string, to: string): bigint {
  return BigInt(Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS));
}

function member(self: LibraryAPI, id: string): PyDict | undefined {
  const m = self.members.get(id);
  return m instanceof PyDict ? m : undefined;
}
function book(self: LibraryAPI, id: string): PyDict | undefined {
  const b = self.books.get(id);
  return b instanceof PyDict ? b : undefined;
}
function loan(self: LibraryAPI, id: bigint): PyDict | undefined {
  return self.loans.find((l) => l.get("loan_id") === id);
}
function queue(self: LibraryAPI, bookId: string): PyValue[] {
  const q = self.holds.get(bookId);
  return Array.isArray(q) ? q : [];
}
const int = (d: PyDict, k: string): bigint => {
  const v = d.get(k);
  return typeof v === "bigint" ? v : 0n;
};
const fines = (m: PyDict): number => {
  const v = m.get("fines");
  return typeof v === "number" ? v : 0;
};

const searchCatalog = tool({
  name: "search_catalog",
  description:
    "Search the catalogue by words of a title or an author's name (case-insensitive). Returns the matching books with their ids and available copies.",
  params: [
    { name: "query", type: "string", check: nonEmpty, description: "Words of the title or the author's name, e.g. 'Dune' or 'Le Guin'." },
    {
      name: "available_only",
      type: "boolean",
      default: false,
      description: "Only list books with a copy on the shelf. Defaults to false.",
    },
  ],
  run(self, { query, available_only }) {
    const q = query.trim().toLowerCase();
    const results: PyValue[] = [];
    for (const [id, b] of self.books) {
      if (!(b instanceof PyDict)) continue;
      const title = String(b.get("title") ?? "");
      const author = String(b.get("author") ?? "");
      if (!title.toLowerCase().includes(q) && !author.toLowerCase().includes(q)) continue;
      if (available_only && int(b, "available") <= 0n) continue;
      results.push(PyDict.from({ book_id: id, title, author, available: int(b, "available") }));
    }
    return PyDict.from({ results });
  },
});

const getBook = tool({
  name: "get_book",
  description: "Get one book's details: title, author, year, copies, copies available and the number of holds.",
  params: [bookId],
  run(self, { book_id }, ctx) {
    const b = book(self, book_id);
    if (!b) return error(ctx.msg("book_not_found", { book_id }));
    return PyDict.from({
      book_id,
      title: b.get("title") ?? null,
      author: b.get("author") ?? null,
      year: b.get("year") ?? null,
      copies: int(b, "copies"),
      available: int(b, "available"),
      holds: BigInt(queue(self, book_id).length),
    });
  },
});

const getMember = tool({
  name: "get_member",
  description: "Get a member's account: name, loan ids, loan limit and fines due (dollars).",
  params: [memberId],
  run(self, { member_id }, ctx) {
    const m = member(self, member_id);
    if (!m) return error(ctx.msg("member_not_found", { member_id }));
    return PyDict.from({
      member_id,
      name: m.get("name") ?? null,
      loans: self.loans.filter((l) => l.get("member_id") === member_id).map((l) => l.get("loan_id") ?? null),
      max_loans: int(m, "max_loans"),
      fines_due: fines(m),
    });
  },
});

const listLoans = tool({
  name: "list_loans",
  description: "List a member's loans with titles, due dates and whether each is overdue.",
  params: [memberId],
  run(self, { member_id }, ctx) {
    if (!member(self, member_id)) return error(ctx.msg("member_not_found", { member_id }));
    const loans = self.loans
      .filter((l) => l.get("member_id") === member_id)
      .map((l) => {
        const bookId = String(l.get("book_id") ?? "");
        const due = String(l.get("due_date") ?? self.today);
        return PyDict.from({
          loan_id: l.get("loan_id") ?? null,
          book_id: bookId,
          title: book(self, bookId)?.get("title") ?? null,
          due_date: due,
          overdue: due < self.today,
        });
      });
    return PyDict.from({ loans });
  },
});

const checkoutBook = tool({
  name: "checkout_book",
  description:
    "Lend a copy of a book to a member. Needs a free copy, no unpaid fines and a free loan slot; members waiting on a hold are served first. Returns the loan id and due date.",
  params: [memberId, bookId, days("Loan period")],
  run(self, { member_id, book_id, days }, ctx) {
    const m = member(self, member_id);
    if (!m) return error(ctx.msg("member_not_found", { member_id }));
    const b = book(self, book_id);
    if (!b) return error(ctx.msg("book_not_found", { book_id }));
    if (fines(m) > 0) return error(ctx.msg("fines_block_checkout", { member_id, fines: pyRepr(fines(m)) }));
    const count = self.loans.filter((l) => l.get("member_id") === member_id).length;
    if (BigInt(count) >= int(m, "max_loans"))
      return error(ctx.msg("loan_limit_reached", { member_id, max_loans: String(int(m, "max_loans")) }));
    if (int(b, "available") <= 0n) return error(ctx.msg("no_copies_available", { book_id }));
    const q = queue(self, book_id);
    // Holds are served in order: a waiting member gets the next copy, others wait their turn.
    if (q.length > 0 && q[0] !== member_id) return error(ctx.msg("book_reserved", { book_id }));
    if (q.length > 0) q.shift();
    b.set("available", int(b, "available") - 1n);
    const loanId = self.next_loan_id;
    self.next_loan_id += 1n;
    const dueDate = addDays(self.today, days);
    self.loans.push(PyDict.from({ loan_id: loanId, book_id, member_id, due_date: dueDate, renewals: 0n }));
    return PyDict.from({ loan_id: loanId, book_id, member_id, due_date: dueDate });
  },
});

const returnBook = tool({
  name: "return_book",
  description: "Return a borrowed book. A late return adds a fee of 0.25 dollars per day to the member's fines.",
  params: [loanId],
  run(self, { loan_id }, ctx) {
    const l = loan(self, loan_id);
    if (!l) return error(ctx.msg("loan_not_found", { loan_id: repr(loan_id) }));
    const lateDays = daysBetween(String(l.get("due_date") ?? self.today), self.today);
    const late = lateDays > 0n ? lateDays : 0n;
    const fee = Number(late) * FEE_PER_DAY;
    const m = member(self, String(l.get("member_id") ?? ""));
    if (m && fee > 0) m.set("fines", pyRound(fines(m) + fee, 2));
    const b = book(self, String(l.get("book_id") ?? ""));
    if (b) b.set("available", int(b, "available") + 1n);
    self.loans.splice(self.loans.indexOf(l), 1);
    return PyDict.from({ loan_id, returned: true, late_days: late, fee });
  },
});

const renewLoan = tool({
  name: "renew_loan",
  description:
    "Extend a loan's due date. Not possible for overdue loans, after 2 renewals, or when another member is waiting for the book.",
  params: [loanId, days("Extension")],
  run(self, { loan_id, days }, ctx) {
    const l = loan(self, loan_id);
    if (!l) return error(ctx.msg("loan_not_found", { loan_id: repr(loan_id) }));
    const due = String(l.get("due_date") ?? self.today);
    if (due < self.today) return error(ctx.msg("loan_overdue", { loan_id: repr(loan_id), due_date: due }));
    if (int(l, "renewals") >= MAX_RENEWALS) return error(ctx.msg("renewal_limit", { loan_id: repr(loan_id), max: String(MAX_RENEWALS) }));
    const bookId = String(l.get("book_id") ?? "");
    if (queue(self, bookId).length > 0) return error(ctx.msg("book_reserved", { book_id: bookId }));
    const newDue = addDays(due, days);
    l.set("due_date", newDue);
    l.set("renewals", int(l, "renewals") + 1n);
    return PyDict.from({ loan_id, due_date: newDue, renewals: int(l, "renewals") });
  },
});

const placeHold = tool({
  name: "place_hold",
  description: "Join the waiting list for a book whose copies are all out. Returns the member's position in the queue.",
  params: [memberId, bookId],
  run(self, { member_id, book_id }, ctx) {
    if (!member(self, member_id)) return error(ctx.msg("member_not_found", { member_id }));
    const b = book(self, book_id);
    if (!b) return error(ctx.msg("book_not_found", { book_id }));
    const q = queue(self, book_id);
    if (q.includes(member_id)) return error(ctx.msg("already_on_hold", { member_id, book_id }));
    if (int(b, "available") > BigInt(q.length)) return error(ctx.msg("hold_not_needed", { book_id }));
    q.push(member_id);
    if (self.holds.get(book_id) !== q) self.holds.set(book_id, q);
    return PyDict.from({ book_id, member_id, position: BigInt(q.length) });
  },
});

const payFine = tool({
  name: "pay_fine",
  description: "Pay some or all of a member's fines.",
  params: [
    memberId,
    {
      name: "amount",
      type: "number",
      check: (a: number | bigint) => Number(a) > 0 && Number.isFinite(Number(a)),
      description: "Amount in dollars, more than 0 and at most the fines due.",
      schema: { exclusiveMinimum: 0 },
    },
  ],
  run(self, { member_id, amount }, ctx) {
    const paid = Number(amount);
    const m = member(self, member_id);
    if (!m) return error(ctx.msg("member_not_found", { member_id }));
    const due = fines(m);
    if (paid > due + 1e-9) return error(ctx.msg("amount_exceeds_fines", { amount: pyRepr(paid), fines: pyRepr(due) }));
    const left = pyRound(due - paid, 2);
    m.set("fines", left);
    return PyDict.from({ member_id, paid, fines_due: left });
  },
});

/** Every tool of LibraryAPI, in the order the model sees them. */
export const tools: ToolDef<LibraryAPI>[] = [
  searchCatalog,
  getBook,
  getMember,
  listLoans,
  checkoutBook,
  returnBook,
  renewLoan,
  placeHold,
  payFine,
];
