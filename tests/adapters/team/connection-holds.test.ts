/**
 * Team mode's connection holds against a private Redis, two holds objects playing two workers: a hold says whether
 * its run is automatic (so a manual start elsewhere waits for it), a taken-over run keeps or drops that as its record
 * says, a refresh extends both keys, and a release leaves no key behind.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOLD_TTL_MS, openConnectionHolds, type TeamConnectionHolds } from '../../../src/adapters/team/connection-holds.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';

const silent = pino({ level: 'silent' });
let redis: RedisServer;
const opened: TeamConnectionHolds[] = [];

const workerHolds = () => {
  const holds = openConnectionHolds(redis.url, silent);
  opened.push(holds);
  return holds;
};
const heldKeys = () => redis.cli('KEYS', 'visen:connection-run:*').trim();
const automaticKey = () =>
  heldKeys()
    .split('\n')
    .find((key) => key.endsWith(':automatic'))!;
const holdKey = () =>
  heldKeys()
    .split('\n')
    .find((key) => !key.endsWith(':automatic'))!;

describe.skipIf(!redisAvailable)('connection holds across workers', () => {
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterEach(() => {
    vi.useRealTimers();
    for (const holds of opened.splice(0)) holds.close();
    redis.cli('FLUSHALL');
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('tells every worker that an automatic run holds the connection, until it lets go; then no key is left', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    expect(await first.hold('connection', 'auto-run', true)).toBe(true);
    expect(await second.heldByAutomaticRun('connection')).toBe(true);
    expect(await second.hold('connection', 'manual-run')).toBe(false);
    await first.release('connection', 'auto-run');
    expect(await second.heldByAutomaticRun('connection')).toBe(false);
    expect(heldKeys()).toBe('');
    expect(await second.hold('connection', 'manual-run')).toBe(true);
  });

  it('does not call a manual run’s hold automatic', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    expect(await first.hold('connection', 'manual-run')).toBe(true);
    expect(await second.heldByAutomaticRun('connection')).toBe(false);
  });

  it('keeps an automatic run automatic when another worker takes it over, and a release by another run changes nothing', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    await first.hold('connection', 'auto-run', true);
    expect(await second.hold('connection', 'auto-run', true)).toBe(true);
    await second.release('connection', 'some-other-run');
    expect(await first.heldByAutomaticRun('connection')).toBe(true);
    expect(Number(redis.cli('PTTL', automaticKey()).trim())).toBeGreaterThan(0);
  });

  it('no longer calls a run automatic once another worker takes it over as its record says it is now: manual', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    await first.hold('connection', 'run', true);
    expect(await second.hold('connection', 'run', false)).toBe(true);
    expect(await first.heldByAutomaticRun('connection')).toBe(false);
  });

  it('does not call the connection held by an automatic run when only the companion key is left (its hold lapsed)', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    await first.hold('connection', 'auto-run', true);
    redis.cli('DEL', holdKey());
    expect(await second.heldByAutomaticRun('connection')).toBe(false);
  });

  it('keeps a long automatic run automatic: its refresh extends the companion key with the hold', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const holds = workerHolds();
    await holds.hold('connection', 'auto-run', true);
    for (const key of [holdKey(), automaticKey()]) redis.cli('PEXPIRE', key, '5000');
    vi.advanceTimersByTime(HOLD_TTL_MS); // past the refresh's ticks
    await expect.poll(() => Number(redis.cli('PTTL', automaticKey()).trim())).toBeGreaterThan(5_000);
    expect(Number(redis.cli('PTTL', holdKey()).trim())).toBeGreaterThan(5_000);
  });
});
