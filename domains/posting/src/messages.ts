import type { MessageCatalogue } from "@envtune/core/domain";

/**
 * Every error text TwitterAPI can produce. `standard` = the reference's texts verbatim; `augmented`
 * = the same codes with actionable hints (paper §3.3, App. B: what went wrong and which kind of step fixes
 * it, never the value the task expects). The upstream authors wrote no hints for this domain.
 *
 * Placeholder: `{tweet_id}` = `str(tweet_id)` as the model passed it.
 */
export const standard: MessageCatalogue = {
  post_not_authenticated: "User not authenticated. Please authenticate before posting.",
  retweet_not_authenticated: "User not authenticated. Please authenticate before retweeting.",
  comment_not_authenticated: "User not authenticated. Please authenticate before commenting.",
  follow_not_authenticated: "User not authenticated. Please authenticate before following.",
  unfollow_not_authenticated: "User not authenticated. Please authenticate before unfollowing.",
  list_following_not_authenticated: "User not authenticated. Please authenticate before listing following.",
  tweet_not_found: "Tweet with ID {tweet_id} not found.",
};

const login = "call authenticate_twitter with the account's username and password first";

export const augmented: MessageCatalogue = {
  post_not_authenticated: `User not authenticated. Posting needs an authenticated session: ${login}, then retry post_tweet.`,
  retweet_not_authenticated: `User not authenticated. Retweeting needs an authenticated session: ${login}, then retry retweet.`,
  comment_not_authenticated: `User not authenticated. Commenting needs an authenticated session: ${login}, then retry comment.`,
  follow_not_authenticated: `User not authenticated. Following needs an authenticated session: ${login}, then retry follow_user.`,
  unfollow_not_authenticated: `User not authenticated. Unfollowing needs an authenticated session: ${login}, then retry unfollow_user.`,
  list_following_not_authenticated: `User not authenticated. Listing the following list needs an authenticated session: ${login}, then retry list_all_following.`,
  tweet_not_found:
    "Tweet with ID {tweet_id} not found. Tweet IDs are integers assigned by post_tweet; use the ID it returned, or find the tweet with get_user_tweets or search_tweets.",
};
