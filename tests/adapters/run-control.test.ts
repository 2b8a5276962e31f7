/**
 * The Redis run control port (team mode), two instances on one Redis as two workers would have: a request reaches
 * every worker; it is kept for a run no worker runs now and taken once; a cancel is never replaced by a preview
 * answer; a preview is decided once; Redis away is "try again", not a raw client error.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { STORE_UNREACHABLE_MESSAGE } from '../../src/adapters/redis-store.js';
import type { RunControlAction } from '../../src/adapters/run-control.js';
import { openRedisRunControl, type RedisRunControl } from '../../src/adapters/team/run-control.js';
import { StoreError } from '../../src/errors.js';
import { type RedisServer, redisAvailable, startRedis } from '../support/redis.js';

const silent = pino({ level: 'silent' });
let redis: RedisServer;
let workerA: RedisRunControl;
let workerB: RedisRunControl;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  workerA = openRedisRunControl(redis.url, silent);
  workerB = openRedisRunControl(redis.url, silent);
  await Promise.all([workerA.ready, workerB.ready]);
}, 20_000);

afterAll(async () => {
  await workerA?.close();
  await workerB?.close();
  await redis?.stop();
});

beforeEach(() => {
  if (redisAvailable) redis.cli('FLUSHALL');
});

/** Resolves with the next request `worker` receives. */
function nextRequest(worker: RedisRunControl): Promise<{ runId: string; action: RunControlAction }> {
  return new Promise((resolve) => {
    const stop = worker.onRequest((runId, action) => {
      stop();
      resolve({ runId, action });
    });
  });
}

describe.skipIf(!redisAvailable)('run control across two workers on one Redis', () => {
  it('says it works across workers', () => {
    expect(workerA.acrossWorkers).toBe(true);
  });

  it('delivers a request sent through worker B to worker A', async () => {
    const received = nextRequest(workerA);
    await workerB.request('run-1', 'cancel');
    expect(await received).toEqual({ runId: 'run-1', action: 'cancel' });
  });

  it('keeps the request for the worker that launches the run next, which takes it once', async () => {
    await workerB.request('run-2', 'cancel');
    expect(await workerA.takeRequest('run-2')).toBe('cancel');
    expect(await workerA.takeRequest('run-2')).toBeUndefined();
    expect(await workerB.takeRequest('run-2')).toBeUndefined();
    expect(redis.cli('EXISTS', 'visen:control:request:run-2').trim()).toBe('0');
  });

  it('keeps a request for a day at most', async () => {
    await workerB.request('run-3', 'confirm-preview');
    const ttl = Number(redis.cli('TTL', 'visen:control:request:run-3').trim());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it('lets a cancel replace a kept preview answer, never the other way round', async () => {
    await workerA.request('run-4', 'confirm-preview');
    await workerB.request('run-4', 'cancel');
    await workerA.request('run-4', 'confirm-preview');
    expect(await workerA.takeRequest('run-4')).toBe('cancel');
  });

  it('decides a preview once across workers', async () => {
    const answers = await Promise.all([workerA.decideOnce('run-5'), workerB.decideOnce('run-5'), workerA.decideOnce('run-5')]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await workerB.decideOnce('run-6')).toBe(true);
  });

  it('hands a progress announcement to every other worker, never back to the announcer', async () => {
    const heardOnA: string[] = [];
    const heardOnB: string[] = [];
    const stopA = workerA.onProgress((runId) => heardOnA.push(runId));
    const stopB = workerB.onProgress((runId) => heardOnB.push(runId));
    try {
      workerA.announceProgress('run-11');
      workerB.announceProgress('run-12');
      // Redis delivers one connection's publishes in order: once A hears its marker, an echo of run-11 would have come.
      const marker = nextRequest(workerA);
      await workerA.request('run-13', 'cancel');
      await marker;
      await vi.waitFor(() => {
        expect(heardOnB).toEqual(['run-11']);
        expect(heardOnA).toEqual(['run-12']);
      }, 15_000);
    } finally {
      stopA();
      stopB();
    }
  });

  it('ignores a malformed message on its channel', async () => {
    const received = nextRequest(workerA);
    redis.cli('PUBLISH', 'visen:control:runs', '{"runId":"run-7","action":"delete-everything"}');
    redis.cli('PUBLISH', 'visen:control:runs', 'not json');
    await workerB.request('run-8', 'cancel-preview');
    expect(await received).toEqual({ runId: 'run-8', action: 'cancel-preview' });
  });

  it('tells the user to try again while Redis is away, and works again once it is back', async () => {
    await redis.stop();
    try {
      const failure = await workerB.request('run-9', 'cancel').catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).userMessage).toBe(STORE_UNREACHABLE_MESSAGE);
      await expect(workerA.takeRequest('run-9')).rejects.toBeInstanceOf(StoreError);
    } finally {
      await redis.start();
    }
    // Both reconnect (and A subscribes again) by themselves: B sends until A hears it.
    let heard: { runId: string; action: RunControlAction } | undefined;
    nextRequest(workerA).then((request) => (heard = request));
    for (let attempt = 0; !heard; attempt++) {
      if (attempt > 100) throw new Error('worker A never heard worker B again');
      await workerB.request('run-10', 'cancel').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(heard).toEqual({ runId: 'run-10', action: 'cancel' });
  }, 30_000);
});
