/**
 * Team mode's connection holds against a private Redis, two holds objects playing two workers: a hold says whether
 * its run is automatic (so a manual start elsewhere waits for it), a taken-over run keeps or drops that as its record
 * says, a refresh extends both keys, and a release leaves no key behind. Manual first: while a manual start waits for
 * an automatic run, no other automatic run takes the connection before it.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOLD_TTL_MS, MANUAL_WAITING_TTL_MS, openConnectionHolds, type TeamConnectionHolds } from '../../../src/adapters/team/connection-holds.js';
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
    .find((key) => !key.endsWith(':automatic') && !key.endsWith(':manual-waiting'))!;
const waitingMarkKey = () =>
  heldKeys()
    .split('\n')
    .find((key) => key.endsWith(':manual-waiting'));

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
    expect(await second.hold('connection', 'manual-run')).toBe(true);
    await second.release('connection', 'manual-run');
    expect(heldKeys()).toBe(''); // the manual start's waiting mark went when it took the connection
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

  it('manual first: while a manual start waits for an automatic run, no new automatic run takes the connection in the gap', async () => {
    const [first, second, third] = [workerHolds(), workerHolds(), workerHolds()];
    expect(await first.hold('connection', 'auto-run', true)).toBe(true);
    expect(await second.hold('connection', 'manual-run')).toBe(false); // it waits, and says so
    await first.release('connection', 'auto-run');
    expect(await third.hold('connection', 'next-auto-run', true)).toBe(false); // a watch poll on a third worker
    expect(await second.hold('connection', 'manual-run')).toBe(true);
    await second.release('connection', 'manual-run');
    expect(await third.hold('connection', 'next-auto-run', true)).toBe(true);
  });

  it('a manual start that stopped waiting keeps automatic runs away only until its mark lapses', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    await first.hold('connection', 'auto-run', true);
    await second.hold('connection', 'manual-run');
    const mark = waitingMarkKey()!;
    const ttl = Number(redis.cli('PTTL', mark).trim());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MANUAL_WAITING_TTL_MS);
    await first.release('connection', 'auto-run');
    redis.cli('PEXPIRE', mark, '1'); // as if its time to live had passed since its last look
    await expect.poll(() => waitingMarkKey()).toBeUndefined();
    expect(await first.hold('connection', 'next-auto-run', true)).toBe(true);
  });

  it('a run being taken over keeps its connection although a manual start waits; a new automatic run does not get it', async () => {
    const [first, second, third] = [workerHolds(), workerHolds(), workerHolds()];
    await first.hold('connection', 'auto-run', true);
    await second.hold('connection', 'manual-run');
    redis.cli('DEL', holdKey()); // its worker died and the hold lapsed
    expect(await third.hold('connection', 'new-auto-run', true)).toBe(false);
    expect(await third.hold('connection', 'auto-run', true, true)).toBe(true);
  });

  it('a manual start refused by another manual run leaves no mark: it is refused, not waiting', async () => {
    const [first, second] = [workerHolds(), workerHolds()];
    await first.hold('connection', 'manual-run');
    expect(await second.hold('connection', 'other-manual-run')).toBe(false);
    expect(waitingMarkKey()).toBeUndefined();
    await first.release('connection', 'manual-run');
    expect(await second.hold('connection', 'auto-run', true)).toBe(true);
  });
});
