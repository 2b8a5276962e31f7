import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_PAUSE_MS } from '../../../src/adapters/notion/limits.js';
import { LimiterWaitError, RateLimiter } from '../../../src/adapters/notion/rate-limiter.js';

describe('RateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts `count` acquisitions and records when each is granted (ms since start). */
  function track(limiter: RateLimiter, count: number, label = ''): { grants: Array<{ label: string; at: number }>; start: number } {
    const start = Date.now();
    const grants: Array<{ label: string; at: number }> = [];
    for (let i = 0; i < count; i++) {
      void limiter.acquire().then(() => grants.push({ label: `${label}${i}`, at: Date.now() - start }));
    }
    return { grants, start };
  }

  it('lets a burst of `capacity` through, then averages 3 per second', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 3, capacity: 3 });
    const { grants } = track(limiter, 9);
    await vi.advanceTimersByTimeAsync(0);
    expect(grants.map((g) => g.at)).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(1900);
    expect(grants.length).toBeLessThan(9);
    await vi.advanceTimersByTimeAsync(200);
    expect(grants).toHaveLength(9);
    // Each later grant waits for a token: 334 ms apart at 3 per second.
    const later = grants.slice(3).map((g) => g.at);
    for (let i = 1; i < later.length; i++) expect(later[i]! - later[i - 1]!).toBeGreaterThanOrEqual(333);
    // Six more tokens at 3 per second take two seconds (rounded up to whole milliseconds per token).
    expect(later.at(-1)!).toBeGreaterThanOrEqual(2000);
    expect(later.at(-1)!).toBeLessThanOrEqual(2010);
  });

  it('serves waiters first come, first served', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 3, capacity: 1 });
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) void limiter.acquire().then(() => order.push(name));
    await vi.advanceTimersByTimeAsync(0);
    // A newcomer must queue behind earlier waiters even when a token has just appeared.
    await vi.advanceTimersByTimeAsync(340);
    void limiter.acquire().then(() => order.push('late'));
    await vi.advanceTimersByTimeAsync(3000);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'late']);
  });

  it('holds everyone until pauseUntil has passed, and never shortens a pause', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 3, capacity: 3 });
    const start = Date.now();
    limiter.pauseUntil(start + 2000);
    limiter.pauseUntil(start + 500);
    expect(limiter.pausedUntil).toBe(start + 2000);
    const { grants } = track(limiter, 2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(grants).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(grants.map((g) => g.at)).toEqual([2000, 2000]);
  });

  it('a refund gives the token back once', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, capacity: 1 });
    const refund = await limiter.acquire();
    const { grants } = track(limiter, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(grants).toEqual([]);
    refund();
    refund();
    await vi.advanceTimersByTimeAsync(0);
    expect(grants.map((g) => g.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(999);
    expect(grants).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(grants).toHaveLength(2);
  });

  it('an aborted waiter leaves the queue without taking a token', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, capacity: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire({ signal: controller.signal });
    const next = limiter.acquire();
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect(limiter.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(next).resolves.toBeTypeOf('function');
  });

  it('refills while idle, up to capacity', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 3, capacity: 3 });
    const first = track(limiter, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(first.grants).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(10_000);
    const second = track(limiter, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(second.grants).toHaveLength(3);
  });

  describe('no wait without an end', () => {
    it('caps a pause at MAX_PAUSE_MS, however far the upstream asks', async () => {
      const limiter = new RateLimiter();
      const start = Date.now();
      limiter.pauseUntil(start + 999_999_000);
      expect(limiter.pausedUntil).toBe(start + MAX_PAUSE_MS);
      const { grants } = track(limiter, 1);
      await vi.advanceTimersByTimeAsync(MAX_PAUSE_MS);
      expect(grants.map((g) => g.at)).toEqual([MAX_PAUSE_MS]);
    });

    it('rejects at once a caller whose deadline comes before the pause ends, and at its deadline one left in the queue', async () => {
      const limiter = new RateLimiter({ ratePerSecond: 1, capacity: 1 });
      const start = Date.now();
      limiter.pauseUntil(start + 10_000);
      await expect(limiter.acquire({ deadline: start + 5_000 })).rejects.toBeInstanceOf(LimiterWaitError);
      limiter.pauseUntil(0);
      await vi.advanceTimersByTimeAsync(10_000);
      await limiter.acquire(); // the one token
      const queued = limiter.acquire({ deadline: Date.now() + 300 });
      const settled = queued.then(
        () => 'granted',
        (err: unknown) => err,
      );
      await vi.advanceTimersByTimeAsync(300);
      expect(await settled).toBeInstanceOf(LimiterWaitError);
      expect(limiter.waiting).toBe(0);
    });

    it('rejects waiters at once when a new pause outlasts their deadline', async () => {
      const limiter = new RateLimiter({ ratePerSecond: 1, capacity: 1 });
      await limiter.acquire();
      const start = Date.now();
      const waiting = limiter.acquire({ deadline: start + 20_000 }).then(
        () => 'granted',
        (err: unknown) => err,
      );
      limiter.pauseUntil(start + 30_000);
      expect(await waiting).toBeInstanceOf(LimiterWaitError);
    });

    it('while refusing, rejects waiters and new callers with the reason, then serves again after the cap', async () => {
      const limiter = new RateLimiter({ ratePerSecond: 1, capacity: 1 });
      await limiter.acquire();
      const waiting = limiter.acquire().then(
        () => 'granted',
        (err: unknown) => err,
      );
      limiter.refuseUntil(Date.now() + 999_999_000, () => new Error('asked to wait 11 days'));
      expect(await waiting).toEqual(new Error('asked to wait 11 days'));
      await expect(limiter.acquire()).rejects.toThrow('asked to wait 11 days');
      await vi.advanceTimersByTimeAsync(MAX_PAUSE_MS);
      await expect(limiter.acquire()).resolves.toBeTypeOf('function');
    });
  });
});
