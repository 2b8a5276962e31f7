import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStore, openLocalStore } from '../../../src/adapters/store.js';
import { createThreadWatches, type ThreadWatch } from '../../../src/services/threads/watches.js';
import { refreshDelayMs } from '../../../src/slack/listeners/threads/refresh.js';

const logger = pino({ level: 'silent' });
let store: LocalStore;
beforeAll(async () => {
  store = await openLocalStore(join(mkdtempSync(join(tmpdir(), 'visen-watches-')), 'data'), logger);
});
afterAll(async () => {
  await store?.close();
});

const ana = { teamId: 'T1', userId: 'U0ANA' };
const ben = { teamId: 'T1', userId: 'U0BEN' };
const watchOf = (user = ana, o: Partial<ThreadWatch> = {}): ThreadWatch => ({
  user,
  channelId: 'C1',
  threadTs: '1700000000.000100',
  targetUrl: 'https://www.notion.so/p1',
  prompt: 'Summarise',
  lastRunAt: 1_000,
  ...o,
});

describe('threads kept current', () => {
  it('finds a thread’s watches, replaces a repeated watch, and keeps each user’s apart', async () => {
    const watches = createThreadWatches({ store, logger });
    await watches.watch(watchOf(ana));
    await watches.watch(watchOf(ana, { lastRunAt: 2_000 }));
    await watches.watch(watchOf(ben, { targetUrl: 'https://www.notion.so/p2' }));
    const found = await watches.watchersOf('T1', 'C1', '1700000000.000100');
    expect(found.map((w) => [w.user.userId, w.lastRunAt])).toEqual([
      ['U0ANA', 2_000],
      ['U0BEN', 1_000],
    ]);
    expect(await watches.watchersOf('T1', 'C1', '1700000000.000999')).toEqual([]);
    expect(await watches.watchersOf('T2', 'C1', '1700000000.000100')).toEqual([]);
  });

  it('records a run, and forgets one user’s watches on /visen clear (a new process reads the same)', async () => {
    const watches = createThreadWatches({ store, logger });
    await watches.markRun(watchOf(ben, { targetUrl: 'https://www.notion.so/p2' }), 5_000);
    await watches.forgetUser(ana);
    const again = createThreadWatches({ store, logger });
    const found = await again.watchersOf('T1', 'C1', '1700000000.000100');
    expect(found.map((w) => [w.user.userId, w.lastRunAt])).toEqual([['U0BEN', 5_000]]);
    await again.forgetUser(ben);
    expect(await createThreadWatches({ store, logger }).watchersOf('T1', 'C1', '1700000000.000100')).toEqual([]);
  });

  it('a watch saved through one worker is seen by another that had already looked at the thread (team mode)', async () => {
    const workerA = createThreadWatches({ store, logger });
    const workerB = createThreadWatches({ store, logger });
    const thread = { channelId: 'C2', threadTs: '1700000000.000200' };
    expect(await workerB.watchersOf('T1', thread.channelId, thread.threadTs)).toEqual([]);
    await workerA.watch(watchOf(ana, thread));
    expect((await workerB.watchersOf('T1', thread.channelId, thread.threadTs)).map((w) => w.user.userId)).toEqual(['U0ANA']);
    await workerA.unwatch(watchOf(ana, thread));
    expect(await workerB.watchersOf('T1', thread.channelId, thread.threadTs)).toEqual([]);
  });
});

describe('refresh at most every interval', () => {
  const minutes = (n: number) => n * 60_000;
  it('a reply after the interval refreshes at once; one within it waits for the rest of it', () => {
    expect(refreshDelayMs(0, minutes(15), minutes(20))).toBe(0);
    expect(refreshDelayMs(0, minutes(15), minutes(15))).toBe(0);
    expect(refreshDelayMs(0, minutes(15), minutes(5))).toBe(minutes(10));
    expect(refreshDelayMs(minutes(5), 0, minutes(5))).toBe(0);
  });
});
