import type { NotionWorkspace } from '../../adapters/notion/index.js';

/** What a page run gives the model about its page, bounded by the context budget. */
export interface PageContext {
  /** The page's Markdown, whole blocks only, at most the budget long. */
  readonly markdown: string;
  /** Characters given (markdown.length). */
  readonly usedChars: number;
  /** True when part of the page was left out (the budget, or subtrees Notion did not render that were not fetched). */
  readonly cut: boolean;
}

/**
 * A truncated answer lists the blocks it left out; each is one more request, so at most this many are fetched
 * (with the budget, this bounds the Notion requests one page run spends reading).
 */
export const MAX_UNKNOWN_BLOCK_READS = 20;

/**
 * Reads the page as Markdown (https://developers.notion.com/reference/retrieve-page-markdown): a truncated answer's
 * `unknown_block_ids` are fetched with the same endpoint while the budget has room, each put where Notion left its
 * `<unknown>` tag; then the text is cut at a block boundary to fit `budget` characters.
 */
export async function readPageContext(notion: NotionWorkspace, pageId: string, budget: number): Promise<PageContext> {
  const first = await notion.readPageMarkdown(pageId);
  let markdown = first.markdown;
  const pending = [...first.unknownBlockIds];
  let reads = 0;
  while (pending.length > 0 && withoutUnknownTags(markdown).length < budget && reads < MAX_UNKNOWN_BLOCK_READS) {
    const blockId = pending.shift() as string;
    reads++;
    const part = await notion.readPageMarkdown(blockId);
    markdown = putInPlace(markdown, blockId, part.markdown);
    pending.push(...part.unknownBlockIds);
  }
  // The tags of blocks not fetched carry no content, only Notion URLs: left out, and the text counts as cut.
  const content = withoutUnknownTags(markdown);
  const fitted = cutAtBlockBoundary(content, budget);
  return { markdown: fitted, usedChars: fitted.length, cut: pending.length > 0 || fitted.length < content.length };
}

const UNKNOWN_TAG_LINE = /^[ \t]*<unknown\b[^>\n]*\/?>[ \t]*(?:\n|$)/gm;

function withoutUnknownTags(markdown: string): string {
  return markdown.replace(UNKNOWN_TAG_LINE, '').replace(/\n+$/, '');
}

/** Replaces the `<unknown url="…{id}…" …/>` tag Notion left for a block with its content (or appends it). */
function putInPlace(markdown: string, blockId: string, content: string): string {
  const compact = escapeRegExp(blockId.replace(/-/g, ''));
  const tag = new RegExp(`^([ \\t]*)<unknown\\b[^>\\n]*(?:${compact}|${escapeRegExp(blockId)})[^>\\n]*/?>[ \\t]*$`, 'm');
  const match = tag.exec(markdown);
  if (!match) return `${markdown}\n${content}`;
  const indent = match[1] ?? '';
  const indented = content
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
  return markdown.slice(0, match.index) + indented + markdown.slice(match.index + match[0].length);
}

/**
 * The longest prefix of whole top-level blocks that fits `budget`. In Notion's enhanced Markdown a block's children
 * are tab-indented below it (https://developers.notion.com/guides/data-apis/enhanced-markdown), so a block starts
 * at a line without indentation outside a code fence. A first block longer than the budget is cut at a line end.
 */
export function cutAtBlockBoundary(markdown: string, budget: number): string {
  if (markdown.length <= budget) return markdown;
  let kept = 0;
  let inFence = false;
  let offset = 0;
  for (const line of markdown.split('\n')) {
    const startsBlock = !inFence && line !== '' && !/^[ \t]/.test(line);
    if (startsBlock && offset > 0) {
      if (offset - 1 > budget) break;
      kept = offset - 1;
    }
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    offset += line.length + 1;
  }
  if (kept === 0) {
    const lineEnd = markdown.lastIndexOf('\n', budget);
    return markdown.slice(0, lineEnd > 0 ? lineEnd : budget);
  }
  return markdown.slice(0, kept);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
