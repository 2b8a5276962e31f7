/**
 * The Markdown entry point of the Notion adapter: whole texts (`markdownToBlocks`), text streaming in from a model
 * (`MarkdownBlockStream`), and cutting blocks into append requests within Notion's limits (`splitForAppend`).
 */
export { inline as inlineTokensToRichText, lexMarkdown } from './markdown-convert.js';
export { markdownToBlocks, markdownToBlocksInTurns, MarkdownBlockStream, streamMarkdownBlocks, type LexWork } from './markdown-stream.js';
export { countBlocks, splitForAppend, type AppendBatch, type DeferredChildren } from './append-batches.js';
export type { NotionBlock, RichTextItem } from './blocks.js';
