import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionBusyError } from '../../../src/services/generation/run-registry.js';
import type { GenerationService } from '../../../src/services/generation/types.js';
import { connectionRows, prop, startWorld, type World } from '../generation/support.js';
import { addIdea, automationsFor, cell, FakeClock, ideasDatabase, nextPoll, watchIdeas } from './support.js';

describe('automations that fail', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ generation: { generationAttempts: 1 } });
  });
  afterAll(async () => {
    await world.close();
  });

  it('pause by themselves after 5 failed runs in a row: Status Failed with the reason, Trigger Manual, one paused notice', async () => {
    const fixture = world.addUser('U0FAILS');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    const { automation } = await watchIdeas(automations, fixture, db.url);
    const stuck = addIdea(world, db.dataSourceId, 'Stuck', 'deserts');
    world.openai.injectFault({ kind: 'quota', times: Number.POSITIVE_INFINITY });
    try {
      for (let poll = 0; poll < 6; poll++) await nextPoll(automations, clock);
    } finally {
      world.openai.clearFaults();
    }
    const runs = automations.notices.filter((n) => n.kind === 'run');
    expect(runs).toHaveLength(5);
    expect(runs.every((n) => n.kind === 'run' && n.report.failed > 0 && n.report.failures[0]!.reason !== '')).toBe(true);
    const paused = automations.notices.filter((n) => n.kind === 'paused');
    expect(paused).toEqual([expect.objectContaining({ kind: 'paused', cause: 'failures', owner: fixture.user })]);
    const row = connectionRows(world, fixture).find((r) => r.id === automation.connectionId)!;
    expect(prop(row, 'Status')).toBe('Failed');
    expect(prop(row, 'Trigger')).toBe('Manual');
    expect(prop(row, 'Last error')).toMatch(/Paused after 5 automatic runs failed in a row/);
    const [summary] = await automations.service.list(fixture.user);
    expect(summary).toMatchObject({ paused: true, pausedReason: expect.stringMatching(/5 automatic runs/) });

    // Resumed once the quota is back, it fills the row it could not.
    await automations.service.resume(fixture.user, automation.connectionId);
    await nextPoll(automations, clock);
    expect(cell(world, stuck.id, 'Summary')).toContain('deserts');
  });

  it('a firing that finds its connection running on another worker is skipped, not failed: no notice, no pause, the row filled later', async () => {
    const fixture = world.addUser('U0BUSYELSEWHERE');
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const generation = world.service();
    let heldElsewhere = false;
    // Team mode: another worker's run of this connection holds it, so the start is refused as busy.
    const sharedGeneration: GenerationService = {
      ...generation,
      start: (user, request, listener, meta) =>
        heldElsewhere && request.automatic ? Promise.reject(new ConnectionBusyError()) : generation.start(user, request, listener, meta),
    };
    const automations = automationsFor(world, clock, {}, sharedGeneration);
    const { automation } = await watchIdeas(automations, fixture, db.url);
    const waiting = addIdea(world, db.dataSourceId, 'Waiting', 'glaciers');
    heldElsewhere = true;
    for (let poll = 0; poll < 6; poll++) await nextPoll(automations, clock);
    expect(automations.notices).toEqual([]);
    const [summary] = await automations.service.list(fixture.user);
    expect(summary).toMatchObject({ paused: false });
    expect(cell(world, waiting.id, 'Summary')).toBe('');

    heldElsewhere = false;
    await nextPoll(automations, clock);
    expect(cell(world, waiting.id, 'Summary')).toContain('glaciers');
    expect(prop(connectionRows(world, fixture).find((r) => r.id === automation.connectionId)!, 'Trigger')).toBe('Watch');
  });

  it('a revoked Notion secret pauses all of the user’s automations with one notice', async () => {
    const fixture = world.addUser('U0REVOKED');
    const first = ideasDatabase(world, fixture);
    const second = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, first.url);
    await watchIdeas(automations, fixture, second.url);
    world.notion.revoke(fixture.secret);
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    const paused = automations.notices.filter((n) => n.kind === 'paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ cause: 'credentials', owner: fixture.user, reason: expect.stringMatching(/\/visen settings/) });
    expect(paused[0]!.kind === 'paused' && paused[0]!.automations).toHaveLength(2);
    expect((await automations.service.list(fixture.user)).every((a) => a.paused && a.pausedReason !== undefined)).toBe(true);
  });

  it('a model key that stopped working pauses the user’s automations with one notice', async () => {
    const fixture = world.addUser('U0NOKEY', { openaiKey: 'sk-test-revokedrevokedrevokedrevoked00' });
    const db = ideasDatabase(world, fixture);
    const clock = new FakeClock();
    const automations = automationsFor(world, clock);
    await watchIdeas(automations, fixture, db.url);
    addIdea(world, db.dataSourceId, 'New', 'fjords');
    await nextPoll(automations, clock);
    await nextPoll(automations, clock);
    const paused = automations.notices.filter((n) => n.kind === 'paused');
    expect(paused).toEqual([expect.objectContaining({ cause: 'credentials' })]);
    expect(await automations.service.list(fixture.user)).toMatchObject([{ paused: true }]);
  });
});
