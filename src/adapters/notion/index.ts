/** The Notion adapter: everything the rest of the app may use. */

export { type BlockContent, blockContent, blockSignature, contentSignature, type NotionBlock, type RichTextItem } from './blocks.js';
export { NOTION_VERSION } from './client.js';
export { toNotionError } from './errors.js';
export { NOTION_LIMITS } from './limits.js';
export {
  type AppendBatch,
  countBlocks,
  type DeferredChildren,
  MarkdownBlockStream,
  markdownToBlocks,
  markdownToBlocksInTurns,
  splitForAppend,
  streamMarkdownBlocks,
} from './markdown.js';
export {
  checkboxValue,
  dateValue,
  emailValue,
  multiSelectValue,
  numberValue,
  pagePlainText,
  phoneNumberValue,
  relationValue,
  richTextValue,
  selectValue,
  statusValue,
  titleValue,
  urlValue,
} from './property-values.js';
export { type AcquireOptions, LimiterWaitError, type NotionRateLimiter, RateLimiter, type RateLimiterFactory, type Refund } from './rate-limiter.js';
export type * from './types.js';
export { compactId, formatNotionId, notionObjectUrl, notionWebLink, type ParsedNotionUrl, parseNotionUrl } from './urls.js';
export { createNotionGateway, type NotionGatewayOptions } from './workspace.js';
