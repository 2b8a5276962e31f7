import { describe, expect, it } from 'vitest';
import type { NotionBlock, TextRichText } from '../../../src/adapters/notion/blocks.js';
import { markdownToBlocks, splitForAppend } from '../../../src/adapters/notion/markdown.js';
import { buildLongDocument } from './documents.js';
import { allText, limitProblems } from './limits-check.js';

type Json = Record<string, any>;
const body = (block: NotionBlock): Json => (block as Json)[block.type];
const text = (items: TextRichText[]) => items.map((item) => item.text.content).join('');
const one = (markdown: string): NotionBlock => {
  const blocks = markdownToBlocks(markdown);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
};
const plain = (content: string) => ({ type: 'text', text: { content } });

describe('markdownToBlocks: block elements', () => {
  it.each([
    ['# One', 'heading_1'],
    ['## Two', 'heading_2'],
    ['### Three', 'heading_3'],
    ['#### Four', 'heading_3'],
    ['##### Five', 'heading_3'],
    ['###### Six', 'heading_3'],
    ['Setext\n===', 'heading_1'],
    ['Setext\n---', 'heading_2'],
  ])('%j -> %s', (markdown, type) => {
    const block = one(markdown);
    expect(block.type).toBe(type);
    expect(text(body(block).rich_text)).toMatch(/One|Two|Three|Four|Five|Six|Setext/);
  });

  it('paragraphs, with soft and hard line breaks', () => {
    const blocks = markdownToBlocks('First line\nsame paragraph\n\nSecond  \nbroken<br>again');
    expect(blocks.map((b) => b.type)).toEqual(['paragraph', 'paragraph']);
    expect(text(body(blocks[0]!).rich_text)).toBe('First line\nsame paragraph');
    expect(text(body(blocks[1]!).rich_text)).toBe('Second\nbroken\nagain');
  });

  it('bulleted, numbered and to-do lists', () => {
    const blocks = markdownToBlocks('- a\n- b\n\n1. one\n2. two\n\n- [ ] open\n- [x] done\n* star\n+ plus');
    expect(blocks.map((b) => b.type)).toEqual([
      'bulleted_list_item',
      'bulleted_list_item',
      'numbered_list_item',
      'numbered_list_item',
      'to_do',
      'to_do',
      'bulleted_list_item',
      'bulleted_list_item',
    ]);
    expect(body(blocks[4]!)).toEqual({ rich_text: [plain('open')], checked: false });
    expect(body(blocks[5]!)).toEqual({ rich_text: [plain('done')], checked: true });
  });

  it('nests lists three levels deep as children', () => {
    const [top] = markdownToBlocks('- level 1\n  - level 2\n    1. level 3\n       - level 4\n- sibling');
    const level2 = body(top!).children[0];
    const level3 = body(level2).children[0];
    const level4 = body(level3).children[0];
    expect([top!.type, level2.type, level3.type, level4.type]).toEqual([
      'bulleted_list_item',
      'bulleted_list_item',
      'numbered_list_item',
      'bulleted_list_item',
    ]);
    expect(text(body(level4).rich_text)).toBe('level 4');
    expect(body(level4).children).toBeUndefined();
  });

  it('loose list items keep extra paragraphs and code as children', () => {
    const [item] = markdownToBlocks('- first para\n\n  second para\n\n  ```js\n  x()\n  ```\n');
    expect(text(body(item!).rich_text)).toBe('first para');
    expect(body(item!).children.map((b: NotionBlock) => b.type)).toEqual(['paragraph', 'code']);
  });

  it('quotes: the opening paragraphs are the text, the rest nests', () => {
    const [quote] = markdownToBlocks('> first\n> still first\n>\n> second\n>\n> - item');
    expect(quote!.type).toBe('quote');
    expect(text(body(quote!).rich_text)).toBe('first\nstill first\n\nsecond');
    expect(body(quote!).children.map((b: NotionBlock) => b.type)).toEqual(['bulleted_list_item']);
  });

  it.each([
    ['ts', 'typescript'],
    ['TypeScript', 'typescript'],
    ['js', 'javascript'],
    ['python', 'python'],
    ['sh', 'shell'],
    ['bash', 'bash'],
    ['c++', 'c++'],
    ['cpp', 'c++'],
    ['yml', 'yaml'],
    ['', 'plain text'],
    ['brainfudge', 'plain text'],
    ['js title="x.js"', 'javascript'],
  ])('code fence %j -> language %j', (info, language) => {
    const block = one(`\`\`\`${info}\nconst a = 1 < 2 && b;\n\`\`\``);
    expect(block.type).toBe('code');
    expect(body(block)).toEqual({ rich_text: [plain('const a = 1 < 2 && b;')], language });
  });

  it('indented code is plain text code', () => {
    expect(body(one('    indented\n    code'))).toEqual({ rich_text: [plain('indented\ncode')], language: 'plain text' });
  });

  it('dividers', () => {
    expect(markdownToBlocks('a\n\n---\n\nb\n\n***').map((b) => b.type)).toEqual(['paragraph', 'divider', 'paragraph', 'divider']);
    expect(markdownToBlocks('---')[0]).toEqual({ object: 'block', type: 'divider', divider: {} });
  });

  it('tables, with a header row and padded cells', () => {
    const block = one('| Name | **Score** |\n|---|---:|\n| Ada | 10 |\n| Bob |');
    expect(block.type).toBe('table');
    const table = body(block);
    expect(table.table_width).toBe(2);
    expect(table.has_column_header).toBe(true);
    expect(table.children).toHaveLength(3);
    expect(table.children.every((row: NotionBlock) => row.type === 'table_row')).toBe(true);
    expect(body(table.children[0]).cells[1]).toEqual([{ type: 'text', text: { content: 'Score' }, annotations: { bold: true } }]);
    expect(body(table.children[2]).cells).toEqual([[plain('Bob')], []]);
  });

  it('an image on its own line is an external image block; inline images become links', () => {
    expect(one('![A chart](https://example.com/chart.png)')).toEqual({
      object: 'block',
      type: 'image',
      image: { type: 'external', external: { url: 'https://example.com/chart.png' }, caption: [plain('A chart')] },
    });
    const paragraph = one('See ![the chart](https://example.com/c.png) here');
    expect(body(paragraph).rich_text).toEqual([
      plain('See '),
      { type: 'text', text: { content: 'the chart', link: { url: 'https://example.com/c.png' } } },
      plain(' here'),
    ]);
    // A relative image cannot be an external image block.
    expect(one('![x](images/x.png)').type).toBe('paragraph');
  });

  it('raw HTML blocks keep their text without the tags, comments are dropped', () => {
    expect(markdownToBlocks('<!-- hidden -->')).toEqual([]);
    expect(text(body(one('<div>\nhello\n</div>')).rich_text)).toBe('hello');
  });

  it('empty input gives no blocks', () => {
    expect(markdownToBlocks('')).toEqual([]);
    expect(markdownToBlocks('\n\n  \n')).toEqual([]);
  });
});

describe('markdownToBlocks: inline formatting', () => {
  const rich = (markdown: string) => body(one(markdown)).rich_text as TextRichText[];

  it('bold, italic, strikethrough and inline code', () => {
    expect(rich('**b** *i* _i_ ~~s~~ `c`')).toEqual([
      { type: 'text', text: { content: 'b' }, annotations: { bold: true } },
      plain(' '),
      { type: 'text', text: { content: 'i' }, annotations: { italic: true } },
      plain(' '),
      { type: 'text', text: { content: 'i' }, annotations: { italic: true } },
      plain(' '),
      { type: 'text', text: { content: 's' }, annotations: { strikethrough: true } },
      plain(' '),
      { type: 'text', text: { content: 'c' }, annotations: { code: true } },
    ]);
  });

  it('combines annotations as they nest, links included', () => {
    expect(rich('***[bold italic link](https://a.example/x)*** and ~~**`code`**~~')).toEqual([
      { type: 'text', text: { content: 'bold italic link', link: { url: 'https://a.example/x' } }, annotations: { bold: true, italic: true } },
      plain(' and '),
      { type: 'text', text: { content: 'code' }, annotations: { strikethrough: true, bold: true, code: true } },
    ]);
  });

  it('a link with formatting inside keeps the link on every piece', () => {
    expect(rich('[plain **bold**](https://x.example)')).toEqual([
      { type: 'text', text: { content: 'plain ', link: { url: 'https://x.example' } } },
      { type: 'text', text: { content: 'bold', link: { url: 'https://x.example' } }, annotations: { bold: true } },
    ]);
  });

  it('bare URLs and autolinks are links', () => {
    expect(rich('Go to https://example.com/a?b=1 or <https://example.org>.')).toEqual([
      plain('Go to '),
      { type: 'text', text: { content: 'https://example.com/a?b=1', link: { url: 'https://example.com/a?b=1' } } },
      plain(' or '),
      { type: 'text', text: { content: 'https://example.org', link: { url: 'https://example.org' } } },
      plain('.'),
    ]);
  });

  it('relative links and links over 2000 characters become plain text', () => {
    expect(rich('[docs](/docs/intro) and [anchor](#top)')).toEqual([plain('docs and anchor')]);
    const long = `https://example.com/${'a'.repeat(2000)}`;
    expect(rich(`[long](${long})`)).toEqual([plain('long')]);
  });

  it('decodes character references, but not inside code spans', () => {
    expect(rich('AT&amp;T &lt;tag&gt; &#169; &#x1F600; &unknown; `&amp;`')).toEqual([
      plain('AT&T <tag> © 😀 &unknown; '),
      { type: 'text', text: { content: '&amp;' }, annotations: { code: true } },
    ]);
  });

  it('simple inline HTML tags become annotations', () => {
    expect(rich('<b>bold</b> <u>under</u> <i>it</i>')).toEqual([
      { type: 'text', text: { content: 'bold' }, annotations: { bold: true } },
      plain(' '),
      { type: 'text', text: { content: 'under' }, annotations: { underline: true } },
      plain(' '),
      { type: 'text', text: { content: 'it' }, annotations: { italic: true } },
    ]);
  });

  it('escaped characters are literal', () => {
    expect(rich('\\*not italic\\* \\# no heading')).toEqual([plain('*not italic* # no heading')]);
  });
});

describe('markdownToBlocks: Notion size limits', () => {
  it('splits a 5000-character paragraph into 2000-character items in one block', () => {
    const long = 'x'.repeat(5000);
    const block = one(long);
    expect(body(block).rich_text.map((item: TextRichText) => item.text.content.length)).toEqual([2000, 2000, 1000]);
    expect(text(body(block).rich_text)).toBe(long);
  });

  it('splits long formatted text keeping its annotations', () => {
    const items = body(one(`**${'b'.repeat(4500)}**`)).rich_text as TextRichText[];
    expect(items).toHaveLength(3);
    expect(items.every((item) => item.annotations?.bold === true)).toBe(true);
  });

  it('never cuts an emoji in two at the 2000-character boundary', () => {
    const textWithEmoji = `${'a'.repeat(1999)}😀${'b'.repeat(10)}`;
    const items = body(one(textWithEmoji)).rich_text as TextRichText[];
    expect(items[0]!.text.content).toBe('a'.repeat(1999));
    expect(items[1]!.text.content.startsWith('😀')).toBe(true);
  });

  it('a paragraph with 150 links becomes several paragraphs of at most 100 items', () => {
    const markdown = Array.from({ length: 150 }, (_, i) => `[link ${i}](https://example.com/${i})`).join(' ');
    const blocks = markdownToBlocks(markdown);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.every((b) => b.type === 'paragraph')).toBe(true);
    expect(blocks.every((b) => body(b).rich_text.length <= 100)).toBe(true);
    const links = blocks.flatMap((b) => body(b).rich_text as TextRichText[]).filter((item) => item.text.link);
    expect(links).toHaveLength(150);
    expect(blocks.map((b) => text(body(b).rich_text)).join('')).toBe(Array.from({ length: 150 }, (_, i) => `link ${i}`).join(' '));
  });

  it('a list item with too many items keeps its children under the last part', () => {
    const words = Array.from({ length: 120 }, (_, i) => `**w${i}** `).join('');
    const blocks = markdownToBlocks(`- ${words}\n  - child`);
    expect(blocks.length).toBe(3);
    expect(blocks.every((b) => b.type === 'bulleted_list_item')).toBe(true);
    expect(body(blocks[0]!).children).toBeUndefined();
    expect(body(blocks.at(-1)!).children.map((b: NotionBlock) => text(body(b).rich_text))).toEqual(['child']);
  });

  it('a huge code block becomes several code blocks', () => {
    const code = Array.from({ length: 12_000 }, (_, i) => `line ${i} ${'='.repeat(10)}`).join('\n');
    const blocks = markdownToBlocks(`\`\`\`python\n${code}\n\`\`\``);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.every((b) => b.type === 'code' && body(b).language === 'python' && body(b).rich_text.length <= 100)).toBe(true);
    expect(blocks.map((b) => text(body(b).rich_text)).join('')).toBe(code);
  });

  it('a 30,000-character document converts and splits into requests within every limit', () => {
    const document = buildLongDocument(30_000);
    expect(document.length).toBeGreaterThanOrEqual(30_000);
    const blocks = markdownToBlocks(document);
    expect(blocks.length).toBeGreaterThan(100);
    expect(limitProblems(blocks).filter((p) => !/children|block elements|nested/.test(p))).toEqual([]);
    const batches = splitForAppend(blocks);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(limitProblems(batch.blocks)).toEqual([]);
    // Nothing is lost: the batches (plus what they defer) hold every word.
    const reassembled = batches.flatMap((batch) => [...batch.blocks, ...batch.deferred.flatMap((d) => d.children)]);
    expect(allText(reassembled).split(/\s+/).filter(Boolean).sort()).toEqual(allText(blocks).split(/\s+/).filter(Boolean).sort());
  });
});
