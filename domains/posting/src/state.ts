import type { StateInit } from "@envtune/core/domain";
import { PyDict, pyDeepCopy, type PyValue } from "@envtune/core/py";
import { pyInt } from "./py.ts";

/**
 * `post_tweet(self, content, tags=[], mentions=[])`: in the reference the two default lists are
 * created once per process, stored by reference in every tweet posted without them, and `mention()`
 * extends them in place. envtune scopes them to one episode (shared by its model and ground-truth
 * worlds through `StateInit.shared`), which is what the traces show.
 */
export interface PostTweetDefaults {
  readonly tags: PyValue[];
  readonly mentions: PyValue[];
}

/** Key of this pack's entry in `StateInit.shared`. */
export const SHARED_KEY = "posting";

/**
 * TwitterAPI's instance attributes (upstream `posting_api.py`), in `vars()` order. Config values
 * keep their Python types, hence `PyValue` for the scalars.
 */
export class TwitterAPI {
  username: PyValue;
  password: PyValue;
  authenticated: PyValue;
  /** tweet id (int, converted from the config's str keys) → tweet dict. */
  tweets: PyDict;
  /** tweet id → list of `{"username", "content"}`; configured keys stay **str**, new ones are the id as passed. */
  comments: PyDict;
  /** username → list of retweeted ids. */
  retweets: PyDict;
  following_list: PyValue[];
  tweet_counter: PyValue;
  /** Not an attribute of the reference: the episode's `post_tweet` default lists. */
  readonly _postTweetDefaults: PostTweetDefaults;

  constructor(fields: {
    username: PyValue;
    password: PyValue;
    authenticated: PyValue;
    tweets: PyDict;
    comments: PyDict;
    retweets: PyDict;
    following_list: PyValue[];
    tweet_counter: PyValue;
    defaults: PostTweetDefaults;
  }) {
    this.username = fields.username;
    this.password = fields.password;
    this.authenticated = fields.authenticated;
    this.tweets = fields.tweets;
    this.comments = fields.comments;
    this.retweets = fields.retweets;
    this.following_list = fields.following_list;
    this.tweet_counter = fields.tweet_counter;
    this._postTweetDefaults = fields.defaults;
  }
}

function episodeDefaults(shared: Map<string, unknown>): PostTweetDefaults {
  let d = shared.get(SHARED_KEY) as PostTweetDefaults | undefined;
  if (d === undefined) {
    d = { tags: [], mentions: [] };
    shared.set(SHARED_KEY, d);
  }
  return d;
}

/**
 * `TwitterAPI()._load_scenario(deepcopy(config))`: each attribute is `scenario.get(key, default)`,
 * then `tweets = {int(k): v ...}`. `long_context` is ignored by the reference. The config is shared
 * and read-only, so the values kept are copied once here.
 */
export function createState(init: StateInit): TwitterAPI {
  const cfg = init.config;
  // `scenario.get(k, default)`: an explicit None in the config stays None.
  const get = <T extends PyValue>(k: string, dflt: () => T): T => {
    const v = cfg.get(k);
    return v === undefined ? dflt() : (pyDeepCopy(v) as T);
  };
  const rawTweets = get("tweets", () => new PyDict());
  const tweets = new PyDict();
  for (const [k, v] of rawTweets) tweets.set(pyInt(k), v);
  return new TwitterAPI({
    username: get<PyValue>("username", () => "john"),
    password: get<PyValue>("password", () => "john123"),
    authenticated: get<PyValue>("authenticated", () => false),
    tweets,
    comments: get("comments", () => new PyDict()),
    retweets: get("retweets", () => new PyDict()),
    following_list: get("following_list", () => ["alice", "bob"]),
    tweet_counter: get<PyValue>("tweet_counter", () => 0n),
    defaults: episodeDefaults(init.shared),
  });
}

/** The compared attributes in `vars()` order. */
export function view(self: TwitterAPI): Array<[string, PyValue]> {
  return [
    ["username", self.username],
    ["password", self.password],
    ["authenticated", self.authenticated],
    ["tweets", self.tweets],
    ["comments", self.comments],
    ["retweets", self.retweets],
    ["following_list", self.following_list],
    ["tweet_counter", self.tweet_counter],
  ];
}
