import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { richTextValue } from '../../../src/adapters/notion/index.js';
import { connectionRows, prop, recorder, startWorld, text, titleRow, type World } from '../generation/support.js';
import { addIdea, automationsFor, cell, editRow, FakeClock, ideasDatabase, modelCalls, nextPoll, watchIdeas } from './support.js';

describe('watching a database', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('fills the rows empty now, then each row added by the next poll, and tells the owner once per run that wrote', async () => {
    const fixture = world.addUser('U0WATCH');
    const db = ideasDatabase(world, fixture);
    const before = addIdea(world, db.dataSourceId, 'Before', 'tides');
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation, first } = await watchIdeas(automations, fixture, db.url);

    expect(first.state).toBe('succeeded');
    expect(cell(world, before.id, 'Summary')).not.toBe('');
    expect(automation).toMatchObject({ trigger: 'Watch', paused: false, connectionName: expect.any(String) });
    const row = connectionRows(world, fixture)[0]!;
    expect(prop(row, 'Trigger')).toBe('Watch');

    const added = addIdea(world, db.dataSourceId, 'Added', 'glaciers');
    await nextPoll(automations, clock);
    expect(cell(world, added.id, 'Summary')).toContain('glaciers');
    expect(automations.notices).toHaveLength(1);
    expect(automations.notices[0]).toMatchObject({ kind: 'run', report: { written: 1, failed: 0, owner: fixture.user } });

    // Nothing new: no run, no message.
    const calls = modelCalls(world);
    await nextPoll(automations, clock);
    expect(modelCalls(world)).toBe(calls);
    expect(automations.notices).toHaveLength(1);
  });

  it('fills a row again when its input changes, leaves a hand-edited output alone, and never retriggers on its own writes', async () => {
    const fixture = world.addUser('U0CHANGE');
    const db = ideasDatabase(world, fixture);
    const idea = addIdea(world, db.dataSourceId, 'Idea', 'volcanoes');
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    // The first poll sees the rows the first run wrote (their last edited time moved) and takes them as they are.
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    const settledCalls = modelCalls(world);
    expect(automations.notices).toEqual([]);

    await editRow(world, fixture, idea.id, { Summary: richTextValue('My own words') });
    await nextPoll(automations, clock);
    expect(cell(world, idea.id, 'Summary')).toBe('My own words');
    expect(modelCalls(world)).toBe(settledCalls);

    await editRow(world, fixture, idea.id, { Topic: richTextValue('earthquakes') });
    await nextPoll(automations, clock);
    expect(cell(world, idea.id, 'Summary')).toContain('earthquakes');
    expect(modelCalls(world)).toBe(settledCalls + 1);

    // Its own write moved the row's last edited time: polls see it again, and leave it.
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    expect(modelCalls(world)).toBe(settledCalls + 1);
    expect(automations.notices.map((n) => n.kind)).toEqual(['run']);
  });

  it('fills rows created in the same minute as the last poll, each once', async () => {
    const fixture = world.addUser('U0MINUTE');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    const first = addIdea(world, db.dataSourceId, 'First', 'rivers');
    await nextPoll(automations, clock);
    // Notion shows both rows' times rounded to the same minute as the poll's newest edit.
    const second = addIdea(world, db.dataSourceId, 'Second', 'deltas');
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    expect(cell(world, first.id, 'Summary')).toContain('rivers');
    expect(cell(world, second.id, 'Summary')).toContain('deltas');
    const prompts = world.openai.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => JSON.stringify(r.body));
    expect(prompts.filter((p) => p.includes('rivers'))).toHaveLength(1);
    expect(prompts.filter((p) => p.includes('deltas'))).toHaveLength(1);
  });

  it('many rows added at once are read with one query, not one request each, and each is filled once', async () => {
    const fixture = world.addUser('U0MANY');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    const rows = Array.from({ length: 40 }, (_, i) => addIdea(world, db.dataSourceId, `Row ${i}`, `topic-${i}`));
    const calls = modelCalls(world);
    const requestsBefore = world.notion.requests.length;
    await nextPoll(automations, clock);
    expect(rows.every((row, i) => cell(world, row.id, 'Summary').includes(`topic-${i}`))).toBe(true);
    expect(modelCalls(world)).toBe(calls + rows.length);
    const bare = (id: string) => id.replace(/-/g, '');
    const ids = new Set(rows.map((row) => bare(row.id)));
    const requests = world.notion.requests.slice(requestsBefore);
    const pageReads = requests.filter((r) => r.method === 'GET' && ids.has(bare(r.path.split('/')[3] ?? '')));
    const pageWrites = requests.filter((r) => r.method === 'PATCH' && ids.has(bare(r.path.split('/')[3] ?? '')));
    expect(pageReads).toEqual([]);
    expect(pageWrites).toHaveLength(rows.length); // the check sees page requests
    await nextPoll(automations, clock);
    expect(modelCalls(world)).toBe(calls + rows.length);
  });

  it('after a restart a watch catches up from its cursor, and a pause is remembered', async () => {
    const fixture = world.addUser('U0RESTART');
    const db = ideasDatabase(world, fixture);
    const other = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const before = automationsFor(world, clock);
    await watchIdeas(before, fixture, db.url);
    const { automation: paused } = await watchIdeas(before, fixture, other.url);
    await nextPoll(before, clock);
    await before.service.pause(fixture.user, paused.connectionId);
    await before.service.shutdown();

    const whileStopped = addIdea(world, db.dataSourceId, 'While stopped', 'tundra');
    const notWatched = addIdea(world, other.dataSourceId, 'Paused', 'savanna');
    clock.advance(3 * 60 * 60_000);
    const after = automationsFor(world, clock);
    after.service.start();
    expect(await after.service.list(fixture.user)).toHaveLength(2); // loaded from the store
    await nextPoll(after, clock);
    await after.service.shutdown();
    expect(cell(world, whileStopped.id, 'Summary')).toContain('tundra');
    expect(cell(world, notWatched.id, 'Summary')).toBe('');
    expect((await after.service.list(fixture.user)).map((a) => [a.connectionId === paused.connectionId, a.paused])).toEqual([
      [false, false],
      [true, true],
    ]);
  });

  it('a template reading the whole row ({{@row}}) with a last-edited column is not started again by its own writes', async () => {
    const fixture = world.addUser('U0STAMPS');
    const db = world.notion.addDatabase({
      title: 'Stamped',
      parentPageId: fixture.rootId,
      properties: { Name: { title: {} }, Topic: { rich_text: {} }, Summary: { rich_text: {} }, Edited: { last_edited_time: {} } },
    });
    // The watch began 20 minutes ago; the row was made 10 minutes ago, so Visen's write moves its `Edited` minute.
    const clock = new FakeClock(Date.now() - 20 * 60_000);
    const automations = automationsFor(world, clock);
    const rec = recorder();
    const request = { targetUrl: db.url, prompt: 'Summarise this row:\n{{@row}}', output: { kind: 'property' as const, property: 'Summary' } };
    await automations.service.create(fixture.user, request, { trigger: 'Watch' }, rec.listener, {});
    await rec.ended;
    const row = world.notion.addRow(db.dataSourceId, titleRow('Stamped row', { Topic: text('lagoons') }), {
      createdTime: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    await nextPoll(automations, clock);
    expect(cell(world, row.id, 'Summary')).toContain('lagoons');
    const calls = modelCalls(world);
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    expect(modelCalls(world)).toBe(calls);
  });

  it('an automatic run never stops for a preview: no one is there to confirm it', async () => {
    const fixture = world.addUser('U0PREVIEW');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const rec = recorder();
    const request = { targetUrl: db.url, prompt: 'Summarise {{Topic}}', output: { kind: 'property' as const, property: 'Summary' }, preview: 2 };
    await automations.service.create(fixture.user, request, { trigger: 'Watch' }, rec.listener, {});
    await rec.ended; // nothing to preview in an empty database
    const rows = ['mesas', 'buttes', 'canyons'].map((topic) => addIdea(world, db.dataSourceId, topic, topic));
    await nextPoll(automations, clock);
    expect(rows.map((row) => cell(world, row.id, 'Summary') !== '')).toEqual([true, true, true]);
  });

  it('a row that already has its output when it is added is left as it is', async () => {
    const fixture = world.addUser('U0FILLED');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    const calls = modelCalls(world);
    const row = world.notion.addRow(db.dataSourceId, titleRow('Done', { Topic: text('moons'), Summary: text('Written by hand') }));
    await nextPoll(automations, clock);
    expect(cell(world, row.id, 'Summary')).toBe('Written by hand');
    expect(modelCalls(world)).toBe(calls);
  });
});
