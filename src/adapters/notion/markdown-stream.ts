/**
 * Markdown arriving in pieces (a model's text deltas) -> Notion blocks as soon as they are certainly complete, so
 * the first content reaches Notion before the model has finished.
 *
 * A top-level block is complete once the next block has started: marked lexes the text not yet emitted, and every
 * token before the last one is final. A list, a code fence or a table that is still growing is always the last
 * token (a blank line inside a list, an unclosed fence, another table row all extend it), so it waits. Because
 * blocks are emitted whole and the rest is lexed from a block boundary, the blocks are the same as converting the
 * whole text at once, with one exception: a reference-style link (`[text][ref]`) whose definition comes after
 * the paragraph has been emitted stays plain text.
 */
import type { NotionBlock } from './blocks.js';
import { lexMarkdown, normaliseNewlines, tokensToBlocks } from './markdown-convert.js';

export class MarkdownBlockStream {
  #pending = '';
  /** A trailing "\r" may be the first half of "\r\n": it waits for the next piece. */
  #carry = '';
  #ended = false;

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
    // A new block can only start on a new line: no need to lex until one may have begun.
    if (!added.includes('\n') && !startsLine) return [];
    return this.#emitComplete();
  }

  /** The rest of the text as blocks; the stream takes no more text afterwards. */
  end(): NotionBlock[] {
    if (this.#ended) return [];
    this.#ended = true;
    const rest = this.#pending + normaliseNewlines(this.#carry);
    this.#pending = '';
    this.#carry = '';
    return tokensToBlocks(lexMarkdown(rest));
  }

  /** Text received but not yet emitted as blocks. */
  get pendingText(): string {
    return this.#pending;
  }

  #emitComplete(): NotionBlock[] {
    const tokens = lexMarkdown(this.#pending);
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last]!.type === 'space') last -= 1;
    if (last <= 0) return [];
    const complete = tokens.slice(0, last);
    const consumed = complete.reduce((sum, token) => sum + token.raw.length, 0);
    // marked's raws add up to its input; if they ever did not, waiting for end() is the safe choice.
    if (this.#pending.slice(0, consumed) !== complete.map((token) => token.raw).join('')) return [];
    this.#pending = this.#pending.slice(consumed);
    return tokensToBlocks(complete);
  }
}

/** Deltas -> batches of complete blocks, as they become complete; the last batch holds the rest. */
export async function* streamMarkdownBlocks(deltas: AsyncIterable<string>): AsyncGenerator<NotionBlock[]> {
  const stream = new MarkdownBlockStream();
  for await (const delta of deltas) {
    const blocks = stream.push(delta);
    if (blocks.length > 0) yield blocks;
  }
  const rest = stream.end();
  if (rest.length > 0) yield rest;
}
