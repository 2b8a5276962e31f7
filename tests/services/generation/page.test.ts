// Page runs: append to the end of a page, or a new child page; connection rows with their exact values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText, connectionRows, MODEL, prop, runToEnd, startWorld, type World } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

describe('page runs', () => {
  it('appends the answer as proper Notion blocks to the end of the page and records the connection', async () => {
    const u = world.addUser('U0APPEND');
    const page = world.notion.addPage({
      title: 'Project plan',
      parentPageId: u.rootId,
      children: [{ paragraph: { rich_text: [{ text: { content: 'Existing first paragraph' } }] } }],
    });
    world.openai.setResponder(() =>
      [
        '# Plan',
        '',
        'Some **bold** and *italic* text with `code` and a [link](https://example.com).',
        '',
        '- one',
        '  - nested',
        '- two',
        '',
        '1. first',
        '2. second',
        '',
        '- [ ] a task',
        '',
        '> a quote',
        '',
        '```ts',
        'const x = 1;',
        '```',
        '',
        '---',
        '',
        '| a | b |',
        '|---|---|',
        '| 1 | 2 |',
      ].join('\n'),
    );
    const service = world.service();
    const { end } = await runToEnd(service, u.user, { targetUrl: page.url, prompt: 'Write the plan' });

    expect(end.state).toBe('succeeded');
    expect(end.done).toBe(1);
    expect(end.written).toEqual([{ title: 'Project plan', url: expect.stringContaining(page.id.replace(/-/g, '')) }]);
    const children = world.notion.childrenOf(page.id);
    expect(children.map((b) => b.type)).toEqual([
      'paragraph',
      'heading_1',
      'paragraph',
      'bulleted_list_item',
      'bulleted_list_item',
      'numbered_list_item',
      'numbered_list_item',
      'to_do',
      'quote',
      'code',
      'divider',
      'table',
    ]);
    expect(blockText(children[0]!)).toBe('Existing first paragraph');
    expect(children[3]!.children?.[0]?.type).toBe('bulleted_list_item');
    expect(children[9]!.code.language).toBe('typescript');
    const rich = children[2]!.paragraph.rich_text as Array<{ plain_text: string; annotations: Record<string, boolean>; href: string | null }>;
    expect(rich.find((r) => r.plain_text === 'bold')?.annotations.bold).toBe(true);
    expect(rich.find((r) => r.plain_text === 'link')?.href).toBe('https://example.com');

    const rows = connectionRows(world, u);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(prop(row, 'Name')).toBe('Project plan: Write the plan');
    expect(prop(row, 'Type')).toBe('Page');
    expect(prop(row, 'Target')).toBe(page.url);
    expect(prop(row, 'Prompt')).toBe('Write the plan');
    expect(prop(row, 'Output')).toBe('Append to page');
    expect(prop(row, 'Model')).toBe(MODEL);
    expect(prop(row, 'Slack user')).toBe('T0TEAM:U0APPEND');
    expect(prop(row, 'Status')).toBe('Succeeded');
    expect(Date.parse(String(prop(row, 'Last run')))).toBeGreaterThan(Date.now() - 60_000);
    expect(prop(row, 'Runs')).toBe(1);
    expect(prop(row, 'Items')).toBe(1);
    expect(prop(row, 'Last error')).toBe('');
    expect(world.notion.failures).toEqual([]);
    world.openai.setResponder(undefined as never);
  });

  it('runs the same connection again on the same row (Runs 2), and a new prompt is a new connection', async () => {
    const u = world.addUser('U0AGAIN');
    const page = world.notion.addPage({ title: 'Notes', parentPageId: u.rootId });
    const service = world.service();
    await runToEnd(service, u.user, { targetUrl: page.url, prompt: 'Summarise' });
    const first = connectionRows(world, u)[0]!;
    // The same target in another URL form, the same prompt and output: the same connection.
    const { end } = await runToEnd(service, u.user, { targetUrl: `https://notion.so/${page.id}`, prompt: '  Summarise ' });
    expect(end.state).toBe('succeeded');
    let rows = connectionRows(world, u);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first.id);
    expect(prop(rows[0]!, 'Runs')).toBe(2);
    expect(end.connectionId).toBe(first.id);

    await runToEnd(service, u.user, { targetUrl: page.url, prompt: 'Summarise differently' });
    await runToEnd(service, u.user, { targetUrl: page.url, prompt: 'Summarise', output: { kind: 'new-page' } });
    rows = connectionRows(world, u);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => prop(r, 'Output')).sort()).toEqual(['Append to page', 'Append to page', 'New page']);

    // Run again from the saved connection: same target, prompt and output.
    const rerun = await new Promise<string>((resolve, reject) => {
      service
        .rerun(u.user, first.id, (p) => (p.state === 'succeeded' ? resolve(p.state) : p.state === 'failed' ? reject(new Error(p.error)) : undefined), null)
        .catch(reject);
    });
    expect(rerun).toBe('succeeded');
    expect(prop(connectionRows(world, u).find((r) => r.id === first.id)!, 'Runs')).toBe(3);
  });

  it('creates a child page titled from the first heading, without repeating that heading', async () => {
    const u = world.addUser('U0NEWPAGE');
    const parent = world.notion.addPage({ title: 'Meetings', parentPageId: u.rootId });
    world.openai.setResponder(() => '# Weekly sync\n\nWe met.\n\n## Decisions\n\n- ship it');
    const service = world.service();
    const { end } = await runToEnd(service, u.user, { targetUrl: parent.url, prompt: 'Write the notes', output: { kind: 'new-page' } });
    expect(end.state).toBe('succeeded');
    const pages = world.notion.childrenOf(parent.id).filter((b) => b.type === 'child_page');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.child_page.title).toBe('Weekly sync');
    const body = world.notion.childrenOf(pages[0]!.id);
    expect(body.map((b) => b.type)).toEqual(['paragraph', 'heading_2', 'bulleted_list_item']);
    expect(end.written[0]).toEqual({ title: 'Weekly sync', url: expect.stringContaining(pages[0]!.id.replace(/-/g, '')) });

    // No heading: the title comes from the prompt.
    world.openai.setResponder(() => 'Just a paragraph.');
    await runToEnd(service, u.user, { targetUrl: parent.url, prompt: 'Say hello\nand more', output: { kind: 'new-page' } });
    const titles = world.notion
      .childrenOf(parent.id)
      .filter((b) => b.type === 'child_page')
      .map((b) => b.child_page.title);
    expect(titles).toEqual(['Weekly sync', 'Say hello']);
    expect(prop(connectionRows(world, u).find((r) => prop(r, 'Prompt') === 'Say hello\nand more')!, 'Output')).toBe('New page');
    world.openai.setResponder(undefined as never);
  });

  it('refuses bad requests before anything is written, with a clear message', async () => {
    const u = world.addUser('U0BAD');
    const page = world.notion.addPage({ title: 'Plain', parentPageId: u.rootId });
    const hidden = world.notion.addPage({ title: 'Hidden' });
    const service = world.service();
    const before = world.notion.requests.length;
    const noop = () => undefined;
    await expect(service.start(u.user, { targetUrl: 'https://example.com/x', prompt: 'hi' }, noop, null)).rejects.toMatchObject({
      userMessage: expect.stringContaining('notion.so'),
    });
    await expect(service.start(u.user, { targetUrl: page.url, prompt: '   ' }, noop, null)).rejects.toMatchObject({
      userMessage: expect.stringContaining('empty'),
    });
    await expect(service.start(u.user, { targetUrl: hidden.url, prompt: 'hi' }, noop, null)).rejects.toMatchObject({
      userMessage: expect.stringContaining('Connections'),
    });
    await expect(
      service.start(u.user, { targetUrl: page.url, prompt: 'hi', output: { kind: 'property', property: 'Notes' } }, noop, null),
    ).rejects.toMatchObject({
      userMessage: expect.stringContaining('only with a database'),
    });
    await expect(service.start({ teamId: 'T0TEAM', userId: 'U0NOBODY' }, { targetUrl: page.url, prompt: 'hi' }, noop, null)).rejects.toMatchObject({
      userMessage: expect.stringContaining('/visen settings'),
    });
    expect(world.notion.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(connectionRows(world, u)).toEqual([]);
    expect(world.notion.childrenOf(page.id)).toEqual([]);
  });

  it('says how to fix an unreachable connections database, and writes nothing', async () => {
    const u = world.addUser('U0NOCONN', { connectionsShared: false });
    const page = world.notion.addPage({ title: 'Target', parentPageId: u.rootId });
    const service = world.service();
    await expect(service.start(u.user, { targetUrl: page.url, prompt: 'hi' }, () => undefined, null)).rejects.toMatchObject({
      code: 'object_not_found',
      userMessage: expect.stringContaining('Visen connections'),
    });
    expect(world.notion.childrenOf(page.id)).toEqual([]);
  });
});
