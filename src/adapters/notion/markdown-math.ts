/**
 * TeX math as models write it, as marked extensions, for Notion's equations: display math (`$$…$$` on its own
 * lines, or alone on one line) becomes an `equation` block (https://developers.notion.com/reference/block#equation),
 * and inline math (`$x^2$`, or `$$…$$` inside a sentence) an inline equation
 * (https://developers.notion.com/reference/rich-text#equation).
 *
 * Inline `$` follows pandoc's rule (also GitHub's), so prices stay text: the opening `$` is not followed by a space,
 * the closing `$` is not preceded by a space nor followed by a digit ("$5 and $12" has no math). `\$` is a dollar.
 *
 * Display math never spans a blank line: a `$$` opening that meets a blank line before its closing `$$` is not math.
 * So a display still being streamed is one token up to the end of the text (`open`), always the last token, and
 * waits like any growing block; if the text ends there, it is read again as ordinary Markdown (not math).
 *
 * Notion takes an expression of at most 1,000 characters (https://developers.notion.com/reference/request-limits);
 * a longer one stays readable as LaTeX code (a code block, or code-annotated text inline), never a rejected request.
 */
import type { TokenizerExtension, Tokens } from 'marked';

export const MAX_EXPRESSION_CHARS = 1_000;
/** An inline `$…$` is looked for this far at most: past it, the `$` is text (keeps scanning linear). */
const MAX_INLINE_MATH_CHARS = 2 * MAX_EXPRESSION_CHARS;

export interface BlockMathToken extends Tokens.Generic {
  readonly type: 'blockMath';
  /** The expression, trimmed; for an open display, the raw text. */
  readonly text: string;
  /** The closing `$$` never came: the text is read as ordinary Markdown. */
  readonly open: boolean;
}

export interface InlineMathToken extends Tokens.Generic {
  readonly type: 'inlineMath';
  readonly text: string;
}

const OPENING = /^ {0,3}\$\$/;
const SINGLE_LINE = /^ {0,3}\$\$((?:[^\n$\\]|\\[^\n]|\$(?!\$))+?)\$\$[ \t]*(?:\n|$)/;
const BLANK_LINE = /^[ \t]*$/;

/** Where display math that `src` starts with ends (just after its line), whether it closed, and its expression. */
export function matchBlockMath(src: string): { end: number; expression: string; open: boolean } | undefined {
  if (!OPENING.test(src)) return undefined;
  const single = SINGLE_LINE.exec(src);
  if (single && single[1]!.trim() !== '') return { end: single[0].length, expression: single[1]!.trim(), open: false };
  const firstEnd = lineEnd(src, 0);
  const opening = src.slice(0, firstEnd).replace(OPENING, '');
  if (opening.includes('$$')) return undefined;
  const lines = [opening];
  for (let start = firstEnd + 1; start <= src.length; ) {
    if (start === src.length) return { end: src.length, expression: src, open: true };
    const end = lineEnd(src, start);
    const line = src.slice(start, end);
    if (BLANK_LINE.test(line)) return undefined;
    const close = /^(.*?)\$\$[ \t]*$/.exec(line);
    if (close && !close[1]!.includes('$$')) {
      lines.push(close[1]!);
      const expression = lines.join('\n').trim();
      return expression === '' ? undefined : { end: Math.min(src.length, end + 1), expression, open: false };
    }
    lines.push(line);
    start = end + 1;
  }
  return { end: src.length, expression: src, open: true };
}

function lineEnd(src: string, from: number): number {
  const newline = src.indexOf('\n', from);
  return newline < 0 ? src.length : newline;
}

/**
 * Where in `src` (a paragraph's rest) a display math starts on a line of its own, so it can interrupt the
 * paragraph. Only where it really matches: a paragraph cut where nothing follows would be joined again by marked,
 * and the stream would already have emitted its first half. Looks no further than the paragraph's first blank line.
 */
function startOfBlockMath(src: string): number | undefined {
  const paragraph = paragraphHead(src);
  const found = /\n {0,3}\$\$/.exec(paragraph);
  if (!found) return undefined;
  // A later candidate in the same paragraph meets the same blank line: the first one decides.
  return matchBlockMath(src.slice(found.index + 1)) ? found.index + 1 : undefined;
}

/** `src` up to its first blank line (where a paragraph ends), found without scanning past it. */
export function paragraphHead(src: string): string {
  const blank = /\n[ \t]*\n/.exec(src);
  return blank ? src.slice(0, blank.index) : src;
}

export function blockMathExtension(): TokenizerExtension {
  return {
    name: 'blockMath',
    level: 'block',
    start: startOfBlockMath,
    tokenizer(src) {
      const match = matchBlockMath(src);
      if (!match) return undefined;
      const raw = src.slice(0, match.end);
      const token: BlockMathToken = { type: 'blockMath', raw, text: match.open ? raw : match.expression, open: match.open };
      return token;
    },
  };
}

/** The inline math `src` starts with, if any: `$$…$$` or `$…$` by pandoc's rule. */
export function matchInlineMath(src: string): { raw: string; expression: string } | undefined {
  if (src[0] !== '$') return undefined;
  const display = src[1] === '$';
  const from = display ? 2 : 1;
  const first = src[from];
  if (first === undefined || /\s/.test(first) || (!display && first === '$')) return undefined;
  const close = closingDollar(src, from, display);
  if (close < 0) return undefined;
  const expression = display ? src.slice(from, close).trim() : src.slice(from, close);
  return expression === '' ? undefined : { raw: src.slice(0, close + (display ? 2 : 1)), expression };
}

/** A `$` that may close inline math (pandoc: not after whitespace, not before a digit), or a blank line. */
const INLINE_CLOSE_OR_BLANK = /(?<=\S)\$(?!\d)|\n\n/g;
const DISPLAY_CLOSE_OR_BLANK = /\$\$|\n\n/g;

/**
 * Index of the `$` (or `$$`) closing inline math opened before `from`, or -1 (none before a blank line). Searched
 * by a native regex over a bounded window, so text full of openers that never close ("a $b a $b …") costs one
 * quick scan per `$`, not a JavaScript loop over the window (that took 130 ms per 8,000 characters).
 */
function closingDollar(src: string, from: number, display: boolean): number {
  const window = src.slice(0, Math.min(src.length, from + MAX_INLINE_MATH_CHARS));
  const search = display ? DISPLAY_CLOSE_OR_BLANK : INLINE_CLOSE_OR_BLANK;
  search.lastIndex = from + 1;
  for (let found = search.exec(window); found !== null; found = search.exec(window)) {
    if (found[0] === '\n\n') return -1;
    // closesInline again: the window may end just before a digit that rules the `$` out.
    if (!isEscaped(window, found.index, from + 1) && (display || closesInline(src, found.index))) return found.index;
    search.lastIndex = found.index + 1;
  }
  return -1;
}

/** A character after an odd run of backslashes (counted back to `start`) is escaped. */
function isEscaped(text: string, at: number, start: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= start && text[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** pandoc's closing `$`: not after a space, not before a digit. */
function closesInline(src: string, at: number): boolean {
  return !/\s/.test(src[at - 1]!) && !/\d/.test(src[at + 1] ?? '');
}

export function inlineMathExtension(): TokenizerExtension {
  return {
    name: 'inlineMath',
    level: 'inline',
    start: (src) => {
      const at = src.indexOf('$');
      return at < 0 ? undefined : at;
    },
    tokenizer(src) {
      const match = matchInlineMath(src);
      if (!match) return undefined;
      const token: InlineMathToken = { type: 'inlineMath', raw: match.raw, text: match.expression };
      return token;
    },
  };
}
