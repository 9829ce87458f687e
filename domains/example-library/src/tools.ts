import { PyDict, pyRepr, pyRound, type PyValue, type ToolContext, type ToolDef } from "@envtune/core";
import { defineTool } from "@envtune/core/domain";
import type { LibraryAPI } from "./state.ts";

type Tool = ToolDef<LibraryAPI>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<LibraryAPI>();

/** A soft error: the model reads `{"error": "..."}` and can recover. Texts come from the catalogues. */
const error = (text: string): PyDict => PyDict.from({ error: text });

/** Loan periods and renewals, in days. */
const MIN_DAYS = 1n;
const MAX_DAYS = 28n;
const MAX_RENEWALS = 2n;
/** Late fee per day, in dollars (a power-of-two fraction, so sums of fees stay exact floats). */
const FEE_PER_DAY = 0.25;

// Arguments arrive as the model wrote them: the executor binds names and defaults, not types.
// Each body checks what it relies on and answers with a catalogued message, never a crash.

const isText = (v: PyValue | undefined): v is string => typeof v === "string" && v.trim() !== "";
const isInt = (v: PyValue | undefined): v is bigint => typeof v === "bigint";
const repr = (v: PyValue | undefined): string => pyRepr(v ?? null);

function badArgument(ctx: ToolContext, name: string, value: PyValue | undefined, expected: string): PyDict {
  return error(ctx.msg("invalid_argument", { name, value: repr(value), expected }));
}

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
  params: [{ name: "query" }, { name: "available_only", default: false }],
  run(self, { query, available_only }, ctx) {
    if (!isText(query)) return badArgument(ctx, "query", query, "a non-empty string (words of a title or an author's name)");
    if (typeof available_only !== "boolean") return badArgument(ctx, "available_only", available_only, "true or false");
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
  params: [{ name: "book_id" }],
  run(self, { book_id }, ctx) {
    if (!isText(book_id)) return badArgument(ctx, "book_id", book_id, "a book id string such as 'B001'");
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
  params: [{ name: "member_id" }],
  run(self, { member_id }, ctx) {
    if (!isText(member_id)) return badArgument(ctx, "member_id", member_id, "a member id string such as 'M100'");
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
  params: [{ name: "member_id" }],
  run(self, { member_id }, ctx) {
    if (!isText(member_id)) return badArgument(ctx, "member_id", member_id, "a member id string such as 'M100'");
    if (!member(self, member_id)) return error(ctx.msg("member_not_found", { member_id }));
    const loans = self.loans
      .filter((l) => l.get("member_id") === member_id)
      .map((l) => {
        const bookId = String(l.get("book_id") ?? "");
        const due = String(l.get("due_date") ?? self.today);
        return PyDict.from({ loan_id: l.get("loan_id") ?? null, book_id: bookId, title: book(self, bookId)?.get("title") ?? null, due_date: due, overdue: due < self.today });
      });
    return PyDict.from({ loans });
  },
});

const checkoutBook = tool({
  name: "checkout_book",
  params: [{ name: "member_id" }, { name: "book_id" }, { name: "days", default: 14n }],
  run(self, { member_id, book_id, days }, ctx) {
    if (!isText(member_id)) return badArgument(ctx, "member_id", member_id, "a member id string such as 'M100'");
    if (!isText(book_id)) return badArgument(ctx, "book_id", book_id, "a book id string such as 'B001'");
    if (!isInt(days) || days < MIN_DAYS || days > MAX_DAYS) return error(ctx.msg("invalid_days", { days: repr(days) }));
    const m = member(self, member_id);
    if (!m) return error(ctx.msg("member_not_found", { member_id }));
    const b = book(self, book_id);
    if (!b) return error(ctx.msg("book_not_found", { book_id }));
    if (fines(m) > 0) return error(ctx.msg("fines_block_checkout", { member_id, fines: pyRepr(fines(m)) }));
    const count = self.loans.filter((l) => l.get("member_id") === member_id).length;
    if (BigInt(count) >= int(m, "max_loans")) return error(ctx.msg("loan_limit_reached", { member_id, max_loans: String(int(m, "max_loans")) }));
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
  params: [{ name: "loan_id" }],
  run(self, { loan_id }, ctx) {
    if (!isInt(loan_id)) return badArgument(ctx, "loan_id", loan_id, "an integer loan id such as 3");
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
  params: [{ name: "loan_id" }, { name: "days", default: 14n }],
  run(self, { loan_id, days }, ctx) {
    if (!isInt(loan_id)) return badArgument(ctx, "loan_id", loan_id, "an integer loan id such as 3");
    if (!isInt(days) || days < MIN_DAYS || days > MAX_DAYS) return error(ctx.msg("invalid_days", { days: repr(days) }));
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
  params: [{ name: "member_id" }, { name: "book_id" }],
  run(self, { member_id, book_id }, ctx) {
    if (!isText(member_id)) return badArgument(ctx, "member_id", member_id, "a member id string such as 'M100'");
    if (!isText(book_id)) return badArgument(ctx, "book_id", book_id, "a book id string such as 'B001'");
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
  params: [{ name: "member_id" }, { name: "amount" }],
  run(self, { member_id, amount }, ctx) {
    if (!isText(member_id)) return badArgument(ctx, "member_id", member_id, "a member id string such as 'M100'");
    const paid = typeof amount === "bigint" ? Number(amount) : typeof amount === "number" ? amount : NaN;
    if (!(paid > 0) || !Number.isFinite(paid)) return error(ctx.msg("invalid_amount", { amount: repr(amount) }));
    const m = member(self, member_id);
    if (!m) return error(ctx.msg("member_not_found", { member_id }));
    const due = fines(m);
    if (paid > due + 1e-9) return error(ctx.msg("amount_exceeds_fines", { amount: pyRepr(paid), fines: pyRepr(due) }));
    const left = pyRound(due - paid, 2);
    m.set("fines", left);
    return PyDict.from({ member_id, paid, fines_due: left });
  },
});

/** Every tool of LibraryAPI; each has a schema of the same name in schemas.ts. */
export const tools: Tool[] = [searchCatalog, getBook, getMember, listLoans, checkoutBook, returnBook, renewLoan, placeHold, payFine];
