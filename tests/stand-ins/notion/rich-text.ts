// Rich text objects: requests are lenient (type and annotations optional), responses are complete.
// https://developers.notion.com/reference/rich-text
import { bodyInvalid, shouldBe } from './errors.js';

export interface RichText {
  type: 'text' | 'mention' | 'equation';
  text?: { content: string; link: { url: string } | null };
  mention?: Record<string, unknown>;
  equation?: { expression: string };
  annotations: Annotations;
  plain_text: string;
  href: string | null;
}

interface Annotations {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
  code: boolean;
  color: string;
}

const DEFAULT_ANNOTATIONS: Annotations = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
};

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns a request's rich text array into response objects; `path` names it in validation messages. */
export function richTextFromRequest(items: unknown, path: string): RichText[] {
  if (!Array.isArray(items)) throw bodyInvalid(shouldBe(path, 'an array', items));
  return items.map((item, index) => richTextItem(item, `${path}[${index}]`));
}

function richTextItem(item: unknown, path: string): RichText {
  if (!isObject(item)) throw bodyInvalid(shouldBe(path, 'an object', item));
  const annotations = { ...DEFAULT_ANNOTATIONS, ...(isObject(item.annotations) ? item.annotations : {}) };
  if (isObject(item.text)) {
    const { content, link } = item.text;
    if (typeof content !== 'string') throw bodyInvalid(shouldBe(`${path}.text.content`, 'a string', content));
    const url = isObject(link) && typeof link.url === 'string' ? link.url : null;
    return {
      type: 'text',
      text: { content, link: url ? { url } : null },
      annotations,
      plain_text: content,
      href: url,
    };
  }
  if (isObject(item.equation)) {
    const expression = item.equation.expression;
    if (typeof expression !== 'string') throw bodyInvalid(shouldBe(`${path}.equation.expression`, 'a string', expression));
    return { type: 'equation', equation: { expression }, annotations, plain_text: expression, href: null };
  }
  if (isObject(item.mention)) {
    const kind = Object.keys(item.mention).find((key) => key !== 'type') ?? 'unknown';
    const mention = { type: kind, ...item.mention };
    return { type: 'mention', mention, annotations, plain_text: mentionText(mention), href: null };
  }
  throw bodyInvalid(shouldBe(`${path}.text`, 'defined', undefined));
}

function mentionText(mention: Record<string, any>): string {
  if (mention.type === 'date') return String(mention.date?.start ?? '');
  if (mention.type === 'link_preview') return String(mention.link_preview?.url ?? '');
  return 'Untitled';
}

export const plainText = (items: readonly RichText[]): string => items.map((item) => item.plain_text).join('');

/** Plain text as rich text, split at Notion's 2000-character limit (used by fixtures and Markdown). */
export function richTextOf(text: string, annotations: Partial<Annotations> = {}, url: string | null = null): RichText[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += 2000) chunks.push(text.slice(start, start + 2000));
  return chunks.map((content) => ({
    type: 'text',
    text: { content, link: url ? { url } : null },
    annotations: { ...DEFAULT_ANNOTATIONS, ...annotations },
    plain_text: content,
    href: url,
  }));
}
