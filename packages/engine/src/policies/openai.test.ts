import { describe, expect, it } from "vitest";
import { generationOf } from "./openai.ts";

describe("generationOf (token ids and logprobs from a chat-completions response)", () => {
  it("reads vLLM's return_token_ids fields and OpenAI-style logprobs", () => {
    const g = generationOf(
      { prompt_token_ids: [151644, 8948] },
      {
        token_ids: [785, 4226],
        logprobs: {
          content: [
            { token: "The", logprob: -0.1 },
            { token: " answer", logprob: -2.5 },
          ],
        },
        finish_reason: "stop",
      },
    );
    expect(g).toEqual({ promptTokenIds: [151644, 8948], tokenIds: [785, 4226], logprobs: [-0.1, -2.5], finishReason: "stop" });
  });

  it("takes ids from `token_id:<n>` tokens (vLLM return_tokens_as_token_ids) when token_ids is absent", () => {
    const g = generationOf(
      {},
      {
        logprobs: {
          content: [
            { token: "token_id:12", logprob: -1 },
            { token: "token_id:7", logprob: -0.25 },
          ],
        },
      },
    );
    expect(g).toEqual({ tokenIds: [12, 7], logprobs: [-1, -0.25] });
  });

  it("leaves out what the endpoint did not send, and malformed fields, instead of guessing", () => {
    expect(generationOf({}, {})).toEqual({});
    expect(
      generationOf({ prompt_token_ids: [1, "2"] }, { token_ids: [1.5], logprobs: { content: [{ token: "x", logprob: null }] } }),
    ).toEqual({});
    expect(generationOf({}, { logprobs: null, finish_reason: "length" })).toEqual({ finishReason: "length" });
  });
});
