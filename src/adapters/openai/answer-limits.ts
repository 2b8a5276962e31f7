/**
 * How long one model answer may be: the one place these limits live.
 *
 * - `maxTokens` is sent as `max_completion_tokens` (OpenAI's current name; `max_tokens` is deprecated and o-series
 *   / gpt-5 models refuse it: https://platform.openai.com/docs/api-reference/chat/create). 16,384 is the output
 *   limit of gpt-4o and gpt-4o-mini, so the request is valid for them; a server that ends the answer there says
 *   `finish_reason: "length"`.
 * - `maxChars` is enforced by Visen while the answer streams in, for servers that ignore the token limit: at that
 *   many characters Visen stops reading and closes the stream. 100,000 characters is far more than 16,384 tokens
 *   of prose (about 65,000 characters), so an honest server never reaches it.
 * Either way the text so far is kept and the user is told where and why it was cut.
 */
export const ANSWER_LIMITS = {
  maxTokens: 16_384,
  maxChars: 100_000,
} as const;

/** What the user reads at the end of a cut answer (plain words: it is also shown as Markdown). */
export const answerCutNotices = {
  charCap: `Visen stopped the answer here: it reached ${ANSWER_LIMITS.maxChars.toLocaleString('en-US')} characters, the most Visen takes for one answer.`,
  tokenCap: `The model stopped the answer here: it reached its length limit (${ANSWER_LIMITS.maxTokens.toLocaleString('en-US')} tokens at most for one answer).`,
} as const;
