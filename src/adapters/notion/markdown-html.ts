/**
 * HTML that models write inside Markdown, as Notion can show it (Notion has no HTML): `<details>` with its
 * `<summary>` becomes a toggle block (https://developers.notion.com/reference/block#toggle-blocks); inline tags
 * that mean an annotation become it (`<b>`, `<i>`, `<u>`, `<s>`, `<code>`, `<kbd>` as code); `<br>` is a line
 * break; `<a href>` a link. Notion has no subscript or superscript, so `<sub>`/`<sup>` text uses Unicode's
 * subscript and superscript characters when every character has one (H₂O, x², 10⁻³) and is kept as written
 * otherwise (`<sub>max</sub>` → "max"). Any other tag is dropped and its text kept, never the raw tag.
 */
import type { Token, TokenizerExtension, TokenizerThis, Tokens } from 'marked';
import type { Annotations } from './blocks.js';
import { decodeEntities } from './markdown-entities.js';
import { paragraphHead } from './markdown-math.js';

/** `<details>` nested deeper than this is left to marked as an HTML block (its text is kept). */
const MAX_DETAILS_DEPTH = 8;

export interface DetailsToken extends Tokens.Generic {
  readonly type: 'details';
  /** The summary's inline tokens (empty without a `<summary>`). */
  readonly summary: Token[];
  readonly hasSummary: boolean;
  /** The body's block tokens. */
  readonly tokens: Token[];
  /** The closing tag never came: the body runs to the end of the text and has no toggle. */
  readonly open: boolean;
}

const DETAILS_OPEN = /^ {0,3}<details(?=[\s>])[^>]*>/i;
const DETAILS_TAG = /<(\/?)details(?=[\s>])[^>]*>/gi;
const SUMMARY = /^\s*<summary(?=[\s>])[^>]*>([\s\S]*?)<\/summary\s*>/i;

/** The end of the `</details>` that closes the one `text` opens (just after it and its line's spaces), or -1. */
function detailsEnd(text: string, from: number): { tagStart: number; end: number } | undefined {
  DETAILS_TAG.lastIndex = from;
  let depth = 1;
  for (let tag = DETAILS_TAG.exec(text); tag; tag = DETAILS_TAG.exec(text)) {
    depth += tag[1] === '/' ? -1 : 1;
    if (depth > MAX_DETAILS_DEPTH) return undefined;
    if (depth > 0) continue;
    const after = /^[ \t]*(?:\n|$)/.exec(text.slice(DETAILS_TAG.lastIndex));
    return { tagStart: tag.index, end: DETAILS_TAG.lastIndex + (after ? after[0].length : 0) };
  }
  return undefined;
}

let detailsDepth = 0;

export function detailsExtension(): TokenizerExtension {
  return {
    name: 'details',
    level: 'block',
    start: (src) => {
      const at = paragraphHead(src).search(/\n {0,3}<details(?=[\s>])/i);
      return at < 0 ? undefined : at + 1;
    },
    tokenizer(this: TokenizerThis, src) {
      const opening = DETAILS_OPEN.exec(src);
      if (!opening || detailsDepth >= MAX_DETAILS_DEPTH) return undefined;
      const close = detailsEnd(src, opening[0].length);
      const bodyEnd = close ? close.tagStart : src.length;
      let body = src.slice(opening[0].length, bodyEnd);
      const summary = SUMMARY.exec(body);
      if (summary) body = body.slice(summary[0].length);
      detailsDepth += 1;
      const top = this.lexer.state.top;
      this.lexer.state.top = true;
      try {
        const token: DetailsToken = {
          type: 'details',
          raw: src.slice(0, close ? close.end : src.length),
          summary: summary ? this.lexer.inline(summary[1]!.trim(), []) : [],
          hasSummary: summary !== null,
          tokens: this.lexer.blockTokens(body.replace(/^[ \t]*\n/, ''), []),
          open: close === undefined,
        };
        return token;
      } finally {
        this.lexer.state.top = top;
        detailsDepth -= 1;
      }
    },
  };
}

// CommonMark 0.31's comments include the empty `<!-->` and `<!--->`.
const COMMENT_LIKE = /<!---?>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>/g;
const LINE_BREAK_TAG = /<br\s*\/?>/gi;
// Quoted attribute values may hold `>`; a `<` ends the attempt, so a text full of `<` is scanned once.
const ANY_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:"[^"]*"|'[^']*'|[^'"<>])*>/g;

/** The text an HTML block shows: comments and tags dropped, `<br>` as a line break, references decoded. */
export function htmlBlockText(html: string): string {
  const text = html.replace(COMMENT_LIKE, '').replace(LINE_BREAK_TAG, '\n').replace(ANY_TAG, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type Script = 'sub' | 'sup';

/** What an inline tag does to the text after it (until its closing tag). */
export type TagEffect =
  | { readonly kind: 'annotation'; readonly annotation: keyof Annotations; readonly closing: boolean }
  | { readonly kind: 'script'; readonly script: Script; readonly closing: boolean }
  | { readonly kind: 'link'; readonly href: string | undefined; readonly closing: boolean }
  | { readonly kind: 'break' }
  | { readonly kind: 'none' };

const TAG_ANNOTATIONS: Readonly<Record<string, keyof Annotations>> = {
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
  kbd: 'code',
  samp: 'code',
  tt: 'code',
};

const TAG = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)([\s\S]*?)\/?>$/;
const HREF = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

/** The effect of one inline HTML token (a tag, a comment, ...): comments and unknown tags have none. */
export function inlineTagEffect(html: string): TagEffect {
  const tag = TAG.exec(html.trim());
  if (!tag) return { kind: 'none' };
  const closing = tag[1] === '/';
  const name = tag[2]!.toLowerCase();
  if (name === 'br') return { kind: 'break' };
  const annotation = TAG_ANNOTATIONS[name];
  if (annotation) return { kind: 'annotation', annotation, closing };
  if (name === 'sub' || name === 'sup') return { kind: 'script', script: name, closing };
  if (name === 'a') {
    const href = HREF.exec(tag[3] ?? '');
    const value = href ? (href[1] ?? href[2] ?? href[3] ?? '') : undefined;
    return { kind: 'link', href: value === undefined ? undefined : decodeEntities(value), closing };
  }
  return { kind: 'none' };
}

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...'0123456789'].map((digit, i) => [digit, '⁰¹²³⁴⁵⁶⁷⁸⁹'[i]!])),
  '+': '⁺',
  '-': '⁻',
  '−': '⁻',
  '=': '⁼',
  '(': '⁽',
  ')': '⁾',
  n: 'ⁿ',
  i: 'ⁱ',
};

const SUBSCRIPT: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...'0123456789'].map((digit, i) => [digit, '₀₁₂₃₄₅₆₇₈₉'[i]!])),
  '+': '₊',
  '-': '₋',
  '−': '₋',
  '=': '₌',
  '(': '₍',
  ')': '₎',
};

/** Text inside `<sub>`/`<sup>`: in Unicode sub/superscript characters if every character has one, else as is. */
export function scriptText(text: string, script: Script | undefined): string {
  if (!script) return text;
  const table = script === 'sub' ? SUBSCRIPT : SUPERSCRIPT;
  const chars = [...text];
  return chars.every((char) => table[char] !== undefined) ? chars.map((char) => table[char]).join('') : text;
}
