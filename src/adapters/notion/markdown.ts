/**
 * The Markdown entry point of the Notion adapter: whole texts (`markdownToBlocks`), text streaming in from a model
 * (`MarkdownBlockStream`), and cutting blocks into append requests within Notion's limits (`splitForAppend`).
 */

export { type AppendBatch, countBlocks, type DeferredChildren, splitForAppend } from './append-batches.js';
export type { NotionBlock, RichTextItem } from './blocks.js';
export { inline as inlineTokensToRichText, lexMarkdown } from './markdown-convert.js';
export { type LexWork, MarkdownBlockStream, markdownToBlocks, markdownToBlocksInTurns, streamMarkdownBlocks } from './markdown-stream.js';
