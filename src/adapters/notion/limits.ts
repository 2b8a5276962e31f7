/**
 * Notion's documented limits, in one place. Every number here is quoted from Notion's pages:
 *
 * - Size limits: https://developers.notion.com/reference/request-limits ("Size limits"): rich text `text.content`
 *   and `text.link.url` at most 2000 characters, any array of rich text objects at most 100 elements, any URL at
 *   most 2000 characters, and at most 1000 block elements and 500KB overall per payload. A request over a limit
 *   answers 400 `validation_error`.
 * - Property values: https://developers.notion.com/reference/request-limits ("Limits for property values"): an email
 *   or a phone number at most 200 characters, a multi-select at most 100 options, a relation at most 100 related pages.
 * - Children: https://developers.notion.com/reference/patch-block-children ("up to two levels of nesting in a
 *   single request", "a limit of 100 block children that can be appended by a single API request").
 * - Rate: https://developers.notion.com/reference/request-limits ("an average of three requests per second" per
 *   connection; "Some bursts beyond the average rate are allowed"; 429 and 529 carry Retry-After).
 * - Query cap: https://developers.notion.com/guides/data-apis/query-large-data-sources ("A single data source query
 *   returns at most 10,000 results").
 * - Pagination: https://developers.notion.com/reference/intro#pagination (page_size at most 100).
 */
export const NOTION_LIMITS = {
  richTextContentChars: 2000,
  richTextLinkUrlChars: 2000,
  richTextItems: 100,
  urlChars: 2000,
  emailChars: 200,
  phoneNumberChars: 200,
  multiSelectOptions: 100,
  relationPages: 100,
  childrenPerArray: 100,
  /** Levels of `children` below the top-level blocks of one request. */
  nestingLevels: 2,
  blockElementsPerRequest: 1000,
  /** "500KB overall"; we stay well below it so JSON overhead and multi-byte text never tip a request over. */
  payloadBytesBudget: 450_000,
  /** The rate limiter's default refill (rate-limiter.ts). */
  requestsPerSecond: 3,
  queryResultCap: 10_000,
  pageSize: 100,
} as const;

/*
 * Visen's own tunables around those limits: the one place to change how hard Visen pushes Notion. The rate limiter
 * (rate-limiter.ts) and the fetch wrapper (http.ts) read them as their defaults; tests pass smaller ones in. How many
 * database rows are worked on at once is a generation option (`rowConcurrency` in services/generation/active-run.ts).
 */

/**
 * The limiter's bucket capacity. Notion allows "some bursts beyond the average"
 * (https://developers.notion.com/reference/request-limits) without a number; 10 lets the budget unused during a
 * Retry-After pause be spent when it ends, while the long-run rate stays at the average. Measured by `npm run bench`
 * (a 300-row run with 25% injected 429/529): 82% of the ceiling with a burst of 3, 98% with 10; 6 keeps a margin
 * under a burst we cannot know.
 */
export const DEFAULT_BURST = 6;

/**
 * The longest Retry-After honoured by waiting. Notion's answers are a few seconds, and "can pass a minute" only
 * under the per-workspace limit (https://developers.notion.com/reference/request-limits); past this, a user is
 * better told to come back than left looking at a request that does not move.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Jitter added to a Retry-After (0 to this), so the callers of one secret do not all go again at the same instant. */
export const RETRY_AFTER_JITTER_MS = 250;

/**
 * The longest a limiter pause may last, whatever an upstream asks: a `Retry-After: 999999` once held one user's
 * every request for 11.6 days. MAX_RETRY_AFTER_MS plus a second, more than the jitter added to a Retry-After.
 */
export const MAX_PAUSE_MS = MAX_RETRY_AFTER_MS + 1_000;

/** The retry policy of one Notion call (http.ts). */
export const HTTP_DEFAULTS = {
  /** One attempt, body included. */
  attemptTimeoutMs: 30_000,
  /** Attempts of one call, the first included. */
  maxAttempts: 6,
  /** All attempts and waits of one call. */
  maxTotalMs: 90_000,
  /** Backoff after a 5xx or no answer: from this... */
  baseDelayMs: 500,
  /** ...doubling up to this. */
  maxDelayMs: 20_000,
} as const;

/**
 * How long a data source's schema serves the property name -> id lookups of `filter_properties` (property-ids.ts)
 * before it is read again. Brief: a property renamed in Notion is found again within a minute, and a name not in
 * the kept schema refreshes it at once; long enough that the queries of one Home refresh or run share one read.
 */
export const PROPERTY_ID_CACHE_MS = 60_000;
