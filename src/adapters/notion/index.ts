/** The Notion adapter: everything the rest of the app may use. */
export { createNotionGateway, type NotionGatewayOptions } from './workspace.js';
export { compactId, formatNotionId, notionObjectUrl, notionWebLink, parseNotionUrl, type ParsedNotionUrl } from './urls.js';
export { countBlocks, markdownToBlocks, markdownToBlocksInTurns, MarkdownBlockStream, splitForAppend, streamMarkdownBlocks, type AppendBatch, type DeferredChildren } from './markdown.js';
export type { NotionBlock, RichTextItem } from './blocks.js';
export {
  checkboxValue,
  dateValue,
  numberValue,
  pagePlainText,
  richTextValue,
  selectValue,
  titleValue,
  urlValue,
} from './property-values.js';
export { toNotionError } from './errors.js';
export { RateLimiter } from './rate-limiter.js';
export { NOTION_LIMITS } from './limits.js';
export { NOTION_VERSION } from './client.js';
export type * from './types.js';
