/**
 * Team mode's Notion limiter against a private Redis: limiters on separate connections play separate workers. One
 * integration's requests from all of them stay within one token bucket; a refund, a pause and a secret's budget are
 * shared as Notion counts them (per integration), and Redis never holds the secret.
 */
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LimiterWaitError, type NotionRateLimiter } from '../../../src/adapters/notion/rate-limiter.js';
import { createNotionGateway, secretKey } from '../../../src/adapters/notion/workspace.js';
import { STORE_UNREACHABLE_MESSAGE } from '../../../src/adapters/redis-store.js';
import { type SharedLimiterOptions, sharedLimiterFactory } from '../../../src/adapters/team/notion-limiter.js';
import { openTeamConnection } from '../../../src/adapters/team/redis-connection.js';
import { NotionError } from '../../../src/errors.js';
import { eventually } from '../../e2e/support/observe.js';
import { startNotionStandIn } from '../../stand-ins/notion/index.js';
import { TokenBucket } from '../../stand-ins/notion/rate-limit.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';

const silent = pino({ level: 'silent' });
let redis: RedisServer;
const connections: Redis[] = [];

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
}, 20_000);

afterEach(() => {
  for (const connection of connections.splice(0)) connection.disconnect();
});

afterAll(async () => {
  await redis?.stop();
});

/** A worker: its own connection to Redis, and its limiter of the integration `key`. */
async function worker(key: string, options: SharedLimiterOptions): Promise<NotionRateLimiter> {
  const connection = openTeamConnection(redis.url, 'command', silent);
  connections.push(connection);
  await new Promise((resolve) => connection.once('ready', resolve));
  return sharedLimiterFactory(connection, silent, options)(key);
}

const integration = (name: string) => secretKey(`ntn_${name}_secret_0123456789`);

/** Acquires `count` slots one after another (as a worker's requests would), recording when each was granted. */
async function takeSlots(limiter: NotionRateLimiter, count: number, grants: number[]): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => limiter.acquire().then(() => grants.push(Date.now()))));
}

describe.skipIf(!redisAvailable)('the Notion limiter shared through Redis', () => {
  it('keeps three workers on one integration within one budget together', async () => {
    const shape = { ratePerSecond: 20, capacity: 3 };
    const key = integration('shared');
    const workers = await Promise.all([worker(key, shape), worker(key, shape), worker(key, shape)]);
    const grants: number[] = [];
    await Promise.all(workers.map((limiter) => takeSlots(limiter, 10, grants)));

    expect(grants).toHaveLength(30);
    grants.sort((a, b) => a - b);
    // 30 slots from one bucket of 3 at 20 a second take at least (30 - 3) / 20 s; three separate buckets would take a third.
    expect(grants.at(-1)! - grants[0]!).toBeGreaterThanOrEqual(((30 - 3) / 20) * 1000 - 20);
    // And Notion's own bucket at that rate (with a token of slack for timer jitter) would have refused none of them.
    const notion = new TokenBucket(20, 4, grants[0]);
    expect(grants.filter((at) => !notion.take(at).ok)).toEqual([]);
  }, 20_000);

  it('gives a refunded slot to another worker, once', async () => {
    const shape = { ratePerSecond: 0.01, capacity: 2 }; // a token every 100 s: only refunds free a slot here
    const key = integration('refund');
    const [a, b] = await Promise.all([worker(key, shape), worker(key, shape)]);
    const first = await a!.acquire();
    await a!.acquire();
    first();
    first();
    const tokens = () => Number(redis.cli('HGET', `visen::notion-limit:{${key}}:bucket`, 'tokens'));
    await eventually(() => tokens() >= 1, 'the refund reaching Redis');
    // Worker B gets the slot worker A gave back, and only that one: the second refund of the same slot gave nothing.
    await expect(b!.acquire({ deadline: Date.now() + 1_000 })).resolves.toBeTypeOf('function');
    await expect(b!.acquire({ deadline: Date.now() + 300 })).rejects.toBeInstanceOf(LimiterWaitError);
    expect(tokens()).toBeLessThan(1);
  });

  it('a pause set by one worker holds the others, and is never shortened', async () => {
    const shape = { ratePerSecond: 20, capacity: 3 };
    const key = integration('pause');
    const [a, b, c] = await Promise.all([worker(key, shape), worker(key, shape), worker(key, shape)]);
    const pausedAt = Date.now();
    a!.pauseUntil(pausedAt + 1_500);
    c!.pauseUntil(pausedAt + 200);
    // Worker B learns of the pause from Redis: a request that cannot wait that long is told at once.
    await expect(b!.acquire({ deadline: pausedAt + 800 })).rejects.toBeInstanceOf(LimiterWaitError);
    expect(b!.pausedUntil).toBeGreaterThanOrEqual(pausedAt + 1_400);
    await b!.acquire();
    expect(Date.now()).toBeGreaterThanOrEqual(pausedAt + 1_400);
  });

  it('does not share a budget between two integrations', async () => {
    const shape = { ratePerSecond: 0.01, capacity: 2 };
    const [x, y] = await Promise.all([worker(integration('x'), shape), worker(integration('y'), shape)]);
    const deadline = Date.now() + 3_000;
    await Promise.all([x!.acquire({ deadline }), x!.acquire({ deadline })]);
    // Integration x has spent its burst; y still has its own.
    await expect(Promise.all([y!.acquire({ deadline }), y!.acquire({ deadline })])).resolves.toHaveLength(2);
    await expect(x!.acquire({ deadline: Date.now() + 300 })).rejects.toBeInstanceOf(LimiterWaitError);
  });

  it('keeps no integration secret in Redis, only a hash of it', async () => {
    const notion = await startNotionStandIn();
    try {
      const { secret } = notion.createIntegration({ name: 'Team' });
      const connection = openTeamConnection(redis.url, 'command', silent);
      connections.push(connection);
      const gateway = createNotionGateway({ logger: silent, baseUrl: notion.baseUrl, limiterFor: sharedLimiterFactory(connection, silent) });
      await gateway.forSecret(secret).whoAmI();
      const keys = redis.cli('--scan', '--pattern', '*').split('\n').filter(Boolean);
      expect(keys).toContain(`visen::notion-limit:{${secretKey(secret)}}:bucket`);
      const everything = keys.map((k) => `${k}\n${redis.cli('HGETALL', k)}`).join('\n');
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(-12));
    } finally {
      await notion.close();
    }
  });

  it('while Redis is unreachable, holds requests and ends their wait at the deadline with words; then serves again', async () => {
    const key = integration('outage');
    const limiter = await worker(key, { ratePerSecond: 20, capacity: 3 });
    await redis.stop();
    try {
      const err = await limiter.acquire({ deadline: Date.now() + 1_500 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NotionError);
      expect((err as NotionError).code).toBe('unavailable');
      expect((err as NotionError).userMessage).toBe(STORE_UNREACHABLE_MESSAGE);
    } finally {
      await redis.start();
    }
    await expect(limiter.acquire({ deadline: Date.now() + 10_000 })).resolves.toBeTypeOf('function');
  }, 20_000);
});
