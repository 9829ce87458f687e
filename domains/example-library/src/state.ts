import type { StateInit } from "@envtune/core/domain";
import { PyDict, pyDeepCopy, type PyValue } from "@envtune/core/py";

/**
 * One LibraryAPI instance: a small lending library in one episode. Values are Python values
 * (`int` = bigint, `float` = number, `dict` = PyDict) so tool results and the checker's state
 * comparison read exactly like the dataset's Python-style ground truth.
 *
 * - `books`: book id (`"B003"`) → `{"title", "author", "year", "copies", "available"}`
 * - `members`: member id (`"M100"`) → `{"name", "max_loans", "fines"}` (fines: float, in dollars)
 * - `loans`: list of `{"loan_id", "book_id", "member_id", "due_date", "renewals"}`
 * - `holds`: book id → member ids waiting for it, first come first served
 * - `next_loan_id`: id of the next loan
 * - `today`: ISO date the episode takes place on (time does not pass within an episode)
 */
export class LibraryAPI {
  books: PyDict;
  members: PyDict;
  loans: PyDict[];
  holds: PyDict;
  next_loan_id: bigint;
  today: string;

  constructor(init: { books: PyDict; members: PyDict; loans: PyDict[]; holds: PyDict; next_loan_id: bigint; today: string }) {
    this.books = init.books;
    this.members = init.members;
    this.loans = init.loans;
    this.holds = init.holds;
    this.next_loan_id = init.next_loan_id;
    this.today = init.today;
  }
}

const DEFAULT_TODAY = "2025-01-01";

function dictOf(v: PyValue | undefined): PyDict {
  return v instanceof PyDict ? (pyDeepCopy(v) as PyDict) : new PyDict();
}

/**
 * Builds the state from `initial_config.LibraryAPI`. The config is shared by every episode and
 * read-only, so everything an episode may change is deep-copied. Fines are money: a config may
 * write `0` (a JSON int), the state always holds a float so results print `0.0` consistently.
 */
export function createState(init: StateInit): LibraryAPI {
  const cfg = init.config;
  const members = dictOf(cfg.get("members"));
  for (const m of members.values()) {
    if (m instanceof PyDict) {
      const f = m.get("fines");
      m.set("fines", typeof f === "bigint" ? Number(f) : typeof f === "number" ? f : 0);
    }
  }
  const loans = cfg.get("loans");
  const next = cfg.get("next_loan_id");
  const today = cfg.get("today");
  return new LibraryAPI({
    books: dictOf(cfg.get("books")),
    members,
    loans: Array.isArray(loans) ? (pyDeepCopy(loans) as PyValue[]).filter((l): l is PyDict => l instanceof PyDict) : [],
    holds: dictOf(cfg.get("holds")),
    next_loan_id: typeof next === "bigint" ? next : 1n,
    today: typeof today === "string" ? today : DEFAULT_TODAY,
  });
}

/** What the checker compares after every turn (`today` never changes, so it is left out). */
export function view(self: LibraryAPI): Array<[string, PyValue]> {
  return [
    ["books", self.books],
    ["members", self.members],
    ["loans", self.loans],
    ["holds", self.holds],
    ["next_loan_id", self.next_loan_id],
  ];
}
