import { World } from "@envtune/core/exec";
import { PyDict, type PyValue } from "@envtune/core/py";
import { testDomainPack, testDomainTraces } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack from "./index.ts";
import { augmented, standard } from "./messages.ts";

testDomainPack(pack);

function world(config: Record<string, PyValue> = {}, opts: { augmented?: boolean } = {}): World {
  return new World({
    packs: [pack],
    initialConfig: PyDict.from({ TicketAPI: PyDict.from(config) }),
    longContext: false,
    augmented: opts.augmented ?? false,
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

const configured = (): Record<string, PyValue> => ({
  ticket_queue: [
    PyDict.from({ id: 1n, subject: "Trading issue", created_by: "John", status: "Open" }),
    PyDict.from({ id: 7423n, status: "unresolved", description: "Minor snag in the ticketing system." }),
  ],
  ticket_counter: 2n,
  current_user: "John",
});

describe("TicketAPI quirks", () => {
  it("creates tickets with the reference's layout and counter", () => {
    const w = world();
    expect(call(w, "create_ticket", { title: "x" })).toBe('{"error": "User not authenticated. Please log in to create a ticket."}');
    expect(call(w, "ticket_login", { username: "tech_guru", password: "pw" })).toBe('{"success": true}');
    expect(call(w, "create_ticket", { title: "emergency", description: "d", priority: 3n })).toBe(
      '{"id": 1, "title": "emergency", "description": "d", "status": "Open", "priority": 3, "created_by": "tech_guru"}',
    );
    expect(call(w, "create_ticket", { title: "t" }, [])).toContain('"id": 2');
    expect(call(w, "create_ticket", { title: "NaN", priority: 0n })).toBe(
      '{"error": "Invalid priority. Priority must be between 1 and 5."}',
    );
  });

  it("raises CPython's ordering error for a non-number priority", () => {
    const w = world({ current_user: "John" });
    expect(call(w, "create_ticket", { title: "t", priority: PyDict.from({ error: "x" }) })).toBe(
      "Error during execution: '<' not supported between instances of 'dict' and 'int'",
    );
    expect(call(w, "create_ticket", { title: "t", priority: "3" })).toBe(
      "Error during execution: '<' not supported between instances of 'str' and 'int'",
    );
    // A float priority is fine in Python and stays a float.
    expect(call(w, "create_ticket", { title: "t", priority: 2.5 })).toContain('"priority": 2.5');
  });

  it("returns a list (repr) from get_user_tickets and raises KeyError on configured tickets", () => {
    expect(call(world(), "get_user_tickets")).toBe("[{'error': 'User not authenticated. Please log in to view tickets.'}]");
    // The second configured ticket has no created_by: `ticket["created_by"]` raises KeyError.
    expect(call(world(configured()), "get_user_tickets")).toBe("Error during execution: 'created_by'");
    const w = world({ ticket_queue: [PyDict.from({ id: 1n, created_by: "John", status: "Open" })], current_user: "John" });
    expect(call(w, "get_user_tickets", { status: "open" })).toBe("[{'id': 1, 'created_by': 'John', 'status': 'Open'}]");
    expect(call(w, "get_user_tickets", { status: 5n })).toBe("Error during execution: 'int' object has no attribute 'lower'");
  });

  it("finds tickets with Python equality and formats ids with str()", () => {
    const w = world(configured());
    expect(call(w, "get_ticket", { ticket_id: true })).toContain('"subject": "Trading issue"');
    expect(call(w, "get_ticket", { ticket_id: 1.0 })).toContain('"id": 1,');
    expect(call(w, "get_ticket", { ticket_id: [1n] })).toBe('{"error": "Ticket with ID [1] not found."}');
    // A nested call's dict result is printed with its repr, braces and all.
    const inner = PyDict.from({ error: "Ticket with ID 99999 not found." });
    expect(call(w, "close_ticket", { ticket_id: inner })).toBe(
      `{"error": "Ticket with ID {'error': 'Ticket with ID 99999 not found.'} not found."}`,
    );
  });

  it("raises KeyError 'id' when a configured ticket lacks an id", () => {
    const w = world({ ticket_queue: [PyDict.from({ title: "no id" })] });
    expect(call(w, "close_ticket", { ticket_id: null })).toBe("Error during execution: 'id'");
  });

  it("closes, resolves and edits", () => {
    const w = world(configured());
    expect(call(w, "close_ticket", { ticket_id: 7423n })).toBe('{"status": "Ticket 7423 has been closed successfully."}');
    expect(call(w, "close_ticket", { ticket_id: 7423n })).toBe('{"error": "Ticket with ID 7423 is already closed."}');
    expect(call(w, "resolve_ticket", { ticket_id: 7423n, resolution: "" })).toBe(
      '{"status": "Ticket 7423 has been resolved successfully."}',
    );
    expect(call(w, "resolve_ticket", { ticket_id: 7423n, resolution: "" })).toBe('{"error": "Ticket with ID 7423 is already resolved."}');
    expect(call(w, "edit_ticket", { ticket_id: 7423n, updates: PyDict.from({ title: "a", status: "b", owner: "x" }) })).toBe(
      '{"error": "Invalid fields for update: owner"}',
    );
    expect(call(w, "edit_ticket", { ticket_id: 7423n, updates: PyDict.from({ title: null, priority: 9n }) })).toBe(
      '{"status": "Ticket 7423 has been updated successfully."}',
    );
    expect(call(w, "get_ticket", { ticket_id: 7423n })).toBe(
      '{"id": 7423, "status": "Resolved", "description": "Minor snag in the ticketing system.", "resolution": "", "priority": 9}',
    );
    expect(call(w, "edit_ticket", { ticket_id: 7423n, updates: 5n })).toBe("Error during execution: 'int' object has no attribute 'keys'");
    expect(call(w, "edit_ticket", { ticket_id: 1n, updates: new PyDict([[3n, "x"]]) })).toBe(
      "Error during execution: sequence item 0: expected str instance, int found",
    );
  });

  it("prints several invalid update fields in CPython's set order (PYTHONHASHSEED=0)", () => {
    const w = world(configured());
    const edit = (updates: PyDict) => call(w, "edit_ticket", { ticket_id: 1n, updates });
    // Expected texts produced by CPython 3.11.7 with PYTHONHASHSEED=0, like the reference traces.
    expect(edit(PyDict.from({ x: 1n, y: 2n, z: 3n }))).toBe('{"error": "Invalid fields for update: y, x, z"}');
    expect(edit(PyDict.from({ title: "a", owner: "x", assignee: "y" }))).toBe('{"error": "Invalid fields for update: assignee, owner"}');
    expect(edit(PyDict.from({ owner: 1n, due_date: 2n, tags: 3n, status: "Open" }))).toBe(
      '{"error": "Invalid fields for update: due_date, owner, tags"}',
    );
    expect(
      edit(
        new PyDict([
          ["a", 1n],
          [2n, 3n],
          ["b", 4n],
        ]),
      ),
    ).toBe("Error during execution: sequence item 0: expected str instance, int found");
    // Nothing was applied.
    expect(call(w, "get_ticket", { ticket_id: 1n })).toContain('"status": "Open"');
  });

  it("logs in with any truthy pair and logs out", () => {
    const w = world();
    expect(call(w, "ticket_login", { username: "", password: "x" })).toBe('{"success": false}');
    expect(call(w, "logout")).toBe('{"success": false}');
    expect(call(w, "ticket_login", { username: ["a"], password: "x" })).toBe('{"success": true}');
    expect(call(w, "ticket_get_login_status")).toBe('{"login_status": true}');
    expect(call(w, "logout")).toBe('{"success": true}');
    expect(call(w, "ticket_get_login_status")).toBe('{"login_status": false}');
  });

  it("does not mutate the shared config", () => {
    const cfg = configured();
    const w = world(cfg);
    call(w, "close_ticket", { ticket_id: 7423n });
    expect(((cfg.ticket_queue as PyValue[])[1] as PyDict).get("status")).toBe("unresolved");
  });
});

describe("TicketAPI messages", () => {
  it("has the same codes in both catalogues, and every augmented text differs", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    for (const code of Object.keys(standard)) {
      expect(augmented[code]).not.toBe(standard[code]);
      const vars = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(vars(augmented[code]!)).toEqual(vars(standard[code]!));
    }
  });

  it("uses the augmented texts in augmented mode", () => {
    const w = world({}, { augmented: true });
    expect(call(w, "create_ticket", { title: "x" })).toContain("ticket_login");
    expect(call(w, "get_ticket", { ticket_id: 3n })).toContain("Ticket with ID 3 not found.");
  });
});

testDomainTraces(pack);
