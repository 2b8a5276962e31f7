// Every OpenAI failure gives a clear message, is recorded on the connection (Failed, Last error), and leaves
// no half-written content behind.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockText, connectionRows, prop, runToEnd, startWorld, titleRow, type UserFixture, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ openAiTimeoutMs: 800 });
});
afterEach(() => {
  world.openai.clearFaults();
  world.openai.setResponder(undefined as never);
  world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});
afterAll(async () => {
  await world.close();
});

async function failingPageRun(u: UserFixture, prompt = 'Write something') {
  const page = world.notion.addPage({
    title: 'Target',
    parentPageId: u.rootId,
    children: [{ paragraph: { rich_text: [{ text: { content: 'Kept' } }] } }],
  });
  const { end } = await runToEnd(world.service(), u.user, { targetUrl: page.url, prompt });
  const row = connectionRows(world, u)[0]!;
  return { end, row, page, children: world.notion.childrenOf(page.id) };
}

describe('OpenAI failures on a page run', () => {
  const cases: Array<{ name: string; setUp: () => Partial<{ model: string; openaiKey: string }>; message: RegExp }> = [
    { name: 'a rejected key', setUp: () => ({ openaiKey: 'sk-test-not-registered-000000000000' }), message: /rejected your API key/ },
    { name: 'an exhausted quota', setUp: () => (world.openai.injectFault({ kind: 'quota' }), {}), message: /run out of credit/ },
    { name: 'a model that does not exist', setUp: () => ({ model: 'gpt-nope' }), message: /model `gpt-nope` does not exist/ },
    { name: 'a timeout', setUp: () => (world.openai.injectFault({ kind: 'hang', times: 5 }), {}), message: /sent nothing for/ },
    {
      name: 'a rate limit that does not pass',
      setUp: () => (world.openai.injectFault({ kind: 429, times: 10, retryAfterMs: 10 }), {}),
      message: /rate-limiting/,
    },
    { name: 'server errors', setUp: () => (world.openai.injectFault({ kind: 500, times: 10 }), {}), message: /server error/ },
    { name: 'a stream cut before any content', setUp: () => (world.openai.injectFault({ kind: 'cut_stream', afterChars: 0 }), {}), message: /broke off/ },
  ];
  for (const c of cases) {
    it(`${c.name}: Failed with a clear Last error, the page untouched`, async () => {
      const overrides = c.setUp();
      const u = world.addUser(`U0ERR${c.name.replace(/\W/g, '').toUpperCase().slice(0, 12)}`, overrides);
      const { end, row, children } = await failingPageRun(u);
      expect(end.state).toBe('failed');
      expect(end.error).toMatch(c.message);
      expect(prop(row, 'Status')).toBe('Failed');
      expect(prop(row, 'Last error')).toMatch(c.message);
      expect(prop(row, 'Runs')).toBe(1);
      expect(prop(row, 'Items')).toBe(0);
      expect(children.map(blockText)).toEqual(['Kept']);
      expect(String(prop(row, 'Last error'))).not.toContain('sk-test');
    });
  }

  it('a stream cut half way after content was written: the appended blocks are removed again', async () => {
    const u = world.addUser('U0CUTHALF');
    const answer = Array.from({ length: 40 }, (_, i) => `Paragraph number ${i + 1} with some words in it.`).join('\n\n');
    world.openai.setResponder(() => answer);
    world.openai.setStreamRate({ charsPerChunk: 40, chunkIntervalMs: 40 });
    world.openai.injectFault({ kind: 'cut_stream', afterChars: Math.floor(answer.length * 0.8) });
    const page = world.notion.addPage({ title: 'Cut', parentPageId: u.rootId, children: [{ paragraph: { rich_text: [{ text: { content: 'Kept' } }] } }] });
    const { end } = await runToEnd(world.service({ firstBatchBlocks: 2, batchIntervalMs: 200 }), u.user, { targetUrl: page.url, prompt: 'Write' });
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/broke off/);
    // Content did reach Notion while streaming, and is in the trash now.
    const all = world.notion.childrenOf(page.id, { includeTrashed: true });
    expect(all.filter((b) => b.in_trash).length).toBeGreaterThan(0);
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(['Kept']);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Failed');
  });

  it('a stream cut half way on a new page: the half-created page is trashed', async () => {
    const u = world.addUser('U0CUTNEW');
    const answer = `# Title\n\n${Array.from({ length: 30 }, (_, i) => `Paragraph ${i}.`).join('\n\n')}`;
    world.openai.setResponder(() => answer);
    world.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 30 });
    world.openai.injectFault({ kind: 'cut_stream', afterChars: Math.floor(answer.length * 0.7) });
    const parent = world.notion.addPage({ title: 'Parent', parentPageId: u.rootId });
    const { end } = await runToEnd(world.service({ firstBatchBlocks: 2, batchIntervalMs: 200 }), u.user, {
      targetUrl: parent.url,
      prompt: 'Write',
      output: { kind: 'new-page' },
    });
    expect(end.state).toBe('failed');
    expect(world.notion.childrenOf(parent.id)).toEqual([]);
    expect(world.notion.childrenOf(parent.id, { includeTrashed: true }).filter((b) => b.type === 'child_page')).toHaveLength(1);
  });
});

describe('OpenAI failures on a database run', () => {
  it('an exhausted quota stops the run: Failed, nothing written', async () => {
    const u = world.addUser('U0DBQUOTA');
    const db = world.notion.addDatabase({ title: 'Books', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    for (const name of ['A', 'B', 'C']) world.notion.addRow(db.dataSourceId, titleRow(name));
    world.openai.injectFault({ kind: 'quota', times: 10 });
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'About {{Name}}' });
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/run out of credit/);
    for (const row of world.notion.rows(db.dataSourceId)) expect(world.notion.childrenOf(row.id)).toEqual([]);
    const conn = connectionRows(world, u)[0]!;
    expect(prop(conn, 'Status')).toBe('Failed');
    expect(prop(conn, 'Items')).toBe(0);
    expect(prop(conn, 'Last error')).toMatch(/run out of credit/);
  });

  it('a stream cut on one row is generated again; every row written once', async () => {
    const u = world.addUser('U0DBCUT');
    const db = world.notion.addDatabase({ title: 'Books', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    for (const name of ['A', 'B', 'C', 'D']) world.notion.addRow(db.dataSourceId, titleRow(name));
    world.openai.injectFault({ kind: 'cut_stream', times: 2 });
    world.openai.injectFault({ kind: 'hang', times: 1 });
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'About {{Name}}' });
    expect(end.state).toBe('succeeded');
    expect(end.done).toBe(4);
    for (const row of world.notion.rows(db.dataSourceId)) {
      const headings = world.notion.childrenOf(row.id).filter((b) => b.type === 'heading_1');
      expect(headings.map(blockText)).toEqual([`About ${prop(row, 'Name')}`]);
    }
  });
});
