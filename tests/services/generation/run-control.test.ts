// Team mode at the service level: two generation services (workers A and B) over one Redis store, each with its own
// run control. Cancel and the preview's answer given through B reach a run on A; B lists A's run; a cancel for a run
// no worker runs is applied as a worker resumes it; a run that ended, or another user's, is not steered.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../src/adapters/redis-store.js';
import { openRedisRunControl, type RedisRunControl } from '../../../src/adapters/team/run-control.js';
import type { GenerationOptions } from '../../../src/services/generation/active-run.js';
import type { GenerationService } from '../../../src/services/generation/types.js';
import type { ChatRequest } from '../../stand-ins/openai/index.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';
import { blockText, connectionRows, logger, prop, recorder, startWorld, titleRow, type UserFixture, type World, workerService } from './support.js';

let world: World;
let redis: RedisServer;
const controls: RedisRunControl[] = [];

beforeAll(async () => {
  if (!redisAvailable) return;
  world = await startWorld();
  redis = await startRedis();
  await world.store.close();
  world.store = await openRedisStore({ url: redis.url, redactedUrl: redis.url }, logger);
}, 30_000);
afterEach(() => {
  world?.openai.setResponder(undefined as never);
  world?.openai.setStreamRate({ charsPerChunk: 24, chunkIntervalMs: 0 });
});
afterAll(async () => {
  for (const control of controls) await control.close();
  await world?.close();
  await redis?.stop();
});

/** One worker: a generation service over the shared store, with its own connection to the run control channel. */
async function worker(options: Partial<GenerationOptions> = {}): Promise<GenerationService> {
  const control = openRedisRunControl(redis.url, logger);
  controls.push(control);
  await control.ready;
  return workerService(world, { runControl: control, options: { backoffMs: (attempt) => 50 * attempt, progressIntervalMs: 100, ...options } });
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const promptOf = (req: ChatRequest) => req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

function database(u: UserFixture, rows: number) {
  const db = world.notion.addDatabase({ title: 'Rows', parentPageId: u.rootId, properties: { Name: { title: {} } } });
  for (let i = 1; i <= rows; i++) world.notion.addRow(db.dataSourceId, titleRow(`Row ${i}`));
  return db;
}

function rowsWritten(dataSourceId: string): string[][] {
  return world.notion.rows(dataSourceId).map((r) => world.notion.childrenOf(r.id).map(blockText));
}

describe.skipIf(!redisAvailable)('Cancel and previews from another worker', () => {
  it('a cancel through worker B stops the database run on worker A; B lists the run while it goes', async () => {
    const [a, b] = [await worker(), await worker()];
    const u = world.addUser('U0CTLCANCEL');
    const db = database(u, 24);
    world.openai.setResponder((req) => `Answer to: ${promptOf(req)}`);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 25 });
    const rec = recorder();
    const { runId } = await a.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, rec.listener, null);
    await until(() => rec.updates.some((p) => p.done >= 2));

    expect(b.activeRuns(u.user)).toEqual([]);
    const listed = await b.runsInProgress(u.user);
    expect(listed.map((r) => [r.runId, r.state])).toEqual([[runId, 'running']]);
    expect(listed[0]!.done).toBeGreaterThanOrEqual(2);

    expect(await b.cancel({ teamId: 'T0TEAM', userId: 'U0SOMEONEELSE' }, runId)).toBe(false);
    expect(await b.cancel({ teamId: 't0team', userId: 'u0ctlcancel' }, runId)).toBe(false);
    expect(await b.cancel(u.user, runId)).toBe(true);
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(end.done).toBeLessThan(24);
    // A's listener (the run's message) heard that it is stopping before it stopped.
    expect(rec.updates.findIndex((p) => p.cancelRequested)).toBeGreaterThan(-1);
    expect(rec.updates.findIndex((p) => p.cancelRequested)).toBeLessThan(rec.updates.indexOf(end));
    expect(rowsWritten(db.dataSourceId).filter((body) => body.length > 0)).toHaveLength(end.done);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Cancelled');
    // Ended: neither worker steers it, and neither lists it.
    expect(await b.cancel(u.user, runId)).toBe(false);
    expect(await a.cancel(u.user, runId)).toBe(false);
    expect(await b.runsInProgress(u.user)).toEqual([]);
    expect(await b.cancel(u.user, 'no-such-run')).toBe(false);
  });

  it('a preview confirmed through worker B is written once; answering again on A or B acts not', async () => {
    const [a, b] = [await worker(), await worker()];
    const u = world.addUser('U0CTLPREVIEW');
    const db = database(u, 4);
    world.openai.setResponder((req) => `Answer to: ${promptOf(req)}`);
    const rec = recorder();
    const { runId } = await a.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}', preview: 2 }, rec.listener, null);
    await until(() => rec.updates.some((p) => p.preview?.phase === 'waiting'));
    expect(rowsWritten(db.dataSourceId).flat()).toEqual([]);

    const answers = await Promise.all([b.confirmPreview(u.user, runId), b.confirmPreview(u.user, runId)]);
    expect(answers.sort()).toEqual(['already-decided', 'confirmed']);
    expect(await a.confirmPreview(u.user, runId)).toBe('already-decided');
    expect(await a.cancelPreview(u.user, runId)).toBe('already-decided');
    const end = await rec.ended;
    expect(end).toMatchObject({ state: 'succeeded', done: 4 });
    expect(rowsWritten(db.dataSourceId).map((body) => body.length)).toEqual([1, 1, 1, 1]);
    expect(await b.confirmPreview(u.user, runId)).toBe('not-waiting');
  });

  it('a preview cancelled through worker B ends the run on A with nothing written', async () => {
    const [a, b] = [await worker(), await worker()];
    const u = world.addUser('U0CTLPREVNO');
    const db = database(u, 3);
    world.openai.setResponder((req) => `Answer to: ${promptOf(req)}`);
    const rec = recorder();
    const { runId } = await a.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}', preview: 2 }, rec.listener, null);
    await until(() => rec.updates.some((p) => p.preview?.phase === 'waiting'));
    expect(await b.cancelPreview({ teamId: 'T0TEAM', userId: 'U0SOMEONEELSE' }, runId)).toBe('not-waiting');
    expect(await b.cancelPreview(u.user, runId)).toBe('cancelled');
    const end = await rec.ended;
    expect(end.state).toBe('cancelled');
    expect(end.preview?.phase).toBe('cancelled');
    expect(rowsWritten(db.dataSourceId).flat()).toEqual([]);
    expect(await a.confirmPreview(u.user, runId)).toBe('not-waiting');
  });

  it('a cancel for a run no worker runs (its worker stopped) is applied as another worker resumes it', async () => {
    const a = await worker({ shutdownGraceMs: 50 });
    const b = await worker();
    const u = world.addUser('U0CTLKEPT');
    const db = database(u, 20);
    world.openai.setResponder((req) => `Answer to: ${promptOf(req)}`);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 25 });
    const rec = recorder();
    const { runId } = await a.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, rec.listener, null);
    await until(() => rec.updates.some((p) => p.done >= 2));
    await a.shutdown();
    const doneWhenStopped = rowsWritten(db.dataSourceId).filter((body) => body.length > 0).length;
    expect(doneWhenStopped).toBeLessThan(20);

    expect(await b.cancel(u.user, runId)).toBe(true);
    const chatsBefore = world.openai.requests.length;
    const resumed = recorder();
    await b.resumeInterrupted(() => resumed.listener);
    const end = await resumed.ended;
    expect(end.state).toBe('cancelled');
    expect(world.openai.requests.length).toBe(chatsBefore);
    expect(rowsWritten(db.dataSourceId).filter((body) => body.length > 0)).toHaveLength(doneWhenStopped);
    expect(prop(connectionRows(world, u)[0]!, 'Status')).toBe('Cancelled');
  });
});

describe.skipIf(!redisAvailable)('Progress from another worker', () => {
  it('worker B’s subscribers (the Home tab) hear a run on worker A as it goes, up to its end, and nothing echoes back', async () => {
    const [a, b] = [await worker(), await worker()];
    const u = world.addUser('U0CTLLIVE');
    const db = database(u, 8);
    world.openai.setResponder((req) => `Answer to: ${promptOf(req)}`);
    world.openai.setStreamRate({ charsPerChunk: 4, chunkIntervalMs: 25 });
    const heardOnB: Array<{ runId: string; done: number; state: string }> = [];
    const heardOnA: string[] = [];
    const stopB = b.subscribe((p) => {
      heardOnB.push({ runId: p.runId, done: p.done, state: p.state });
    });
    const stopA = a.subscribe((p) => {
      heardOnA.push(p.runId);
    });
    try {
      const rec = recorder();
      const { runId } = await a.start(u.user, { targetUrl: db.url, prompt: 'About {{Name}}' }, rec.listener, null);
      const end = await rec.ended;
      await until(() => heardOnB.some((p) => p.state === end.state));
      expect(b.activeRuns(u.user)).toEqual([]);
      expect(new Set(heardOnB.map((p) => p.runId))).toEqual(new Set([runId]));
      // Row by row: more than the end alone, in order.
      const done = heardOnB.map((p) => p.done);
      expect(new Set(done).size).toBeGreaterThan(2);
      expect(done).toEqual([...done].sort((x, y) => x - y));
      // Nothing echoes between the workers: once the run has ended, neither hears anything more, even when an
      // announcement arrives late and finds the same record (as one read after the run's next save does).
      const counts = [heardOnA.length, heardOnB.length];
      redis.cli('PUBLISH', 'visen:control:progress', `another-worker ${runId}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect([heardOnA.length, heardOnB.length]).toEqual(counts);
      expect(new Set(heardOnA)).toEqual(new Set([runId]));
    } finally {
      stopA();
      stopB();
    }
  });
});
