import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src/services/generation/types.js';
import { recorder, startWorld, type World } from '../generation/support.js';
import { addIdea, automationsFor, FakeClock, ideasDatabase, POLL_MS, watchIdeas } from './support.js';

const REQUEST = (url: string) => ({ targetUrl: url, prompt: 'Summarise {{Topic}}', output: { kind: 'property' as const, property: 'Summary' } });

/** The order runs began and ended in, as the generation service reports them: `manual:start`, `automatic:end`, ... */
function runLog(progressOf: (listener: (p: RunProgress) => void) => void): string[] {
  const log: string[] = [];
  const seen = new Set<string>();
  progressOf((p) => {
    const who = p.automatic ? 'automatic' : 'manual';
    if (!seen.has(p.runId)) {
      seen.add(p.runId);
      log.push(`${who}:start`);
    }
    if (p.state === 'succeeded' || p.state === 'failed' || p.state === 'cancelled') log.push(`${who}:end`);
  });
  return log;
}

describe('an automation and a manual run on the same connection', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    world.openai.setLatency(0);
    await world.close();
  });

  it('a manual run going: the automation waits for it, then runs', async () => {
    const fixture = world.addUser('U0MANUAL');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    const log = runLog((listener) => automations.generation.subscribe(listener));
    addIdea(world, db.dataSourceId, 'One', 'lakes');
    const release = world.openai.holdAnswers(); // the manual run stays going while the poll comes
    const manual = recorder();
    try {
      await automations.generation.start(fixture.user, { ...REQUEST(db.url), onlyEmpty: false }, manual.listener, {});
      clock.advance(POLL_MS);
      await automations.service.runDue(); // the manual run is going: nothing automatic starts
      expect(log).toEqual(['manual:start']);
    } finally {
      release();
    }
    await manual.ended;
    addIdea(world, db.dataSourceId, 'Two', 'ponds');
    clock.advance(POLL_MS);
    await automations.service.runDue();
    expect(log).toEqual(['manual:start', 'manual:end', 'automatic:start', 'automatic:end']);
  });

  it('an automatic run going: a manual start waits for it instead of being refused, and then runs', async () => {
    const fixture = world.addUser('U0WAITS');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    const log = runLog((listener) => automations.generation.subscribe(listener));
    for (const topic of ['bays', 'coves', 'inlets']) addIdea(world, db.dataSourceId, topic, topic);
    const release = world.openai.holdAnswers(); // the automatic run stays going until the manual start waits for it
    clock.advance(POLL_MS);
    const due = automations.service.runDue();
    const manual = recorder();
    let starting: Promise<unknown>;
    try {
      while (!automations.generation.activeRuns(fixture.user).some((run) => run.automatic)) await new Promise((resolve) => setTimeout(resolve, 10));
      starting = automations.generation.start(fixture.user, { ...REQUEST(db.url), onlyEmpty: false }, manual.listener, {});
    } finally {
      release();
    }
    await starting;
    expect((await manual.ended).state).toBe('succeeded');
    await due;
    expect(log).toEqual(['automatic:start', 'automatic:end', 'manual:start', 'manual:end']);
  });
});
