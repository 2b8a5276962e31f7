// Database runs: each row's template filled from its properties, written into the row's page or a text
// property; skips, --all, --limit, large databases, and the connection row's values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { blockText, connectionRows, MODEL, prop, runToEnd, startWorld, text, titleRow, type World, writes } from './support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const userMessage = (req: ChatRequest) => req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
/** Answers with one line naming the prompt, so each row's output says which prompt it came from. */
const echo = (req: ChatRequest) => `Answer to: ${userMessage(req)}`;

describe('database runs', () => {
  it('fills placeholders from every property type and writes each row’s page body', async () => {
    const u = world.addUser('U0DBBODY');
    const authors = world.notion.addDatabase({ title: 'Authors', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    const herbert = world.notion.addRow(authors.dataSourceId, titleRow('Frank Herbert'));
    const db = world.notion.addDatabase({
      title: 'Books',
      parentPageId: u.rootId,
      properties: {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Pages: { number: {} },
        Genre: { select: { options: [{ name: 'SF' }] } },
        Tags: { multi_select: { options: [{ name: 'classic' }, { name: 'desert' }] } },
        Read: { checkbox: {} },
        Published: { date: {} },
        Link: { url: {} },
        Mail: { email: {} },
        Phone: { phone_number: {} },
        Author: { relation: { data_source_id: authors.dataSourceId, single_property: {} } },
      },
    });
    world.notion.addRow(
      db.dataSourceId,
      titleRow('Dune', {
        Notes: text('spice'),
        Pages: { number: 412 },
        Genre: { select: { name: 'SF' } },
        Tags: { multi_select: [{ name: 'classic' }, { name: 'desert' }] },
        Read: { checkbox: true },
        Published: { date: { start: '1965-08-01' } },
        Link: { url: 'https://example.com/dune' },
        Mail: { email: 'a@b.c' },
        Phone: { phone_number: '+1 555' },
        Author: { relation: [{ id: herbert.id }] },
      }),
    );
    world.notion.addRow(db.dataSourceId, titleRow('Empty one'));
    world.openai.setResponder(echo);
    const template = '{{Name}}|{{ Notes }}|{{Pages}}|{{Genre}}|{{Tags}}|{{Read}}|{{Published}}|{{Link}}|{{Mail}}|{{Phone}}|{{Author}}|{{  name }}';
    const { end } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: template });
    expect(end.state).toBe('succeeded');
    expect(end).toMatchObject({ total: 2, done: 2, skipped: 0, failed: 0 });
    // The schema read when the run was started serves its first step too.
    expect(world.notion.requests.filter((r) => r.method === 'GET' && r.path === `/v1/data_sources/${db.dataSourceId}`)).toHaveLength(1);
    const rows = world.notion.rows(db.dataSourceId);
    const dune = rows.find((r) => prop(r, 'Name') === 'Dune')!;
    expect(world.notion.childrenOf(dune.id).map(blockText)).toEqual([
      'Answer to: Dune|spice|412|SF|classic, desert|Yes|1965-08-01|https://example.com/dune|a@b.c|+1 555|Frank Herbert|Dune',
    ]);
    const empty = rows.find((r) => prop(r, 'Name') === 'Empty one')!;
    expect(world.notion.childrenOf(empty.id).map(blockText)).toEqual(['Answer to: Empty one|||||No||||||Empty one']);

    const conn = connectionRows(world, u)[0]!;
    expect({
      Name: prop(conn, 'Name'),
      Type: prop(conn, 'Type'),
      Target: prop(conn, 'Target'),
      Prompt: prop(conn, 'Prompt'),
      Output: prop(conn, 'Output'),
      Model: prop(conn, 'Model'),
      'Slack user': prop(conn, 'Slack user'),
      Status: prop(conn, 'Status'),
      Runs: prop(conn, 'Runs'),
      Items: prop(conn, 'Items'),
      'Last error': prop(conn, 'Last error'),
    }).toEqual({
      Name: `Books: ${template.slice(0, 59)}…`,
      Type: 'Database',
      Target: db.url,
      Prompt: template,
      Output: 'Page body',
      Model: MODEL,
      'Slack user': 'T0TEAM:U0DBBODY',
      Status: 'Succeeded',
      Runs: 1,
      Items: 2,
      'Last error': '',
    });
  });

  it('refuses a placeholder that names no property, listing the properties, before generating anything', async () => {
    const u = world.addUser('U0DBPH');
    const db = world.notion.addDatabase({
      title: 'Books',
      parentPageId: u.rootId,
      properties: { Name: { title: {} }, Notes: { rich_text: {} }, Added: { created_time: {} } },
    });
    world.notion.addRow(db.dataSourceId, titleRow('Dune'));
    const chatsBefore = world.openai.requests.length;
    const service = world.service();
    const start = (prompt: string, output?: { kind: 'property'; property: string }) =>
      service.start(u.user, { targetUrl: db.url, prompt, ...(output ? { output } : {}) }, () => undefined, null);
    await expect(start('About {{Title}} and {{Nme}}')).rejects.toMatchObject({
      userMessage: expect.stringMatching(/`\{\{Title\}\}`, `\{\{Nme\}\}`.*`Name`, `Notes`.*Nothing was generated/),
    });
    await expect(start('About {{}}')).rejects.toMatchObject({ userMessage: expect.stringContaining('empty placeholder') });
    await expect(start('x', { kind: 'property', property: 'Missing' })).rejects.toMatchObject({ userMessage: expect.stringContaining('`Notes`') });
    await expect(start('x', { kind: 'property', property: 'Added' })).rejects.toMatchObject({
      userMessage: expect.stringContaining('Visen cannot write into `Added` (created time)'),
    });
    await expect(service.start(u.user, { targetUrl: db.url, prompt: 'x', output: { kind: 'new-page' } }, () => undefined, null)).rejects.toMatchObject({
      userMessage: expect.stringContaining('only with a page link'),
    });
    expect(world.openai.requests.length).toBe(chatsBefore);
    expect(connectionRows(world, u)).toEqual([]);

    const description = await service.describeTarget(u.user, db.url);
    expect(description).toMatchObject({
      kind: 'Database',
      title: 'Books',
      propertyNames: ['Name', 'Notes', 'Added'],
      richTextPropertyNames: ['Notes'],
      writableProperties: [
        { name: 'Name', type: 'title' },
        { name: 'Notes', type: 'rich_text' },
      ],
    });
  });

  it('describes a database with the readings through its relations, for the modal’s hint', async () => {
    const u = world.addUser('U0DBDESCREL');
    const teams = world.notion.addDatabase({ title: 'Teams', parentPageId: u.rootId, properties: { Name: { title: {} }, Lead: { rich_text: {} } } });
    const db = world.notion.addDatabase({
      title: 'People',
      parentPageId: u.rootId,
      properties: { Name: { title: {} }, Team: { relation: { data_source_id: teams.dataSourceId, single_property: {} } } },
    });
    const description = await world.service().describeTarget(u.user, db.url);
    expect(description.relationReadings).toEqual(['Team.Name', 'Team.Lead']);
  });

  it('writes into a text property, skips rows that have output, --all rewrites them, --limit caps', async () => {
    const u = world.addUser('U0DBINTO');
    const db = world.notion.addDatabase({ title: 'Ideas', parentPageId: u.rootId, properties: { Name: { title: {} }, Summary: { rich_text: {} } } });
    for (let i = 1; i <= 6; i++) world.notion.addRow(db.dataSourceId, titleRow(`Idea ${i}`, i === 2 ? { Summary: text('already here') } : {}));
    world.openai.setResponder(echo);
    const service = world.service();
    const into = { kind: 'property' as const, property: 'Summary' };

    const first = await runToEnd(service, u.user, { targetUrl: db.url, prompt: 'Summarise {{Name}}', output: into, limit: 3 });
    expect(first.end).toMatchObject({ state: 'succeeded', total: 3, done: 3, skipped: 1 });
    const summaries = () => Object.fromEntries(world.notion.rows(db.dataSourceId).map((r) => [prop(r, 'Name'), prop(r, 'Summary')]));
    expect(summaries()).toEqual({
      'Idea 1': 'Answer to: Summarise Idea 1',
      'Idea 2': 'already here',
      'Idea 3': 'Answer to: Summarise Idea 3',
      'Idea 4': 'Answer to: Summarise Idea 4',
      'Idea 5': '',
      'Idea 6': '',
    });

    // Again, only empty rows: the two left.
    const second = await runToEnd(service, u.user, { targetUrl: db.url, prompt: 'Summarise {{Name}}', output: into });
    expect(second.end).toMatchObject({ state: 'succeeded', total: 2, done: 2, skipped: 4 });
    expect(connectionRows(world, u)).toHaveLength(1);
    const conn = connectionRows(world, u)[0]!;
    expect(prop(conn, 'Output')).toBe('Property: Summary');
    expect(prop(conn, 'Runs')).toBe(2);
    expect(prop(conn, 'Items')).toBe(2);

    // --all: every row rewritten (a property write replaces, so nothing doubles).
    world.openai.setResponder((req) => `New: ${userMessage(req)}`);
    const third = await runToEnd(service, u.user, { targetUrl: db.url, prompt: 'Summarise {{Name}}', output: into, onlyEmpty: false });
    expect(third.end).toMatchObject({ state: 'succeeded', total: 6, done: 6, skipped: 0 });
    expect(Object.values(summaries()).every((s) => String(s).startsWith('New: '))).toBe(true);
    expect(connectionRows(world, u)).toHaveLength(1);
  });

  it('skips rows this connection already wrote into (page bodies), and --all writes them again', async () => {
    const u = world.addUser('U0DBSKIP');
    const db = world.notion.addDatabase({ title: 'Tasks', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    for (let i = 1; i <= 3; i++) world.notion.addRow(db.dataSourceId, titleRow(`Task ${i}`));
    world.openai.setResponder(echo);
    const service = world.service();
    const request = { targetUrl: db.url, prompt: 'Plan {{Name}}' };
    expect((await runToEnd(service, u.user, { ...request, limit: 2 })).end).toMatchObject({ done: 2, skipped: 0 });
    expect((await runToEnd(service, u.user, request)).end).toMatchObject({ done: 1, skipped: 2 });
    expect((await runToEnd(service, u.user, request)).end).toMatchObject({ state: 'succeeded', total: 0, done: 0, skipped: 3 });
    for (const row of world.notion.rows(db.dataSourceId)) expect(world.notion.childrenOf(row.id)).toHaveLength(1);
    expect((await runToEnd(service, u.user, { ...request, onlyEmpty: false })).end).toMatchObject({ done: 3, skipped: 0 });
    for (const row of world.notion.rows(db.dataSourceId)) expect(world.notion.childrenOf(row.id)).toHaveLength(2);
  });

  it('covers a database of 250 rows (three pages of results), every row exactly once', async () => {
    const u = world.addUser('U0DB250');
    const db = world.notion.addDatabase({ title: 'Big', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    for (let i = 1; i <= 250; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
    world.openai.setResponder(echo);
    const startedAt = Date.now();
    const { end, updates } = await runToEnd(world.service(), u.user, { targetUrl: db.url, prompt: 'Describe {{Name}}' });
    expect(end).toMatchObject({ state: 'succeeded', total: 250, done: 250, failed: 0, skipped: 0 });
    for (const row of world.notion.rows(db.dataSourceId)) {
      expect(world.notion.childrenOf(row.id).map(blockText)).toEqual([`Answer to: Describe ${prop(row, 'Name')}`]);
    }
    const queries = world.notion.requests.filter((r) => r.path === `/v1/data_sources/${db.dataSourceId}/query` && r.at >= startedAt);
    expect(queries.length).toBeGreaterThanOrEqual(3);
    expect(updates.some((p) => p.state === 'running' && p.total === undefined)).toBe(true);
    expect(end.written).toHaveLength(10);
    expect(world.notion.failures).toEqual([]);
    // One append per row, nothing more.
    expect(writes(world, '/children').filter((r) => r.at >= startedAt)).toHaveLength(250);
  }, 30_000);
});
