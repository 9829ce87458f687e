import { World } from "@envtune/core/exec";
import { PyDict, PySet, encodeValue, type PyValue } from "@envtune/core/py";
import { testDomainPack, testDomainTraces } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack from "./index.ts";
import { augmented, standard } from "./messages.ts";
import type { MessageAPI } from "./state.ts";

testDomainPack(pack);

function world(config: Record<string, PyValue> = {}, opts: { augmented?: boolean } = {}): World {
  return new World({
    packs: [pack],
    initialConfig: PyDict.from({ MessageAPI: PyDict.from(config) }),
    longContext: false,
    augmented: opts.augmented ?? false,
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

const stateOf = (w: World): MessageAPI => w.stateOf("MessageAPI") as MessageAPI;

describe("MessageAPI quirks", () => {
  it("starts from the reference defaults", () => {
    const v = world().view("MessageAPI");
    expect(v.map(([k]) => k)).toEqual(["generated_ids", "user_count", "user_map", "inbox", "message_count", "current_user"]);
    expect(encodeValue(v[2]![1])).toBe('{"Alice": "USR001", "Bob": "USR002", "Catherine": "USR003", "Daniel": "USR004"}');
    expect(encodeValue(v[0]![1])).toBe('{"$set": []}');
  });

  it("draws message ids from CPython's Random(200191) and wraps them in a dict", () => {
    const w = world({ current_user: "USR001" });
    expect(call(w, "send_message", { receiver_id: "USR002", message: "hi" })).toBe(
      '{"sent_status": true, "message_id": {"new_id": 67410}, "message": "Message sent to \'USR002\' successfully."}',
    );
    expect(call(w, "send_message", { receiver_id: "USR003", message: "yo" })).toContain('{"new_id": 41772}');
    const s = stateOf(w);
    expect([...(s.generated_ids as PySet)]).toEqual([67410n, 41772n]);
    expect(s.message_count).toBe(5n);
    // `random_seed` in the config overrides the seed.
    const w2 = world({ current_user: "USR001", random_seed: 200191n });
    expect(call(w2, "send_message", { receiver_id: "USR002", message: "hi" })).toContain("67410");
  });

  it("refuses unknown receivers and logged-out senders", () => {
    expect(call(world(), "send_message", { receiver_id: "USR002", message: "x" })).toBe('{"error": "No user is currently logged in."}');
    const w = world({ current_user: "USR001" });
    expect(call(w, "send_message", { receiver_id: PyDict.from({ k: "v" }), message: "x" })).toBe(
      `{"error": "Receiver ID '{'k': 'v'}' not found."}`,
    );
  });

  it("deletes the first item equal to the latest match (an earlier duplicate)", () => {
    const a = () => PyDict.from({ USR002: "same" });
    const w = world({ current_user: "USR001", inbox: [a(), PyDict.from({ USR003: "x" }), a()] });
    const last = stateOf(w).inbox[2];
    expect(call(w, "delete_message", { receiver_id: "USR002" })).toBe(
      '{"deleted_status": true, "receiver_id": "USR002", "message": "Receiver USR002\'s latest message deleted successfully."}',
    );
    // The later object survives: list.remove() took the first equal one.
    expect(stateOf(w).inbox[1]).toBe(last);
    expect(stateOf(w).message_count).toBe(3n);
    expect(call(w, "delete_message", { receiver_id: true })).toBe('{"error": "Receiver ID True not found."}');
  });

  it("views all inbox items grouped by receiver, list contents included", () => {
    const w = world({
      current_user: "USR001",
      inbox: [PyDict.from({ USR002: ["Meeting at 3 PM"] }), PyDict.from({ USR002: "b" })],
    });
    expect(call(w, "view_messages_sent")).toBe('{"messages": {"USR002": [["Meeting at 3 PM"], "b"]}}');
    expect(call(w, "get_message_stats")).toBe('{"stats": {"received_count": 2, "total_contacts": 1}}');
  });

  it("search_messages fails on list contents and non-str keywords like CPython", () => {
    const w = world({ current_user: "USR001", inbox: [PyDict.from({ USR002: ["Meeting"] })] });
    expect(call(w, "search_messages", { keyword: "meet" })).toBe("Error during execution: 'list' object has no attribute 'lower'");
    expect(call(world({ current_user: "USR001" }), "search_messages", { keyword: 3.5 })).toBe(
      "Error during execution: 'float' object has no attribute 'lower'",
    );
    expect(call(world({ current_user: "USR001" }), "search_messages", { keyword: "UPLOAD" })).toBe(
      '{"results": [{"receiver_id": "USR003", "message": "Could you upload the file?"}, {"receiver_id": "USR004", "message": "Could you upload the file?"}]}',
    );
    const empty = world({ current_user: "USR001", inbox: [new PyDict()] });
    expect(call(empty, "get_message_stats")).toBe("Error during execution: list index out of range");
  });

  it("add_contact bumps the count before the collision check", () => {
    const w = world({ user_map: PyDict.from({ Michael: "USR005" }), user_count: 4n });
    expect(call(w, "add_contact", { user_name: "0" })).toBe(`{"error": "User ID 'USR005' already exists."}`);
    expect(stateOf(w).user_count).toBe(5n);
    expect(call(w, "add_contact", { user_name: "Michael" })).toBe(`{"error": "User name 'Michael' already exists."}`);
    expect(call(w, "add_contact", { user_name: true })).toBe(
      '{"added_status": true, "user_id": "USR006", "message": "Contact \'True\' added successfully."}',
    );
    expect(encodeValue(stateOf(w).user_map)).toBe('{"$dict": [["Michael", "USR005"], [true, "USR006"]]}');
    const big = world({ user_count: 999n });
    expect(call(big, "add_contact", { user_name: "Z" })).toContain('"user_id": "USR1000"');
  });

  it("hashes user names like a dict lookup", () => {
    expect(call(world(), "get_user_id", { user: PyDict.from({ a: 1n }) })).toBe("Error during execution: unhashable type: 'dict'");
    expect(call(world(), "get_user_id", { user: 3.5 })).toBe(`{"error": "User '3.5' not found in the workspace."}`);
    expect(call(world(), "get_user_id", { user: "Bob" })).toBe('{"user_id": "USR002"}');
    expect(call(world(), "list_users")).toBe('{"user_list": ["Alice", "Bob", "Catherine", "Daniel"]}');
  });

  it("logs in by user id only", () => {
    const w = world();
    expect(call(w, "message_login", { user_id: null })).toBe(`{"login_status": false, "message": "User ID 'None' not found."}`);
    expect(call(w, "message_get_login_status")).toBe('{"login_status": false}');
    expect(call(w, "message_login", { user_id: "USR003" })).toBe(
      `{"login_status": true, "message": "User 'USR003' logged in successfully."}`,
    );
    expect(call(w, "message_get_login_status")).toBe('{"login_status": true}');
  });
});

describe("MessageAPI messages", () => {
  it("has the same codes and placeholders in both catalogues, and every augmented text differs", () => {
    expect(Object.keys(augmented).sort()).toEqual(Object.keys(standard).sort());
    const vars = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const code of Object.keys(standard)) {
      expect(augmented[code]).not.toBe(standard[code]);
      expect(vars(augmented[code]!)).toEqual(vars(standard[code]!));
    }
  });

  it("uses the augmented texts in augmented mode", () => {
    const w = world({}, { augmented: true });
    expect(call(w, "send_message", { receiver_id: "USR002", message: "x" })).toContain("message_login");
    expect(call(w, "message_login", { user_id: "Alice" })).toContain("get_user_id");
  });
});

testDomainTraces(pack);
