/**
 * Manual first, in team mode against a real Redis: a person's start of a connection whose automatic run is going on
 * another worker waits for that run to end and then runs, as in one process (tests/services/automations/
 * manual-first.test.ts); a start while a run someone started by hand is going is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLauncher } from '../../../src/services/generation/run-launcher.js';
import { RunRegistry } from '../../../src/services/generation/run-registry.js';
import { queuedScheduler, type TeamRuns } from '../../../src/services/generation/run-scheduler.js';
import type { GenerationService, RunProgress } from '../../../src/services/generation/types.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';
import { logger, recorder, startWorld, teamRunsOn, titleRow, type UserFixture, type World, workerService } from './support.js';

let world: World;
let redis: RedisServer;
const workers: Array<{ service: GenerationService; team: TeamRuns }> = [];

/** A worker: its own generation service, run queue and connection holds, over the shared world and Redis. */
function worker(name: string): GenerationService {
  const team = teamRunsOn(redis.url, name);
  const service = workerService(world, { team, options: { rowConcurrency: 1 } });
  workers.push({ service, team });
  return service;
}

/** A database of three rows, and the request that fills each row's page body. */
function notesDatabase(u: UserFixture) {
  const db = world.notion.addDatabase({ title: 'Notes', parentPageId: u.rootId, properties: { Name: { title: {} } } });
  const rows = ['Row 1', 'Row 2', 'Row 3'].map((name) => world.notion.addRow(db.dataSourceId, titleRow(name)));
  return { rows, request: { targetUrl: db.url, prompt: 'About {{Name}}', onlyEmpty: false } };
}

const ended = (p: RunProgress) => p.state === 'succeeded' || p.state === 'failed' || p.state === 'cancelled';

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  world = await startWorld();
  world.openai.setResponder(() => 'One short note.');
}, 20_000);

afterAll(async () => {
  for (const { service, team } of workers) {
    await service.shutdown();
    await team.queue.close();
    team.holds.close();
  }
  await world?.close();
  await redis?.stop();
});

describe.skipIf(!redisAvailable)('team mode: a manual start of a connection an automatic run holds on another worker', () => {
  it('waits for the automatic run to end instead of being refused, and then runs', async () => {
    const [first, second] = [worker('worker-a'), worker('worker-b')];
    const u = world.addUser('U0MANUALTEAM');
    const { rows, request } = notesDatabase(u);
    const log: string[] = [];
    const release = world.openai.holdAnswers(); // the automatic run stays going until the manual start waits
    const manual = recorder();
    const waitingMarks = () => redis.cli('KEYS', '*:manual-waiting').trim().split('\n').filter(Boolean);
    const marksBefore = waitingMarks();
    let starting: Promise<unknown>;
    try {
      await first.start(u.user, { ...request, automatic: true }, (p) => void (ended(p) && log.push('automatic:end')), null);
      starting = second.start(u.user, request, manual.listener, null).then(() => log.push('manual:start'));
      // The waiting manual start marks the connection, so no other automatic run takes it meanwhile.
      await expect.poll(() => waitingMarks().filter((mark) => !marksBefore.includes(mark))).toHaveLength(1);
    } finally {
      release();
    }
    await starting;
    expect((await manual.ended).state).toBe('succeeded');
    expect(log).toEqual(['automatic:end', 'manual:start']);
    // Both runs wrote every row (onlyEmpty: false): one note each.
    for (const row of rows) expect(world.notion.childrenOf(row.id)).toHaveLength(2);
  }, 60_000);

  it('is still refused while a run started by hand holds the connection', async () => {
    const [first, second] = [worker('worker-c'), worker('worker-d')];
    const u = world.addUser('U0BUSYTEAM');
    const { request } = notesDatabase(u);
    const release = world.openai.holdAnswers(); // the run by hand stays going while the second start is tried
    const going = recorder();
    try {
      await first.start(u.user, request, going.listener, null);
      await expect(second.start(u.user, request, () => undefined, null)).rejects.toThrow(/already running/);
    } finally {
      release();
    }
    await going.ended;
  }, 60_000);
});

describe('team mode: how long a manual start waits for an automatic run', () => {
  /** Holds where an automatic run keeps the connection for ever, or (`manualFromLook`) until a manual run takes it. */
  function heldElsewhere(manualFromLook = Number.POSITIVE_INFINITY) {
    const state = { looks: 0 };
    const holds = {
      hold: async (_key: string, _runId: string, _automatic?: boolean) => false,
      heldByAutomaticRun: async () => ++state.looks < manualFromLook,
      release: async () => undefined,
      isHeldBy: async () => false,
      close: () => undefined,
    };
    const team = { holds, queue: {} as TeamRuns['queue'] };
    return { state, team };
  }
  const shortWait = { maxMs: 200, firstPollMs: 5, maxPollMs: 20 };

  it('gives up after its time with a message saying why and what to do', async () => {
    const { team } = heldElsewhere();
    const scheduler = queuedScheduler(new RunRegistry(), {} as RunLauncher, team, logger, shortWait);
    await expect(scheduler.reserve('connection', 'run-1', false)).rejects.toThrow(
      /An automatic run of this connection is still going .* Start it again once that run has ended/,
    );
  });

  it('is refused as busy when a run started by hand takes the connection meanwhile', async () => {
    const { state, team } = heldElsewhere(3);
    const scheduler = queuedScheduler(new RunRegistry(), {} as RunLauncher, team, logger, { ...shortWait, maxMs: 60_000 });
    await expect(scheduler.reserve('connection', 'run-1', false)).rejects.toThrow(/already running/);
    expect(state.looks).toBe(3);
  });

  it('stops waiting when Visen stops', async () => {
    const { team } = heldElsewhere();
    const registry = new RunRegistry();
    const scheduler = queuedScheduler(registry, {} as RunLauncher, team, logger, { ...shortWait, maxMs: 60_000 });
    const waiting = scheduler.reserve('connection', 'run-1', false);
    await registry.close();
    await expect(waiting).rejects.toThrow(/Visen is restarting right now/);
  });

  it('takes the connection as a manual run once the automatic run let go (a later manual start is refused, not kept waiting)', async () => {
    const { team } = heldElsewhere();
    const holdsAsked: Array<boolean | undefined> = [];
    team.holds.hold = async (_key: string, _runId: string, automatic?: boolean) => {
      holdsAsked.push(automatic);
      return holdsAsked.length > 1; // the automatic run let go by the second try
    };
    const scheduler = queuedScheduler(new RunRegistry(), {} as RunLauncher, team, logger, { ...shortWait, maxMs: 60_000 });
    await scheduler.reserve('connection', 'run-1', false);
    expect(holdsAsked).toEqual([false, false]);
  });

  it('never makes an automatic start wait: it is refused as before', async () => {
    const { team } = heldElsewhere();
    const scheduler = queuedScheduler(new RunRegistry(), {} as RunLauncher, team, logger, shortWait);
    await expect(scheduler.reserve('connection', 'run-1', true)).rejects.toThrow(/already running/);
  });
});
