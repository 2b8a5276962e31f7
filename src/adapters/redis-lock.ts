/**
 * Mutual exclusion per store key across every worker sharing one Redis: the Redis store's `exclusive`.
 *
 * Redis's own single-instance lock (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/):
 * `SET key token NX PX ttl` takes it, a compare-and-delete script gives it back (never another holder's), and a
 * compare-and-PEXPIRE script renews it every third of its time to live while `fn` runs (a watchdog), so a long
 * `fn` is not overtaken, while the key of a worker that died expires within one time to live.
 * Why not a library: redis-semaphore and @sesamecare-oss/redlock do this well but take an ioredis client only, and
 * the store runs on node-redis (Keyv's adapter); Redlock's quorum over several servers buys nothing with one Redis.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { KeyQueue } from './key-queue.js';
import { type LocalStore, type StoreGuard, storeKey } from './store.js';

export interface LockTiming {
  /** How long a holder keeps the key without renewing it: the lock of a worker that died is free after this. */
  readonly ttlMs: number;
  /** Most time a caller waits for a key held elsewhere before it is told to try again. */
  readonly acquireTimeoutMs: number;
  /** Mean pause between attempts, jittered so that waiting workers do not retry in step. */
  readonly retryDelayMs: number;
}

/** Store values are changed in milliseconds: a held key is a short wait; one still held after seconds is a fault. */
export const DEFAULT_LOCK_TIMING: LockTiming = { ttlMs: 5_000, acquireTimeoutMs: 6_000, retryDelayMs: 15 };

/** The two commands the lock needs, as node-redis's client offers them. */
export interface LockCommands {
  set(key: string, value: string, options: { condition: 'NX'; expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisLockDeps {
  readonly commands: LockCommands;
  /** Bounds each command and turns its failure into the store's StoreError (Redis away: try again). */
  readonly guard: StoreGuard;
  /** The error for a key not had in time: to a user it is the same as Redis away. */
  readonly busy: () => Error;
  /** Lock keys start with this, apart from the data keys. */
  readonly keyPrefix: string;
  readonly timing: LockTiming;
  readonly logger: Logger;
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * The store's `exclusive` over Redis. Callers in this worker take turns in memory first (no Redis traffic while
 * they wait, first come first served); only the one whose turn it is competes with other workers for the key.
 */
export function redisExclusive(deps: RedisLockDeps): LocalStore['exclusive'] {
  const turns = new KeyQueue();
  return (namespace, key, fn) => {
    const lockKey = `${deps.keyPrefix}${storeKey(namespace, key)}`;
    return turns.run(lockKey, () => whileHolding(deps, lockKey, fn));
  };
}

async function whileHolding<T>(deps: RedisLockDeps, lockKey: string, fn: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  await acquire(deps, lockKey, token);
  const watchdog = setInterval(async () => {
    if ((await renew(deps, lockKey, token)) === 'lost') clearInterval(watchdog);
  }, deps.timing.ttlMs / 3);
  watchdog.unref();
  try {
    return await fn();
  } finally {
    clearInterval(watchdog);
    // A failed release is logged by the guard; the key then expires by itself within its time to live.
    await deps.guard('unlock', () => deps.commands.eval(RELEASE, { keys: [lockKey], arguments: [token] })).catch(() => undefined);
  }
}

async function acquire(deps: RedisLockDeps, lockKey: string, token: string): Promise<void> {
  const { ttlMs, acquireTimeoutMs, retryDelayMs } = deps.timing;
  const deadline = Date.now() + acquireTimeoutMs;
  for (;;) {
    const taken = await deps.guard('lock', () => deps.commands.set(lockKey, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
    if (taken === 'OK') return;
    const left = deadline - Date.now();
    if (left <= 0) {
      deps.logger.warn({ lock: lockKey, waitedMs: acquireTimeoutMs }, 'a store key stayed locked by another worker; the caller is told to try again');
      throw deps.busy();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, retryDelayMs * (0.5 + Math.random()))));
  }
}

async function renew(deps: RedisLockDeps, lockKey: string, token: string): Promise<'renewed' | 'lost' | 'failed'> {
  try {
    const renewed = await deps.guard('renew lock', () => deps.commands.eval(RENEW, { keys: [lockKey], arguments: [token, String(deps.timing.ttlMs)] }));
    if (renewed === 1) return 'renewed';
    // Only a worker stalled for longer than the time to live gets here: another may have changed the value meanwhile.
    deps.logger.warn({ lock: lockKey }, 'a store lock expired while held');
    return 'lost';
  } catch {
    return 'failed'; // logged by the guard; the next tick tries again
  }
}
