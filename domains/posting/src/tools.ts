import type { ToolContext, ToolDef } from "@envtune/core/domain";
import { PyDict, pyAttributeError, pyContains, pyEquals, pyLower, pyStr, requireStr, type PyValue } from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import { pyGetItem, pyIterate, pyLenOf, pyPlusOne, pyTruthy } from "./py.ts";
import type { TwitterAPI } from "./state.ts";

type Tool = ToolDef<TwitterAPI>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<TwitterAPI>();

const err = (text: string): PyDict => PyDict.from({ error: text });

function notFound(id: PyValue, ctx: ToolContext): PyDict {
  return err(ctx.msg("tweet_not_found", { tweet_id: pyStr(id) }));
}

const authenticateTwitter = tool({
  name: "authenticate_twitter",
  params: [{ name: "username" }, { name: "password" }],
  run(self, { username, password }) {
    if (pyEquals(username, self.username) && pyEquals(password, self.password)) {
      self.authenticated = true;
      return PyDict.from({ authentication_status: true });
    }
    return PyDict.from({ authentication_status: false });
  },
});

const postingGetLoginStatus = tool({
  name: "posting_get_login_status",
  params: [],
  run(self) {
    return PyDict.from({ login_status: pyTruthy(self.authenticated) });
  },
});

const postTweet = tool({
  name: "post_tweet",
  params: [
    { name: "content" },
    // Mutable defaults: the same list objects for every call of the episode (see PostTweetDefaults).
    { name: "tags", default: (self: TwitterAPI) => self._postTweetDefaults.tags },
    { name: "mentions", default: (self: TwitterAPI) => self._postTweetDefaults.mentions },
  ],
  run(self, { content, tags, mentions }, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("post_not_authenticated"));
    const tweet = PyDict.from({
      id: self.tweet_counter,
      username: self.username,
      content: content,
      // Stored by reference, like the reference: later `mention()` calls mutate these lists.
      tags: tags,
      mentions: mentions,
    });
    self.tweets.set(self.tweet_counter, tweet);
    self.tweet_counter = pyPlusOne(self.tweet_counter);
    return tweet;
  },
});

const retweet = tool({
  name: "retweet",
  params: [{ name: "tweet_id" }],
  run(self, { tweet_id }, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("retweet_not_authenticated"));
    const id = tweet_id;
    if (!self.tweets.has(id)) return notFound(id, ctx);
    if (!self.retweets.has(self.username)) self.retweets.set(self.username, []);
    const mine = self.retweets.getItem(self.username);
    if (pyContains(mine, id)) return PyDict.from({ retweet_status: "Already retweeted" });
    if (!Array.isArray(mine)) return pyAttributeError(mine, "append");
    mine.push(id);
    return PyDict.from({ retweet_status: "Successfully retweeted" });
  },
});

const comment = tool({
  name: "comment",
  params: [{ name: "tweet_id" }, { name: "comment_content" }],
  run(self, { tweet_id, comment_content }, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("comment_not_authenticated"));
    const id = tweet_id;
    if (!self.tweets.has(id)) return notFound(id, ctx);
    // Configured comment keys are str ("1"), so commenting on tweet 1 adds an int key beside it.
    if (!self.comments.has(id)) self.comments.set(id, []);
    const list = self.comments.getItem(id);
    if (!Array.isArray(list)) return pyAttributeError(list, "append");
    list.push(PyDict.from({ username: self.username, content: comment_content }));
    return PyDict.from({ comment_status: "Comment added successfully" });
  },
});

const mention = tool({
  name: "mention",
  params: [{ name: "tweet_id" }, { name: "mentioned_usernames" }],
  run(self, { tweet_id, mentioned_usernames }, ctx) {
    // No authentication check in the reference.
    const id = tweet_id;
    if (!self.tweets.has(id)) return notFound(id, ctx);
    const mentions = pyGetItem(self.tweets.getItem(id), "mentions");
    if (!Array.isArray(mentions)) return pyAttributeError(mentions, "extend");
    // `list.extend`: a str extends by characters. The list may be the episode's shared default.
    mentions.push(...pyIterate(mentioned_usernames));
    return PyDict.from({ mention_status: "Users mentioned successfully" });
  },
});

const followUser = tool({
  name: "follow_user",
  params: [{ name: "username_to_follow" }],
  run(self, { username_to_follow }, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("follow_not_authenticated"));
    const u = username_to_follow;
    if (pyContains(self.following_list, u)) return PyDict.from({ follow_status: false });
    self.following_list.push(u);
    return PyDict.from({ follow_status: true });
  },
});

const listAllFollowing = tool({
  name: "list_all_following",
  params: [],
  run(self, _args, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("list_following_not_authenticated"));
    return PyDict.from({ following_list: self.following_list });
  },
});

const unfollowUser = tool({
  name: "unfollow_user",
  params: [{ name: "username_to_unfollow" }],
  run(self, { username_to_unfollow }, ctx) {
    if (!pyTruthy(self.authenticated)) return err(ctx.msg("unfollow_not_authenticated"));
    const u = username_to_unfollow;
    const list = self.following_list;
    const at = list.findIndex((x) => x === u || pyEquals(x, u));
    if (at < 0) return PyDict.from({ unfollow_status: false });
    list.splice(at, 1);
    return PyDict.from({ unfollow_status: true });
  },
});

const getTweet = tool({
  name: "get_tweet",
  params: [{ name: "tweet_id" }],
  run(self, { tweet_id }, ctx) {
    const id = tweet_id;
    if (!self.tweets.has(id)) return notFound(id, ctx);
    return self.tweets.getItem(id);
  },
});

const getUserTweets = tool({
  name: "get_user_tweets",
  params: [{ name: "username" }],
  run(self, { username }) {
    const u = username;
    const out: PyValue[] = [];
    for (const tweet of self.tweets.values()) if (pyEquals(pyGetItem(tweet, "username"), u)) out.push(tweet);
    return out;
  },
});

const searchTweets = tool({
  name: "search_tweets",
  params: [{ name: "keyword" }],
  run(self, { keyword }) {
    const kwValue = keyword;
    const out: PyValue[] = [];
    // Python re-evaluates `keyword.lower()` per tweet, so a non-str keyword only fails when a tweet exists.
    for (const tweet of self.tweets.values()) {
      const kw = pyLower(requireStr(kwValue, "lower"));
      const content = pyLower(requireStr(pyGetItem(tweet, "content"), "lower"));
      let hit = content.includes(kw);
      if (!hit) {
        const kw2 = pyLower(requireStr(kwValue, "lower"));
        const tags = pyIterate(pyGetItem(tweet, "tags")).map((t) => pyLower(requireStr(t, "lower")));
        hit = tags.includes(kw2);
      }
      if (hit) out.push(tweet);
    }
    return out;
  },
});

const getTweetComments = tool({
  name: "get_tweet_comments",
  params: [{ name: "tweet_id" }],
  run(self, { tweet_id }, ctx) {
    const id = tweet_id;
    if (!self.tweets.has(id)) return notFound(id, ctx);
    // A list (printed as its repr), not a dict.
    return self.comments.get(id) ?? [];
  },
});

const getUserStats = tool({
  name: "get_user_stats",
  params: [{ name: "username" }],
  run(self, { username }) {
    const u = username;
    let tweetCount = 0n;
    for (const tweet of self.tweets.values()) if (pyEquals(pyGetItem(tweet, "username"), u)) tweetCount += 1n;
    const followingCount = pyEquals(u, self.username) ? pyLenOf(self.following_list) : 0n;
    const retweetCount = pyLenOf(self.retweets.get(u) ?? []);
    return PyDict.from({ tweet_count: tweetCount, following_count: followingCount, retweet_count: retweetCount });
  },
});

/** The 14 documented tools, in the function doc's order. */
export const tools: Tool[] = [
  authenticateTwitter,
  comment,
  followUser,
  getTweet,
  getTweetComments,
  getUserStats,
  getUserTweets,
  listAllFollowing,
  mention,
  postTweet,
  postingGetLoginStatus,
  retweet,
  searchTweets,
  unfollowUser,
];
