/**
 * Bounds on the work of turning a model's Markdown into blocks, whatever the model wrote.
 *
 * marked's lexer is super-linear on some inputs: a list item followed by thousands of unindented continuation
 * lines (16 KB 40 ms, 0.2 MB 3.7 s, 0.4 MB 7.9 s), lists nested hundreds deep, long emphasis runs (`_a__a…`),
 * and it overflows the stack on quotes nested a few thousand deep (`>>>>…`). So no call to marked ever sees more
 * than BLOCK_LEX_CHARS characters (inline runs with many delimiters are cut further, see INLINE_RUN_DELIMITERS),
 * a text marked cannot lex lands as plain paragraphs, and a single block longer than the bound is cut at a line end:
 * - a list: before its last item (the items become the same Notion blocks as without the cut);
 * - a fenced code block or a table: the rest continues in a new code block (same fence line) or a new table
 *   (same header row);
 * - anything else (a paragraph, a quote, a list item of thousands of lines): the rest is lexed on its own, so
 *   lazy continuation lines become paragraphs.
 * The exception is a fenced code block: marked lexes it in time linear in its length (no inline Markdown, no
 * nesting), so it is lexed whole once its closing fence has arrived, and long code stays one piece of code.
 * Every character of the model's text lands in some block. See docs/markdown-converter.md.
 */
import type { Token, Tokens } from 'marked';
import type { NotionBlock } from './blocks.js';
import { plainTextBlocks, tokensToBlocks } from './markdown-convert.js';
import { cutPoint, type LexOptions, lexMarkdown } from './markdown-lexer.js';

/** The most text one call of marked's lexer is given. Measured worst cases at this size are tens of ms. */
export const BLOCK_LEX_CHARS = 8_000;

/**
 * Quotes and lists nested deeper than this on one line (`>>>>…`, `- - - …`, `> 1. > 1. …`) are not given to
 * marked: it re-scans the rest of the text at every level (8,000 `>` took 2.4 s before overflowing the stack).
 * Notion shows a few levels at most; such text lands as plain paragraphs.
 */
export const MAX_LINE_NESTING = 32;
const DEEP_LINE = new RegExp(`^(?:[ \\t]*(?:>|[-+*](?=[ \\t])|\\d{1,9}[.)](?=[ \\t]))){${MAX_LINE_NESTING + 1}}`, 'm');

/** marked's tokens, or undefined when the text nests too deep or marked fails on it. */
export function lexSafely(text: string, options: LexOptions = {}): Token[] | undefined {
  if (DEEP_LINE.test(text)) return undefined;
  try {
    return lexMarkdown(text, options);
  } catch {
    return undefined;
  }
}

/** Blocks for tokens lexed from `text`; plain paragraphs if the tokens are too deep for our own conversion. */
export function convertSafely(tokens: readonly Token[], text: string): NotionBlock[] {
  try {
    return tokensToBlocks(tokens);
  } catch {
    return plainTextBlocks(text);
  }
}

/** Index of the last token that is not blank space, or -1. */
export function lastBlockIndex(tokens: readonly Token[]): number {
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.type === 'space') last -= 1;
  return last;
}

/**
 * How many tokens before the last (growing) one are complete: all of them, except a definition right before it,
 * whose title may be on the line that follows (`[a]: /url` then `"title"`).
 */
export function completeCount(tokens: readonly Token[], last: number): number {
  return last > 0 && tokens[last - 1]!.type === 'def' ? last - 1 : Math.max(0, last);
}

/** The length of `text` the tokens' raws cover from its start, or -1 if they do not add up to a prefix of it. */
export function rawLength(tokens: readonly { raw: string }[], text: string): number {
  const raw = tokens.map((token) => token.raw).join('');
  return text.startsWith(raw) ? raw.length : -1;
}

export interface HeadCut {
  /** The tokens to emit, lexed from `text`; undefined: `text` lands as plain paragraphs. */
  readonly tokens: Token[] | undefined;
  readonly text: string;
  /** Characters of the pending text these blocks stand for. */
  readonly consumed: number;
  /** Text to put before the rest, so it goes on as the same kind of block (a fence line, a table header). */
  readonly reopen: string;
  /** Characters given to marked for this cut. */
  readonly lexed: number;
}

/**
 * The next piece of a pending text longer than BLOCK_LEX_CHARS. At least half of what was lexed is consumed, unless
 * `allowShort`: then complete blocks before a long one are emitted alone, so the long one is cut from its own start.
 */
export function cutHead(pending: string, allowShort: boolean, options: LexOptions = {}): HeadCut {
  const head = pending.slice(0, cutPoint(pending, BLOCK_LEX_CHARS));
  const tokens = lexSafely(head, options);
  const lexed = head.length;
  const plain: HeadCut = { tokens: undefined, text: head, consumed: head.length, reopen: '', lexed };
  if (!tokens) return plain;
  const last = lastBlockIndex(tokens);
  const complete = tokens.slice(0, completeCount(tokens, last));
  const completeLength = rawLength(complete, head);
  if (completeLength >= head.length / 2 || (allowShort && completeLength > 0))
    return { tokens: complete, text: head.slice(0, completeLength), consumed: completeLength, reopen: '', lexed };
  const lastToken = tokens[last];
  if (completeLength >= 0 && lastToken?.type === 'list') {
    const listCut = leadingItems(lastToken as Tokens.List, head.slice(completeLength));
    if (listCut && completeLength + listCut.length >= head.length / 2) {
      const consumed = completeLength + listCut.length;
      return { tokens: [...complete, listCut.list], text: head.slice(0, consumed), consumed, reopen: '', lexed };
    }
  }
  if (rawLength(tokens, head) !== head.length) return plain;
  const reopen = lastToken ? reopenLine(lastToken) : '';
  return { tokens, text: head, consumed: head.length, reopen: reopen.length <= head.length / 4 ? reopen : '', lexed };
}

/** The list without its last item (which may go on past the cut), and the length of text those items cover. */
function leadingItems(list: Tokens.List, text: string): { list: Tokens.List; length: number } | undefined {
  if (list.items.length < 2) return undefined;
  const items = list.items.slice(0, -1);
  const length = rawLength(items, text);
  if (length <= 0) return undefined;
  return { list: { ...list, items, raw: text.slice(0, length) }, length };
}

/** What makes the rest of a cut block go on as the same kind of block. */
function reopenLine(token: Token): string {
  const lines = token.raw.split('\n');
  if (token.type === 'code' && (token as Tokens.Code).codeBlockStyle !== 'indented') {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(lines[0] ?? '')?.[1];
    if (!fence) return '';
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body = token.raw.replace(/\n+$/, '').split('\n').slice(1);
    const closed = body.length > 0 && closing.test(body.at(-1)!);
    return closed ? '' : `${lines[0]}\n`;
  }
  if (token.type === 'table' && lines.length >= 2) return `${lines[0]}\n${lines[1]}\n`;
  return '';
}

export interface Fence {
  /** The fence's characters as written (three or more backticks or tildes). */
  readonly marker: string;
  /** Where the code's lines start (after any blank lines and the opening fence line). */
  readonly bodyStart: number;
}

/** The fence of a fenced code block that `text` starts with (after blank lines), as marked reads it. */
export function openingFence(text: string): Fence | undefined {
  const match = /^(?:[ \t]*\n)*( {0,3})(`{3,}(?=[^`\n]*(?:\n|$))|~{3,})[^\n]*(?:\n|$)/.exec(text);
  if (!match) return undefined;
  return { marker: match[2]!, bodyStart: match[0].length };
}

/**
 * The end of the fenced block (just after its closing fence line) if the closing fence is in `text`, else -1.
 * Scans lines from `from` (a line start at or after `fence.bodyStart`), so a caller can resume where it stopped.
 * The closing rule is marked's: up to 3 spaces, the same fence, then only fence characters and spaces.
 */
export function closingFenceEnd(text: string, fence: Fence, from: number): { end: number; scanned: number } {
  const closing = new RegExp(`^ {0,3}${fence.marker}[~\`]* *$`);
  let lineStart = Math.max(from, fence.bodyStart);
  for (;;) {
    const newline = text.indexOf('\n', lineStart);
    if (newline < 0) return { end: -1, scanned: lineStart };
    if (closing.test(text.slice(lineStart, newline))) return { end: newline + 1, scanned: newline + 1 };
    lineStart = newline + 1;
  }
}
