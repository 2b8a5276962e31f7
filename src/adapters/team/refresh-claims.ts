/**
 * Which worker schedules a thread's next "Keep it current" refresh: Slack hands each reply to one worker, any of
 * them, so without this each worker that got a reply would schedule its own refresh of the same page. A claim is a
 * Redis key `SET NX PX` whose value is a token of this claim; it lapses by itself (a dead worker's claim too) and is
 * let go with a compare-and-delete, never another worker's. Loaded only in team mode.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { openTeamConnection, whenReady } from './redis-connection.js';

const KEY_PREFIX = 'visen:thread-refresh:';
/** As long as a store call may take (redis-store.ts): a worker's reply handler never waits longer on a claim. */
const READY_WAIT_MS = 3_000;

/** Takes the key for this token, or extends it when the token already holds it; 0 when another claim holds it. */
const CLAIM_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
/** Deletes the key only while this token holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface TeamRefreshClaims {
  /** True when this worker holds `key` for the next `ttlMs` (taken now, or its own claim extended). Throws when Redis is away. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Lets go of `key` if this worker's claim still holds it. */
  release(key: string): Promise<void>;
  close(): void;
}

export function openRefreshClaims(url: string, logger: Logger): TeamRefreshClaims {
  const redis = openTeamConnection(url, 'command', logger);
  /** This worker's claims: the token each was taken with. */
  const tokens = new Map<string, string>();
  const run = async (script: string, redisKey: string, ...args: string[]): Promise<number> => {
    await whenReady(redis, READY_WAIT_MS);
    return Number(await redis.eval(script, 1, redisKey, ...args));
  };
  return {
    async claim(key, ttlMs) {
      const token = tokens.get(key) ?? randomUUID();
      const taken = (await run(CLAIM_SCRIPT, redisKeyOf(key), token, String(Math.max(1, Math.ceil(ttlMs))))) === 1;
      if (taken) tokens.set(key, token);
      else tokens.delete(key);
      return taken;
    },
    async release(key) {
      const token = tokens.get(key);
      if (token === undefined) return;
      tokens.delete(key);
      await run(RELEASE_SCRIPT, redisKeyOf(key), token);
    },
    close() {
      tokens.clear();
      redis.disconnect();
    },
  };
}

/** Hashed: a watch's key holds its whole prompt. */
function redisKeyOf(key: string): string {
  return KEY_PREFIX + createHash('sha256').update(key).digest('hex');
}
