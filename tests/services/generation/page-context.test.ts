/**
 * The page context against the Notion stand-in: GET /v1/pages/{id}/markdown
 * (https://developers.notion.com/reference/retrieve-page-markdown) read in full, a truncated answer's
 * `unknown_block_ids` fetched and put where Notion left their `<unknown>` tags, and the budget cut at whole blocks.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotionGateway, type NotionWorkspace } from '../../../src/adapters/notion/index.js';
import { cutAtBlockBoundary, readPageContext } from '../../../src/services/generation/page-context.js';
import { type NotionStandIn, startNotionStandIn } from '../../stand-ins/notion/index.js';

let notion: NotionStandIn;
let workspace: NotionWorkspace;
let secret: string;
beforeAll(async () => {
  notion = await startNotionStandIn({ markdownBlockLimit: 3, requestsPerSecond: 100, burst: 100 });
  secret = notion.createIntegration().secret;
  workspace = createNotionGateway({ baseUrl: notion.baseUrl, logger: pino({ level: 'silent' }) }).forSecret(secret);
});
afterAll(async () => {
  await notion?.close();
});

const paragraph = (content: string) => ({ paragraph: { rich_text: [{ text: { content } }] } });
const bullet = (content: string, children: unknown[] = []) => ({
  bulleted_list_item: { rich_text: [{ text: { content } }], ...(children.length ? { children } : {}) },
});

describe('readPageContext', () => {
  it('reads a page Notion truncated: the left-out blocks are fetched, in their places, nested children kept', async () => {
    const page = notion.addPage({
      title: 'Big',
      sharedWith: [secret],
      children: [paragraph('One'), paragraph('Two'), bullet('Three', [paragraph('Three child')]), paragraph('Four'), paragraph('Five')],
    });
    const first = await workspace.readPageMarkdown(page.id);
    expect(first.truncated).toBe(true);
    expect(first.unknownBlockIds.length).toBe(3);
    const context = await readPageContext(workspace, page.id, 10_000);
    expect(context).toEqual({ markdown: 'One\nTwo\n- Three\n\tThree child\nFour\nFive', usedChars: 38, cut: false });
  });

  it('cuts at a block boundary: never inside a block or between a block and its children', async () => {
    const page = notion.addPage({
      title: 'Cut',
      sharedWith: [secret],
      children: [paragraph('Alpha'), bullet('Beta', [paragraph('Beta child')]), paragraph('Gamma')],
    });
    // 'Alpha\n- Beta\n\tBeta child' is 24 characters; a budget of 20 keeps only Alpha.
    expect(await readPageContext(workspace, page.id, 20)).toEqual({ markdown: 'Alpha', usedChars: 5, cut: true });
    expect(await readPageContext(workspace, page.id, 24)).toEqual({ markdown: 'Alpha\n- Beta\n\tBeta child', usedChars: 24, cut: true });
  });

  it('a page it cannot read throws (the run then goes on without it)', async () => {
    const page = notion.addPage({ title: 'Not shared', children: [paragraph('x')] });
    await expect(readPageContext(workspace, page.id, 100)).rejects.toMatchObject({ code: 'object_not_found' });
  });
});

describe('cutAtBlockBoundary', () => {
  it('keeps a code fence whole', () => {
    const markdown = 'Intro\n```\ncode line\n\nmore code\n```\nAfter';
    expect(cutAtBlockBoundary(markdown, 30)).toBe('Intro');
    expect(cutAtBlockBoundary(markdown, 37)).toBe('Intro\n```\ncode line\n\nmore code\n```');
  });
  it('a first block longer than the budget is cut at a line end, never past the budget', () => {
    expect(cutAtBlockBoundary('line one\nline two continues', 12)).toBe('line one');
    expect(cutAtBlockBoundary('x'.repeat(50), 10)).toBe('x'.repeat(10));
  });
});
