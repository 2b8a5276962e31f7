/**
 * Team mode's start, against a real Redis: a run whose enqueue fails (Redis refuses the queue's write) is not left
 * half-started: the user is told the store cannot be reached, its connection row says Failed with those words, it
 * is no longer pending, and the connection is free for the next start, which goes on the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNREACHABLE_MESSAGE } from '../../../src/adapters/redis-store.js';
import { openConnectionHolds } from '../../../src/adapters/team/connection-holds.js';
import { openRunQueue } from '../../../src/adapters/team/run-queue.js';
import type { TeamRuns } from '../../../src/services/generation/run-scheduler.js';
import { RunStore } from '../../../src/services/generation/run-store.js';
import { createGenerationService } from '../../../src/services/generation/service.js';
import type { GenerationService } from '../../../src/services/generation/types.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';
import { connectionRows, logger, prop, startWorld, type World } from './support.js';

let world: World;
let redis: RedisServer;
let team: TeamRuns;
let service: GenerationService;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  world = await startWorld();
  team = {
    queue: openRunQueue({ url: redis.url, concurrency: 1, workerName: 'test-worker' }, logger),
    holds: openConnectionHolds(redis.url, logger),
  };
  service = createGenerationService({
    store: world.store,
    settings: world.settings,
    connections: world.connections,
    notion: world.notionGateway,
    openai: world.openAiGateway,
    logger,
    team,
  });
});

afterAll(async () => {
  await service?.shutdown();
  await world?.close();
  await redis?.stop();
});

describe.skipIf(!redisAvailable)('team mode: a start whose enqueue fails', () => {
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
  });
});
