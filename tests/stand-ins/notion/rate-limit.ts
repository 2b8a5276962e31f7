// Per-integration rate limiting and Retry-After bookkeeping.
// https://developers.notion.com/reference/request-limits : 429 `rate_limited` with a Retry-After header "set as an
// integer number of seconds"; "Requests made after waiting this minimum amount of time should no longer be rate
// limited". Older revisions of that page give "an average of three requests per second ... Some bursts beyond the
// average rate are allowed", which this token bucket models (average = refill rate, burst = capacity). The current
// page describes a per-connection budget per 60-second window; a client that paces to the average and honours
// Retry-After is correct under both.

export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.lastRefillMs = now;
  }

  /** Takes a token, or tells how many whole seconds until one is available (at least 1). */
  take(now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastRefillMs) / 1000) * this.ratePerSecond);
    this.lastRefillMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSecond)) };
  }
}

/**
 * A request the client sent just before the Retry-After reached it can arrive just after it was sent. Loopback
 * transit is well under a millisecond, while a client reacting to the answer (the SDK parses it, throws, the caller
 * catches and retries) takes several, so arrivals within this window count as already on the wire.
 */
const IN_FLIGHT_GRACE_MS = 3;
/** Timer granularity: a client that waits exactly Retry-After may wake a millisecond early. */
const CLOCK_TOLERANCE_MS = 10;

interface RetryAfterGiven {
  sentAt: number;
  until: number;
}

/**
 * Remembers the latest Retry-After given to each secret, so a request from that secret arriving before it passed
 * is reported as an "early retry".
 */
export class RetryAfterLedger {
  private readonly given = new Map<string, RetryAfterGiven>();

  record(secret: string, retryAfterSeconds: number, sentAt: number): void {
    const until = sentAt + retryAfterSeconds * 1000;
    const previous = this.given.get(secret);
    if (!previous || previous.until < until) this.given.set(secret, { sentAt, until });
  }

  /** The Retry-After this request ignored, if any. */
  ignoredBy(secret: string, arrivedAt: number): RetryAfterGiven | undefined {
    const given = this.given.get(secret);
    if (!given || arrivedAt >= given.until - CLOCK_TOLERANCE_MS) return undefined;
    return arrivedAt - given.sentAt <= IN_FLIGHT_GRACE_MS ? undefined : given;
  }
}
