/**
 * One limiter per integration secret, passed by every HTTP attempt to Notion (first tries and retries alike).
 *
 * Notion: "The rate limit for incoming requests per connection is an average of three requests per second. Some
 * bursts beyond the average rate are allowed." Connections "should handle HTTP 429 and 529 responses and respect
 * the Retry-After response header" (https://developers.notion.com/reference/request-limits). So: a token bucket
 * refilled at 3 tokens a second with a small capacity (the burst), waiters served strictly first come, first
 * served, and a pause that holds every waiter of this secret until a Retry-After has passed. (The current version of
 * that page describes a per-connection budget per 60-second window plus a per-workspace limit whose Retry-After
 * can pass a minute; pacing at the average and honouring Retry-After is right under both.)
 *
 * Why hand-written rather than p-queue: p-queue's `intervalCap`/`interval` counts a task when it
 * starts and cannot give the slot back, but a 429 or 529 answer means Notion did not count that request, so its
 * token should be refunded; and p-queue can only `pause()` indefinitely and needs a timer of ours to `start()`
 * again, with no notion of "not before this instant" shared with tasks already waiting. Both are a few lines in
 * a token bucket, and the bucket keeps FIFO order across the pause.
 */

import { DEFAULT_BURST, MAX_PAUSE_MS, NOTION_LIMITS } from './limits.js';
import { type AcquireOptions, type Refund, WaiterQueue } from './waiters.js';

export type { AcquireOptions, Refund } from './waiters.js';

export interface RateLimiterOptions {
  /** Average requests per second (default: Notion's documented 3). */
  readonly ratePerSecond?: number;
  /** Bucket capacity: how many requests may go at once after a quiet spell (default DEFAULT_BURST). */
  readonly capacity?: number;
  /** Longest pause (default MAX_PAUSE_MS). */
  readonly maxPauseMs?: number;
}

/**
 * What the Notion fetch wrapper (http.ts) needs of the limiter of one integration secret: this file's RateLimiter in
 * one process; in team mode the one shared by every worker through Redis (adapters/team/notion-limiter.ts).
 */
export interface NotionRateLimiter {
  /** A slot for one request, first come, first served; the function returned gives it back (a 429/529). */
  acquire(options?: AcquireOptions): Promise<Refund>;
  /** Holds every request of this secret until then (a Retry-After), capped; never shortens a pause. */
  pauseUntil(epochMs: number): void;
  /** Pauses, and until then rejects every waiter and caller at once with `reason()`. */
  refuseUntil(epochMs: number, reason: () => Error): void;
  /** When the current pause ends, as far as this process knows (0 or past when not paused). */
  readonly pausedUntil: number;
}

/** Makes the limiter of one integration, given a hash of its secret (never the secret itself). */
export type RateLimiterFactory = (integrationKey: string) => NotionRateLimiter;

/** Why a caller got no token: the limiter was paused past its deadline, or refusing (see refuseUntil). */
export class LimiterWaitError extends Error {
  override readonly name = 'LimiterWaitError';
  constructor(
    /** When this secret's requests may go again (epoch ms). */
    readonly availableAt: number,
  ) {
    super(`no request slot before the deadline (next at ${new Date(availableAt).toISOString()})`);
  }
}

/**
 * What both limiters share (this file's token bucket and team mode's, adapters/team/notion-limiter.ts): the line of
 * waiters, the pause and the refusal. A subclass decides when the first waiter gets its slot (`serve`).
 */
export abstract class QueuedLimiter implements NotionRateLimiter {
  #pausedUntil = 0;
  #refusing: { until: number; reason: () => Error } | undefined;
  protected readonly queue = new WaiterQueue(
    () => this.serve(),
    (deadline) => this.expired(deadline),
  );

  constructor(private readonly maxPauseMs: number) {}

  /**
   * Resolves when this caller may send one request, in arrival order. The returned function gives the slot back
   * (call it when Notion answered 429/529, which it does not count); calling it twice refunds once. Every wait
   * ends: by the slot, the signal, or the deadline (LimiterWaitError, at once when a pause outlasts it).
   */
  acquire(options: AcquireOptions = {}): Promise<Refund> {
    const { signal, deadline = Number.POSITIVE_INFINITY } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = Date.now();
    const refusal = this.#refusal(now);
    if (refusal) return Promise.reject(refusal);
    if (this.#pausedUntil > deadline || now >= deadline) return Promise.reject(new LimiterWaitError(Math.max(this.#pausedUntil, now)));
    const granted = this.queue.add({ deadline, ...(signal ? { signal } : {}) });
    this.serve();
    return granted;
  }

  /**
   * Holds every request of this secret until `epochMs` (a Retry-After), at most `maxPauseMs` from now. Never
   * shortens an existing pause; waiters whose deadline comes first are rejected at once.
   */
  pauseUntil(epochMs: number): void {
    const capped = Math.min(epochMs, Date.now() + this.maxPauseMs);
    this.holdUntil(capped);
    this.paused(capped);
    this.serve();
  }

  /**
   * For an upstream that asked for a wait far beyond what Visen honours: pauses for at most `maxPauseMs`, and
   * until then every waiter and every new caller is rejected at once with `reason()` instead of queueing.
   */
  refuseUntil(epochMs: number, reason: () => Error): void {
    const until = Math.min(epochMs, Date.now() + this.maxPauseMs);
    this.#refusing = { until: Math.max(until, this.#refusing?.until ?? 0), reason };
    this.pauseUntil(until);
    this.queue.rejectWhere(reason);
  }

  /** When the current pause ends (0 or past when not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Gives the first waiters their slots while there are any; arranges to be called again when the next may come. */
  protected abstract serve(): void;

  /** A pause was set here (team mode tells the other workers). */
  protected paused(_until: number): void {}

  /** What a waiter still waiting at its deadline is told. */
  protected expired(deadline: number): unknown {
    return new LimiterWaitError(Math.max(this.#pausedUntil, deadline));
  }

  /** Holds the waiters until `until` (never shortening a pause); those whose deadline comes first are told at once. */
  protected holdUntil(until: number): void {
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.queue.rejectWhere(
      () => new LimiterWaitError(until),
      (deadline) => deadline < until,
    );
  }

  #refusal(now: number): Error | undefined {
    if (!this.#refusing) return undefined;
    if (now < this.#refusing.until) return this.#refusing.reason();
    this.#refusing = undefined;
    return undefined;
  }
}

/** One process: a token bucket per secret, in memory. */
export class RateLimiter extends QueuedLimiter {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #refilledAt: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;

  constructor(options: RateLimiterOptions = {}) {
    super(options.maxPauseMs ?? MAX_PAUSE_MS);
    const rate = options.ratePerSecond ?? NOTION_LIMITS.requestsPerSecond;
    const capacity = options.capacity ?? DEFAULT_BURST;
    if (!(rate > 0) || !(capacity >= 1)) throw new RangeError('RateLimiter needs ratePerSecond > 0 and capacity >= 1');
    this.#ratePerMs = rate / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#refilledAt = Date.now();
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#refilledAt) * this.#ratePerMs);
    this.#refilledAt = now;
  }

  protected serve(): void {
    const now = Date.now();
    this.#refill(now);
    while (this.queue.length > 0 && now >= this.pausedUntil && this.#tokens >= 1) {
      this.#tokens -= 1;
      this.queue.serveHead(this.#refundOnce());
    }
    if (this.queue.length === 0) return;
    const tokenAt = now + Math.ceil((1 - this.#tokens) / this.#ratePerMs);
    this.#schedule(Math.max(tokenAt, this.pausedUntil, now + 1));
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.serve();
    }, at - Date.now());
  }

  #refundOnce(): Refund {
    let refunded = false;
    return () => {
      if (refunded) return;
      refunded = true;
      this.#refill(Date.now());
      this.#tokens = Math.min(this.#capacity, this.#tokens + 1);
      this.serve();
    };
  }
}
