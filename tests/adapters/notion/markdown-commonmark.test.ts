// The converter against the CommonMark specification's examples (npm commonmark-spec, the spec's 652 examples).
// Every example must convert, whole and streamed one character at a time, to the same blocks, and to append
// requests the Notion stand-in accepts (its shape validator and its documented limits, and link URLs that are
// absolute http(s)). And the visible text must be kept in at least 97% of them.
import { createRequire } from 'node:module';
import { decode } from 'html-entities';
import { describe, expect, it } from 'vitest';
import type { NotionBlock } from '../../../src/adapters/notion/blocks.js';
import { MarkdownBlockStream, markdownToBlocks, splitForAppend } from '../../../src/adapters/notion/markdown.js';
import { validateBlockTree } from '../../stand-ins/notion/blocks.js';
import { findLimitViolations } from '../../stand-ins/notion/limits.js';

interface SpecExample {
  readonly markdown: string;
  readonly html: string;
  readonly section: string;
  readonly number: number;
}

// The spec writes a tab as "→" (its own test runner, spec_tests.py, puts the tabs back the same way).
const examples = (createRequire(import.meta.url)('commonmark-spec').tests as SpecExample[]).map((example) => ({
  ...example,
  markdown: example.markdown.replace(/→/g, '\t'),
  html: example.html.replace(/→/g, '\t'),
}));
type Json = Record<string, any>;

function streamed(markdown: string): NotionBlock[] {
  const stream = new MarkdownBlockStream();
  const blocks = [...markdown].flatMap((char) => stream.push(char));
  return [...blocks, ...stream.end()];
}

/** Every request the blocks become (deferred children are split again, as append.ts does), with its problems. */
function requestProblems(blocks: readonly NotionBlock[]): string[] {
  const problems: string[] = [];
  for (const batch of splitForAppend(blocks)) {
    const body = { children: batch.blocks };
    problems.push(...findLimitViolations(body, Buffer.byteLength(JSON.stringify(body), 'utf8')));
    try {
      validateBlockTree([...batch.blocks], 'body.children');
    } catch (error) {
      problems.push(String((error as Error).message));
    }
    for (const deferred of batch.deferred) problems.push(...requestProblems(deferred.children));
  }
  JSON.stringify(blocks, (key, value) => {
    if (key === 'link' && !/^https?:\/\/\S+$/.test(value?.url)) problems.push(`link ${JSON.stringify(value)}`);
    return value;
  });
  return problems;
}

/**
 * The text a reader sees, whitespace normalised: runs of whitespace (spaces, tabs, line breaks, no-break spaces)
 * become one space, and the ends are trimmed.
 */
const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The visible text of the spec's expected HTML: comments, processing instructions, declarations and CDATA
 * dropped (a browser does not show them; `<!-->` and `<!--->` are comments too), an image replaced by its alt text (what Notion shows as its caption or
 * link text), every other tag dropped, references decoded.
 */
function visibleHtmlText(html: string): string {
  const withoutHidden = html.replace(/<!---?>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const alts = withoutHidden.replace(/<img\b[^>]*?\balt="([^"]*)"[^>]*>/gi, '$1');
  // A tag ends at the first `>` outside quotes.
  return normalise(decode(alts.replace(/<\/?[A-Za-z][A-Za-z0-9-]*(?:"[^"]*"|'[^']*'|[^'"<>])*>/g, ''), { level: 'html5' }));
}

/** The text of the blocks, depth first: rich text (an equation's expression), table cells, image captions. */
function visibleBlockText(blocks: readonly NotionBlock[]): string {
  const out: string[] = [];
  const items = (list: Json[] | undefined) => (list ?? []).map((item) => item.text?.content ?? item.equation?.expression ?? '').join('');
  const visit = (list: readonly Json[]) => {
    for (const block of list) {
      const body = block[block.type] ?? {};
      out.push(items(body.rich_text), items(body.caption), body.expression ?? '');
      if (Array.isArray(body.cells)) out.push(body.cells.map((cell: Json[]) => items(cell)).join(' '));
      if (Array.isArray(body.children)) visit(body.children);
    }
  };
  visit(blocks as unknown as Json[]);
  return normalise(out.join('\n'));
}

describe('the converter on the CommonMark specification examples', () => {
  const results = examples.map((example) => {
    const whole = markdownToBlocks(example.markdown);
    // "Kept": the normalised visible text of the blocks equals that of the spec's expected HTML.
    return { example, whole, streamed: streamed(example.markdown), kept: visibleBlockText(whole) === visibleHtmlText(example.html) };
  });

  it('converts every example the same way whole and streamed one character at a time', () => {
    const different = results.filter((result) => JSON.stringify(result.whole) !== JSON.stringify(result.streamed));
    expect(different.map((result) => result.example.number)).toEqual([]);
  });

  it('gives requests Notion accepts for every example', () => {
    const refused = results.map((result) => ({ number: result.example.number, problems: requestProblems(result.whole) })).filter((r) => r.problems.length > 0);
    expect(refused).toEqual([]);
  });

  it('keeps the visible text of at least 97% of the examples', () => {
    const kept = results.filter((result) => result.kept).length;
    const share = (100 * kept) / results.length;
    console.log(`CommonMark ${examples.length} examples: visible text kept in ${kept} (${share.toFixed(1)}%)`);
    expect(share).toBeGreaterThanOrEqual(97);
  });
});
