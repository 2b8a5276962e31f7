import { describe, expect, it } from 'vitest';
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { MarkdownBlockStream, markdownToBlocks, streamMarkdownBlocks } from '../../../src/adapters/notion/markdown.js';
import { buildLongDocument } from './documents.js';

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunks(text: string, rand: () => number, maxSize: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(rand() * maxSize);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

function streamAll(pieces: readonly string[]): { blocks: NotionBlock[]; emittedBeforeEnd: number } {
  const stream = new MarkdownBlockStream();
  const blocks: NotionBlock[] = [];
  for (const piece of pieces) blocks.push(...stream.push(piece));
  const emittedBeforeEnd = blocks.length;
  blocks.push(...stream.end());
  return { blocks, emittedBeforeEnd };
}

const SAMPLE = [
  '# Plan',
  '',
  'Intro paragraph with **bold** and a [link](https://example.com).',
  'Still the same paragraph.',
  '',
  '- item one',
  '- item two',
  '',
  '- item three after a blank line (same loose list)',
  '  - nested',
  '',
  '```js',
  'const a = 1;',
  '',
  'const b = 2; // blank line inside the fence',
  '```',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '| 3 | 4 |',
  '',
  '> quoted',
  'lazy continuation',
  '',
  'Setext heading',
  '---',
  '',
  '1. one',
  '2. two',
  '',
  '![img](https://example.com/i.png)',
  '',
  '***',
  'Last words.',
].join('\n');

describe('MarkdownBlockStream', () => {
  it('gives the same blocks as the whole text, for many random chunkings', () => {
    const whole = markdownToBlocks(SAMPLE);
    for (let seed = 1; seed <= 60; seed++) {
      const rand = random(seed);
      const { blocks } = streamAll(chunks(SAMPLE, rand, 1 + (seed % 12) * 3));
      expect(blocks, `seed ${seed}`).toEqual(whole);
    }
  });

  it('gives the same blocks one character at a time, and with Windows line endings split across pieces', () => {
    expect(streamAll([...SAMPLE]).blocks).toEqual(markdownToBlocks(SAMPLE));
    const crlf = SAMPLE.replace(/\n/g, '\r\n');
    expect(streamAll([...crlf]).blocks).toEqual(markdownToBlocks(crlf));
  });

  it('gives the same blocks for a 30,000-character document in random chunks', () => {
    const document = buildLongDocument(30_000);
    const whole = markdownToBlocks(document);
    const { blocks, emittedBeforeEnd } = streamAll(chunks(document, random(7), 40));
    expect(blocks).toEqual(whole);
    expect(emittedBeforeEnd).toBeGreaterThan(whole.length - 10);
  });

  it('emits a block only once the next one has started', () => {
    const stream = new MarkdownBlockStream();
    expect(stream.push('# Title\n')).toEqual([]);
    expect(stream.push('\nFirst para')).toEqual(markdownToBlocks('# Title'));
    expect(stream.push('graph continues\n')).toEqual([]);
    expect(stream.push('\n- a\n')).toEqual(markdownToBlocks('First paragraph continues'));
    // A blank line does not end a list: the next item may still come.
    expect(stream.push('\n')).toEqual([]);
    expect(stream.push('- b\n\nAfter')).toEqual(markdownToBlocks('- a\n\n- b'));
    expect(stream.end()).toEqual(markdownToBlocks('After'));
  });

  it('holds an open code fence, even across blank lines and lines that look like Markdown', () => {
    const stream = new MarkdownBlockStream();
    expect(stream.push('```\n# not a heading\n\n- not a list\n')).toEqual([]);
    expect(stream.push('```\n')).toEqual([]);
    expect(stream.push('\nnext')).toEqual(markdownToBlocks('```\n# not a heading\n\n- not a list\n```'));
  });

  it('holds a table while rows keep coming', () => {
    const stream = new MarkdownBlockStream();
    expect(stream.push('| a |\n|---|\n| 1 |\n')).toEqual([]);
    expect(stream.push('| 2 |\n')).toEqual([]);
    const [table] = stream.push('\ntext');
    expect(table?.type).toBe('table');
    expect((table as { table: { children: unknown[] } }).table.children).toHaveLength(3);
  });

  it('streamMarkdownBlocks yields batches as blocks complete', async () => {
    async function* deltas() {
      yield '# A\n\n';
      yield 'para\n\n';
      yield '- x';
    }
    const batches: NotionBlock[][] = [];
    for await (const batch of streamMarkdownBlocks(deltas())) batches.push(batch);
    expect(batches.flat()).toEqual(markdownToBlocks('# A\n\npara\n\n- x'));
    expect(batches.length).toBeGreaterThan(1);
  });

  it('refuses text after end()', () => {
    const stream = new MarkdownBlockStream();
    stream.end();
    expect(() => stream.push('x')).toThrow(/after end/);
  });
});
