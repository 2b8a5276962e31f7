/**
 * Notion's documented limits, in one place. Every number here is quoted from Notion's pages:
 *
 * - Size limits: https://developers.notion.com/reference/request-limits ("Size limits"): rich text `text.content`
 *   and `text.link.url` at most 2000 characters, any array of rich text objects at most 100 elements, any URL at
 *   most 2000 characters, and at most 1000 block elements and 500KB overall per payload. A request over a limit
 *   answers 400 `validation_error`.
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
  childrenPerArray: 100,
  /** Levels of `children` below the top-level blocks of one request. */
  nestingLevels: 2,
  blockElementsPerRequest: 1000,
  /** "500KB overall"; we stay well below it so JSON overhead and multi-byte text never tip a request over. */
  payloadBytesBudget: 450_000,
  requestsPerSecond: 3,
  queryResultCap: 10_000,
  pageSize: 100,
} as const;
