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
    world.openai.setLatency(200);
    const manual = recorder();
    await automations.generation.start(fixture.user, { ...REQUEST(db.url), onlyEmpty: false }, manual.listener, {});
    clock.advance(POLL_MS);
    await automations.service.runDue(); // the manual run is going: nothing automatic starts
    expect(log).toEqual(['manual:start']);
    await manual.ended;
    world.openai.setLatency(0);
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
    world.openai.setLatency(200);
    clock.advance(POLL_MS);
    const due = automations.service.runDue();
    while (!automations.generation.activeRuns(fixture.user).some((run) => run.automatic)) await new Promise((resolve) => setTimeout(resolve, 10));
    const manual = recorder();
    await automations.generation.start(fixture.user, { ...REQUEST(db.url), onlyEmpty: false }, manual.listener, {});
    world.openai.setLatency(0);
    expect((await manual.ended).state).toBe('succeeded');
    await due;
    expect(log).toEqual(['automatic:start', 'automatic:end', 'manual:start', 'manual:end']);
  });
});
