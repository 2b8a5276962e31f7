/**
 * Markdown (as a model writes it) -> Notion blocks, with marked's lexer (GFM). Block types and shapes:
 * https://developers.notion.com/reference/block. Headings 1-3 (4-6 become heading_3, Notion's smallest heading
 * Visen uses), paragraphs, bulleted / numbered lists and to-dos with nested children, quotes, code with the
 * language mapped to Notion's list, dividers, tables (`table` with `table_row` children), images as external image
 * blocks (inline images become links), and bold, italic, strikethrough, inline code and links in rich text.
 *
 * Limits (https://developers.notion.com/reference/request-limits): text is split into items of at most 2000
 * characters; a block whose rich text would pass 100 items becomes several blocks of the same type; a link URL over
 * 2000 characters (or not absolute http(s)) is sent as plain text. Nesting depth and batch sizes are the job of
 * `splitForAppend` (append-batches.ts).
 *
 * Every top-level token converts on its own, so converting tokens one by one (MarkdownBlockStream) gives the same
 * blocks as converting the whole text.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { Annotations, NotionBlock, RichTextItem, TextBlockType } from './blocks.js';
import { toNotionLanguage } from './code-languages.js';
import { decodeEntities } from './entities.js';
import { NOTION_LIMITS } from './limits.js';
import { chunkRichText, isSendableLink, mergeRichText, textItems } from './rich-text.js';

/** marked's block tokens for the text (line endings normalised to \n, so token `raw`s add up to the input). */
export function lexMarkdown(markdown: string): Token[] {
  return new BoundedInlineLexer({ gfm: true }).lex(normaliseNewlines(markdown));
}

/**
 * The most Markdown punctuation (emphasis, link, code and HTML delimiters) marked scans in one inline run (a
 * paragraph's, heading's or table cell's text). marked's emphasis and link scanning is super-linear in the number
 * of delimiters (`_a__a` repeated: 2 KB 24 ms, 4 KB 46 ms, 8 KB 174 ms on a busy machine), while plain words cost
 * little however long. So a run with more delimiters than this is scanned in pieces, cut at a line break or space.
 * Ordinary text (even a paragraph of 150 links) stays in one piece; in a longer run only a span crossing a cut
 * loses its formatting. No text is lost.
 */
export const INLINE_RUN_DELIMITERS = 1_000;
const DELIMITER = /[*_~`[\]()<>!\\&]/;

class BoundedInlineLexer extends Lexer {
  override inlineTokens(src: string, tokens: Token[] = []): Token[] {
    const pieces = inlinePieces(src);
    if (pieces.length === 1) return super.inlineTokens(src, tokens);
    for (const piece of pieces) super.inlineTokens(piece, tokens);
    return tokens;
  }
}

/** The run cut into pieces of at most INLINE_RUN_DELIMITERS delimiters each (usually one piece). */
function inlinePieces(src: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let delimiters = 0;
  let lastBreak = -1;
  for (let i = 0; i < src.length; i++) {
    const char = src[i]!;
    if (char === ' ' || char === '\n') lastBreak = i + 1;
    if (!DELIMITER.test(char) || ++delimiters <= INLINE_RUN_DELIMITERS) continue;
    const cut = lastBreak > start ? lastBreak : start + cutPoint(src.slice(start, i), i - start);
    pieces.push(src.slice(start, cut));
    start = cut;
    i = cut - 1;
    delimiters = 0;
  }
  pieces.push(src.slice(start));
  return pieces.filter((piece) => piece !== '');
}

/** Where to cut `text` at most `max` characters in: after its last line break, else its last space, else at `max`. */
export function cutPoint(text: string, max: number): number {
  const head = text.slice(0, max);
  const newline = head.lastIndexOf('\n');
  if (newline > 0) return newline + 1;
  const space = head.lastIndexOf(' ');
  if (space > 0) return space + 1;
  // Never between the halves of a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Text as it was written, in paragraphs (split at blank lines): for text marked cannot lex. */
export function plainTextBlocks(text: string): NotionBlock[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\n+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '')
    .flatMap((paragraph) => textBlocks('paragraph', textItems(paragraph)));
}

export function tokensToBlocks(tokens: readonly Token[]): NotionBlock[] {
  return tokens.flatMap((token) => tokenToBlocks(token));
}

function tokenToBlocks(token: Token): NotionBlock[] {
  switch (token.type) {
    case 'space':
    case 'def':
      return [];
    case 'heading': {
      const heading = token as Tokens.Heading;
      const type: TextBlockType = heading.depth <= 1 ? 'heading_1' : heading.depth === 2 ? 'heading_2' : 'heading_3';
      return textBlocks(type, inline(heading.tokens));
    }
    case 'paragraph': {
      const paragraph = token as Tokens.Paragraph;
      const image = soleImage(paragraph.tokens);
      if (image) return [image];
      return textBlocks('paragraph', inline(paragraph.tokens));
    }
    case 'text': {
      const text = token as Tokens.Text;
      return textBlocks('paragraph', text.tokens ? inline(text.tokens) : textItems(decodeEntities(text.text)));
    }
    case 'list': {
      const list = token as Tokens.List;
      return list.items.flatMap((item) => listItemBlocks(item, list.ordered));
    }
    case 'blockquote':
      return quoteBlocks(token as Tokens.Blockquote);
    case 'code':
      return codeBlocks(token as Tokens.Code);
    case 'hr':
      return [{ object: 'block', type: 'divider', divider: {} }];
    case 'table':
      return [tableBlock(token as Tokens.Table)];
    case 'html':
      return htmlBlocks(token as Tokens.HTML);
    default: {
      // Tokens of marked extensions: keep their words.
      const generic = token as Tokens.Generic;
      if (Array.isArray(generic.tokens)) return textBlocks('paragraph', inline(generic.tokens));
      return typeof generic.text === 'string' ? textBlocks('paragraph', textItems(generic.text)) : [];
    }
  }
}

/**
 * One block of `type`, or several when the rich text passes 100 items. Children go to the last block, so they stay
 * right under the text they belong to.
 */
function textBlocks(type: TextBlockType | 'to_do', richText: RichTextItem[], children: NotionBlock[] = [], checked = false): NotionBlock[] {
  const chunks = chunkRichText(mergeRichText(richText));
  return chunks.map((chunk, index) => {
    const body = index === chunks.length - 1 && children.length > 0 ? { rich_text: chunk, children } : { rich_text: chunk };
    if (type === 'to_do') return { object: 'block', type, to_do: { ...body, checked } };
    return { object: 'block', type, [type]: body } as NotionBlock;
  });
}

function listItemBlocks(item: Tokens.ListItem, ordered: boolean): NotionBlock[] {
  const tokens = item.tokens.filter((token) => token.type !== 'checkbox');
  const first = tokens[0];
  let richText: RichTextItem[] = [];
  let rest = tokens;
  if (first && (first.type === 'text' || first.type === 'paragraph')) {
    const textual = first as Tokens.Text | Tokens.Paragraph;
    richText = textual.tokens ? inline(textual.tokens) : textItems(decodeEntities(textual.text));
    rest = tokens.slice(1);
  }
  const children = tokensToBlocks(rest);
  if (item.task) return textBlocks('to_do', richText, children, item.checked === true);
  return textBlocks(ordered ? 'numbered_list_item' : 'bulleted_list_item', richText, children);
}

/** The quote's opening paragraphs are its text (joined by blank lines); anything after them is nested inside. */
function quoteBlocks(quote: Tokens.Blockquote): NotionBlock[] {
  const richText: RichTextItem[] = [];
  let index = 0;
  for (; index < quote.tokens.length; index++) {
    const token = quote.tokens[index]!;
    if (token.type === 'space') continue;
    if (token.type !== 'paragraph') break;
    if (richText.length > 0) richText.push(...textItems('\n\n'));
    richText.push(...inline((token as Tokens.Paragraph).tokens));
  }
  return textBlocks('quote', richText, tokensToBlocks(quote.tokens.slice(index)));
}

function codeBlocks(code: Tokens.Code): NotionBlock[] {
  const language = toNotionLanguage(code.codeBlockStyle === 'indented' ? '' : code.lang);
  return chunkRichText(textItems(code.text)).map((chunk) => ({ object: 'block', type: 'code', code: { rich_text: chunk, language } }));
}

function tableBlock(table: Tokens.Table): NotionBlock {
  const width = Math.max(1, table.header.length, ...table.rows.map((row) => row.length));
  const row = (cells: readonly Tokens.TableCell[]): NotionBlock => ({
    object: 'block',
    type: 'table_row',
    table_row: { cells: Array.from({ length: width }, (_, i) => cellText(cells[i])) },
  });
  return {
    object: 'block',
    type: 'table',
    table: { table_width: width, has_column_header: true, has_row_header: false, children: [row(table.header), ...table.rows.map(row)] },
  };
}

/** A cell cannot be split into two blocks; past 100 items its tail is cut (marked …). */
function cellText(cell: Tokens.TableCell | undefined): RichTextItem[] {
  const items = cell ? mergeRichText(inline(cell.tokens)) : [];
  if (items.length <= NOTION_LIMITS.richTextItems) return items;
  const kept = items.slice(0, NOTION_LIMITS.richTextItems - 1);
  return [...kept, ...textItems('…')];
}

/** Raw HTML blocks keep their text; comments and lone line breaks are dropped. */
function htmlBlocks(html: Tokens.HTML): NotionBlock[] {
  const text = html.text.replace(/<!--[\s\S]*?-->/g, '').trim();
  if (text === '' || /^<br\s*\/?>$/i.test(text)) return [];
  return textBlocks('paragraph', textItems(text));
}

/** A paragraph that is only an image (the usual `![alt](url)` line) becomes an image block. */
function soleImage(tokens: readonly Token[]): NotionBlock | undefined {
  const meaningful = tokens.filter((token) => !(token.type === 'text' && (token as Tokens.Text).text.trim() === ''));
  if (meaningful.length !== 1 || meaningful[0]!.type !== 'image') return undefined;
  const image = meaningful[0] as Tokens.Image;
  const url = decodeEntities(image.href);
  if (!/^https?:\/\//i.test(url) || !isSendableLink(url)) return undefined;
  const caption = chunkRichText(mergeRichText(textItems(decodeEntities(image.text))))[0] ?? [];
  return {
    object: 'block',
    type: 'image',
    image: caption.length > 0 ? { type: 'external', external: { url }, caption } : { type: 'external', external: { url } },
  };
}

interface InlineState {
  readonly annotations: Annotations;
  readonly link: string | undefined;
}

const HTML_ANNOTATIONS: Readonly<Record<string, keyof Annotations>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  del: 'strikethrough',
  strike: 'strikethrough',
  code: 'code',
};

/** Inline tokens -> rich text, with annotations combined as they nest (bold inside a link inside italic, ...). */
export function inline(tokens: readonly Token[] | undefined, outer: InlineState = { annotations: {}, link: undefined }): RichTextItem[] {
  const items: RichTextItem[] = [];
  let state = outer;
  const annotate = (name: keyof Annotations): InlineState => ({ ...state, annotations: { ...state.annotations, [name]: true } });
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'text': {
        const text = token as Tokens.Text;
        if (text.tokens && text.tokens.length > 0) items.push(...inline(text.tokens, state));
        else items.push(...textItems(decodeEntities(text.text), state.annotations, state.link));
        break;
      }
      case 'escape':
        items.push(...textItems((token as Tokens.Escape).text, state.annotations, state.link));
        break;
      case 'strong':
        items.push(...inline((token as Tokens.Strong).tokens, annotate('bold')));
        break;
      case 'em':
        items.push(...inline((token as Tokens.Em).tokens, annotate('italic')));
        break;
      case 'del':
        items.push(...inline((token as Tokens.Del).tokens, annotate('strikethrough')));
        break;
      case 'codespan':
        // CommonMark keeps code spans literal: no entity decoding.
        items.push(...textItems((token as Tokens.Codespan).text, { ...state.annotations, code: true }, state.link));
        break;
      case 'br':
        items.push(...textItems('\n', state.annotations, state.link));
        break;
      case 'link': {
        const link = token as Tokens.Link;
        const href = link.autolink ? link.href : decodeEntities(link.href);
        const inner: InlineState = { ...state, link: isSendableLink(href) ? href : state.link };
        const label = link.tokens.length > 0 ? inline(link.tokens, inner) : textItems(href, inner.annotations, inner.link);
        items.push(...label);
        break;
      }
      case 'image': {
        const image = token as Tokens.Image;
        const href = decodeEntities(image.href);
        const label = decodeEntities(image.text) || href;
        items.push(...textItems(label, state.annotations, isSendableLink(href) ? href : state.link));
        break;
      }
      case 'html': {
        const tag = /^<(\/?)([a-z]+)\b[^>]*?(\/?)>$/i.exec((token as Tokens.Tag).text.trim());
        const name = tag?.[2]?.toLowerCase();
        if (/^<!--[\s\S]*-->$/.test((token as Tokens.Tag).text.trim())) break;
        if (name === 'br') {
          items.push(...textItems('\n', state.annotations, state.link));
        } else if (tag && name && HTML_ANNOTATIONS[name]) {
          const flag = HTML_ANNOTATIONS[name]!;
          const closing = tag[1] === '/';
          state = { ...state, annotations: { ...state.annotations, [flag]: closing ? outer.annotations[flag] === true : true } };
        } else {
          items.push(...textItems((token as Tokens.Tag).text, state.annotations, state.link));
        }
        break;
      }
      case 'checkbox':
        break;
      default: {
        const generic = token as Tokens.Generic;
        if (Array.isArray(generic.tokens)) items.push(...inline(generic.tokens, state));
        else if (typeof generic.text === 'string') items.push(...textItems(generic.text, state.annotations, state.link));
      }
    }
  }
  return items;
}
