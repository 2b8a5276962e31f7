import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/adapters/notion/rate-limiter.js';

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
    const aborted = limiter.acquire(controller.signal);
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
});
