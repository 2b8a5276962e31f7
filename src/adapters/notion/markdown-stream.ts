/**
 * Markdown arriving in pieces (a model's text deltas) -> Notion blocks as soon as they are certainly complete, so
 * the first content reaches Notion before the model has finished.
 *
 * A top-level block is complete once the next block has started: marked lexes the text not yet emitted, and every
 * token before the last one is final. A list, a code fence or a table that is still growing is always the last
 * token (a blank line inside a list, an unclosed fence, another table row all extend it), so it waits. Because
 * blocks are emitted whole and the rest is lexed from a block boundary, the blocks are the same as converting the
 * whole text at once. Reference-style links whose definition comes later are the job of ReferenceQueue
 * (markdown-references.ts): a block wanting a definition not yet seen waits for it, within HOLD_CHARS.
 *
 * The work is bounded, whatever the text (see markdown-segments.ts and docs/markdown-converter.md):
 * - no lex sees more than BLOCK_LEX_CHARS characters: a longer pending text is cut (`cutHead`);
 * - the pending text is lexed again only while the characters lexed stay within LEX_CHARS_PER_CHAR times the
 *   characters received plus LEX_ALLOWANCE_CHARS, so a text that keeps one block open (a list item followed by
 *   thousands of lines) is not lexed again on every line. Waiting changes when a block is emitted, never which.
 * So `push` lexes at most 2 × its delta + 4 × BLOCK_LEX_CHARS characters, and a whole answer of N characters at
 * most (LEX_CHARS_PER_CHAR + 2) × N + LEX_ALLOWANCE_CHARS (a closed code fence, lexed whole, counts once more). `streamMarkdownBlocks` also hands the event loop a turn
 * between pieces, so other users' events are handled while a long answer converts.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Token } from 'marked';
import type { NotionBlock } from './blocks.js';
import { normaliseNewlines, plainTextBlocks } from './markdown-convert.js';
import type { LexOptions } from './markdown-lexer.js';
import { ReferenceQueue } from './markdown-references.js';
import {
  BLOCK_LEX_CHARS,
  closingFenceEnd,
  completeCount,
  convertSafely,
  cutHead,
  lastBlockIndex,
  lexSafely,
  openingFence,
  rawLength,
} from './markdown-segments.js';

/** Characters the stream may lex per character received, on top of LEX_ALLOWANCE_CHARS. */
export const LEX_CHARS_PER_CHAR = 4;
/** Lexing every line of a short answer's open list or paragraph is always allowed up to this many characters. */
export const LEX_ALLOWANCE_CHARS = 2 * BLOCK_LEX_CHARS;

/** What the stream's lexing has cost so far (for tests and logs). */
export interface LexWork {
  readonly charsLexed: number;
  readonly lexCalls: number;
  readonly largestLex: number;
}

export class MarkdownBlockStream {
  #pending = '';
  /** A trailing "\r" may be the first half of "\r\n": it waits for the next piece. */
  #carry = '';
  #ended = false;
  #received = 0;
  /** How far the open code fence that #pending starts with has been searched for its closing fence (0: none). */
  #fenceScanned = 0;
  #work = { charsLexed: 0, lexCalls: 0, largestLex: 0 };
  /** Blocks go out through this queue, in order; it holds those waiting for a reference definition. */
  readonly #references = new ReferenceQueue({ convert: convertSafely, relex: (text) => this.#lex(text) });
  /** References resolve only against definitions already processed (see markdown-references.ts). */
  readonly #lexOptions: LexOptions = { links: this.#references.links, inLexReferences: false };

  /** Adds text; returns the top-level blocks that became complete (often none). */
  push(delta: string): NotionBlock[] {
    if (this.#ended) throw new Error('MarkdownBlockStream: push() after end()');
    let text = this.#carry + delta;
    this.#carry = '';
    if (text.endsWith('\r')) {
      this.#carry = '\r';
      text = text.slice(0, -1);
    }
    if (text === '') return [];
    const added = normaliseNewlines(text);
    const startsLine = this.#pending === '' || this.#pending.endsWith('\n');
    this.#pending += added;
    this.#received += added.length;
    // A new block can only start on a new line: no need to lex until one may have begun (or the text is too
    // long, unless it is an open code fence, which only a new line can close).
    const mayCut = this.#pending.length > BLOCK_LEX_CHARS && this.#fenceScanned === 0;
    if (!added.includes('\n') && !startsLine && !mayCut) return [];
    const blocks = this.#cutOversized();
    blocks.push(...this.#emitComplete());
    return blocks;
  }

  /** The rest of the text as blocks; the stream takes no more text afterwards. */
  end(): NotionBlock[] {
    if (this.#ended) return [];
    this.#ended = true;
    this.#pending += normaliseNewlines(this.#carry);
    this.#carry = '';
    const blocks = this.#cutOversized();
    const rest = this.#pending;
    this.#pending = '';
    if (rest !== '') {
      const tokens = this.#lex(rest);
      blocks.push(...(tokens && rawLength(tokens, rest) === rest.length ? this.#references.acceptTokens(tokens, rest) : this.#plain(rest)));
    }
    blocks.push(...this.#references.end());
    return blocks;
  }

  /** Text received but not yet emitted as blocks. */
  get pendingText(): string {
    return this.#pending;
  }

  get work(): LexWork {
    return { ...this.#work };
  }

  /**
   * While the pending text is longer than one lex may be, its head is cut off and emitted; a long fenced code
   * block instead waits for its closing fence and is then lexed whole.
   */
  #cutOversized(): NotionBlock[] {
    const blocks: NotionBlock[] = [];
    // Emitting the short blocks before a long one costs a lex of its own: once per call, within the budget.
    let allowShort = this.#withinBudget(BLOCK_LEX_CHARS);
    while (this.#pending.length > BLOCK_LEX_CHARS) {
      const code = this.#closedCodeBlock();
      if (code === 'open') break;
      if (code) {
        blocks.push(...code.blocks);
        this.#consume(code.consumed, '');
        continue;
      }
      const cut = cutHead(this.#pending, allowShort, this.#lexOptions);
      allowShort = false;
      this.#count(cut.lexed);
      blocks.push(...(cut.tokens ? this.#references.acceptTokens(cut.tokens, cut.text) : this.#plain(cut.text)));
      this.#consume(cut.consumed, cut.reopen);
    }
    return blocks;
  }

  /** The fenced code block #pending starts with, once closed; 'open' while its closing fence has not come. */
  #closedCodeBlock(): { blocks: NotionBlock[]; consumed: number } | 'open' | undefined {
    const fence = openingFence(this.#pending);
    if (!fence) return undefined;
    const { end, scanned } = closingFenceEnd(this.#pending, fence, this.#fenceScanned);
    this.#fenceScanned = scanned;
    if (end < 0) return 'open';
    const segment = this.#pending.slice(0, end);
    const tokens = this.#lex(segment);
    const last = tokens ? lastBlockIndex(tokens) : -1;
    // marked read it otherwise (it never should): cut it like any other long text.
    if (tokens?.[last]?.type !== 'code' || rawLength(tokens, segment) !== end) return undefined;
    return { blocks: this.#references.acceptTokens(tokens, segment), consumed: end };
  }

  #consume(chars: number, reopen: string): void {
    this.#pending = reopen + this.#pending.slice(chars);
    this.#fenceScanned = 0;
  }

  #emitComplete(): NotionBlock[] {
    // Longer than one lex may be: an open code fence, waiting for its closing line.
    if (this.#pending.length > BLOCK_LEX_CHARS || !this.#withinBudget(this.#pending.length)) return [];
    const tokens = this.#lex(this.#pending);
    // marked could not lex it (nesting too deep): wait; a cut or end() turns it into plain paragraphs.
    if (!tokens) return [];
    const last = lastBlockIndex(tokens);
    const complete = tokens.slice(0, completeCount(tokens, last));
    if (complete.length === 0) return [];
    const consumed = rawLength(complete, this.#pending);
    // marked's raws add up to its input; if they ever did not, waiting for end() is the safe choice.
    if (consumed <= 0) return [];
    const blocks = this.#references.acceptTokens(complete, this.#pending.slice(0, consumed));
    this.#consume(consumed, '');
    return blocks;
  }

  #plain(text: string): NotionBlock[] {
    return this.#references.acceptBlocks(plainTextBlocks(text), text.length);
  }

  #withinBudget(chars: number): boolean {
    return this.#work.charsLexed + chars <= LEX_CHARS_PER_CHAR * this.#received + LEX_ALLOWANCE_CHARS;
  }

  #lex(text: string): Token[] | undefined {
    this.#count(text.length);
    return lexSafely(text, this.#lexOptions);
  }

  #count(chars: number): void {
    this.#work.charsLexed += chars;
    this.#work.lexCalls += 1;
    this.#work.largestLex = Math.max(this.#work.largestLex, chars);
  }
}

/**
 * Deltas -> batches of complete blocks, as they become complete; the last batch holds the rest. A long delta is
 * pushed in pieces, and after every piece that was lexed the event loop gets a turn.
 */
export async function* streamMarkdownBlocks(deltas: AsyncIterable<string> | Iterable<string>): AsyncGenerator<NotionBlock[]> {
  const stream = new MarkdownBlockStream();
  for await (const delta of deltas) {
    for (let at = 0; at < delta.length; at += BLOCK_LEX_CHARS) {
      const lexedBefore = stream.work.lexCalls;
      const blocks = stream.push(delta.slice(at, at + BLOCK_LEX_CHARS));
      if (blocks.length > 0) yield blocks;
      if (stream.work.lexCalls !== lexedBefore) await nextTurn();
    }
  }
  const rest = stream.end();
  if (rest.length > 0) yield rest;
}

/** A whole text as blocks (the same as streaming it), with the same bounds on the work. */
export function markdownToBlocks(markdown: string): NotionBlock[] {
  const stream = new MarkdownBlockStream();
  return [...stream.push(markdown), ...stream.end()];
}

/** A whole text as blocks, converted in bounded steps with the event loop free between them. */
export async function markdownToBlocksInTurns(markdown: string): Promise<NotionBlock[]> {
  const blocks: NotionBlock[] = [];
  for await (const batch of streamMarkdownBlocks([markdown])) blocks.push(...batch);
  return blocks;
}
