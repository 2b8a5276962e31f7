import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectValue } from '../../../src/adapters/notion/index.js';
import { UserInputError } from '../../../src/errors.js';
import type { RunProgress } from '../../../src/services/generation/types.js';
import { connectionRows, prop, startWorld, type World } from '../generation/support.js';
import { addIdea, automationsFor, cell, editRow, FakeClock, ideasDatabase, nextPoll, POLL_MS, watchIdeas } from './support.js';

describe('controlling automations from Notion and from Slack', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('Trigger set to Manual in Notion stops the watch within one poll; set back to Watch, it catches up', async () => {
    const fixture = world.addUser('U0TRIGGER');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation } = await watchIdeas(automations, fixture, db.url);

    await editRow(world, fixture, automation.connectionId, { Trigger: selectValue('Manual') });
    const whileManual = addIdea(world, db.dataSourceId, 'While manual', 'storms');
    await nextPoll(automations, clock);
    expect(cell(world, whileManual.id, 'Summary')).toBe('');
    expect(await automations.service.list(fixture.user)).toMatchObject([{ connectionId: automation.connectionId, paused: true }]);

    await editRow(world, fixture, automation.connectionId, { Trigger: selectValue('Watch') });
    await nextPoll(automations, clock);
    expect(cell(world, whileManual.id, 'Summary')).toContain('storms');
    expect(await automations.service.list(fixture.user)).toMatchObject([{ paused: false }]);
  });

  it('a connection row moved to the trash stops its automation', async () => {
    const fixture = world.addUser('U0TRASH');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation } = await watchIdeas(automations, fixture, db.url);
    world.notion.trash(automation.connectionId);
    const added = addIdea(world, db.dataSourceId, 'After the trash', 'comets');
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    expect(cell(world, added.id, 'Summary')).toBe('');
    expect(await automations.service.list(fixture.user)).toMatchObject([{ paused: true }]);
  });

  it('pause and resume from Slack: the row’s Trigger follows, and a resumed watch fills what was added meanwhile', async () => {
    const fixture = world.addUser('U0PAUSE');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation } = await watchIdeas(automations, fixture, db.url);
    const row = () => connectionRows(world, fixture).find((r) => r.id === automation.connectionId)!;

    const paused = await automations.service.pause(fixture.user, automation.connectionId);
    expect(paused.paused).toBe(true);
    expect(paused.nextRun).toBeUndefined();
    expect(paused.pausedReason).toBeUndefined();
    expect(prop(row(), 'Trigger')).toBe('Manual');
    const added = addIdea(world, db.dataSourceId, 'Meanwhile', 'auroras');
    await nextPoll(automations, clock);
    expect(cell(world, added.id, 'Summary')).toBe('');

    expect(await automations.service.resume(fixture.user, automation.connectionId)).toMatchObject({ paused: false });
    expect(prop(row(), 'Trigger')).toBe('Watch');
    await nextPoll(automations, clock);
    expect(cell(world, added.id, 'Summary')).toContain('auroras');
  });

  it('another user cannot pause, resume or list someone’s automation', async () => {
    const owner = world.addUser('U0OWNER');
    const other = world.addUser('U0OTHER');
    const db = ideasDatabase(world, owner);
    const automations = automationsFor(world, new FakeClock());
    const { automation } = await watchIdeas(automations, owner, db.url);
    await expect(automations.service.pause(other.user, automation.connectionId)).rejects.toBeInstanceOf(UserInputError);
    await expect(automations.service.resume(other.user, automation.connectionId)).rejects.toBeInstanceOf(UserInputError);
    expect(await automations.service.list(other.user)).toEqual([]);
  });

  it('forgetUser (/visen clear) stops and forgets the user’s automations; their rows stay, with Trigger Manual', async () => {
    const fixture = world.addUser('U0CLEAR');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation } = await watchIdeas(automations, fixture, db.url);
    await automations.service.forgetUser(fixture.user);
    expect(await automations.service.list(fixture.user)).toEqual([]);
    const row = connectionRows(world, fixture).find((r) => r.id === automation.connectionId)!;
    expect(prop(row, 'Trigger')).toBe('Manual');
    const added = addIdea(world, db.dataSourceId, 'After clear', 'reefs');
    await nextPoll(automations, clock);
    expect(cell(world, added.id, 'Summary')).toBe('');
    // Nothing of it is left for a restart either.
    const restarted = automationsFor(world, clock);
    restarted.service.start();
    await restarted.service.shutdown();
    expect(await restarted.service.list(fixture.user)).toEqual([]);
  });

  it('a page cannot be watched, and a connections database without Trigger is named with what to do', async () => {
    const fixture = world.addUser('U0REFUSE');
    const page = world.notion.addPage({ title: 'A page', parentPageId: fixture.rootId });
    const automations = automationsFor(world, new FakeClock());
    const create = (url: string) => automations.service.create(fixture.user, { targetUrl: url, prompt: 'Write' }, { trigger: 'Watch' }, () => undefined, {});
    await expect(create(page.url)).rejects.toThrow(/Only a database can be watched/);
    await world.notionGateway.forSecret(fixture.secret).updateDataSourceProperties(fixture.connectionsDataSourceId, { Trigger: null });
    const db = ideasDatabase(world, fixture);
    await expect(create(db.url)).rejects.toThrow(/lacks `Trigger`.*\/visen settings/);
    expect(connectionRows(world, fixture)).toEqual([]);
  });

  it('Pause in team mode cancels the automation’s automatic run in progress; in one process that run finishes', async () => {
    for (const cancelRunOnPause of [true, false]) {
      const fixture = world.addUser(cancelRunOnPause ? 'U0PAUSETEAM' : 'U0PAUSEONE');
      const db = ideasDatabase(world, fixture);
      const clock = new FakeClock();
      const automations = automationsFor(world, clock, { cancelRunOnPause });
      const { automation } = await watchIdeas(automations, fixture, db.url);
      const ended: RunProgress[] = [];
      automations.generation.subscribe((p) => {
        if (p.automatic && ['succeeded', 'failed', 'cancelled'].includes(p.state)) ended.push(p);
      });
      for (const topic of ['bays', 'coves', 'inlets', 'fjords']) addIdea(world, db.dataSourceId, topic, topic);
      const release = world.openai.holdAnswers(); // the run stays going until it is paused
      clock.advance(POLL_MS);
      const due = automations.service.runDue();
      try {
        while (!automations.generation.activeRuns(fixture.user).some((run) => run.automatic)) await new Promise((resolve) => setTimeout(resolve, 10));
        await automations.service.pause(fixture.user, automation.connectionId);
      } finally {
        release();
      }
      await due;
      expect(ended.map((p) => p.state)).toEqual([cancelRunOnPause ? 'cancelled' : 'succeeded']);
    }
  });
});
