import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePythonCalls } from "@envtune/core/actions";
import { World } from "@envtune/core/exec";
import { PyDict, parsePyJson, pyJsonDumps, type PyValue } from "@envtune/core/py";
import { testDomainPack } from "@envtune/testing";
import pack from "./index.ts";

/** The shipped tasks (data/, BFCL layout), read with Python semantics (ints stay ints, floats floats). */
function readTasks(): Array<{ id: string; question: PyValue[]; config: PyDict; missed: PyDict | undefined; groundTruth: string[][] }> {
  const dir = new URL("../data/", import.meta.url);
  const lines = (rel: string) =>
    readFileSync(new URL(rel, dir), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
  return readdirSync(dir)
    .filter((f) => f.startsWith("BFCL_v4_multi_turn_"))
    .sort()
    .flatMap((file) => {
      const answers = new Map(
        lines(`possible_answer/${file}`)
          .map((l) => JSON.parse(l) as { id: string; ground_truth: string[][] })
          .map((a) => [a.id, a.ground_truth]),
      );
      return lines(file).map((l) => {
        const e = parsePyJson(l) as PyDict;
        const id = e.get("id") as string;
        const missed = e.get("missed_function");
        return {
          id,
          question: e.get("question") as PyValue[],
          config: (e.get("initial_config") as PyDict).get("LibraryAPI") as PyDict,
          missed: missed instanceof PyDict ? missed : undefined,
          groundTruth: answers.get(id)!,
        };
      });
    });
}
const tasks = readTasks();
const libraryConfig = tasks[0]!.config;

// The shared conformance kit, from an empty library and from the tasks' library with calls that
// hit both the happy paths and every kind of mistake.
testDomainPack(pack, {
  samples: [
    { config: new PyDict(), calls: [] },
    { config: libraryConfig, calls: [] },
    {
      config: libraryConfig,
      calls: [
        "search_catalog(query='le guin', available_only=True)",
        "get_book(book_id='B404')",
        "get_member(member_id='M999')",
        "checkout_book(member_id='M101', book_id='B003')",
        "checkout_book(member_id='M100', book_id='B002')",
        "checkout_book(member_id='M102', book_id='B003', days=40)",
        "return_book(loan_id=99)",
        "renew_loan(loan_id=3)",
        "renew_loan(loan_id=4)",
        "place_hold(member_id='M100', book_id='B002')",
        "place_hold(member_id='M102', book_id='B003')",
        "pay_fine(member_id='M101', amount=5)",
        "pay_fine(member_id='M101', amount=-1)",
        "list_loans(member_id=7)",
      ],
    },
  ],
});

function world(config: PyDict = libraryConfig, augmented = false): World {
  return new World({ packs: [pack], initialConfig: new PyDict([["LibraryAPI", config]]), longContext: false, augmented });
}
function run(w: World, text: string): string {
  const [c] = parsePythonCalls(text);
  return w.call(c!).result;
}

describe("LibraryAPI tools", () => {
  it("searches titles and authors case-insensitively, optionally only what is on the shelf", () => {
    const w = world();
    expect(run(w, "search_catalog(query='butler')")).toBe(
      '{"results": [{"book_id": "B004", "title": "Kindred", "author": "Octavia E. Butler", "available": 1}, {"book_id": "B005", "title": "Parable of the Sower", "author": "Octavia E. Butler", "available": 1}]}',
    );
    expect(run(w, "search_catalog(query='Le Guin', available_only=True)")).toBe(
      '{"results": [{"book_id": "B001", "title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "available": 1}]}',
    );
    expect(run(w, "search_catalog(query='zzz')")).toBe('{"results": []}');
  });

  it("lends a copy: loan id, due date, one copy fewer, the member's loan list", () => {
    const w = world();
    expect(run(w, "checkout_book(member_id='M100', book_id='B004', days=21)")).toBe(
      '{"loan_id": 5, "book_id": "B004", "member_id": "M100", "due_date": "2025-03-31"}',
    );
    expect(run(w, "get_book(book_id='B004')")).toBe(
      '{"book_id": "B004", "title": "Kindred", "author": "Octavia E. Butler", "year": 1979, "copies": 1, "available": 0, "holds": 0}',
    );
    expect(run(w, "list_loans(member_id='M100')")).toBe(
      '{"loans": [{"loan_id": 3, "book_id": "B006", "title": "Neuromancer", "due_date": "2025-03-05", "overdue": true}, {"loan_id": 5, "book_id": "B004", "title": "Kindred", "due_date": "2025-03-31", "overdue": false}]}',
    );
  });

  it("charges 0.25 per late day on return and takes payments down to zero", () => {
    const w = world();
    expect(run(w, "return_book(loan_id=1)")).toBe('{"loan_id": 1, "returned": true, "late_days": 9, "fee": 2.25}');
    expect(run(w, "get_member(member_id='M101')")).toBe(
      '{"member_id": "M101", "name": "Bruno Diaz", "loans": [], "max_loans": 2, "fines_due": 3.75}',
    );
    expect(run(w, "pay_fine(member_id='M101', amount=3)")).toBe('{"member_id": "M101", "paid": 3.0, "fines_due": 0.75}');
    expect(run(w, "pay_fine(member_id='M101', amount=0.75)")).toBe('{"member_id": "M101", "paid": 0.75, "fines_due": 0.0}');
    expect(run(w, "return_book(loan_id=2)")).toBe('{"loan_id": 2, "returned": true, "late_days": 0, "fee": 0.0}');
  });

  it("serves holds first come first served and refuses what the rules forbid", () => {
    const w = world();
    expect(run(w, "checkout_book(member_id='M101', book_id='B003')")).toBe('{"error": "Member M101 has unpaid fines of 1.5."}');
    expect(run(w, "renew_loan(loan_id=4)")).toBe('{"error": "Book B002 is reserved for another member."}');
    expect(run(w, "renew_loan(loan_id=3)")).toBe('{"error": "Loan 3 is overdue (due 2025-03-05)."}');
    expect(run(w, "renew_loan(loan_id=2, days=7)")).toBe('{"loan_id": 2, "due_date": "2025-03-27", "renewals": 2}');
    expect(run(w, "renew_loan(loan_id=2)")).toBe('{"error": "Loan 2 has already been renewed 2 times."}');
    expect(run(w, "place_hold(member_id='M102', book_id='B003')")).toBe('{"error": "Book B003 has a copy available."}');
    expect(run(w, "place_hold(member_id='M100', book_id='B002')")).toBe('{"error": "Member M100 is already waiting for B002."}');
    expect(run(w, "place_hold(member_id='M102', book_id='B006')")).toBe('{"book_id": "B006", "member_id": "M102", "position": 1}');
    // B002 comes back: M100 (first in the queue) may borrow it, M102 may not.
    expect(run(w, "return_book(loan_id=4)")).toContain('"late_days": 0');
    expect(run(w, "checkout_book(member_id='M102', book_id='B002')")).toBe('{"error": "Book B002 is reserved for another member."}');
    expect(run(w, "checkout_book(member_id='M100', book_id='B002')")).toBe(
      '{"loan_id": 5, "book_id": "B002", "member_id": "M100", "due_date": "2025-03-24"}',
    );
    expect(pyJsonDumps(w.view("LibraryAPI").find(([k]) => k === "holds")![1])).toBe('{"B002": [], "B006": ["M102"]}');
  });

  it("answers wrong argument types with catalogued errors, hints only in the augmented environment", () => {
    const plain = world();
    expect(run(plain, "return_book(loan_id='1')")).toBe('{"error": "Invalid value for loan_id: \'1\'."}');
    expect(run(plain, "checkout_book(member_id='M100', book_id='B003', days=2.5)")).toBe('{"error": "Invalid number of days: 2.5."}');
    expect(run(plain, "pay_fine(member_id='M101', amount=True)")).toBe('{"error": "Invalid amount: True."}');
    const hinted = world(libraryConfig, true);
    expect(run(hinted, "return_book(loan_id='1')")).toBe(
      '{"error": "Invalid value for loan_id: \'1\'. Expected an integer loan id such as 3; take the value from the user\'s request or an earlier tool result and retry."}',
    );
    expect(run(hinted, "get_book(book_id='Dune')")).toContain("call search_catalog with words of the title");
  });

  it("checks arguments in signature order against the typed parameter list before a body runs", () => {
    const plain = world();
    // The first misfit wins, even when a later argument has the wrong type.
    expect(run(plain, "checkout_book(member_id='  ', book_id=5, days=0)")).toBe('{"error": "Invalid value for member_id: \'  \'."}');
    expect(run(plain, "checkout_book(member_id='M100', book_id=5, days=0)")).toBe('{"error": "Invalid value for book_id: 5."}');
    expect(run(plain, "checkout_book(member_id='M100', book_id='B003', days=29)")).toBe('{"error": "Invalid number of days: 29."}');
    expect(run(plain, "renew_loan(loan_id=1, days=0)")).toBe('{"error": "Invalid number of days: 0."}');
    expect(run(plain, "search_catalog(query='')")).toBe('{"error": "Invalid value for query: \'\'."}');
    expect(run(plain, "search_catalog(query='dune', available_only=1)")).toBe('{"error": "Invalid value for available_only: 1."}');
    expect(run(plain, "pay_fine(member_id='M101', amount=0)")).toBe('{"error": "Invalid amount: 0."}');
    // An int is a valid amount, as for a Python float parameter.
    expect(run(plain, "pay_fine(member_id='M101', amount=1)")).not.toContain("Invalid amount");
  });

  it("derives each tool's JSON Schema from its parameter list", () => {
    const checkout = pack.schemas.find((s) => s.name === "checkout_book")!;
    expect(checkout.parameters).toEqual({
      type: "object",
      properties: {
        member_id: { type: "string", description: "The member's id, e.g. 'M100'." },
        book_id: { type: "string", description: "The book's id from the catalogue, e.g. 'B003' (search_catalog returns it)." },
        days: { type: "integer", description: "Loan period in days, from 1 to 28. Defaults to 14.", minimum: 1, maximum: 28, default: 14 },
      },
      required: ["member_id", "book_id"],
      additionalProperties: false,
    });
    expect(pack.schemas.map((s) => s.name)).toEqual(pack.tools.map((t) => t.name));
  });

  it("keeps episodes apart: the shared config is never mutated", () => {
    const before = pyJsonDumps(libraryConfig);
    const w = world();
    run(w, "return_book(loan_id=1)");
    run(w, "checkout_book(member_id='M102', book_id='B003')");
    expect(pyJsonDumps(libraryConfig)).toBe(before);
  });
});

describe("the shipped tasks", () => {
  it("cover all four BFCL categories, 12 tasks", () => {
    expect(tasks).toHaveLength(12);
    expect(new Set(tasks.map((t) => t.id.replace(/^multi_turn_|_\d+$/g, "")))).toEqual(
      new Set(["base", "miss_param", "miss_func", "long_context"]),
    );
  });

  it.each(tasks.map((t) => [t.id, t] as const))("%s: the ground truth runs without errors and turns match", (_id, t) => {
    expect(t.groundTruth).toHaveLength(t.question.length);
    const w = world(t.config);
    for (const turn of t.groundTruth) {
      for (const text of turn) {
        const calls = parsePythonCalls(text);
        expect(calls).toHaveLength(1);
        const out = w.call(calls[0]!);
        expect(out.status, `${text} → ${out.result}`).toBe("ok");
      }
    }
    if (t.missed) {
      for (const [turn, names] of t.missed) {
        expect((t.question[Number(turn as bigint | string)] as PyValue[]).length).toBe(0);
        expect((names as string[]).every((n) => pack.toolMap.has(n))).toBe(true);
      }
    }
  });
});
