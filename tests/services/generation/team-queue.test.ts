/**
 * Team mode's start, against a real Redis: a run whose enqueue fails (Redis refuses the queue's write) is not left
 * half-started: the user is told the store cannot be reached, its connection row says Failed with those words, it
 * is no longer pending, and the connection is free for the next start, which goes on the queue. A run whose workers
 * die one after another (BullMQ workers closed without finishing it) is given up on the third death, and its
 * connection row says Failed and why.
 */
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNREACHABLE_MESSAGE } from '../../../src/adapters/redis-store.js';
import { BULLMQ_PREFIX, RUN_QUEUE_NAME } from '../../../src/adapters/team/bullmq-keys.js';
import { MAX_STALLED_COUNT } from '../../../src/adapters/team/run-queue.js';
import type { GenerationOptions } from '../../../src/services/generation/active-run.js';
import type { TeamRuns } from '../../../src/services/generation/run-scheduler.js';
import { RunStore } from '../../../src/services/generation/run-store.js';
import type { GenerationService } from '../../../src/services/generation/types.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';
import { connectionRows, prop, startWorld, teamRunsOn, titleRow, type World, workerService } from './support.js';

let world: World;
let redis: RedisServer;
let team: TeamRuns;
let service: GenerationService;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  world = await startWorld();
  team = teamRunsOn(redis.url, 'test-worker');
  service = workerWith(team);
});

/** A worker's generation service over the shared world (store, Notion, OpenAI): team mode with `teamRuns`, else one process. */
function workerWith(teamRuns: TeamRuns | undefined, options: Partial<GenerationOptions> = {}): GenerationService {
  return workerService(world, { team: teamRuns, options });
}

/** Stops a worker the test started, its queue and holds, and puts the model back as it was. */
async function stopWorker(service: GenerationService, teamRuns: TeamRuns): Promise<void> {
  world.openai.setLatency(0);
  world.openai.setResponder(undefined);
  await service.shutdown();
  await teamRuns.queue.close();
  teamRuns.holds.close();
}

afterAll(async () => {
  await service?.shutdown();
  await world?.close();
  await redis?.stop();
});

describe.skipIf(!redisAvailable)('team mode: runs the queue cannot keep', () => {
  it('tells the user the store cannot be reached and leaves no half-started run behind', async () => {
    const u = world.addUser('U0QUEUEFAIL');
    const page = world.notion.addPage({ title: 'Queued page', parentPageId: u.rootId });
    const request = { targetUrl: page.url, prompt: 'Write the plan' };
    const notifyState = { v: 1, user: u.user };
    // The queue's own hash in Redis holds a plain string: BullMQ's add script fails on it (WRONGTYPE).
    redis.cli('SET', 'visen:bullmq:runs:meta', 'not a hash');

    await expect(service.start(u.user, request, () => undefined, notifyState)).rejects.toThrow(STORE_UNREACHABLE_MESSAGE);

    const [row] = connectionRows(world, u);
    expect(prop(row!, 'Status')).toBe('Failed');
    expect(prop(row!, 'Last error')).toBe(STORE_UNREACHABLE_MESSAGE);
    expect(await new RunStore(world.store).pendingRunIds()).toEqual([]);

    redis.cli('DEL', 'visen:bullmq:runs:meta');
    const started = await service.start(u.user, request, () => undefined, notifyState);
    expect(started.queued).toBe(true);
    expect(await new RunStore(world.store).pendingRunIds()).toEqual([started.runId]);
    expect(redis.cli('LRANGE', 'visen:bullmq:runs:wait', '0', '-1').trim()).toBe(started.runId);
    redis.cli('LREM', 'visen:bullmq:runs:wait', '0', started.runId); // no worker here: the next test's run goes first
  });

  it('gives a run up when its workers die three times in a row: its connection row says Failed and why', async () => {
    const u = world.addUser('U0QUEUESTALL');
    const db = world.notion.addDatabase({ title: 'Stalled rows', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    world.notion.addRow(db.dataSourceId, titleRow('Row 1'));
    const started = await service.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, () => undefined, { v: 1, user: u.user });
    const connection = { host: '127.0.0.1', port: redis.port };
    const queueList = (name: string) => redis.cli('LRANGE', `${BULLMQ_PREFIX}:${RUN_QUEUE_NAME}:${name}`, '0', '-1').trim();
    // Another worker's stalled check, as often as the dying workers' locks lapse.
    const checker = new Worker(RUN_QUEUE_NAME, undefined, {
      connection,
      prefix: BULLMQ_PREFIX,
      autorun: false,
      stalledInterval: 300,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    void checker.startStalledCheckTimer();
    try {
      for (let death = 1; death <= MAX_STALLED_COUNT + 1; death++) {
        const dying = new Worker(RUN_QUEUE_NAME, () => new Promise<never>(() => undefined), { connection, prefix: BULLMQ_PREFIX, lockDuration: 500 });
        await until(() => queueList('active') === started.runId);
        await dying.close(true); // dies with the run: its lock is no longer renewed
        await until(() => queueList('wait') === started.runId, 45_000);
      }
    } finally {
      await checker.close();
    }

    await service.serveQueuedRuns(() => () => undefined);
    await until(() => prop(connectionRows(world, u).find((r) => prop(r, 'Target') === db.url)!, 'Status') === 'Failed');
    const row = connectionRows(world, u).find((r) => prop(r, 'Target') === db.url)!;
    expect(prop(row, 'Last error')).toMatch(/The Visen workers running this run stopped 3 times while running it .*run it again/);
    // The row is written first, then the run leaves the pending list.
    const runStore = new RunStore(world.store);
    const deadline = Date.now() + 20_000;
    while ((await runStore.pendingRunIds()).includes(started.runId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await runStore.pendingRunIds()).not.toContain(started.runId);
  }, 180_000);
});

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!redisAvailable)('team mode: a run followed by the worker that started it', () => {
  it('is not queued by a worker that starts while it goes, so no second worker writes its rows', async () => {
    const u = world.addUser('U0FOLLOWED');
    const db = world.notion.addDatabase({ title: 'Followed rows', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    const rows = ['Row 1', 'Row 2', 'Row 3'].map((name) => world.notion.addRow(db.dataSourceId, titleRow(name)));
    world.openai.setLatency(1_500);
    world.openai.setResponder(() => 'One short note.');
    let ended!: () => void;
    const endedNow = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const { runId } = await service.start(
      u.user,
      { targetUrl: db.url, prompt: 'About {{Name}}' },
      (p) => {
        if (p.state !== 'starting' && p.state !== 'running') ended();
      },
      undefined,
      true,
    );
    const otherTeam = teamRunsOn(redis.url, 'starting-worker');
    const starting = workerWith(otherTeam);
    try {
      await starting.serveQueuedRuns(() => () => undefined);
      // No job was made for it: BullMQ keeps a job as a hash under its id.
      expect(redis.cli('EXISTS', `${BULLMQ_PREFIX}:${RUN_QUEUE_NAME}:${runId}`).trim()).toBe('0');
      await endedNow;
      for (const row of rows) expect(world.notion.childrenOf(row.id)).toHaveLength(1);
    } finally {
      await stopWorker(starting, otherTeam);
    }
  }, 60_000);
});

describe.skipIf(!redisAvailable)('team mode: a run left by a worker that died, with no job', () => {
  it('is queued by a live worker’s next sweep and finished there, every row once', async () => {
    const sweeping = teamRunsOn(redis.url, 'sweeping-worker');
    const live = workerWith(sweeping);
    await live.serveQueuedRuns(() => () => undefined);
    // The run of a worker that stopped without a job or a hold (here: a one-process service over the same store,
    // stopped mid-run): pending in the store, nobody holding its connection, nothing on the queue.
    const u = world.addUser('U0SWEPT');
    const db = world.notion.addDatabase({ title: 'Swept rows', parentPageId: u.rootId, properties: { Name: { title: {} } } });
    const rows = ['Row 1', 'Row 2', 'Row 3', 'Row 4', 'Row 5', 'Row 6'].map((name) => world.notion.addRow(db.dataSourceId, titleRow(name)));
    world.openai.setResponder(() => 'One short note.');
    world.openai.setLatency(400);
    const died = workerWith(undefined, { rowConcurrency: 1 });
    try {
      const { runId } = await died.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, () => undefined, undefined);
      await until(() => rows.some((row) => world.notion.childrenOf(row.id).length > 0));
      await died.shutdown();
      expect(await new RunStore(world.store).pendingRunIds()).toContain(runId);
      const writtenWhenItDied = rows.filter((row) => world.notion.childrenOf(row.id).length > 0).length;
      expect(writtenWhenItDied).toBeLessThan(rows.length);

      await until(() => prop(connectionRows(world, u).find((r) => prop(r, 'Target') === db.url)!, 'Status') === 'Succeeded', 40_000);
      for (const row of rows) expect(world.notion.childrenOf(row.id)).toHaveLength(1);
    } finally {
      await stopWorker(live, sweeping);
    }
  }, 90_000);
});
