// Notion failing under a run: 429 and 529 with Retry-After, 500s, timeouts and dropped connections on writes
// (some applied before the connection broke). Nothing is written twice, no row is missed, no retry is early.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { blockText, connectionRows, prop, runToEnd, startWorld, titleRow, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ notionTimeoutMs: 800 });
});
afterEach(() => {
  world.notion.clearFaults();
  world.openai.setResponder(undefined as never);
  world.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});
afterAll(async () => {
  await world.close();
});

const echo = (req: ChatRequest) => `Answer to: ${req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}`;

function injectStorm(secret: string): void {
  world.notion.injectFault({ status: 429, probability: 0.1, retryAfterSeconds: 1, match: { secret } });
  world.notion.injectFault({ status: 529, probability: 0.05, retryAfterSeconds: 1, match: { secret } });
  world.notion.injectFault({ status: 500, probability: 0.1, match: { secret, method: 'PATCH' } });
  world.notion.injectFault({ status: 503, probability: 0.05, match: { secret, method: 'GET' } });
  world.notion.injectFault({ status: 'slow', probability: 0.05, delayMs: 1_200, match: { secret, method: 'PATCH' } });
  world.notion.injectFault({ status: 'drop', afterApplying: true, probability: 0.05, match: { secret, method: 'PATCH' } });
  world.notion.injectFault({ status: 'drop', probability: 0.03, match: { secret, method: 'PATCH' } });
}

describe('Notion faults during runs', () => {
  it('a database run into page bodies: every row exactly once', async () => {
    const u = world.addUser('U0STORMBODY');
    const db = world.notion.addDatabase({ title: 'Storm', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    for (let i = 1; i <= 40; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
    world.openai.setResponder(echo);
    const since = world.notion.requests.length;
    injectStorm(u.secret);
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'About {{Name}}' });
    world.notion.clearFaults();
    expect(end).toMatchObject({ state: 'succeeded', done: 40, failed: 0 });
    for (const row of world.notion.rows(db.dataSourceId)) {
      expect(world.notion.childrenOf(row.id).map(blockText)).toEqual([`Answer to: About ${prop(row, 'Name')}`]);
    }
    const injected = world.notion.requests.slice(since).filter((r) => r.injected);
    expect(injected.length).toBeGreaterThan(5);
    expect(world.notion.failures).toEqual([]);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Succeeded');
    expect(connectionRows(world, u)).toHaveLength(1);
  }, 60_000);

  it('a database run into a property: every row filled', async () => {
    const u = world.addUser('U0STORMPROP');
    const db = world.notion.addDatabase({ title: 'Storm', parentPageId: u.rootId, properties: { Name: { title: {} }, Out: { rich_text: {} } } });
    for (let i = 1; i <= 20; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
    world.openai.setResponder(echo);
    injectStorm(u.secret);
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'About {{Name}}', output: { kind: 'property', property: 'Out' } });
    world.notion.clearFaults();
    expect(end).toMatchObject({ state: 'succeeded', done: 20, failed: 0 });
    for (const row of world.notion.rows(db.dataSourceId)) expect(prop(row, 'Out')).toBe(`Answer to: About ${prop(row, 'Name')}`);
    expect(world.notion.failures).toEqual([]);
  }, 60_000);

  it('a page run whose appends fail, time out and drop after applying: the content once, in order', async () => {
    const u = world.addUser('U0STORMPAGE');
    const page = world.notion.addPage({ title: 'Storm page', parentPageId: u.rootId });
    const answer = Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n');
    world.openai.setResponder(() => answer);
    world.openai.setStreamRate({ charsPerChunk: 30, chunkIntervalMs: 30 });
    const path = `/v1/blocks/${page.id}/children`;
    world.notion.injectFault({ status: 'drop', afterApplying: true, times: 1, match: { method: 'PATCH', pathIncludes: path } });
    world.notion.injectFault({ status: 500, times: 1, match: { method: 'PATCH', pathIncludes: path } });
    world.notion.injectFault({ status: 'slow', delayMs: 1_200, times: 1, match: { method: 'PATCH', pathIncludes: path } });
    world.notion.injectFault({ status: 429, times: 1, match: { method: 'PATCH', pathIncludes: path } });
    const { end } = await runToEnd(world.service({ firstBatchBlocks: 2, batchIntervalMs: 150 }), u.user, { targetUrl: page.url, prompt: 'Write' });
    expect(end.state).toBe('succeeded');
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(answer.split('\n\n'));
    expect(world.notion.failures).toEqual([]);
  }, 30_000);

  it('a new page whose create drops after applying: one page, found and used', async () => {
    const u = world.addUser('U0STORMNEW');
    const parent = world.notion.addPage({ title: 'Parent', parentPageId: u.rootId });
    world.openai.setResponder(() => '# Fresh\n\nBody text.');
    world.notion.injectFault({ status: 'drop', afterApplying: true, times: 1, match: { method: 'POST', pathIncludes: '/v1/pages', secret: u.secret } });
    // The connection row is created by POST /v1/pages too: let that one through first.
    const service = world.service();
    await runToEnd(service, u.user, { targetUrl: parent.url, prompt: 'Warm up' }).catch(() => undefined);
    world.notion.clearFaults();
    world.notion.injectFault({ status: 'drop', afterApplying: true, times: 1, match: { method: 'POST', pathIncludes: '/v1/pages', secret: u.secret } });
    const { end } = await runToEnd(service, u.user, { targetUrl: parent.url, prompt: 'Warm up', output: { kind: 'new-page' } });
    expect(end.state).toBe('succeeded');
    const pages = world.notion.childrenOf(parent.id).filter((b) => b.type === 'child_page');
    expect(pages.map((p) => p.child_page.title)).toEqual(['Fresh']);
    expect(world.notion.childrenOf(pages[0]!.id).map(blockText)).toEqual(['Body text.']);
    // The first run's connection row was created through a dropped answer: still one row per connection.
    expect(
      connectionRows(world, u)
        .map((r) => prop(r, 'Output'))
        .sort(),
    ).toEqual(['Append to page', 'New page']);
  }, 30_000);

  it('a page run cut half way while Notion is flaky takes out everything it wrote', async () => {
    const u = world.addUser('U0REMOVED');
    const page = world.notion.addPage({
      title: 'Removed',
      parentPageId: u.rootId,
      children: [{ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Already there.' } }] } }],
    });
    const answer = Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n');
    world.openai.setResponder(() => answer);
    world.openai.setStreamRate({ charsPerChunk: 20, chunkIntervalMs: 30 });
    world.openai.injectFault({ kind: 'cut_stream', afterChars: Math.floor(answer.length * 0.7) });
    const { end } = await runToEnd(world.service({ firstBatchBlocks: 2, batchIntervalMs: 150 }), u.user, { targetUrl: page.url, prompt: 'Write' });
    expect(end.state).toBe('failed');
    // Some content had landed before the cut (the deletes below are what took it out again).
    expect(world.notion.requests.some((r) => r.method === 'DELETE' && r.status === 200)).toBe(true);
    expect(world.notion.childrenOf(page.id).map(blockText)).toEqual(['Already there.']);
  }, 30_000);
});
