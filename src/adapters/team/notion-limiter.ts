/**
 * Team mode's Notion limiter: the same contract as the local one (src/adapters/notion/rate-limiter.ts: acquire with
 * a signal and a deadline, refunds, a pause until Retry-After capped at MAX_PAUSE_MS, first come first served within
 * a worker), but the budget of an integration lives in Redis (notion-limit-script.ts), so the requests of all
 * workers together stay at Notion's average of 3 a second, and a Retry-After seen by one worker pauses every worker.
 *
 * Only the first waiter of a worker asks Redis; when Redis says "not yet" it sleeps that long and asks again, so a
 * worker costs Redis about one script call per request sent.
 *
 * Redis unreachable: requests wait (asking again every REDIS_RETRY_MS), never sent past the shared budget, and a
 * wait still ends at the call's deadline, with "Visen cannot reach its store" rather than a hang. A local bucket at
 * a guessed share of the rate would keep some work going, but a worker cut off from Redis while the others still
 * reach it would add its share on top of their full budget; and a run cannot record its progress in the store
 * meanwhile anyway. A pause this worker learns of (a 429) holds its requests whether or not Redis heard of it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { NotionError } from '../../errors.js';
import { DEFAULT_BURST, MAX_PAUSE_MS, NOTION_LIMITS } from '../notion/limits.js';
import { QueuedLimiter, type RateLimiterFactory, type Refund } from '../notion/rate-limiter.js';
import { STORE_UNREACHABLE_MESSAGE, withTimeout } from '../redis-store.js';
import { redisBudget, type SharedBudget } from './notion-limit-script.js';
import { openTeamConnection } from './redis-connection.js';

/** How often a waiting worker asks an unreachable Redis again. */
const REDIS_RETRY_MS = 500;
/** Longest wait for one script call: past it Redis counts as unreachable (a hung connection must not hold the queue). */
const REDIS_ANSWER_MS = 2_000;

export interface SharedLimiterOptions {
  /** Average requests per second of one integration, all workers together (default: Notion's 3). */
  readonly ratePerSecond?: number;
  /** The burst (default DEFAULT_BURST, as the local limiter). */
  readonly capacity?: number;
  /** Longest pause (default MAX_PAUSE_MS). */
  readonly maxPauseMs?: number;
}

/** The shared limiters of a worker, over their own Redis connection (closed when the worker stops). */
export interface SharedLimiters {
  readonly limiterFor: RateLimiterFactory;
  close(): Promise<void>;
}

export function openSharedLimiters(url: string, logger: Logger, options: SharedLimiterOptions = {}): SharedLimiters {
  const connection = openTeamConnection(url, 'command', logger);
  return {
    limiterFor: sharedLimiterFactory(connection, logger, options),
    async close() {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** Team mode's limiter factory for the Notion gateway: one shared budget per integration, over one ioredis connection. */
export function sharedLimiterFactory(connection: Redis, logger: Logger, options: SharedLimiterOptions = {}): RateLimiterFactory {
  const shape = { ratePerSecond: options.ratePerSecond ?? NOTION_LIMITS.requestsPerSecond, capacity: options.capacity ?? DEFAULT_BURST };
  const limiterLogger = logger.child({ component: 'notion-limiter' });
  return (integrationKey) =>
    new SharedRateLimiter(redisBudget(connection, integrationKey, shape), limiterLogger.child({ integration: integrationKey.slice(0, 8) }), options.maxPauseMs);
}

export class SharedRateLimiter extends QueuedLimiter {
  /** Set while Redis cannot be reached: waits that end then say so. */
  #unreachableSince: number | undefined;
  #asking = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly budget: SharedBudget,
    private readonly logger: Logger,
    maxPauseMs = MAX_PAUSE_MS,
  ) {
    super(maxPauseMs);
  }

  /** Every worker holds this integration's requests too (a pause here is held whether or not Redis heard of it). */
  protected override paused(until: number): void {
    const ms = until - Date.now();
    if (ms > 0) this.budget.pause(ms).catch((err: unknown) => this.#unreachable(err));
  }

  protected override expired(deadline: number): unknown {
    return this.#unreachableSince !== undefined ? storeUnreachable() : super.expired(deadline);
  }

  /** One question to Redis at a time, for the first waiter; a caller that came meanwhile is served after it. */
  protected serve(): void {
    if (this.#asking || this.#timer !== undefined || this.queue.length === 0) return;
    this.#asking = true;
    void this.#serveInOrder().finally(() => {
      this.#asking = false;
      this.serve();
    });
  }

  /** Serves waiters in order while Redis hands out tokens; then sleeps until the next one may come. */
  async #serveInOrder(): Promise<void> {
    while (this.queue.length > 0) {
      if (Date.now() < this.pausedUntil) return this.#wakeAt(this.pausedUntil);
      let answer: { waitMs: number; pausedMs: number };
      try {
        answer = await withTimeout(this.budget.take(), REDIS_ANSWER_MS);
      } catch (err) {
        this.#unreachable(err);
        return this.#wakeAt(Date.now() + REDIS_RETRY_MS);
      }
      this.#reachable();
      if (answer.pausedMs > 0) this.holdUntil(Date.now() + answer.pausedMs);
      else if (answer.waitMs > 0) return this.#wakeAt(Date.now() + answer.waitMs);
      // A token taken just as a pause arrived (a 429 here), or when every waiter has left: it goes back.
      else if (Date.now() < this.pausedUntil || !this.queue.serveHead(this.#refundOnce())) this.#giveBack();
    }
  }

  #wakeAt(at: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.serve();
      },
      Math.max(1, at - Date.now()),
    );
  }

  #refundOnce(): Refund {
    let refunded = false;
    return () => {
      if (refunded) return;
      refunded = true;
      this.#giveBack();
    };
  }

  #giveBack(): void {
    this.budget.refund().catch((err: unknown) => this.#unreachable(err));
  }

  #unreachable(err: unknown): void {
    if (this.#unreachableSince !== undefined) return;
    this.#unreachableSince = Date.now();
    this.logger.warn({ message: (err as Error)?.message }, 'Notion limiter cannot reach Redis: requests wait for it');
  }

  #reachable(): void {
    if (this.#unreachableSince === undefined) return;
    this.logger.info({ unreachableMs: Date.now() - this.#unreachableSince }, 'Notion limiter reaches Redis again');
    this.#unreachableSince = undefined;
  }
}

function storeUnreachable(): NotionError {
  return new NotionError('unavailable', STORE_UNREACHABLE_MESSAGE);
}
