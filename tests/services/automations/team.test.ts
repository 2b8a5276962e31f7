/**
 * Automations in team mode, at the service: the engine keeps each automation's shared trigger in step with its
 * record, and a firing works from the record in the shared store. The triggers here are an in-memory
 * AutomationTriggers that the test fires by hand (BullMQ's side is tests/adapters/team/automation-triggers.test.ts);
 * two services over one store play two workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationsService } from '../../../src/services/automations/service.js';
import type { AutomationTriggers, TriggerTiming } from '../../../src/services/automations/triggers.js';
import { logger, recorder, startWorld, type UserFixture, type World } from '../generation/support.js';
import { type Automations, addIdea, automationsFor, cell, FakeClock, ideasDatabase, modelCalls, POLL_MS, watchIdeas } from './support.js';

/** The triggers as Redis would hold them, shared by the workers of a test; the test fires them. */
class SharedTriggers {
  readonly timings = new Map<string, TriggerTiming>();
  readonly upserts: string[] = [];
  /** Each worker's firing handler, by the order the workers were made (not the order they happened to start in). */
  readonly #workers: Array<Promise<(id: string, slotMs: number) => Promise<void>>> = [];

  /** One worker's view: the same triggers, its own firing handler. */
  port(): AutomationTriggers {
    let started: (fire: (id: string, slotMs: number) => Promise<void>) => void = () => undefined;
    this.#workers.push(new Promise((resolve) => (started = resolve)));
    return {
      upsert: async (id, timing) => {
        this.upserts.push(id);
        this.timings.set(id, timing);
      },
      remove: async (id) => void this.timings.delete(id),
      start: async (fire) => started(fire),
      close: async () => undefined,
    };
  }

  /** The trigger fires on worker `index` (0: the first made) for this slot, once that worker has started. */
  async fire(index: number, id: string, slotMs: number): Promise<void> {
    const fire = await this.#workers[index]!;
    await fire(id, slotMs);
  }
}

function teamWorker(world: World, clock: FakeClock, triggers: SharedTriggers): Automations {
  const generation = world.service();
  const service = createAutomationsService({
    store: world.store,
    settings: world.settings,
    connections: world.connections,
    generation,
    notion: world.notionGateway,
    logger,
    clock,
    triggers: triggers.port(),
    options: { pollIntervalMs: POLL_MS, tickMs: 3_600_000, cancelRunOnPause: true },
  });
  service.start();
  return { service, generation, notices: [] };
}

async function schedulePage(automations: Automations, fixture: UserFixture, world: World, schedule: string) {
  const page = world.notion.addPage({ title: 'Daily notes', parentPageId: fixture.rootId });
  const { automation } = await automations.service.create(
    fixture.user,
    { targetUrl: page.url, prompt: 'Write the daily note' },
    { trigger: 'Schedule', schedule, timeZone: 'Europe/Paris' },
    recorder().listener,
    {},
  );
  return { page, automation };
}

describe('automations in team mode', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a schedule’s trigger is its cron pattern in its time zone; pause makes it a row check, resume brings it back, clear removes it', async () => {
    const fixture = world.addUser('U0TEAMSCHED');
    const triggers = new SharedTriggers();
    const a = teamWorker(world, new FakeClock(Date.parse('2026-06-01T05:00:00Z')), triggers);
    const { automation } = await schedulePage(a, fixture, world, 'weekdays 09:00');
    const id = automation.connectionId;
    expect(triggers.timings.get(id)).toEqual({ pattern: '0 9 * * 1-5', timeZone: 'Europe/Paris' });
    await a.service.pause(fixture.user, id);
    expect(triggers.timings.get(id)).toMatchObject({ everyMs: POLL_MS });
    await a.service.resume(fixture.user, id);
    expect(triggers.timings.get(id)).toEqual({ pattern: '0 9 * * 1-5', timeZone: 'Europe/Paris' });
    await a.service.forgetUser(fixture.user);
    expect(triggers.timings.has(id)).toBe(false);
  });

  it('a slot runs once, on the worker it fired on, even when the same slot fires again', async () => {
    const fixture = world.addUser('U0TEAMONCE');
    const triggers = new SharedTriggers();
    const clock = new FakeClock(Date.parse('2026-06-01T05:00:00Z'));
    const a = teamWorker(world, clock, triggers);
    const b = teamWorker(world, clock, triggers);
    const { automation } = await schedulePage(a, fixture, world, 'daily 09:00');
    const slot = Date.parse(automation.nextRun!);
    clock.ms = slot;
    const calls = modelCalls(world);
    await triggers.fire(1, automation.connectionId, slot);
    // A firing handed on after its worker stopped: the record is past that slot already.
    await triggers.fire(0, automation.connectionId, slot);
    expect(modelCalls(world)).toBe(calls + 1);
    const [after] = await a.service.list(fixture.user);
    expect(after?.lastRun?.written).toBe(1);
    expect(Date.parse(after!.nextRun!)).toBe(slot + 24 * 3_600_000);
    expect(b.notices).toEqual([]);
  });

  it('a new watch is armed when its first fill ends, and a poll on another worker fills a new row once', async () => {
    const fixture = world.addUser('U0TEAMWATCH');
    const triggers = new SharedTriggers();
    const clock = new FakeClock();
    const a = teamWorker(world, clock, triggers);
    teamWorker(world, clock, triggers);
    const db = ideasDatabase(world, fixture);
    addIdea(world, db.dataSourceId, 'Tides', 'tides');
    const { automation, first } = await watchIdeas(a, fixture, db.url);
    expect(first.state).toBe('succeeded');
    await expect.poll(() => triggers.timings.get(automation.connectionId)).toMatchObject({ everyMs: POLL_MS });
    // Any worker's list says when the watch polls next: within one interval.
    const [listed] = await teamWorker(world, clock, triggers).service.list(fixture.user);
    expect(Date.parse(listed!.nextRun!)).toBeGreaterThan(clock.ms);
    expect(Date.parse(listed!.nextRun!)).toBeLessThanOrEqual(clock.ms + POLL_MS);
    const row = addIdea(world, db.dataSourceId, 'Dunes', 'dunes');
    clock.advance(POLL_MS);
    await triggers.fire(1, automation.connectionId, clock.ms);
    expect(cell(world, row.id, 'Summary')).toContain('dunes');
    const calls = modelCalls(world);
    clock.advance(POLL_MS);
    await triggers.fire(0, automation.connectionId, clock.ms);
    expect(modelCalls(world)).toBe(calls);
  });

  it('a worker that saves a copy read before another worker paused the automation keeps the pause', async () => {
    const fixture = world.addUser('U0TEAMRACE');
    const triggers = new SharedTriggers();
    const clock = new FakeClock(Date.parse('2026-06-01T05:00:00Z'));
    const a = teamWorker(world, clock, triggers);
    const b = teamWorker(world, clock, triggers);
    const { automation } = await schedulePage(a, fixture, world, 'daily 09:00');
    const slot = Date.parse(automation.nextRun!);
    clock.ms = slot;
    const release = world.openai.holdAnswers(); // the run stays going until B has paused
    const firing = triggers.fire(0, automation.connectionId, slot);
    try {
      await expect.poll(() => a.generation.activeRuns(fixture.user).length).toBe(1);
      await b.service.pause(fixture.user, automation.connectionId);
    } finally {
      release();
    }
    await firing;
    const [after] = await b.service.list(fixture.user);
    expect(after?.paused).toBe(true);
    expect(triggers.timings.get(automation.connectionId)).toMatchObject({ everyMs: POLL_MS });
  });

  it('a starting worker makes a trigger for every recorded automation, such as those made by one process', async () => {
    const fixture = world.addUser('U0TEAMSTART');
    const single = automationsFor(world, new FakeClock());
    const db = ideasDatabase(world, fixture);
    const { automation } = await watchIdeas(single, fixture, db.url);
    const triggers = new SharedTriggers();
    teamWorker(world, new FakeClock(), triggers);
    await expect.poll(() => triggers.timings.get(automation.connectionId)).toMatchObject({ everyMs: POLL_MS });
  });
});
