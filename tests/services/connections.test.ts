// The connections service against the Notion stand-in: a user's rows only (exact owner match), sorted and
// filtered, across pages of results; get, trash with ownership checks; the run bookkeeping with exact values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotionError } from '../../src/errors.js';
import { ConnectionsProperty as P } from '../../src/services/connections/schema.js';
import type { ConnectionSpec } from '../../src/services/connections/types.js';
import { connectionRows, prop, startWorld, type UserFixture, type World } from './generation/support.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

/**
 * A row as an earlier Visen made it for `u`: created through the API with u's integration (so `created_by` is its
 * bot), before this Visen began its record of created rows, which adopts such rows (see provenance.ts).
 */
function addConnection(u: UserFixture, owner: string, values: { name: string; type?: string; status?: string; lastRun?: string; target?: string }) {
  const rt = (content: string) => ({ rich_text: content ? [{ text: { content } }] : [] });
  const asEarlierVisen = { createdBy: u.botId, createdTime: '2026-01-01T09:00:00.000Z' };
  return world.notion.addRow(
    u.connectionsDataSourceId,
    {
      [P.name]: { title: [{ text: { content: values.name } }] },
      [P.type]: { select: { name: values.type ?? 'Page' } },
      [P.target]: { url: values.target ?? 'https://www.notion.so/0123456789abcdef0123456789abcdef' },
      [P.prompt]: rt('Prompt'),
      [P.output]: rt('Append to page'),
      [P.model]: rt('gpt-5-mini'),
      [P.slackUser]: rt(owner),
      ...(values.status ? { [P.status]: { select: { name: values.status } } } : {}),
      ...(values.lastRun ? { [P.lastRun]: { date: { start: values.lastRun } } } : {}),
      [P.runs]: { number: 1 },
      [P.items]: { number: 2 },
    },
    asEarlierVisen,
  );
}

function spec(targetId: string, overrides: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    type: 'Page',
    target: `https://www.notion.so/Target-${targetId.replace(/-/g, '')}`,
    targetId,
    prompt: 'Summarise it',
    output: 'Append to page',
    model: 'gpt-5-mini',
    name: 'My connection',
    ...overrides,
  };
}

describe('connections service', () => {
  it('lists only the user’s rows (exact owner, not case or LIKE look-alikes), sorted and filtered, over 100+ rows', async () => {
    const u = world.addUser('U_ANA');
    const key = 'T0TEAM:U_ANA';
    for (let i = 0; i < 120; i++) {
      addConnection(u, key, {
        name: `Conn ${String(i).padStart(3, '0')}`,
        type: i % 3 === 0 ? 'Database' : 'Page',
        status: i % 2 ? 'Succeeded' : 'Failed',
        lastRun: new Date(Date.UTC(2026, 0, 1 + (i % 50))).toISOString(),
      });
    }
    addConnection(u, key, { name: 'Never ran' });
    addConnection(u, 'T0TEAM:u_ana', { name: 'Other case' });
    addConnection(u, 'T0TEAM:UXANA', { name: 'Like wildcard' });
    addConnection(u, 'T0TEAM:U_ANA2', { name: 'Prefix' });
    const trashed = addConnection(u, key, { name: 'Trashed' });
    world.notion.trash(trashed.id);

    const all = await world.connections.list(u.user, u.settings, { sort: 'last_run' });
    expect(all).toHaveLength(121);
    expect(all.every((c) => c.slackUser === key)).toBe(true);
    expect(all.at(-1)!.name).toBe('Never ran');
    const times = all.slice(0, -1).map((c) => Date.parse(c.lastRun!));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const byName = await world.connections.list(u.user, u.settings, { sort: 'name' });
    expect(byName.map((c) => c.name).slice(0, 3)).toEqual(['Conn 000', 'Conn 001', 'Conn 002']);
    const databasesFailed = await world.connections.list(u.user, u.settings, { sort: 'name', type: 'Database', status: 'Failed' });
    expect(databasesFailed.length).toBe(20);
    expect(databasesFailed.every((c) => c.type === 'Database' && c.status === 'Failed')).toBe(true);

    const first = all[0]!;
    expect(first).toMatchObject({
      type: expect.any(String),
      target: 'https://www.notion.so/0123456789abcdef0123456789abcdef',
      prompt: 'Prompt',
      output: 'Append to page',
      model: 'gpt-5-mini',
      runs: 1,
      items: 2,
    });
  });

  it('get and trash: own rows only; trashing moves the row to Notion’s trash', async () => {
    const u = world.addUser('U0OWNER');
    const mine = addConnection(u, 'T0TEAM:U0OWNER', { name: 'Mine' });
    const theirs = addConnection(u, 'T0TEAM:U0OTHER', { name: 'Theirs' });
    const stranger = world.notion.addPage({ title: 'Not a connection', parentPageId: u.rootId });
    expect(await world.connections.get(u.user, u.settings, mine.id)).toMatchObject({ id: mine.id, name: 'Mine' });
    expect(await world.connections.get(u.user, u.settings, theirs.id)).toBeUndefined();
    expect(await world.connections.get(u.user, u.settings, stranger.id)).toBeUndefined();
    expect(await world.connections.get(u.user, u.settings, 'not-an-id')).toBeUndefined();

    await expect(world.connections.trash(u.user, u.settings, theirs.id)).rejects.toMatchObject({ code: 'forbidden' });
    expect(world.notion.getPage(theirs.id)!.in_trash).toBe(false);
    await world.connections.trash(u.user, u.settings, mine.id);
    expect(world.notion.getPage(mine.id)!.in_trash).toBe(true);
    expect(await world.connections.get(u.user, u.settings, mine.id)).toBeUndefined();
    await world.connections.trash(u.user, u.settings, mine.id); // again: nothing to do
  });

  it('finishRun on a connections database made before Tokens existed records the end without Tokens', async () => {
    const u = world.addUser('U0OLDDB');
    // Take Tokens out, as databases made by earlier versions lack it (Notion removes a property set to null).
    await world.notionGateway.forSecret(u.secret).updateDataSourceProperties(u.connectionsDataSourceId, { [P.tokens]: null });
    const target = world.notion.addPage({ title: 'Target', parentPageId: u.rootId });
    const created = await world.connections.beginRun(u.user, u.settings, spec(target.id));
    await world.connections.finishRun(u.user, u.settings, created.id, {
      status: 'Succeeded',
      finishedAt: '2026-03-11T10:00:00.000Z',
      runs: 1,
      items: 1,
      error: undefined,
      tokens: 99,
    });
    const row = connectionRows(world, u)[0]!;
    expect([prop(row, 'Status'), prop(row, 'Runs'), prop(row, 'Items')]).toEqual(['Succeeded', 1, 1]);
    expect(Object.keys(row.properties)).not.toContain(P.tokens);
  });

  it('beginRun finds or creates the row with exact values; finishRun sets Status, Last run, Runs, Items, Last error', async () => {
    const u = world.addUser('U0BOOK');
    const target = world.notion.addPage({ title: 'Target', parentPageId: u.rootId });
    const created = await world.connections.beginRun(u.user, u.settings, spec(target.id));
    let rows = connectionRows(world, u);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.fromEntries(Object.keys(row.properties).map((name) => [name, prop(row, name)]))).toEqual({
      Name: 'My connection',
      Type: 'Page',
      Target: spec(target.id).target,
      Prompt: 'Summarise it',
      Output: 'Append to page',
      Model: 'gpt-5-mini',
      'Slack user': 'T0TEAM:U0BOOK',
      Status: 'Running',
      'Last run': null,
      Runs: 0,
      Items: 0,
      'Last error': '',
      Tokens: null, // nothing has run yet
      Source: null, // not made from a Slack thread
    });
    expect(created).toMatchObject({ id: row.id, runs: 0, status: 'Running' });

    await world.connections.finishRun(u.user, u.settings, created.id, {
      status: 'Failed',
      finishedAt: '2026-03-11T10:00:00.000Z',
      runs: 1,
      items: 0,
      error: 'OpenAI rejected your API key.',
      tokens: undefined,
    });
    rows = connectionRows(world, u);
    expect(prop(rows[0]!, 'Tokens')).toBeNull();
    expect([prop(rows[0]!, 'Status'), prop(rows[0]!, 'Last run'), prop(rows[0]!, 'Runs'), prop(rows[0]!, 'Items'), prop(rows[0]!, 'Last error')]).toEqual([
      'Failed',
      '2026-03-11T10:00:00.000Z',
      1,
      0,
      'OpenAI rejected your API key.',
    ]);

    // Same target (any link form), prompt and output: the same row; the model and a new name are updated.
    const again = await world.connections.beginRun(
      u.user,
      u.settings,
      spec(target.id, { target: `https://notion.so/${target.id}`, model: 'gpt-4o-mini', name: 'Renamed', rename: true }),
    );
    expect(again.id).toBe(created.id);
    expect(again.runs).toBe(1);
    await world.connections.finishRun(u.user, u.settings, created.id, {
      status: 'Succeeded',
      finishedAt: '2026-03-12T10:00:00.000Z',
      runs: 2,
      items: 1,
      error: undefined,
      tokens: 1_234,
    });
    rows = connectionRows(world, u);
    expect(rows).toHaveLength(1);
    expect(prop(rows[0]!, 'Tokens')).toBe(1_234);
    expect([prop(rows[0]!, 'Name'), prop(rows[0]!, 'Model'), prop(rows[0]!, 'Status'), prop(rows[0]!, 'Runs'), prop(rows[0]!, 'Last error')]).toEqual([
      'Renamed',
      'gpt-4o-mini',
      'Succeeded',
      2,
      '',
    ]);

    // A run whose server reported no usage empties Tokens again: it holds the last run's, never an older one's.
    await world.connections.finishRun(u.user, u.settings, created.id, {
      status: 'Succeeded',
      finishedAt: '2026-03-13T10:00:00.000Z',
      runs: 3,
      items: 1,
      error: undefined,
    });
    expect(prop(connectionRows(world, u)[0]!, 'Tokens')).toBeNull();

    // Another output or prompt: another connection.
    await world.connections.beginRun(u.user, u.settings, spec(target.id, { output: 'New page' }));
    await world.connections.beginRun(u.user, u.settings, spec(target.id, { prompt: 'Other' }));
    expect(connectionRows(world, u)).toHaveLength(3);
  });

  it('a create whose answer is lost is found, not repeated', async () => {
    const u = world.addUser('U0LOST');
    const target = world.notion.addPage({ title: 'Target', parentPageId: u.rootId });
    world.notion.injectFault({ status: 'drop', afterApplying: true, times: 1, match: { method: 'POST', pathIncludes: '/v1/pages', secret: u.secret } });
    const created = await world.connections.beginRun(u.user, u.settings, spec(target.id));
    expect(connectionRows(world, u)).toHaveLength(1);
    expect(created.id).toBe(connectionRows(world, u)[0]!.id);
  });

  it('says which database and what to do when the connections database cannot be reached', async () => {
    const u = world.addUser('U0GONE', { connectionsShared: false });
    const error = await world.connections.list(u.user, u.settings, { sort: 'name' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NotionError);
    expect(error).toMatchObject({ code: 'object_not_found', userMessage: expect.stringContaining('“Visen connections”') });
  });
});
