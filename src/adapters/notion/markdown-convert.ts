/**
 * Markdown (as a model writes it) -> Notion blocks, with marked's lexer (GFM). Block types and shapes:
 * https://developers.notion.com/reference/block. Headings 1-3 (4-6 become heading_3, Notion's smallest heading
 * Visen uses), paragraphs, bulleted / numbered lists and to-dos with nested children, quotes, code with the
 * language mapped to Notion's list, dividers, tables (`table` with `table_row` children), images as external image
 * blocks (inline images become links), bold, italic, strikethrough, inline code and links in rich text, math as
 * equations (markdown-math.ts), `<details>` as toggles and other HTML as its text (markdown-html.ts).
 *
 * Limits (https://developers.notion.com/reference/request-limits): text is split into items of at most 2000
 * characters; a block whose rich text would pass 100 items becomes several blocks of the same type; a link URL over
 * 2000 characters (or not absolute http(s)) is sent as plain text. Nesting depth and batch sizes are the job of
 * `splitForAppend` (append-batches.ts).
 *
 * Every top-level token converts on its own, so converting tokens one by one (MarkdownBlockStream) gives the same
 * blocks as converting the whole text.
 */
import type { Token, Tokens } from 'marked';
import type { NotionBlock, RichTextItem, TextBlockType } from './blocks.js';
import { toNotionLanguage } from './code-languages.js';
import { NOTION_LIMITS } from './limits.js';
import { decodeEntities } from './markdown-entities.js';
import { type DetailsToken, htmlBlockText } from './markdown-html.js';
import { altText, inline, mathItems } from './markdown-inline.js';
import { lexMarkdown } from './markdown-lexer.js';
import { type BlockMathToken, type InlineMathToken, MAX_EXPRESSION_CHARS } from './markdown-math.js';
import { chunkRichText, isSendableLink, mergeRichText, textItems } from './rich-text.js';

export { inline } from './markdown-inline.js';
export { cutPoint, INLINE_RUN_DELIMITERS, lexMarkdown, normaliseNewlines } from './markdown-lexer.js';

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
      const sole = soleImage(paragraph.tokens) ?? soleDisplayMath(paragraph.tokens);
      if (sole) return [sole];
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
    case 'blockMath':
      return blockMathBlocks(token as BlockMathToken);
    case 'details':
      return detailsBlocks(token as DetailsToken);
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
  } else if (first?.type === 'blockMath' && !(first as BlockMathToken).open) {
    // `- $$x$$`: the item's text is the equation.
    richText = mathItems((first as BlockMathToken).text);
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

/** Raw HTML blocks keep their text, without the tags; comments and lone line breaks are dropped. */
function htmlBlocks(html: Tokens.HTML): NotionBlock[] {
  const text = htmlBlockText(html.text);
  return text === '' ? [] : textBlocks('paragraph', textItems(text));
}

/**
 * Display math as an equation block (https://developers.notion.com/reference/block#equation); past Notion's
 * 1000 characters, a LaTeX code block. A display that never closed is read again as ordinary Markdown.
 */
function blockMathBlocks(math: BlockMathToken): NotionBlock[] {
  if (math.open) return tokensToBlocks(lexMarkdown(math.text, { blockMath: false }));
  return displayMath(math.text);
}

function displayMath(expression: string): NotionBlock[] {
  if (expression.length > MAX_EXPRESSION_CHARS) {
    return chunkRichText(textItems(expression)).map((chunk) => ({ object: 'block', type: 'code', code: { rich_text: chunk, language: 'latex' } }));
  }
  return [{ object: 'block', type: 'equation', equation: { expression } }];
}

/** A paragraph that is only `$$…$$` is display math. */
function soleDisplayMath(tokens: readonly Token[]): NotionBlock | undefined {
  const meaningful = tokens.filter((token) => !(token.type === 'text' && (token as Tokens.Text).text.trim() === ''));
  const math = meaningful[0] as InlineMathToken | undefined;
  if (meaningful.length !== 1 || math?.type !== 'inlineMath' || !math.raw.startsWith('$$')) return undefined;
  return displayMath(math.text)[0];
}

/**
 * `<details>` as a toggle block (https://developers.notion.com/reference/block#toggle-blocks): the summary is
 * its text ("Details" without one, as browsers show it), the body its children. A `<details>` that never closed
 * has no toggle: its summary and body land as they are.
 */
function detailsBlocks(details: DetailsToken): NotionBlock[] {
  const summary = inline(details.summary);
  const children = tokensToBlocks(details.tokens);
  if (details.open) return [...(summary.length > 0 ? textBlocks('paragraph', summary) : []), ...children];
  return textBlocks('toggle', details.hasSummary ? summary : textItems('Details'), children);
}

/** A paragraph that is only an image (the usual `![alt](url)` line) becomes an image block. */
function soleImage(tokens: readonly Token[]): NotionBlock | undefined {
  const meaningful = tokens.filter((token) => !(token.type === 'text' && (token as Tokens.Text).text.trim() === ''));
  if (meaningful.length !== 1 || meaningful[0]!.type !== 'image') return undefined;
  const image = meaningful[0] as Tokens.Image;
  const url = decodeEntities(image.href);
  if (!/^https?:\/\//i.test(url) || !isSendableLink(url)) return undefined;
  const caption = chunkRichText(mergeRichText(textItems(altText(image))))[0] ?? [];
  return {
    object: 'block',
    type: 'image',
    image: caption.length > 0 ? { type: 'external', external: { url }, caption } : { type: 'external', external: { url } },
  };
}
