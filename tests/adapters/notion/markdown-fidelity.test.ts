// What models write lands as Notion would show it: math, character references, inline HTML, <details>, and
// reference links defined later, streamed or whole.
import { describe, expect, it } from 'vitest';
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { MarkdownBlockStream, markdownToBlocks } from '../../../src/adapters/notion/markdown.js';

type Json = Record<string, any>;
const body = (block: NotionBlock): Json => (block as Json)[block.type];
const plain = (content: string) => ({ type: 'text', text: { content } });
const equation = (expression: string) => ({ type: 'equation', equation: { expression } });
const one = (markdown: string): Json => {
  const blocks = markdownToBlocks(markdown);
  expect(blocks).toHaveLength(1);
  return blocks[0] as Json;
};
const rich = (markdown: string) => body(one(markdown) as NotionBlock).rich_text;

function streamedCharByChar(markdown: string): NotionBlock[] {
  const stream = new MarkdownBlockStream();
  const blocks = [...markdown].flatMap((char) => stream.push(char));
  return [...blocks, ...stream.end()];
}

describe('math', () => {
  it('display math on its own lines is an equation block, even right after a paragraph line', () => {
    expect(one('$$\n\\int_0^1 x\\,dx\n$$')).toEqual({ object: 'block', type: 'equation', equation: { expression: '\\int_0^1 x\\,dx' } });
    expect(markdownToBlocks('The area:\n$$\nA = \\pi r^2\n$$\nas shown.').map((block) => block.type)).toEqual(['paragraph', 'equation', 'paragraph']);
  });

  it('display math alone in a paragraph is an equation block; inside a sentence it is an inline equation', () => {
    expect(one('$$E = mc^2$$')).toEqual({ object: 'block', type: 'equation', equation: { expression: 'E = mc^2' } });
    expect(rich('so $$E = mc^2$$ holds')).toEqual([plain('so '), equation('E = mc^2'), plain(' holds')]);
  });

  it('inline math is an inline equation, keeping the annotations around it', () => {
    expect(rich('Area $\\pi r^2$ and **$x_1$**')).toEqual([
      plain('Area '),
      equation('\\pi r^2'),
      plain(' and '),
      { ...equation('x_1'), annotations: { bold: true } },
    ]);
  });

  it('prices and lone dollars stay text (pandoc rule)', () => {
    for (const text of ['It costs $5 and $12.', 'From $ 3 to $ 4', 'Pay $5$6 now', 'A \\$x\\$ escape']) {
      expect(rich(text).every((item: Json) => item.type === 'text')).toBe(true);
    }
    expect(rich('It costs $5 and $12.')).toEqual([plain('It costs $5 and $12.')]);
  });

  it('an expression over 1000 characters stays LaTeX as code, never a request Notion refuses', () => {
    const long = Array.from({ length: 300 }, (_, i) => `x_{${i}}`).join('+');
    expect(long.length).toBeGreaterThan(1000);
    const block = one(`$$\n${long}\n$$`);
    expect(block.type).toBe('code');
    expect(block.code.language).toBe('latex');
    expect(block.code.rich_text.map((item: Json) => item.text.content).join('')).toBe(long);
    const inlineLong = long.slice(0, 1200);
    expect(rich(`see $${inlineLong}$ here`)[1]).toEqual({ type: 'text', text: { content: inlineLong }, annotations: { code: true } });
  });

  it('an unclosed display is ordinary text, and a blank line ends the attempt', () => {
    expect(rich('$$\nnot closed')).toEqual([plain('$$\nnot closed')]);
    expect(markdownToBlocks('$$\na\n\nb\n$$').every((block) => block.type === 'paragraph')).toBe(true);
  });
});

describe('character references', () => {
  it('decodes every HTML5 name and numeric references in text, link text and table cells', () => {
    expect(rich('caf&eacute; &ngE; &#233; &#x1F600; &copy')).toEqual([plain('café ≧̸ é 😀 &copy')]);
    expect(rich('[&Eacute;cole](https://example.com)')).toEqual([{ type: 'text', text: { content: 'École', link: { url: 'https://example.com' } } }]);
    const table = one('| a |\n|---|\n| &hearts; &frac58; |');
    expect(body(table.table.children[1]).cells).toEqual([[plain('♥ ⅝')]]);
  });

  it('never inside code spans or code blocks', () => {
    expect(rich('`&eacute;`')).toEqual([{ type: 'text', text: { content: '&eacute;' }, annotations: { code: true } }]);
    expect(one('```\n&eacute;\n```').code.rich_text).toEqual([plain('&eacute;')]);
  });
});

describe('inline HTML', () => {
  it('<kbd> is code', () => {
    expect(rich('Press <kbd>Ctrl</kbd>')).toEqual([plain('Press '), { type: 'text', text: { content: 'Ctrl' }, annotations: { code: true } }]);
  });

  it('<sub> and <sup> use Unicode sub/superscripts when every character has one, else the text as written', () => {
    expect(rich('H<sub>2</sub>O and x<sup>2</sup> and 10<sup>-3</sup>')).toEqual([plain('H₂O and x² and 10⁻³')]);
    expect(rich('T<sub>max</sub>')).toEqual([plain('Tmax')]);
  });

  it('<u> is underline', () => {
    expect(rich('<u>under</u>')).toEqual([{ type: 'text', text: { content: 'under' }, annotations: { underline: true } }]);
  });

  it('<br> is a line break in the rich text', () => {
    expect(rich('one<br>two<br/>three')).toEqual([plain('one\ntwo\nthree')]);
  });

  it('<a href> is a link', () => {
    expect(rich('<a href="https://example.com">site</a>')).toEqual([{ type: 'text', text: { content: 'site', link: { url: 'https://example.com' } } }]);
  });

  it('any other tag is dropped and its text kept', () => {
    expect(rich('<span class="x">kept</span> <mark>too</mark>')).toEqual([plain('kept too')]);
    expect(rich('<div align="center">\n<b>Title</b> &amp; more\n</div>')).toEqual([plain('Title & more')]);
  });
});

describe('<details>', () => {
  it('becomes a toggle titled by its summary, with the body as children', () => {
    const toggle = one('<details>\n<summary>Show <b>more</b></summary>\n\nBody with *emphasis*.\n\n- a point\n</details>');
    expect(toggle.type).toBe('toggle');
    expect(toggle.toggle.rich_text).toEqual([plain('Show '), { type: 'text', text: { content: 'more' }, annotations: { bold: true } }]);
    expect(toggle.toggle.children.map((block: Json) => block.type)).toEqual(['paragraph', 'bulleted_list_item']);
  });

  it('on one line, without a summary, and nested', () => {
    expect(one('<details><summary>S</summary>body</details>').toggle).toEqual({ rich_text: [plain('S')], children: [one('body')] });
    expect(one('<details>\nbody\n</details>').toggle.rich_text).toEqual([plain('Details')]);
    const outer = one('<details><summary>A</summary>\n\n<details><summary>B</summary>inner</details>\n\n</details>');
    expect(outer.toggle.children[0].type).toBe('toggle');
  });

  it('a <details> never closed keeps its summary and body as ordinary blocks', () => {
    expect(markdownToBlocks('<details>\n<summary>S</summary>\n\nbody').map((block) => block.type)).toEqual(['paragraph', 'paragraph']);
  });

  it('streams to the same toggle', () => {
    const markdown = 'Intro\n\n<details>\n<summary>S</summary>\n\nBody\n\n</details>\n\nAfter';
    expect(streamedCharByChar(markdown)).toEqual(markdownToBlocks(markdown));
  });
});

describe('reference-style links defined later', () => {
  const markdown = [
    'See [the guide][guide] and [Site].',
    '',
    '- also [guide][]',
    '',
    'A paragraph with [brackets] that no definition matches.',
    '',
    '[guide]: https://example.com/guide "The guide"',
    '[site]: https://example.org',
  ].join('\n');

  it('become links, whole and streamed alike', () => {
    const whole = markdownToBlocks(markdown);
    expect(body(whole[0]!).rich_text).toEqual([
      plain('See '),
      { type: 'text', text: { content: 'the guide', link: { url: 'https://example.com/guide' } } },
      plain(' and '),
      { type: 'text', text: { content: 'Site', link: { url: 'https://example.org' } } },
      plain('.'),
    ]);
    expect(body(whole[2]!).rich_text).toEqual([plain('A paragraph with [brackets] that no definition matches.')]);
    expect(streamedCharByChar(markdown)).toEqual(whole);
    const stream = new MarkdownBlockStream();
    const blocks = [markdown.slice(0, 40), markdown.slice(40, 90), markdown.slice(90)].flatMap((piece) => stream.push(piece));
    expect([...blocks, ...stream.end()]).toEqual(whole);
  });

  it('a block waiting for a definition holds the blocks after it, and lets them go once it is known', () => {
    const stream = new MarkdownBlockStream();
    expect(stream.push('Read [this][1].\n\nNext paragraph.\n\nThird.\n\n')).toEqual([]);
    const released = stream.push('[1]: https://example.com/1\n\nLast');
    expect(
      released.map((block) =>
        body(block)
          .rich_text.map((item: Json) => item.text.content)
          .join(''),
      ),
    ).toEqual(['Read this.', 'Next paragraph.', 'Third.']);
    expect(body(released[0]!).rich_text[1].text.link).toEqual({ url: 'https://example.com/1' });
  });

  it('stops waiting 8,000 characters later: the brackets stay text, streamed or whole', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `Paragraph ${i} of filler text to push the definition far away.`).join('\n\n');
    const far = `Early [ref].\n\n${filler}\n\n[ref]: https://example.com/far`;
    const whole = markdownToBlocks(far);
    expect(body(whole[0]!).rich_text).toEqual([plain('Early [ref].')]);
    expect(streamedCharByChar(far)).toEqual(whole);
  });
});
