/**
 * Reference-style links (`[text][ref]`, `[ref]`) whose definition (`[ref]: https://…`) comes later in the text,
 * for a stream that emits blocks before the text is complete.
 *
 * Every lex of the stream resolves references only against the definitions of blocks already processed (a
 * definition in the text being lexed may still be arriving), and notes the labels a block tried and did not find
 * (markdown-lexer.ts). Blocks go out in order through a queue: a block waits while a label it wants is unknown,
 * and the blocks after it wait behind it. When the definition arrives, the waiting block is lexed once more with it;
 * when HOLD_CHARS more characters have come and gone without it, or the text ends, the block goes out as it is
 * (its brackets as text, as CommonMark shows a reference without a definition).
 *
 * Everything happens in the order of the text, one top-level token at a time, so the blocks do not depend on how
 * the text was cut into pieces: streaming gives what converting the whole text gives.
 */
import type { Token } from 'marked';
import type { NotionBlock } from './blocks.js';
import { definitionsIn, ReferenceLinks, unresolvedLabels } from './markdown-lexer.js';
import { BLOCK_LEX_CHARS } from './markdown-segments.js';

/**
 * How far (in characters after a block's end) a definition may come and still turn the block's reference into a
 * link. At least one lex (BLOCK_LEX_CHARS), so a definition lexed together with its block never depends on the cut.
 */
export const HOLD_CHARS = BLOCK_LEX_CHARS;

interface Held {
  readonly text: string;
  readonly blocks: NotionBlock[];
  readonly wants: ReadonlySet<string> | undefined;
  /** Offset just after this block, in characters processed. */
  readonly end: number;
}

export interface ReferenceQueueOptions {
  /** Blocks for tokens lexed from `text`. */
  readonly convert: (tokens: readonly Token[], text: string) => NotionBlock[];
  /** Lexes a block's text again with every definition known so far; undefined if that fails. */
  readonly relex: (text: string) => Token[] | undefined;
}

export class ReferenceQueue {
  readonly links = new ReferenceLinks();
  readonly #options: ReferenceQueueOptions;
  #queue: Held[] = [];
  #offset = 0;

  constructor(options: ReferenceQueueOptions) {
    this.#options = options;
  }

  /** Complete top-level tokens, lexed from `text` (their raws in order); returns the blocks that may go out now. */
  acceptTokens(tokens: readonly Token[], text: string): NotionBlock[] {
    const out: NotionBlock[] = [];
    let at = 0;
    for (const token of tokens) {
      const raw = text.slice(at, at + token.raw.length);
      at += token.raw.length;
      for (const definition of definitionsIn(token)) this.links.learn(definition.tag, { href: definition.href, title: definition.title });
      this.#hold({ text: raw, blocks: this.#options.convert([token], raw), wants: unresolvedLabels(token), end: this.#offset + at }, out);
    }
    this.#offset += at;
    return out;
  }

  /** Blocks made without tokens (plain paragraphs for text marked could not lex), standing for `chars` characters. */
  acceptBlocks(blocks: NotionBlock[], chars: number): NotionBlock[] {
    this.#offset += chars;
    const out: NotionBlock[] = [];
    this.#hold({ text: '', blocks, wants: undefined, end: this.#offset }, out);
    return out;
  }

  /** The text has ended: every waiting block goes out, with whatever definitions came. */
  end(): NotionBlock[] {
    const out: NotionBlock[] = [];
    while (this.#queue.length > 0) out.push(...this.#release(this.#queue.shift()!));
    return out;
  }

  #hold(block: Held, out: NotionBlock[]): void {
    this.#queue.push(block);
    while (this.#queue.length > 0) {
      const front = this.#queue[0]!;
      const waiting = [...(front.wants ?? [])].some((label) => !this.links.has(label));
      if (waiting && block.end < front.end + HOLD_CHARS) return;
      out.push(...this.#release(this.#queue.shift()!));
    }
  }

  /** The block's blocks, lexed again if a definition it wanted has come since. */
  #release(block: Held): NotionBlock[] {
    if (![...(block.wants ?? [])].some((label) => this.links.has(label))) return block.blocks;
    const tokens = this.#options.relex(block.text);
    const raws = tokens?.map((token) => token.raw).join('');
    return tokens && raws === block.text ? this.#options.convert(tokens, block.text) : block.blocks;
  }
}
