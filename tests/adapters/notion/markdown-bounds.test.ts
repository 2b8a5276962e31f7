import { describe, expect, it } from 'vitest';
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { lexMarkdown, tokensToBlocks } from '../../../src/adapters/notion/markdown-convert.js';
import { BLOCK_LEX_CHARS } from '../../../src/adapters/notion/markdown-segments.js';
import {
  LEX_ALLOWANCE_CHARS,
  LEX_CHARS_PER_CHAR,
  MarkdownBlockStream,
  markdownToBlocks,
  streamMarkdownBlocks,
} from '../../../src/adapters/notion/markdown-stream.js';
import { HOSTILE_KINDS, hostileMarkdown } from '../../stand-ins/openai/hostile-answers.js';
import { buildLongDocument } from './documents.js';

/** Pieces of 1 to `max` characters, from a seeded generator so a failure can be replayed. */
function pieces(text: string, seed: number, max: number): string[] {
  let state = seed;
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const size = 1 + (state % max);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

function allText(blocks: readonly NotionBlock[]): string {
  return blocks
    .map((block) => {
      const body = (block as unknown as Record<string, { rich_text?: Array<{ text: { content: string } }>; children?: NotionBlock[]; cells?: unknown }>)[
        block.type
      ];
      const own = (body?.rich_text ?? []).map((item) => item.text.content).join('');
      const cells = block.type === 'table_row' ? JSON.stringify(body?.cells) : '';
      const children = allText([...(body?.children ?? []), ...((block as { table?: { children?: NotionBlock[] } }).table?.children ?? [])]);
      return `${own}${cells}\n${children}`;
    })
    .join('\n');
}

/** The letters and digits of a text, in order: what must reach Notion whatever the Markdown around them. */
function words(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '');
}

/** What marked makes of the whole text in one call, without any of the converter's bounds. */
function unbounded(markdown: string): NotionBlock[] {
  return tokensToBlocks(lexMarkdown(markdown));
}

describe('the Markdown converter on hostile answers', () => {
  const chars = 200_000;

  for (const kind of HOSTILE_KINDS) {
    it(`${kind}: lexes a bounded amount per piece and in total, and keeps every word`, () => {
      const markdown = hostileMarkdown(kind, chars);
      const stream = new MarkdownBlockStream();
      const blocks: NotionBlock[] = [];
      // Large pieces, then one character at a time: both ends of what a server may send.
      const deltas = [...pieces(markdown.slice(0, chars / 2), 11, 3_000), ...markdown.slice(chars / 2).split('')];
      for (const delta of deltas) {
        const before = stream.work.charsLexed;
        blocks.push(...stream.push(delta));
        expect(stream.work.charsLexed - before).toBeLessThanOrEqual(2 * delta.length + 4 * BLOCK_LEX_CHARS);
      }
      blocks.push(...stream.end());
      const { charsLexed, largestLex } = stream.work;
      expect(largestLex).toBeLessThanOrEqual(BLOCK_LEX_CHARS);
      expect(charsLexed).toBeLessThanOrEqual((LEX_CHARS_PER_CHAR + 2) * markdown.length + LEX_ALLOWANCE_CHARS);
      expect(words(allText(blocks))).toBe(words(markdown));
    });
  }

  it('a list item followed by thousands of unindented lines lands as the item and then paragraphs', () => {
    const markdown = hostileMarkdown('list-continuation', 100_000);
    const blocks = markdownToBlocks(markdown);
    expect(blocks[0]!.type).toBe('bulleted_list_item');
    expect(blocks.slice(1).every((block) => block.type === 'paragraph')).toBe(true);
    expect(words(allText(blocks))).toBe(words(markdown));
  });

  it('quotes nested thousands deep land as plain text instead of overflowing the stack', () => {
    const markdown = `${'>'.repeat(5_000)} deep\n\nafter`;
    const blocks = markdownToBlocks(markdown);
    expect(blocks.every((block) => block.type === 'paragraph')).toBe(true);
    expect(allText(blocks)).toContain(`${'>'.repeat(5_000)} deep`);
    expect(words(allText(blocks))).toBe('deepafter');
  });
});

describe('the Markdown converter on long ordinary answers', () => {
  it('gives what marked gives for the whole text, in any chunking', () => {
    const document = buildLongDocument(60_000);
    const whole = unbounded(document);
    for (const seed of [1, 2, 3]) {
      const stream = new MarkdownBlockStream();
      const blocks = pieces(document, seed, 1 + seed * 25).flatMap((piece) => stream.push(piece));
      expect([...blocks, ...stream.end()], `seed ${seed}`).toEqual(whole);
    }
  });

  it('keeps a code block longer than one lex in one piece, streamed or whole', () => {
    const code = Array.from({ length: 2_000 }, (_, i) => `const line${i} = ${i}; // *not* markdown`).join('\n');
    const markdown = `Intro.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter the code.`;
    expect(markdown.length).toBeGreaterThan(5 * BLOCK_LEX_CHARS);
    const stream = new MarkdownBlockStream();
    const blocks = pieces(markdown, 5, 40).flatMap((piece) => stream.push(piece));
    blocks.push(...stream.end());
    expect(blocks).toEqual(unbounded(markdown));
    expect(
      blocks
        .filter((block) => block.type === 'code')
        .map((block) => allText([block]))
        .join(''),
    ).toContain(code.slice(-500));
    expect(markdownToBlocks(markdown)).toEqual(unbounded(markdown));
  });

  it('gives the same blocks for a list longer than one lex (it is cut between items)', () => {
    const markdown = `${Array.from({ length: 600 }, (_, i) => `- item ${i} with **bold** words\n  - child ${i}`).join('\n')}\n\nEnd.`;
    expect(markdown.length).toBeGreaterThan(3 * BLOCK_LEX_CHARS);
    expect(markdownToBlocks(markdown)).toEqual(unbounded(markdown));
  });

  it('continues a table longer than one lex in a second table with the same header, every row kept', () => {
    const rows = Array.from({ length: 400 }, (_, i) => `| row ${i} | value ${i * 2} |`);
    const markdown = `| Name | Value |\n|---|---|\n${rows.join('\n')}\n`;
    const blocks = markdownToBlocks(markdown);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.every((block) => block.type === 'table')).toBe(true);
    const header = (block: NotionBlock) => JSON.stringify((block as { table: { children: NotionBlock[] } }).table.children[0]);
    expect(new Set(blocks.map(header)).size).toBe(1);
    const bodyRows = blocks.flatMap((block) => (block as { table: { children: NotionBlock[] } }).table.children.slice(1));
    expect(bodyRows).toEqual((unbounded(markdown)[0] as { table: { children: NotionBlock[] } }).table.children.slice(1));
  });
});

describe('streamMarkdownBlocks', () => {
  it('gives other work a turn while one long delta converts', async () => {
    const markdown = hostileMarkdown('list-continuation', 100_000);
    let batchesWhenOtherWorkRan: number | undefined;
    let batches = 0;
    setImmediate(() => {
      batchesWhenOtherWorkRan = batches;
    });
    for await (const batch of streamMarkdownBlocks([markdown])) batches += batch.length > 0 ? 1 : 0;
    expect(batchesWhenOtherWorkRan).toBeDefined();
    expect(batchesWhenOtherWorkRan!).toBeLessThan(batches);
  });
});
