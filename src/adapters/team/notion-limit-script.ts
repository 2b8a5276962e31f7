/**
 * One integration's Notion budget in Redis, shared by every worker: a token bucket (an average rate, a small burst)
 * and a pause (a Retry-After), both read and changed by one atomic Lua script, run with EVALSHA (ioredis'
 * `defineCommand` sends EVALSHA and falls back to EVAL once when Redis answers NOSCRIPT, e.g. after a restart).
 *
 * Why a script of ours and not rate-limiter-flexible's RateLimiterRedis: that limiter counts points in a fixed
 * window of whole seconds (`SET NX EX` then `INCRBY`). At 3 points a second it keeps the average, but no budget
 * left unused during a Retry-After pause is kept for afterwards (the burst the local limiter's DEFAULT_BURST exists
 * for: 82% of the ceiling with a burst of 3, 93% with 6, docs/performance.md), and at 6 points in 2 seconds two
 * windows back to back send 12 at once, past the burst Notion's stand-in allows. Its `block` rewrites the same
 * counter, so a later `reward` (a refund) or a shorter block shortens a pause, and a `reward` after the window
 * rolled over hands out an extra point in the next one. The token bucket below is the same model as the local
 * limiter (rate-limiter.ts) and as the Notion stand-in, with exact refunds capped at the burst and a pause that
 * is never shortened, in about twenty lines.
 *
 * Time is Redis' own (`TIME`), and waits are relative, so workers' clocks need not agree.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS[1] the bucket (a hash: tokens, at), KEYS[2] the pause (only its time to live matters).
 * ARGV: operation ('take' | 'refund' | 'pause'), tokens per millisecond, capacity, pause in ms (for 'pause').
 * 'take' answers { wait ms, paused ms }: { 0, 0 } when a token was taken.
 */
const LIMIT_SCRIPT = `
local op = ARGV[1]
if op == 'pause' then
  local ms = tonumber(ARGV[4])
  if redis.call('PTTL', KEYS[2]) < ms then redis.call('SET', KEYS[2], '1', 'PX', ms) end
  return {0, 0}
end
local paused = redis.call('PTTL', KEYS[2])
if op == 'take' and paused > 0 then return {paused, paused} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if op == 'refund' then
  tokens = math.min(capacity, tokens + 1)
elseif tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {wait, 0}
`;

/** What one integration's shared limiter asks of Redis. */
export interface SharedBudget {
  /** A token now ({ waitMs: 0 }), or how long until one may be (a pause included, then also `pausedMs`). */
  take(): Promise<{ waitMs: number; pausedMs: number }>;
  /** Gives one token back, up to the burst. */
  refund(): Promise<void>;
  /** Pauses the integration for `ms` from now on every worker, unless it is already paused for longer. */
  pause(ms: number): Promise<void>;
}

export interface BudgetShape {
  readonly ratePerSecond: number;
  readonly capacity: number;
}

const COMMAND = 'visenNotionLimit';
type LimitCommand = (bucket: string, pause: string, op: string, ratePerMs: string, capacity: string, pauseMs: string) => Promise<[number, number]>;

/**
 * The budget of one integration, under keys made from a hash of its secret (the secret is never given here).
 * Keys share a hash tag so the script's two keys sit in one slot should the Redis be a cluster.
 */
export function redisBudget(connection: Redis, integrationKey: string, shape: BudgetShape): SharedBudget {
  if (!(COMMAND in connection)) connection.defineCommand(COMMAND, { numberOfKeys: 2, lua: LIMIT_SCRIPT });
  const run = (connection as unknown as Record<typeof COMMAND, LimitCommand>)[COMMAND].bind(connection);
  const bucket = `visen::notion-limit:{${integrationKey}}:bucket`;
  const pause = `visen::notion-limit:{${integrationKey}}:pause`;
  const ratePerMs = String(shape.ratePerSecond / 1000);
  const capacity = String(shape.capacity);
  return {
    async take() {
      const [waitMs, pausedMs] = await run(bucket, pause, 'take', ratePerMs, capacity, '0');
      return { waitMs: Number(waitMs), pausedMs: Number(pausedMs) };
    },
    async refund() {
      await run(bucket, pause, 'refund', ratePerMs, capacity, '0');
    },
    async pause(ms) {
      await run(bucket, pause, 'pause', ratePerMs, capacity, String(Math.max(1, Math.ceil(ms))));
    },
  };
}
