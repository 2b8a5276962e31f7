/**
 * One run per connection across workers: the run holding a connection is a Redis key `SET NX PX` with the run id as
 * its value, refreshed while the run goes and deleted (compare-and-delete) at its end. A run taken over by another
 * worker keeps the connection: the same run id may take the key again. An automatic run's hold has a companion key
 * (`…:automatic`, the same run id and time to live), so a manual start on any worker knows to wait for it; while it
 * waits, `…:manual-waiting` keeps other automatic runs from taking the connection first. Loaded only in team mode.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StoreError } from '../../errors.js';
import { STORE_UNREACHABLE_MESSAGE } from '../redis-store.js';
import { openTeamConnection, whenReady } from './redis-connection.js';

const KEY_PREFIX = 'visen:connection-run:';
/**
 * A dead worker's hold lapses after this (refreshed every REFRESH_MS, so a Redis outage of up to 20 s keeps it); its
 * run, taken over within 25 s, takes it again by its run id.
 */
export const HOLD_TTL_MS = 30_000;
const REFRESH_MS = 10_000;
/** As long as a store call may take before the user is told to try again (redis-store.ts). */
const READY_WAIT_MS = 3_000;

/**
 * How long a manual start that found an automatic run holding the connection keeps automatic starts away after its
 * last look (it looks again at least every 2 s while it waits: run-scheduler.ts MANUAL_WAIT).
 */
export const MANUAL_WAITING_TTL_MS = 10_000;

/**
 * Takes the key for `runId` unless another run holds it (refreshes it when `runId` already does); the companion key
 * says whether the holding run is automatic (ARGV[3] = '1'). Manual first: a manual start refused by an automatic
 * run marks the connection (KEYS[3]) as awaited, and until it takes the hold no new automatic run may (a run being
 * resumed, ARGV[5] = '1', is one that held it already).
 */
const HOLD_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  if ARGV[3] == '0' and holder == redis.call('GET', KEYS[2]) then redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4]) end
  return 0
end
if ARGV[3] == '1' and ARGV[5] ~= '1' and not holder and redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] == '1' then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
else
  redis.call('DEL', KEYS[2])
  if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
end
return 1`;
/** Extends the keys only while `runId` holds them: a hold let go (its run ended on another worker) is not taken again. */
const REFRESH_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;
/** Deletes the keys only while `runId` holds them (compare-and-delete). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;
/** 1 while the run holding the connection is automatic (its companion key names the same run). */
const AUTOMATIC_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder == redis.call('GET', KEYS[2]) then return 1 end
return 0`;

export interface TeamConnectionHolds {
  /**
   * True when `runId` holds the connection now (taken, or already its own); false when another run holds it, or, for
   * a new automatic run, while a manual start waits for it. `resuming`: a run taken over, which held it before.
   */
  hold(key: string, runId: string, automatic?: boolean, resuming?: boolean): Promise<boolean>;
  /** True while the run holding the connection is an automatic one (a manual start waits for it). */
  heldByAutomaticRun(key: string): Promise<boolean>;
  /** Lets go of the connection if `runId` still holds it, and stops refreshing it. */
  release(key: string, runId: string): Promise<void>;
  /** True while `runId` holds the connection (a live worker refreshes its hold; a dead one's lapses). */
  isHeldBy(key: string, runId: string): Promise<boolean>;
  /** Stops refreshing every hold (they lapse, unless their runs are taken over) and closes the connection. */
  close(): void;
}

export function openConnectionHolds(url: string, logger: Logger): TeamConnectionHolds {
  const redis = openTeamConnection(url, 'command', logger);
  const refreshers = new Map<string, NodeJS.Timeout>();
  const run = async (script: string, key: string, ...args: string[]): Promise<number> => {
    try {
      await whenReady(redis, READY_WAIT_MS);
      return Number(await redis.eval(script, 3, key, automaticKeyOf(key), manualWaitingKeyOf(key), ...args));
    } catch (err) {
      throw new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: err });
    }
  };
  const stopRefreshing = (redisKey: string) => {
    clearInterval(refreshers.get(redisKey));
    refreshers.delete(redisKey);
  };
  return {
    async hold(key, runId, automatic = false, resuming = false) {
      const redisKey = redisKeyOf(key);
      const flags = [automatic ? '1' : '0', String(MANUAL_WAITING_TTL_MS), resuming ? '1' : '0'];
      const taken = await run(HOLD_SCRIPT, redisKey, runId, String(HOLD_TTL_MS), ...flags);
      if (taken !== 1) return false;
      stopRefreshing(redisKey);
      refreshers.set(
        redisKey,
        keepRefreshed(redis, redisKey, runId, logger, () => stopRefreshing(redisKey)),
      );
      return true;
    },
    async release(key, runId) {
      const redisKey = redisKeyOf(key);
      stopRefreshing(redisKey);
      await run(RELEASE_SCRIPT, redisKey, runId);
    },
    heldByAutomaticRun: async (key) => (await run(AUTOMATIC_SCRIPT, redisKeyOf(key))) === 1,
    async isHeldBy(key, runId) {
      try {
        await whenReady(redis, READY_WAIT_MS);
        return (await redis.get(redisKeyOf(key))) === runId;
      } catch (err) {
        throw new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: err });
      }
    },
    close() {
      for (const redisKey of [...refreshers.keys()]) stopRefreshing(redisKey);
      redis.disconnect();
    },
  };
}

/** The key of a connection: hashed, as a connection's key holds its whole prompt. */
function redisKeyOf(key: string): string {
  return KEY_PREFIX + createHash('sha256').update(key).digest('hex');
}

/** The companion key saying the hold's run is automatic. */
function automaticKeyOf(redisKey: string): string {
  return `${redisKey}:automatic`;
}

/** Set while a manual start waits for an automatic run of the connection (its run id; lapses if it stops looking). */
function manualWaitingKeyOf(redisKey: string): string {
  return `${redisKey}:manual-waiting`;
}

/** A failed refresh is tried again at the next tick; the TTL outlasts a Redis outage of several ticks. */
function keepRefreshed(redis: Redis, redisKey: string, runId: string, logger: Logger, onLetGo: () => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    redis
      .eval(REFRESH_SCRIPT, 2, redisKey, automaticKeyOf(redisKey), runId, String(HOLD_TTL_MS))
      .then((extended) => {
        if (Number(extended) !== 1) onLetGo();
      })
      .catch((err: Error) => logger.debug({ runId, message: err.message }, 'refreshing a connection hold failed'));
  }, REFRESH_MS);
  timer.unref();
  return timer;
}
