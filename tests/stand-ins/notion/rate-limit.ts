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
 * Another request of the same integration that the client sent before the Retry-After reached it can arrive just
 * after it was sent: on a loaded 2-core machine the client's event loop may take a while to read the answer and
 * pause. Such arrivals, within this window, count as already on the wire. The request that got the Retry-After
 * itself gets no grace at all (see ignoredBy): repeating it early is always an early retry.
 */
const IN_FLIGHT_GRACE_MS = 250;
/** Timer granularity: a client that waits exactly Retry-After may wake a millisecond early. */
const CLOCK_TOLERANCE_MS = 10;

interface RetryAfterGiven {
  sentAt: number;
  until: number;
  /** method, path and body of the request that was told to wait. */
  request: string;
}

/**
 * Remembers the latest Retry-After given to each secret, so a request from that secret arriving before it passed
 * is reported as an "early retry".
 */
export class RetryAfterLedger {
  private readonly given = new Map<string, RetryAfterGiven>();
  private readonly givenPerRequest = new Map<string, RetryAfterGiven>();

  record(secret: string, request: string, retryAfterSeconds: number, sentAt: number): void {
    const given = { sentAt, until: sentAt + retryAfterSeconds * 1000, request };
    const previous = this.given.get(secret);
    if (!previous || previous.until < given.until) this.given.set(secret, given);
    this.givenPerRequest.set(`${secret} ${request}`, given);
  }

  /**
   * The Retry-After this request ignored, if any: the same request repeated before its own Retry-After passed,
   * or any request of the integration arriving well after the integration was told to wait.
   */
  ignoredBy(secret: string, request: string, arrivedAt: number): RetryAfterGiven | undefined {
    const own = this.givenPerRequest.get(`${secret} ${request}`);
    if (own && arrivedAt < own.until - CLOCK_TOLERANCE_MS) return own;
    const given = this.given.get(secret);
    if (!given || arrivedAt >= given.until - CLOCK_TOLERANCE_MS) return undefined;
    return arrivedAt - given.sentAt <= IN_FLIGHT_GRACE_MS ? undefined : given;
  }
}
