import { beforeAll, describe, expect, it } from "vitest";
import { loadDomainPacks, type DomainPack } from "@envtune/core";
import type { BfclDataset } from "@envtune/bfcl-data";
import { sharedDataset } from "@envtune/testing";
import type { EpisodeConfigInput } from "./config.ts";
import { Episode } from "./episode.ts";
import { withHint } from "./argument-hints.ts";

// The argument hints are part of the augmented environment's behaviour: these pin every variant
// (error dict, exception text, rejection, optional parameters, too many positionals) byte for byte.
let ds: BfclDataset;
let packs: Map<string, DomainPack>;

beforeAll(async () => {
  ds = sharedDataset();
  packs = (await loadDomainPacks()).packs;
});

const results = (id: string, action: string, config: EpisodeConfigInput): string[] => {
  const ep = new Episode({
    entry: ds.byId.get(id)!,
    packs,
    constants: ds.longContext,
    funcDocs: ds.funcDocs,
    config: { protocol: "bfcl", actionFormat: "python", augmented: true, ...config },
  });
  ep.reset();
  return ep.step(action).messages.map((m) => m.content ?? "");
};

describe("argument hints", () => {
  it("hint mode: a hint key in error dicts, a (Hint: ...) after exceptions", () => {
    expect(results("multi_turn_base_2", "[close_ticket(ticket_id='no-such-ticket')]", {})).toMatchInlineSnapshot(`
      [
        "{"error": "Ticket with ID no-such-ticket not found. Ticket IDs are integers assigned when a ticket is created; use the ID returned by create_ticket or given by the user, or list the logged-in user's tickets with get_user_tickets.", "hint": "the arguments of 'close_ticket' do not match its parameters: ticket_id must be integer. Expected close_ticket(ticket_id: integer). Fix the arguments and call it again."}",
      ]
    `);
    expect(results("multi_turn_base_1", "[ls(a='yes'), cd(folder=5), mkdir(dir_name=5), cd(5, 6)]", {})).toMatchInlineSnapshot(`
      [
        "{"current_directory_content": ["workspace"]}",
        "Error during execution: 'int' object has no attribute 'rstrip' (Hint: an argument of \`cd\` has the wrong type or shape. Problems: folder must be string. Expected arguments: cd(folder: string). Fix the value's type and call it again.)",
        "Error during execution: argument of type 'int' is not iterable (Hint: an argument of \`mkdir\` has the wrong type or shape. Problems: dir_name must be string. Expected arguments: mkdir(dir_name: string). Fix the value's type and call it again.)",
        "Error during execution: GorillaFileSystem.cd() takes 2 positional arguments but 3 were given (Hint: an argument of \`cd\` has the wrong type or shape. Problems: folder must be string. Expected arguments: cd(folder: string). Fix the value's type and call it again.)",
      ]
    `);
  });

  it("hint mode: optional parameters are marked with ?, every schema problem is listed", () => {
    expect(
      results(
        "multi_turn_base_1",
        "[tail(file_name='nope.txt', lines='5'), wc(file_name='nope.txt', mode=3), sort(file_name=5), diff(file_name1=1, file_name2=2)]",
        {},
      ),
    ).toMatchInlineSnapshot(`
      [
        "{"error": "tail: 'nope.txt': No such file in current directory.", "hint": "the arguments of 'tail' do not match its parameters: lines must be integer. Expected tail(file_name: string, lines?: integer). Fix the arguments and call it again."}",
        "{"error": "wc: invalid mode '3'. The mode must be 'l' (lines), 'w' (words) or 'c' (characters).", "hint": "the arguments of 'wc' do not match its parameters: mode must be string. Expected wc(file_name: string, mode?: string). Fix the arguments and call it again."}",
        "{"error": "sort: '5': No such file in current directory.", "hint": "the arguments of 'sort' do not match its parameters: file_name must be string. Expected sort(file_name: string). Fix the arguments and call it again."}",
        "{"error": "diff: '1' and '2': Both files not found in current directory.", "hint": "the arguments of 'diff' do not match its parameters: file_name1 must be string; file_name2 must be string. Expected diff(file_name1: string, file_name2: string). Fix the arguments and call it again."}",
      ]
    `);
  });

  it("reject mode: calls that break the schema are not executed", () => {
    expect(
      results("multi_turn_base_1", "[ls(a='yes'), mkdir(dir_name=5), cd(folder='document'), cd(5, 6)]", { validateArguments: "reject" }),
    ).toMatchInlineSnapshot(`
      [
        "{"error": "Invalid arguments for 'ls'; the call was not executed.", "hint": "the arguments of 'ls' do not match its parameters: a must be boolean. Expected ls(a?: boolean). Fix the arguments and call it again."}",
        "{"error": "Invalid arguments for 'mkdir'; the call was not executed.", "hint": "the arguments of 'mkdir' do not match its parameters: dir_name must be string. Expected mkdir(dir_name: string). Fix the arguments and call it again."}",
        "{"error": "cd: 'document': No such directory in current location."}",
        "Error during execution: GorillaFileSystem.cd() takes 2 positional arguments but 3 were given (Hint: an argument of \`cd\` has the wrong type or shape. Problems: folder must be string. Expected arguments: cd(folder: string). Fix the value's type and call it again.)",
      ]
    `);
  });

  it("appends the schema hint to exceptions the world did not hint, and leaves hinted ones alone", () => {
    const fs = [packs.get("GorillaFileSystem")!];
    const bad = { name: "mkdir", args: [], kwargs: [["dir_name", 5n]] as Array<[string, bigint]> };
    expect(withHint(fs, { result: "Error during execution: boom", status: "exception", pyType: "ValueError" }, bad)).toBe(
      "Error during execution: boom (Hint: the arguments of 'mkdir' do not match its parameters: dir_name must be string. Expected mkdir(dir_name: string). Fix the arguments and call it again.)",
    );
    const hinted = "Error during execution: x (Hint: already)";
    expect(withHint(fs, { result: hinted, status: "exception", pyType: "TypeError" }, bad)).toBe(hinted);
  });
});
