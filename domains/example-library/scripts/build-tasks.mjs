#!/usr/bin/env node
// Writes data/, the example tasks of LibraryAPI in the BFCL multi-turn format, laid out like BFCL's
// own data directory (one question file per category, possible_answer/, long_context.json) so it
// works both as `--dataset data` and as `--data data`. The tasks are authored here, in one readable
// place; run `node domains/example-library/scripts/build-tasks.mjs` after editing and commit data/.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, "..", "data");

/** The library every task starts from (`today` is fixed; loans 1 and 3 are overdue). */
const library = () => ({
  today: "2025-03-10",
  books: {
    B001: { title: "The Left Hand of Darkness", author: "Ursula K. Le Guin", year: 1969, copies: 2, available: 1 },
    B002: { title: "A Wizard of Earthsea", author: "Ursula K. Le Guin", year: 1968, copies: 1, available: 0 },
    B003: { title: "Dune", author: "Frank Herbert", year: 1965, copies: 3, available: 3 },
    B004: { title: "Kindred", author: "Octavia E. Butler", year: 1979, copies: 1, available: 1 },
    B005: { title: "Parable of the Sower", author: "Octavia E. Butler", year: 1993, copies: 2, available: 1 },
    B006: { title: "Neuromancer", author: "William Gibson", year: 1984, copies: 1, available: 0 },
  },
  members: {
    M100: { name: "Ada Park", max_loans: 3, fines: 0.0 },
    M101: { name: "Bruno Diaz", max_loans: 2, fines: 1.5 },
    M102: { name: "Chen Wei", max_loans: 5, fines: 0.0 },
  },
  loans: [
    { loan_id: 1, book_id: "B001", member_id: "M101", due_date: "2025-03-01", renewals: 0 },
    { loan_id: 2, book_id: "B005", member_id: "M102", due_date: "2025-03-20", renewals: 1 },
    { loan_id: 3, book_id: "B006", member_id: "M100", due_date: "2025-03-05", renewals: 2 },
    { loan_id: 4, book_id: "B002", member_id: "M102", due_date: "2025-03-15", renewals: 0 },
  ],
  holds: { B002: ["M100"] },
  next_loan_id: 5,
});

/** Long-context variant: the same library inside a catalogue of 60 more books and 30 more members. */
function bigLibrary() {
  const lib = library();
  const words = ["Silent", "Golden", "Northern", "Hidden", "Broken", "Last", "Winter", "Glass", "Iron", "Paper"];
  const nouns = ["River", "Garden", "Machine", "Harbor", "Archive", "Orchard", "Signal", "Lantern", "Atlas", "Tide"];
  const authors = ["Mara Quill", "Tomas Reyes", "Ines Okafor", "Lev Antonov", "Sora Kim", "Hugo Brandt"];
  const books = { ...lib.books };
  for (let i = 0; i < 60; i++) {
    const copies = 1 + (i % 3);
    books[`B${String(100 + i).padStart(3, "0")}`] = {
      title: `The ${words[i % 10]} ${nouns[(i * 7) % 10]}`,
      author: authors[i % authors.length],
      year: 1950 + ((i * 13) % 70),
      copies,
      available: copies - (i % 2),
    };
  }
  const members = { ...lib.members };
  for (let i = 0; i < 30; i++) members[`M${200 + i}`] = { name: `Reader ${200 + i}`, max_loans: 3, fines: 0.0 };
  return { ...lib, books, members };
}

const user = (content) => [{ role: "user", content }];

/** [id, turns (a user message, or null for the turn where withheld tools come back), ground truth per turn, extra fields] */
const tasks = [
  [
    "multi_turn_base_0",
    [
      "Hi, I'm member M100. Search the catalogue for 'Butler' please.",
      "Check out Kindred for me for 21 days.",
      "Which loans do I have now?",
    ],
    [["search_catalog(query='Butler')"], ["checkout_book(member_id='M100', book_id='B004', days=21)"], ["list_loans(member_id='M100')"]],
  ],
  [
    "multi_turn_base_1",
    [
      "Member M101 here. How much do I owe in fines?",
      "Pay all of it, 1.5 dollars.",
      "Now I'd like to borrow Dune, for the default loan period.",
    ],
    [
      ["get_member(member_id='M101')"],
      ["pay_fine(member_id='M101', amount=1.5)"],
      ["search_catalog(query='Dune')", "checkout_book(member_id='M101', book_id='B003')"],
    ],
  ],
  [
    "multi_turn_base_2",
    ["I'm member M102. Please renew loan 2 for 7 more days.", "Is Neuromancer available?", "Then put me on the waiting list for it."],
    [["renew_loan(loan_id=2, days=7)"], ["search_catalog(query='Neuromancer')"], ["place_hold(member_id='M102', book_id='B006')"]],
  ],
  [
    "multi_turn_base_3",
    [
      "Member M100. I'm returning loan 3.",
      "How much do I owe now?",
      "Pay it all please: 1.25.",
      "Is A Wizard of Earthsea back? I'm waiting for it.",
    ],
    [
      ["return_book(loan_id=3)"],
      ["get_member(member_id='M100')"],
      ["pay_fine(member_id='M100', amount=1.25)"],
      ["search_catalog(query='Earthsea')"],
    ],
  ],
  [
    "multi_turn_base_4",
    [
      "Find the books by Le Guin.",
      "Check out The Left Hand of Darkness for member M102 for 10 days.",
      "Show me the details of A Wizard of Earthsea.",
    ],
    [["search_catalog(query='Le Guin')"], ["checkout_book(member_id='M102', book_id='B001', days=10)"], ["get_book(book_id='B002')"]],
  ],
  [
    "multi_turn_base_5",
    ["Member M101 returning loan 1.", "What do I owe now?", "I'll pay 2 dollars now."],
    [["return_book(loan_id=1)"], ["get_member(member_id='M101')"], ["pay_fine(member_id='M101', amount=2.0)"]],
  ],
  [
    "multi_turn_miss_param_0",
    ["Search the catalogue for 'Butler'.", "Please check out Kindred for 21 days.", "My member ID is M100."],
    [["search_catalog(query='Butler')"], [], ["checkout_book(member_id='M100', book_id='B004', days=21)"]],
  ],
  [
    "multi_turn_miss_param_1",
    ["Member M101 here. I'd like to pay part of my fines.", "Pay 0.5 dollars.", "How much is left?"],
    [[], ["pay_fine(member_id='M101', amount=0.5)"], ["get_member(member_id='M101')"]],
  ],
  [
    "multi_turn_miss_func_0",
    ["Member M102. Is Neuromancer available?", "Put me on the waiting list for it.", null],
    [["search_catalog(query='Neuromancer')"], [], ["place_hold(member_id='M102', book_id='B006')"]],
    { missed_function: { 2: ["place_hold"] } },
  ],
  [
    "multi_turn_miss_func_1",
    ["Member M102: which loans do I have?", "Renew loan 2 for 7 days.", null],
    [["list_loans(member_id='M102')"], [], ["renew_loan(loan_id=2, days=7)"]],
    { missed_function: { 2: ["renew_loan"] } },
  ],
  [
    "multi_turn_long_context_0",
    [
      "Hi, I'm member M100. Search the catalogue for 'Butler' please.",
      "Check out Kindred for me for 21 days.",
      "Which loans do I have now?",
    ],
    [["search_catalog(query='Butler')"], ["checkout_book(member_id='M100', book_id='B004', days=21)"], ["list_loans(member_id='M100')"]],
    { big: true },
  ],
  [
    "multi_turn_long_context_1",
    ["Member M101 returning loan 1.", "What do I owe now?", "I'll pay 2 dollars now."],
    [["return_book(loan_id=1)"], ["get_member(member_id='M101')"], ["pay_fine(member_id='M101', amount=2.0)"]],
    { big: true },
  ],
];

// Floats must stay floats in the JSON text (1.5, 0.0): JSON.stringify prints 0.0 as 0, which the
// loader would read as an int. Fines are the only floats of the initial state.
const floatFines = (text) => text.replace(/"fines":(\d+)(?=[,}])/g, '"fines":$1.0');

const CATEGORIES = ["base", "miss_func", "miss_param", "long_context"];
const questions = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
const answers = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
for (const [id, turns, groundTruth, extra = {}] of tasks) {
  const { big, ...fields } = extra;
  const category = id.replace(/^multi_turn_/, "").replace(/_\d+$/, "");
  const entry = {
    id,
    question: turns.map((t) => (t === null ? [] : user(t))),
    initial_config: { LibraryAPI: big ? bigLibrary() : library() },
    path: [],
    involved_classes: ["LibraryAPI"],
    ...fields,
  };
  questions[category].push(floatFines(JSON.stringify(entry)));
  answers[category].push(JSON.stringify({ id, ground_truth: groundTruth }));
}
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(join(dataDir, "possible_answer"), { recursive: true });
for (const c of CATEGORIES) {
  const file = `BFCL_v4_multi_turn_${c}.json`;
  writeFileSync(join(dataDir, file), questions[c].join("\n") + "\n");
  writeFileSync(join(dataDir, "possible_answer", file), answers[c].join("\n") + "\n");
}
// LibraryAPI needs no long-context constants; the file marks the directory as complete for `--data`.
writeFileSync(join(dataDir, "long_context.json"), "{}\n");
console.log(`wrote ${tasks.length} tasks to ${dataDir}`);
