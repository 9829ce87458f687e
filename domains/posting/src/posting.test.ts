import { World } from "@envtune/core/exec";
import { PyDict, encodeValue, type PyValue } from "@envtune/core/py";
import { testDomainPack, testDomainTraces } from "@envtune/testing";
import { describe, expect, it } from "vitest";
import pack from "./index.ts";
import { augmented, standard } from "./messages.ts";
import type { TwitterAPI } from "./state.ts";

testDomainPack(pack);

function world(config: Record<string, PyValue> = {}, opts: { augmented?: boolean; shared?: Map<string, unknown> } = {}): World {
  return new World({
    packs: [pack],
    initialConfig: PyDict.from({ TwitterAPI: PyDict.from(config) }),
    longContext: false,
    augmented: opts.augmented ?? false,
    shared: opts.shared ?? new Map(),
  });
}

function call(w: World, name: string, kwargs: Record<string, PyValue> = {}, args: PyValue[] = []): string {
  return w.call({ name, args, kwargs: Object.entries(kwargs) }).result;
}

const stateOf = (w: World): TwitterAPI => w.stateOf("TwitterAPI") as TwitterAPI;

const tweet = (id: bigint, content: string, tags: string[] = []): PyDict =>
  PyDict.from({ id, username: "john", content, tags, mentions: [] });

describe("TwitterAPI quirks", () => {
  it("converts configured tweet keys to int but keeps comment keys as str", () => {
    const w = world({
      tweets: PyDict.from({ "0": tweet(0n, "a"), "1": tweet(1n, "b") }),
      comments: PyDict.from({ "1": [PyDict.from({ username: "x", comment: "hey" })] }),
      authenticated: true,
      tweet_counter: 2n,
    });
    const s = stateOf(w);
    expect(encodeValue(s.tweets)).toMatch(/^\{"\$dict": \[\[0, /);
    // `comments.get(1)` misses the configured "1".
    expect(call(w, "get_tweet_comments", { tweet_id: 1n })).toBe("[]");
    expect(call(w, "comment", { tweet_id: 1n, comment_content: "new" })).toBe('{"comment_status": "Comment added successfully"}');
    expect(encodeValue(s.comments)).toBe(
      '{"$dict": [["1", [{"username": "x", "comment": "hey"}]], [1, [{"username": "john", "content": "new"}]]]}',
    );
    expect(call(w, "get_tweet_comments", { tweet_id: 1n })).toBe("[{'username': 'john', 'content': 'new'}]");
    expect(call(w, "get_tweet_comments", { tweet_id: "1" })).toBe('{"error": "Tweet with ID 1 not found."}');
    expect(call(w, "get_tweet", { tweet_id: 1.0 })).toBe('{"id": 1, "username": "john", "content": "b", "tags": [], "mentions": []}');
  });

  it("shares post_tweet's default mentions list across the episode's worlds", () => {
    const shared = new Map<string, unknown>();
    const model = world({ authenticated: true }, { shared });
    const gt = world({ authenticated: true }, { shared });
    expect(call(model, "post_tweet", { content: "hello" })).toBe(
      '{"id": 0, "username": "john", "content": "hello", "tags": [], "mentions": []}',
    );
    expect(call(model, "mention", { tweet_id: 0n, mentioned_usernames: ["@extra_user"] })).toBe(
      '{"mention_status": "Users mentioned successfully"}',
    );
    // The ground-truth world's later default post sees the mention (the reference leaks it process-wide).
    expect(call(gt, "post_tweet", { content: "later" })).toBe(
      '{"id": 0, "username": "john", "content": "later", "tags": [], "mentions": ["@extra_user"]}',
    );
    // A fresh episode starts clean.
    expect(call(world({ authenticated: true }), "post_tweet", { content: "x" })).toContain('"mentions": []');
    // Explicit lists are not shared.
    expect(call(gt, "post_tweet", { content: "own", mentions: ["@a"] })).toContain('"mentions": ["@a"]');
  });

  it("mention extends like list.extend (a str by characters) and needs no login", () => {
    const w = world({ tweets: PyDict.from({ "0": tweet(0n, "a") }) });
    expect(call(w, "mention", { tweet_id: 0n, mentioned_usernames: "ab" })).toBe('{"mention_status": "Users mentioned successfully"}');
    expect(call(w, "get_tweet", { tweet_id: 0n })).toContain('"mentions": ["a", "b"]');
    expect(call(w, "mention", { tweet_id: 0n, mentioned_usernames: 5n })).toBe("Error during execution: 'int' object is not iterable");
    expect(call(w, "mention", { tweet_id: [1n], mentioned_usernames: [] })).toBe("Error during execution: unhashable type: 'list'");
  });

  it("search_tweets evaluates keyword.lower() per tweet", () => {
    expect(call(world(), "search_tweets", { keyword: 5n })).toBe("[]");
    const w = world({ tweets: PyDict.from({ "0": tweet(0n, "Loved it", ["#Travel"]), "1": tweet(1n, "other") }) });
    expect(call(w, "search_tweets", { keyword: 3.5 })).toBe("Error during execution: 'float' object has no attribute 'lower'");
    expect(call(w, "search_tweets", { keyword: "#travel" })).toBe(
      "[{'id': 0, 'username': 'john', 'content': 'Loved it', 'tags': ['#Travel'], 'mentions': []}]",
    );
    expect(call(w, "search_tweets", { keyword: "LOVED" })).toContain("'id': 0");
    expect(call(w, "get_user_tweets", { username: ["a"] })).toBe("[]");
  });

  it("requires authentication where the reference does", () => {
    const w = world();
    expect(call(w, "post_tweet", { content: "x" })).toBe('{"error": "User not authenticated. Please authenticate before posting."}');
    expect(call(w, "list_all_following")).toBe('{"error": "User not authenticated. Please authenticate before listing following."}');
    expect(call(w, "authenticate_twitter", { username: "john", password: "nope" })).toBe('{"authentication_status": false}');
    expect(call(w, "authenticate_twitter", { username: "john", password: "john123" })).toBe('{"authentication_status": true}');
    expect(call(w, "posting_get_login_status")).toBe('{"login_status": true}');
    expect(call(w, "follow_user", { username_to_follow: "alice" })).toBe('{"follow_status": false}');
    expect(call(w, "follow_user", { username_to_follow: null })).toBe('{"follow_status": true}');
    expect(call(w, "unfollow_user", { username_to_unfollow: "bob" })).toBe('{"unfollow_status": true}');
    expect(call(w, "list_all_following")).toBe('{"following_list": ["alice", null]}');
  });

  it("retweets once and counts per user", () => {
    const w = world({ authenticated: true, tweets: PyDict.from({ "1": tweet(1n, "a") }) });
    expect(call(w, "retweet", { tweet_id: 1n })).toBe('{"retweet_status": "Successfully retweeted"}');
    expect(call(w, "retweet", { tweet_id: true })).toBe('{"retweet_status": "Already retweeted"}');
    expect(call(w, "retweet", { tweet_id: 7n })).toBe('{"error": "Tweet with ID 7 not found."}');
    expect(call(w, "get_user_stats", { username: "john" })).toBe('{"tweet_count": 1, "following_count": 2, "retweet_count": 1}');
    expect(call(w, "get_user_stats", { username: 3.5 })).toBe('{"tweet_count": 0, "following_count": 0, "retweet_count": 0}');
    expect(call(w, "get_user_stats", { username: ["a"] })).toBe("Error during execution: unhashable type: 'list'");
  });

  it("keeps a positional tags list and the shared default mentions", () => {
    const w = world({ authenticated: true });
    expect(call(w, "post_tweet", {}, ["parkingBrakeForce", ["San", "How"]])).toBe(
      '{"id": 0, "username": "john", "content": "parkingBrakeForce", "tags": ["San", "How"], "mentions": []}',
    );
    expect(stateOf(w).tweet_counter).toBe(1n);
  });
});

describe("TwitterAPI messages", () => {
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
    expect(call(w, "post_tweet", { content: "x" })).toContain("authenticate_twitter");
    expect(call(w, "get_tweet", { tweet_id: 4n })).toContain("Tweet with ID 4 not found.");
  });
});

testDomainTraces(pack);
