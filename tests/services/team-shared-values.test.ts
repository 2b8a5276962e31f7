// Team mode: lists and indexes in the shared store are changed by every worker at once. Each service below is
// opened twice on one Redis (two workers, each with its own memory and its own store connection) and both change
// the same value at the same moment: no entry may vanish.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/adapters/redis-store.js';
import type { LocalStore } from '../../src/adapters/store.js';
import { type AutomationRecord, AutomationStore } from '../../src/services/automations/store.js';
import { CreatedRowsStore } from '../../src/services/connections/provenance.js';
import { type RunRecord, RunStore } from '../../src/services/generation/run-store.js';
import { createThreadWatches, type ThreadWatch } from '../../src/services/threads/watches.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

const logger = pino({ level: 'silent' });
const ana = { teamId: 'T1', userId: 'U0ANA' };
const opened: LocalStore[] = [];
let redis: RedisServer;

/** Two workers' stores on one Redis, emptied first. */
async function twoWorkers(): Promise<[LocalStore, LocalStore]> {
  redis.cli('FLUSHALL');
  const open = () => openRedisStore({ url: redis.url, redactedUrl: 'redis://test' }, logger);
  const stores: [LocalStore, LocalStore] = [await open(), await open()];
  opened.push(...stores);
  return stores;
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, n) => `${prefix}-${n}`);

describe.skipIf(!redisAvailable)('shared lists and indexes changed by two workers at once', () => {
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps all 100 runs in the pending list and the user’s index when two workers start 50 each', async () => {
    const [storeA, storeB] = await twoWorkers();
    const [runsA, runsB] = [new RunStore(storeA), new RunStore(storeB)];
    const start = (runs: RunStore, runId: string) => runs.createRun({ runId, user: ana } as RunRecord);
    const [fromA, fromB] = [ids('run-a', 50), ids('run-b', 50)];
    await Promise.all([...fromA.map((id) => start(runsA, id)), ...fromB.map((id) => start(runsB, id))]);
    expect((await runsA.pendingRunIds()).sort()).toEqual([...fromA, ...fromB].sort());
    expect((await runsB.userRunIds(ana)).sort()).toEqual([...fromA, ...fromB].sort());
  });

  it('keeps every automation in the index when two workers save 30 each', async () => {
    const [storeA, storeB] = await twoWorkers();
    const [automationsA, automationsB] = [new AutomationStore(storeA), new AutomationStore(storeB)];
    const save = (automations: AutomationStore, id: string) => automations.save({ id, owner: ana } as AutomationRecord);
    const [fromA, fromB] = [ids('automation-a', 30), ids('automation-b', 30)];
    await Promise.all([...fromA.map((id) => save(automationsA, id)), ...fromB.map((id) => save(automationsB, id))]);
    expect((await automationsB.loadAll()).map((record) => record.id).sort()).toEqual([...fromA, ...fromB].sort());
  });

  it('keeps every row Visen created for a user when two workers record 30 each', async () => {
    const [storeA, storeB] = await twoWorkers();
    const [rowsA, rowsB] = [new CreatedRowsStore(storeA), new CreatedRowsStore(storeB)];
    const record = (rows: CreatedRowsStore, n: number) => rows.add(ana, [[`00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, 'bot-1']]);
    const numbers = Array.from({ length: 60 }, (_, n) => n);
    await Promise.all(numbers.map((n) => record(n % 2 === 0 ? rowsA : rowsB, n)));
    expect(Object.keys((await rowsA.read(ana)).rows)).toHaveLength(60);
  });

  it('lets a third worker find the threads two workers started watching at once', async () => {
    const [storeA, storeB] = await twoWorkers();
    const [watchesA, watchesB] = [createThreadWatches({ store: storeA, logger }), createThreadWatches({ store: storeB, logger })];
    const watchOf = (threadTs: string): ThreadWatch => ({
      user: ana,
      channelId: 'C1',
      threadTs,
      targetUrl: 'https://www.notion.so/p1',
      prompt: 'Summarise',
      lastRunAt: 0,
    });
    const [fromA, fromB] = [ids('1700000000.a', 20), ids('1700000000.b', 20)];
    await Promise.all([...fromA.map((ts) => watchesA.watch(watchOf(ts))), ...fromB.map((ts) => watchesB.watch(watchOf(ts)))]);
    // A worker started afterwards reads the list of watched threads from the store (its memory starts empty).
    const watchesC = createThreadWatches({ store: storeA, logger });
    const found = await Promise.all([...fromA, ...fromB].map((ts) => watchesC.watchersOf('T1', 'C1', ts)));
    expect(found.filter((watches) => watches.length === 1)).toHaveLength(40);
  });
});
