// The store's `exclusive`: read-modify-write of one value, one caller at a time per key, across every process that
// shares the store. SQLite is one process (the data dir's lock); Redis is shared by the workers of a team, so two
// store instances on one Redis stand for two workers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LockTiming } from '../../src/adapters/redis-lock.js';
import { openRedisStore, STORE_UNREACHABLE_MESSAGE } from '../../src/adapters/redis-store.js';
import { type LocalStore, openLocalStore } from '../../src/adapters/store.js';
import { StoreError } from '../../src/errors.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

const silent = pino({ level: 'silent' });
const opened: LocalStore[] = [];
let redis: RedisServer | undefined;

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
}, 20_000);

afterAll(async () => {
  await redis?.stop();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function redisWorker(lockTiming?: Partial<LockTiming>): Promise<LocalStore> {
  if (!redis) throw new Error('redis-server is not running');
  const store = await openRedisStore({ url: redis.url, redactedUrl: 'redis://test', ...(lockTiming ? { lockTiming } : {}) }, silent);
  opened.push(store);
  return store;
}

/** Two stores on one backing store: two workers on one Redis; two opens of one data dir for SQLite. */
const backends = [
  {
    name: 'SQLite (one process)',
    available: true,
    openTwo: async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'visen-exclusive-')), 'data');
      const first = await openLocalStore(dir, silent);
      const second = await openLocalStore(dir, silent);
      opened.push(first, second);
      return [first, second] as const;
    },
  },
  {
    name: 'Redis (team mode)',
    available: redisAvailable,
    openTwo: async () => {
      redis?.cli('FLUSHALL');
      return [await redisWorker(), await redisWorker()] as const;
    },
  },
];

const append = (store: LocalStore, item: string) =>
  store.exclusive('list', 'shared', async () => {
    const list = (await store.get<string[]>('list', 'shared')) ?? [];
    await store.set('list', 'shared', [...list, item]);
  });

/** A promise and the function that settles it, to hold a caller inside `exclusive` for as long as a test needs. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.each(backends)('exclusive on $name', ({ available, openTwo }) => {
  it.skipIf(!available)('loses no update when two stores append 100 items each to one list at the same moment', async () => {
    const [first, second] = await openTwo();
    const items = Array.from({ length: 100 }, (_, n) => n);
    await Promise.all([...items.map((n) => append(first, `first-${n}`)), ...items.map((n) => append(second, `second-${n}`))]);
    const list = (await first.get<string[]>('list', 'shared')) ?? [];
    expect(list).toHaveLength(200);
    expect(new Set(list).size).toBe(200);
  });

  it.skipIf(!available)('gives the key back when its function throws, and hands the error to its caller', async () => {
    const [first, second] = await openTwo();
    const failed = first.exclusive('list', 'shared', async () => {
      throw new Error('the change failed');
    });
    await expect(failed).rejects.toThrow('the change failed');
    await append(second, 'after the failure');
    expect(await first.get('list', 'shared')).toEqual(['after the failure']);
  });

  it.skipIf(!available)('lets other keys go on while one key is held', async () => {
    const [first, second] = await openTwo();
    const holding = gate();
    const held = first.exclusive('list', 'shared', () => holding.opened);
    await second.exclusive('list', 'another', async () => second.set('list', 'another', ['done']));
    expect(await second.get('list', 'another')).toEqual(['done']);
    holding.open();
    await held;
  });
});

describe.skipIf(!redisAvailable)('exclusive on Redis (team mode)', () => {
  it('keeps its lock key apart from the data keys while held, and deletes it when done', async () => {
    redis?.cli('FLUSHALL');
    const store = await redisWorker();
    const keysWhileHeld = await store.exclusive('generation', 'pending', async () => {
      await store.set('generation', 'pending', ['run-1']);
      return redis?.cli('KEYS', '*').trim().split('\n').sort();
    });
    expect(keysWhileHeld).toEqual(['visen::generation:pending', 'visen:lock:generation:pending']);
    expect(redis?.cli('KEYS', 'visen:lock:*').trim()).toBe('');
  });

  it('deletes its lock key at once when the change throws (others need not wait for it to expire)', async () => {
    redis?.cli('FLUSHALL');
    const store = await redisWorker();
    await expect(store.exclusive('list', 'shared', () => Promise.reject(new Error('the change failed')))).rejects.toThrow('the change failed');
    expect(redis?.cli('KEYS', 'visen:lock:*').trim()).toBe('');
  });

  it('does not let a worker that died holding a key block the others past the lock’s time to live', async () => {
    redis?.cli('FLUSHALL');
    redis?.cli('SET', 'visen:lock:list:shared', 'token-of-a-dead-worker', 'PX', '300');
    const survivor = await redisWorker({ acquireTimeoutMs: 10_000 });
    await append(survivor, 'written after the dead worker’s lock expired');
    expect(await survivor.get('list', 'shared')).toEqual(['written after the dead worker’s lock expired']);
  });

  it('keeps a long change exclusive past the lock’s time to live (the watchdog renews it)', async () => {
    redis?.cli('FLUSHALL');
    const timing = { ttlMs: 150, acquireTimeoutMs: 10_000 };
    const [first, second] = [await redisWorker(timing), await redisWorker(timing)];
    const events: string[] = [];
    const holding = gate();
    const long = first.exclusive('list', 'shared', async () => {
      events.push('first starts');
      holding.open();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // several times the time to live
      events.push('first ends');
    });
    await holding.opened;
    await second.exclusive('list', 'shared', async () => {
      events.push('second starts');
    });
    await long;
    expect(events).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('tells the caller to try again when the key stays held elsewhere, without running its change', async () => {
    redis?.cli('FLUSHALL');
    redis?.cli('SET', 'visen:lock:list:shared', 'token-of-a-stuck-worker', 'PX', '60000');
    const store = await redisWorker({ acquireTimeoutMs: 300 });
    let ran = false;
    const error = await store
      .exclusive('list', 'shared', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).userMessage).toBe(STORE_UNREACHABLE_MESSAGE);
    expect(ran).toBe(false);
  });

  it('tells the caller Visen cannot reach its store while Redis is down (no hang), and works again once it is back', async () => {
    redis?.cli('FLUSHALL');
    const store = await redisWorker();
    await redis?.stop();
    let ran = false;
    try {
      const error = await store
        .exclusive('list', 'shared', async () => {
          ran = true;
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).userMessage).toBe(STORE_UNREACHABLE_MESSAGE);
      expect(ran).toBe(false);
    } finally {
      await redis?.start();
    }
    await expect
      .poll(
        () =>
          append(store, 'back').then(
            () => 'written',
            () => 'not yet',
          ),
        { timeout: 10_000 },
      )
      .toBe('written');
  });
});
