import { describe, expect, it } from 'vitest';
import { type AppendBatch, countBlocks, splitForAppend } from '../../../src/adapters/notion/append-batches.js';
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { markdownToBlocks } from '../../../src/adapters/notion/markdown.js';
import { allText, limitProblems } from './limits-check.js';

type Json = Record<string, any>;
const body = (block: NotionBlock): Json => (block as Json)[block.type];
const para = (content: string, children?: NotionBlock[]): NotionBlock => ({
  object: 'block',
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }], ...(children ? { children } : {}) },
});
const bullet = (content: string, children?: NotionBlock[]): NotionBlock => ({
  object: 'block',
  type: 'bulleted_list_item',
  bulleted_list_item: { rich_text: [{ type: 'text', text: { content } }], ...(children ? { children } : {}) },
});
const table = (rows: number): NotionBlock => ({
  object: 'block',
  type: 'table',
  table: {
    table_width: 1,
    has_column_header: false,
    has_row_header: false,
    children: Array.from(
      { length: rows },
      (_, i) => ({ object: 'block', type: 'table_row', table_row: { cells: [[{ type: 'text', text: { content: `r${i}` } }]] } }) as NotionBlock,
    ),
  },
});

/** Rebuilds the full tree from batches and their deferred children, as appending them would. */
function reassemble(batches: readonly AppendBatch[]): NotionBlock[] {
  const out: NotionBlock[] = [];
  for (const batch of batches) {
    const blocks = structuredClone(batch.blocks) as NotionBlock[];
    for (const deferred of batch.deferred) {
      let target: Json = { children: blocks };
      for (const index of deferred.path) target = body(target.children[index]);
      const rest = reassemble(splitForAppend(deferred.children));
      target.children = [...(target.children ?? []), ...rest];
    }
    out.push(...blocks);
  }
  return out;
}

describe('splitForAppend', () => {
  it('sends at most 100 top-level blocks per request', () => {
    const blocks = Array.from({ length: 250 }, (_, i) => para(`p${i}`));
    const batches = splitForAppend(blocks);
    expect(batches.map((b) => b.blocks.length)).toEqual([100, 100, 50]);
    expect(batches.every((b) => b.deferred.length === 0)).toBe(true);
    expect(batches.flatMap((b) => b.blocks)).toEqual(blocks);
  });

  it('keeps two levels of nesting and defers deeper children to their parent', () => {
    const blocks = markdownToBlocks('- l1\n  - l2\n    - l3\n      - l4\n        - l5');
    const [batch] = splitForAppend(blocks);
    const l3 = body(body(batch!.blocks[0]!).children[0]).children[0];
    expect(body(l3).children).toBeUndefined();
    expect(batch!.deferred).toHaveLength(1);
    expect(batch!.deferred[0]!.path).toEqual([0, 0, 0]);
    expect(allText([...batch!.deferred[0]!.children])).toBe('l4\nl5');
    expect(limitProblems(batch!.blocks)).toEqual([]);
    expect(reassemble(splitForAppend(blocks))).toEqual(blocks);
  });

  it('defers the tail of a children array longer than 100', () => {
    const parent = bullet(
      'parent',
      Array.from({ length: 130 }, (_, i) => bullet(`c${i}`)),
    );
    const [batch] = splitForAppend([parent]);
    expect(body(batch!.blocks[0]!).children).toHaveLength(100);
    expect(batch!.deferred).toEqual([{ path: [0], children: body(parent).children.slice(100) }]);
    expect(reassemble([batch!])).toEqual([parent]);
  });

  it('keeps every request within 1000 block elements', () => {
    const wide = Array.from({ length: 30 }, (_, i) =>
      bullet(
        `top ${i}`,
        Array.from({ length: 50 }, (_, j) => bullet(`child ${i}.${j}`)),
      ),
    );
    expect(countBlocks(wide)).toBe(30 * 51);
    const batches = splitForAppend(wide);
    for (const batch of batches) {
      expect(countBlocks(batch.blocks)).toBeLessThanOrEqual(1000);
      expect(limitProblems(batch.blocks)).toEqual([]);
    }
    expect(reassemble(batches)).toEqual(wide);
  });

  it('a single block with a huge subtree is cut to fit and the rest deferred', () => {
    const huge = bullet(
      'root',
      Array.from({ length: 100 }, (_, i) =>
        bullet(
          `c${i}`,
          Array.from({ length: 100 }, (_, j) => bullet(`g${i}.${j}`)),
        ),
      ),
    );
    const batches = splitForAppend([huge]);
    expect(batches).toHaveLength(1);
    expect(countBlocks(batches[0]!.blocks)).toBeLessThanOrEqual(1000);
    expect(limitProblems(batches[0]!.blocks)).toEqual([]);
    expect(reassemble(batches)).toEqual([huge]);
  });

  it('sends a table with its first 100 rows and defers the rest to the table', () => {
    const big = table(150);
    const [batch] = splitForAppend([big]);
    expect(body(batch!.blocks[0]!).children).toHaveLength(100);
    expect(batch!.deferred[0]!.path).toEqual([0]);
    expect(batch!.deferred[0]!.children).toHaveLength(50);
    expect(reassemble([batch!])).toEqual([big]);
  });

  it('never puts a table where its rows would be nested too deep', () => {
    const tree = [bullet('l1', [bullet('l2', [para('before'), table(2), para('after')])])];
    const [batch] = splitForAppend(tree);
    const l2 = body(body(batch!.blocks[0]!).children[0]);
    expect(l2.children.map((b: NotionBlock) => b.type)).toEqual(['paragraph']);
    expect(batch!.deferred).toEqual([{ path: [0, 0], children: [table(2), para('after')] }]);
    expect(limitProblems(batch!.blocks)).toEqual([]);
    expect(reassemble([batch!])).toEqual(tree);
  });

  it('starts a new request when the byte budget would be passed', () => {
    const big = (i: number) => para(`${i}`.padEnd(100, 'x').repeat(1), undefined);
    const heavy = Array.from({ length: 60 }, (_, i) => ({
      ...big(i),
      paragraph: { rich_text: Array.from({ length: 5 }, () => ({ type: 'text' as const, text: { content: 'y'.repeat(2000) } })) },
    })) as NotionBlock[];
    const batches = splitForAppend(heavy);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(Buffer.byteLength(JSON.stringify({ children: batch.blocks }))).toBeLessThanOrEqual(500_000);
  });

  it('an empty list gives no requests', () => {
    expect(splitForAppend([])).toEqual([]);
  });
});
