/**
 * marked's lexer (GFM) as the converter uses it: math and `<details>` extensions (markdown-math.ts,
 * markdown-html.ts), inline runs scanned in bounded pieces, and reference definitions that outlive one lex.
 *
 * References: marked resolves `[text][ref]` only against definitions in the same lex, but the stream lexes a text
 * in pieces. So a lex may be given the definitions already known (`links`), may be told to resolve only against
 * those (`inLexReferences: false`: a definition in the text being lexed may still be incomplete), and records,
 * per top-level token, the labels it tried and did not find (`unresolvedLabels`): what a later definition would
 * change. See markdown-references.ts.
 */
import { Lexer, type MarkedOptions, type Token, Tokenizer, type Tokens, type TokensList } from 'marked';
import { detailsExtension } from './markdown-html.js';
import { blockMathExtension, inlineMathExtension } from './markdown-math.js';

/**
 * The most Markdown punctuation (emphasis, link, code, math and HTML delimiters) marked scans in one inline run (a
 * paragraph's, heading's or table cell's text). marked's emphasis and link scanning is super-linear in the number
 * of delimiters (`_a__a` repeated: 2 KB 24 ms, 4 KB 46 ms, 8 KB 174 ms on a busy machine), while plain words cost
 * little however long. So a run with more delimiters than this is scanned in pieces, cut at a line break or space.
 * Ordinary text (even a paragraph of 150 links) stays in one piece; in a longer run only a span crossing a cut
 * loses its formatting. No text is lost.
 */
export const INLINE_RUN_DELIMITERS = 1_000;
const DELIMITER = /[*_~`[\]()<>!\\&$]/;

export type Link = { readonly href: string; readonly title?: string | null };

/** Reference definitions (`[label]: url`), the first one of a label winning, as CommonMark says. */
export class ReferenceLinks {
  readonly #links = new Map<string, Link>();

  get size(): number {
    return this.#links.size;
  }

  has(label: string): boolean {
    return this.#links.has(label);
  }

  /** Adds a definition unless its label is known; true if it was new. */
  learn(label: string, link: Link): boolean {
    if (this.#links.has(label)) return false;
    this.#links.set(label, link);
    return true;
  }

  /** A links object for marked: the known definitions, plus those a lex adds (without copying the known ones). */
  view(): Record<string, Link> {
    const known = this.#links;
    const get = (key: string | symbol) => (typeof key === 'string' ? known.get(key) : undefined);
    return new Proxy(Object.create(null) as Record<string, Link>, {
      get: (own, key) => (typeof key === 'string' && Object.hasOwn(own, key) ? own[key] : get(key)),
      has: (own, key) => key in own || get(key) !== undefined,
      getOwnPropertyDescriptor: (own, key) => {
        const mine = Object.getOwnPropertyDescriptor(own, key);
        if (mine) return mine;
        const value = get(key);
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      },
    });
  }
}

/** marked's label normalisation (case-folded, inner whitespace collapsed). */
export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase().toUpperCase().toLowerCase();
}

export interface LexOptions {
  /** Definitions from earlier text. */
  readonly links?: ReferenceLinks;
  /** Whether definitions found in this text resolve references in it (marked's own behaviour). Default true. */
  readonly inLexReferences?: boolean;
  /** Whether `$$` starts display math (false to read an unclosed display as ordinary Markdown). Default true. */
  readonly blockMath?: boolean;
}

const unresolved = new WeakMap<Token, ReadonlySet<string>>();

/** Labels of `[text][label]` / `[label]` references that a top-level token tried and did not find. */
export function unresolvedLabels(token: Token): ReadonlySet<string> | undefined {
  return unresolved.get(token);
}

/** marked's block tokens for the text (line endings normalised to \n, so token `raw`s add up to the input). */
export function lexMarkdown(markdown: string, options: LexOptions = {}): Token[] {
  return new VisenLexer(options).lex(normaliseNewlines(markdown));
}

class ReferenceNotingTokenizer extends Tokenizer {
  override reflink(src: string, links: Parameters<Tokenizer['reflink']>[1]): ReturnType<Tokenizer['reflink']> {
    const token = super.reflink(src, links);
    if (token?.type === 'text') {
      const match = this.rules.inline.reflink.exec(src) ?? this.rules.inline.nolink.exec(src);
      if (match) (this.lexer as unknown as VisenLexer).noteUnresolved(normaliseLabel(match[2] || match[1] || ''));
    }
    return token;
  }
}

function lexerOptions(blockMath: boolean): MarkedOptions {
  const blocks = blockMath ? [blockMathExtension(), detailsExtension()] : [detailsExtension()];
  const inline = [inlineMathExtension()];
  return {
    gfm: true,
    tokenizer: new ReferenceNotingTokenizer(),
    extensions: {
      renderers: {},
      childTokens: {},
      block: blocks.map((extension) => extension.tokenizer),
      startBlock: blocks.flatMap((extension) => (extension.start ? [extension.start] : [])),
      inline: inline.map((extension) => extension.tokenizer),
      startInline: inline.flatMap((extension) => (extension.start ? [extension.start] : [])),
    },
  };
}

class VisenLexer extends Lexer {
  readonly #links: ReferenceLinks | undefined;
  readonly #inLexReferences: boolean;
  /** Labels not found, by the index of the inline run (in the inline queue) that tried them. */
  #misses: Array<{ run: number; label: string }> = [];
  #run = -1;

  constructor(options: LexOptions) {
    super(lexerOptions(options.blockMath ?? true));
    this.#links = options.links;
    this.#inLexReferences = options.inLexReferences ?? true;
  }

  noteUnresolved(label: string): void {
    if (this.#run >= 0 && label !== '') this.#misses.push({ run: this.#run, label });
  }

  override lex(src: string): TokensList {
    const fresh = () => this.#links?.view() ?? (Object.create(null) as Record<string, Link>);
    this.tokens.links = fresh();
    this.blockTokens(src, this.tokens);
    if (!this.#inLexReferences) this.tokens.links = fresh();
    const runs = this.inlineQueue;
    for (let i = 0; i < runs.length; i++) {
      this.#run = i;
      this.state.inRawBlock = false;
      this.inlineTokens(runs[i]!.src, runs[i]!.tokens);
    }
    this.#run = -1;
    if (this.#misses.length > 0) this.#recordMisses(runs);
    this.inlineQueue = [];
    return this.tokens;
  }

  override inlineTokens(src: string, tokens: Token[] = []): Token[] {
    const pieces = inlinePieces(src);
    if (pieces.length === 1) return super.inlineTokens(src, tokens);
    for (const piece of pieces) super.inlineTokens(piece, tokens);
    return tokens;
  }

  /** Files each missed label under the top-level token whose inline run tried it. */
  #recordMisses(runs: readonly { tokens: Token[] }[]): void {
    const owner = new Map<unknown, Token>();
    for (const token of this.tokens) collectArrays(token, (array) => owner.set(array, token));
    for (const { run, label } of this.#misses) {
      const token = owner.get(runs[run]!.tokens);
      if (!token) continue;
      const labels = (unresolved.get(token) as Set<string> | undefined) ?? new Set<string>();
      labels.add(label);
      unresolved.set(token, labels);
    }
    this.#misses = [];
  }
}

/**
 * Calls `found` with the token arrays of a block token and of the blocks inside it (paragraph text, list items,
 * table cells, quotes, details): where inline runs and definitions live. Inline tokens are not entered.
 */
function collectArrays(token: Token, found: (array: Token[]) => void): void {
  const generic = token as Tokens.Generic;
  if (Array.isArray(generic.tokens)) {
    found(generic.tokens);
    if (BLOCK_CONTAINERS.has(token.type)) for (const child of generic.tokens) collectArrays(child, found);
  }
  if (Array.isArray(generic.summary)) found(generic.summary);
  if (token.type === 'list') for (const item of (token as Tokens.List).items) collectArrays(item, found);
  if (token.type === 'table') {
    const table = token as Tokens.Table;
    for (const cell of [...table.header, ...table.rows.flat()]) found(cell.tokens);
  }
}

const BLOCK_CONTAINERS = new Set(['blockquote', 'list_item', 'details']);

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

/** Every reference definition inside a token (definitions may sit in quotes and list items), in order. */
export function definitionsIn(token: Token): Tokens.Def[] {
  if (token.type === 'def') return [token as Tokens.Def];
  const found: Tokens.Def[] = [];
  collectArrays(token, (array) => {
    for (const child of array) if (child.type === 'def') found.push(child as Tokens.Def);
  });
  return found;
}
