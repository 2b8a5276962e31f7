/**
 * One retry loop for the whole app, with the policy as arguments (in the manner of notion-sdk-js's
 * `executeWithRetry` / `canRetry` / `calculateRetryDelay`): how many attempts, which failures may pass on a
 * later attempt, how long to wait between two, and what to do before waiting (log, look at what landed).
 */

export interface RetryPolicy {
  /** The most attempts, the first one included. */
  attempts: number;
  /** Whether `err` may pass on a later attempt; anything else is thrown at once. */
  canRetry: (err: unknown, attempt: number) => boolean;
  /** The pause after failed attempt `attempt` (1-based), which may depend on the failure (a Retry-After); none when omitted. */
  delayMs?: (attempt: number, err: unknown) => number;
  /** Stops waiting when aborted; the loop then throws the signal's reason. */
  signal?: AbortSignal;
  /** Runs before each pause, once the failure is known to be retried: log it, or look at what landed. */
  beforeRetry?: (err: unknown, attempt: number, waitMs: number) => void | Promise<void>;
}

/** Calls `attempt` until it resolves, a failure may not be retried, or the attempts are used up. */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (policy.signal?.aborted) throw policy.signal.reason;
      if (n >= policy.attempts || !policy.canRetry(err, n)) throw err;
      const waitMs = policy.delayMs?.(n, err) ?? 0;
      await policy.beforeRetry?.(err, n, waitMs);
      await sleep(waitMs, policy.signal);
      if (policy.signal?.aborted) throw policy.signal.reason;
    }
  }
}

/** Exponential backoff with "equal jitter": half the step fixed, half random. */
export function backoffDelay(attempt: number, o: { baseMs: number; maxMs: number; random?: () => number }): number {
  const step = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (o.random ?? Math.random)() * (step / 2));
}

/** Resolves after `ms`, or as soon as `signal` aborts (it never rejects: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
