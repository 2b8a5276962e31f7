/**
 * Rich text within Notion's size limits (https://developers.notion.com/reference/request-limits): `text.content`
 * at most 2000 characters, `text.link.url` at most 2000 characters, and at most 100 items in any rich text array.
 * Longer text is split into several items with the same annotations; a link too long to send becomes plain text.
 */
import type { Annotations, EquationRichText, RichTextItem, TextRichText } from './blocks.js';
import { NOTION_LIMITS } from './limits.js';

const MAX_CHARS = NOTION_LIMITS.richTextContentChars;

/** Text as rich text items of at most 2000 characters each, never cutting a character in two. */
export function textItems(content: string, annotations: Annotations = {}, linkUrl?: string): TextRichText[] {
  if (content === '') return [];
  const link = linkUrl !== undefined && isSendableLink(linkUrl) ? { url: linkUrl } : undefined;
  const set = Object.fromEntries(Object.entries(annotations).filter(([, on]) => on)) as Annotations;
  const hasAnnotations = Object.keys(set).length > 0;
  return chunkText(content, MAX_CHARS).map((chunk) => ({
    type: 'text' as const,
    text: link ? { content: chunk, link } : { content: chunk },
    ...(hasAnnotations ? { annotations: { ...set } } : {}),
  }));
}

/** An inline equation (its limits: blocks.ts `EquationRichText`). Code formatting is dropped: Notion ignores it there. */
export function equationItem(expression: string, annotations: Annotations = {}): EquationRichText {
  const set = Object.fromEntries(Object.entries(annotations).filter(([name, on]) => on && name !== 'code')) as Annotations;
  return { type: 'equation', equation: { expression }, ...(Object.keys(set).length > 0 ? { annotations: set } : {}) };
}

/** The equation an item holds, if it is one. */
export function equationOf(item: RichTextItem): EquationRichText | undefined {
  return item.type === 'equation' ? item : undefined;
}

/** The text a rich text item shows (an equation shows its expression). */
export function itemText(item: RichTextItem): string {
  return item.type === 'equation' ? item.equation.expression : item.text.content;
}

/**
 * Links Notion takes: absolute http(s) URLs within the 2000-character limit. Other schemes (`mailto:`, `zotero:`)
 * are refused with "Invalid URL for link" (seen by integrations, e.g. https://github.com/dvanoni/notero/pull/459),
 * so an email autolink lands as its text.
 */
export function isSendableLink(url: string): boolean {
  return url.length > 0 && url.length <= NOTION_LIMITS.richTextLinkUrlChars && /^https?:\/\/[^\s]+$/i.test(url);
}

/** Splits text into pieces of at most `max` UTF-16 units, never between the two halves of a surrogate pair. */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + max);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Joins neighbours that look the same (annotations and link), then re-splits at 2000 characters. */
export function mergeRichText(items: readonly RichTextItem[]): RichTextItem[] {
  const merged: RichTextItem[] = [];
  let pending: { content: string; key: string; item: TextRichText } | undefined;
  const flush = () => {
    if (!pending) return;
    const { item, content } = pending;
    merged.push(...textItems(content, item.annotations ?? {}, item.text.link?.url));
    pending = undefined;
  };
  for (const item of items) {
    if (item.type === 'equation') {
      flush();
      merged.push(item);
      continue;
    }
    if (item.text.content === '') continue;
    const key = JSON.stringify([item.annotations ?? {}, item.text.link?.url ?? null]);
    if (pending && pending.key === key) {
      pending.content += item.text.content;
    } else {
      flush();
      pending = { content: item.text.content, key, item };
    }
  }
  flush();
  return merged;
}

/** Rich text arrays of at most 100 items each (the block is then split into several blocks by the caller). */
export function chunkRichText(items: readonly RichTextItem[], maxItems: number = NOTION_LIMITS.richTextItems): RichTextItem[][] {
  if (items.length === 0) return [[]];
  const chunks: RichTextItem[][] = [];
  for (let i = 0; i < items.length; i += maxItems) chunks.push(items.slice(i, i + maxItems));
  return chunks;
}

/** Plain text as a property value: split at 2000 characters, at most 100 items (anything beyond is cut, marked …). */
export function plainRichText(text: string): TextRichText[] {
  const items = textItems(text);
  if (items.length <= NOTION_LIMITS.richTextItems) return items;
  const kept = items.slice(0, NOTION_LIMITS.richTextItems);
  const last = kept[kept.length - 1]!;
  kept[kept.length - 1] = { type: 'text', text: { content: `${chunkText(last.text.content, MAX_CHARS - 1)[0] ?? ''}…` } };
  return kept;
}
