/**
 * Team mode's claims on a kept-current thread's next refresh, against a private Redis: claims opened on separate
 * connections play separate workers.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRefreshClaims, type TeamRefreshClaims } from '../../../src/adapters/team/refresh-claims.js';
import { eventually } from '../../e2e/support/observe.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';

const silent = pino({ level: 'silent' });
let redis: RedisServer;
let workerA: TeamRefreshClaims;
let workerB: TeamRefreshClaims;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  workerA = openRefreshClaims(redis.url, silent);
  workerB = openRefreshClaims(redis.url, silent);
}, 20_000);

afterAll(async () => {
  workerA?.close();
  workerB?.close();
  await redis?.stop();
});

describe.skipIf(!redisAvailable)('refresh claims across workers', () => {
  it('one worker holds a watch’s claim; the other gets it once the holder lets go', async () => {
    expect(await workerA.claim('U1|C1|1.0|page|Summarise', 60_000)).toBe(true);
    expect(await workerB.claim('U1|C1|1.0|page|Summarise', 60_000)).toBe(false);
    // The holder may extend its own claim (its refresh became due later); a release by a non-holder changes nothing.
    expect(await workerA.claim('U1|C1|1.0|page|Summarise', 120_000)).toBe(true);
    await workerB.release('U1|C1|1.0|page|Summarise');
    expect(await workerB.claim('U1|C1|1.0|page|Summarise', 60_000)).toBe(false);
    await workerA.release('U1|C1|1.0|page|Summarise');
    expect(await workerB.claim('U1|C1|1.0|page|Summarise', 60_000)).toBe(true);
    // Another watch's claim is its own.
    expect(await workerA.claim('U2|C1|1.0|page|Summarise', 60_000)).toBe(true);
  });

  it('a claim its worker never lets go (it died) lapses after its time to live', async () => {
    expect(await workerA.claim('U3|C1|1.0|page|Summarise', 200)).toBe(true);
    await eventually(async () => workerB.claim('U3|C1|1.0|page|Summarise', 60_000), 'the claim lapsed');
    // The first holder's late release leaves the new holder's claim alone.
    await workerA.release('U3|C1|1.0|page|Summarise');
    expect(await workerA.claim('U3|C1|1.0|page|Summarise', 60_000)).toBe(false);
  });

  it('a holder that extends its claim keeps it past the first time to live', async () => {
    expect(await workerA.claim('U4|C1|1.0|page|Summarise', 200)).toBe(true);
    expect(await workerA.claim('U4|C1|1.0|page|Summarise', 60_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the first claim's 200 ms
    expect(await workerB.claim('U4|C1|1.0|page|Summarise', 60_000)).toBe(false);
  });

  it('Redis never holds the watch’s key (it holds a prompt), only its hash', () => {
    const keys = redis.cli('--scan', '--pattern', 'visen:thread-refresh:*').trim().split('\n');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join('\n')).not.toContain('Summarise');
  });
});
