import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/errors.js';
import { nextSlot, parseSchedule } from '../../../src/services/automations/schedule.js';
import { connectionRows, prop, startWorld, type World } from '../generation/support.js';
import { automationsFor, FakeClock } from './support.js';

const slotAfter = (text: string, timeZone: string, iso: string) => nextSlot(parseSchedule(text, timeZone), new Date(iso)).toISOString();

describe('schedules', () => {
  it('presets and cron expressions in the user’s time zone', () => {
    expect(slotAfter('daily 09:00', 'Europe/Paris', '2026-06-01T12:00:00Z')).toBe('2026-06-02T07:00:00.000Z');
    expect(slotAfter('daily 09:00', 'America/New_York', '2026-06-01T12:00:00Z')).toBe('2026-06-01T13:00:00.000Z');
    expect(slotAfter('hourly', 'Asia/Kolkata', '2026-06-01T12:10:00Z')).toBe('2026-06-01T12:30:00.000Z');
    expect(slotAfter('weekdays 07:15', 'UTC', '2026-06-05T08:00:00Z')).toBe('2026-06-08T07:15:00.000Z'); // Friday → Monday
    expect(slotAfter('fridays 17:00', 'UTC', '2026-06-01T00:00:00Z')).toBe('2026-06-05T17:00:00.000Z');
    expect(slotAfter('0 6 1 * *', 'UTC', '2026-06-01T07:00:00Z')).toBe('2026-07-01T06:00:00.000Z');
  });

  it('across a daylight-saving change the local time stays', () => {
    // Europe/Berlin moves to summer time on 29 March 2026: 08:30 is 07:30 UTC before, 06:30 UTC after.
    expect(slotAfter('mondays 08:30', 'Europe/Berlin', '2026-03-20T00:00:00Z')).toBe('2026-03-23T07:30:00.000Z');
    expect(slotAfter('mondays 08:30', 'Europe/Berlin', '2026-03-24T00:00:00Z')).toBe('2026-03-30T06:30:00.000Z');
    // America/New_York falls back on 1 November 2026: 09:00 is 13:00 UTC before, 14:00 UTC after.
    expect(slotAfter('daily 09:00', 'America/New_York', '2026-10-31T14:00:00Z')).toBe('2026-11-01T14:00:00.000Z');
  });

  it('a schedule Visen cannot read says how to write one', () => {
    for (const bad of ['every day', 'daily 25:00', 'mondays', '61 * * * *', '* * * *', 'someday 09:00']) {
      expect(() => parseSchedule(bad, 'UTC')).toThrow(UserInputError);
      expect(() => parseSchedule(bad, 'UTC')).toThrow(/hourly.*daily 09:00.*weekdays 09:00.*mondays 08:30.*cron/);
    }
    expect(() => parseSchedule('daily 09:00', 'Mars/Olympus')).toThrow(/time zone/);
    expect(() => parseSchedule(`daily 09:00 ${'x'.repeat(200)}`, 'UTC')).toThrow(/too long/);
  });
});

describe('scheduled runs', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('a page schedule records Trigger, Schedule and Next run, appends at its slot, and moves Next run on', async () => {
    const fixture = world.addUser('U0SCHED');
    const page = world.notion.addPage({ title: 'Daily notes', parentPageId: fixture.rootId });
    const clock = new FakeClock(Date.parse('2026-06-01T00:30:00Z')); // 09:30 in Tokyo
    const automations = automationsFor(world, clock);
    const created = await automations.service.create(
      fixture.user,
      { targetUrl: page.url, prompt: 'Write today’s note' },
      { trigger: 'Schedule', schedule: 'daily 09:00', timeZone: 'Asia/Tokyo' },
      () => undefined,
      {},
    );
    expect(created.run).toBeUndefined();
    expect(created.automation).toMatchObject({ trigger: 'Schedule', schedule: 'daily 09:00', timeZone: 'Asia/Tokyo', nextRun: '2026-06-02T00:00:00.000Z' });
    const row = () => connectionRows(world, fixture).find((r) => r.id === created.automation.connectionId)!;
    expect([prop(row(), 'Trigger'), prop(row(), 'Schedule'), prop(row(), 'Status')]).toEqual(['Schedule', 'daily 09:00 (Asia/Tokyo)', 'Ready']);
    expect(Date.parse(prop(row(), 'Next run') as string)).toBe(Date.parse('2026-06-02T00:00:00Z'));

    clock.advance(20 * 60 * 60_000); // 05:30 the next day in Tokyo: not yet
    await automations.service.runDue();
    expect(world.notion.childrenOf(page.id)).toEqual([]);

    clock.advance(3.5 * 60 * 60_000); // 09:00: due
    await automations.service.runDue();
    expect(world.notion.childrenOf(page.id).length).toBeGreaterThan(0);
    expect(automations.notices).toEqual([expect.objectContaining({ kind: 'run', report: expect.objectContaining({ written: 1 }) })]);
    const report = automations.notices[0]!.kind === 'run' ? automations.notices[0]!.report : undefined;
    expect(report?.lateFor).toBeUndefined();
    expect((await automations.service.list(fixture.user))[0]!.nextRun).toBe('2026-06-03T00:00:00.000Z');
    expect(Date.parse(prop(row(), 'Next run') as string)).toBe(Date.parse('2026-06-03T00:00:00Z'));
  });

  it('a scheduled page run with a new page titles it with the day, in the owner’s time zone', async () => {
    const fixture = world.addUser('U0DAILYPAGE');
    const page = world.notion.addPage({ title: 'Journal', parentPageId: fixture.rootId });
    const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
    const automations = automationsFor(world, clock);
    world.openai.setResponder(() => '# A heading the page does not take\n\nToday went well.');
    try {
      await automations.service.create(
        fixture.user,
        { targetUrl: page.url, prompt: 'Write the journal entry', output: { kind: 'new-page' } },
        { trigger: 'Schedule', schedule: 'daily 07:00', timeZone: 'Asia/Tokyo' },
        () => undefined,
        {},
      );
      clock.advance(11 * 60 * 60_000); // 2026-06-01T23:00Z: 08:00 on 2 June in Tokyo, still 1 June in UTC
      await automations.service.runDue();
    } finally {
      world.openai.setResponder(undefined);
    }
    const children = world.notion.childrenOf(page.id).filter((block) => block.type === 'child_page');
    expect(children.map((block) => block.child_page.title)).toEqual(['Tuesday, 2 June 2026']);
  });

  it('slots missed while Visen was stopped run once after the restart, saying which slot it was for', async () => {
    const fixture = world.addUser('U0MISSED');
    const page = world.notion.addPage({ title: 'Hourly log', parentPageId: fixture.rootId });
    const clock = new FakeClock(Date.parse('2026-06-01T10:10:00Z'));
    const before = automationsFor(world, clock);
    await before.service.create(
      fixture.user,
      { targetUrl: page.url, prompt: 'Log the hour' },
      { trigger: 'Schedule', schedule: 'hourly', timeZone: 'UTC' },
      () => undefined,
      {},
    );
    before.service.start();
    await before.service.shutdown();

    clock.advance(5 * 60 * 60_000); // stopped from 10:10 to 15:10: five slots missed
    const restarted = automationsFor(world, clock);
    restarted.service.start();
    await restarted.service.runDue();
    await restarted.service.runDue();
    await restarted.service.shutdown();
    const runs = restarted.notices.filter((n) => n.kind === 'run');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.kind === 'run' && runs[0]!.report.lateFor).toBe('2026-06-01T11:00:00.000Z');
    expect((await restarted.service.list(fixture.user))[0]!.nextRun).toBe('2026-06-01T16:00:00.000Z');
  });
});
