/**
 * The callers waiting for a request slot, first come, first served: what both Notion limiters (the local token
 * bucket, rate-limiter.ts, and team mode's shared one, adapters/team/notion-limiter.ts) share. Every wait ends: by a
 * slot (`serveHead`), the caller's signal, its deadline, or the owner rejecting it (`rejectWhere`).
 */

/** Gives a slot back (Notion answered 429/529, which it does not count); calling it twice refunds once. */
export type Refund = () => void;

export interface AcquireOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms: a caller still waiting then, or one that cannot be served before it, is rejected (LimiterWaitError). */
  readonly deadline?: number;
}

interface Waiter {
  readonly resolve: (refund: Refund) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  readonly deadline: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class WaiterQueue {
  readonly #queue: Waiter[] = [];

  constructor(
    /** Called after a waiter left early (abort, deadline), so the owner serves the next one. */
    private readonly onLeave: () => void,
    /** What a waiter still waiting at its deadline is rejected with. */
    private readonly expired: (deadline: number) => unknown,
  ) {}

  /** Queues a caller; the promise settles when it is served or leaves. */
  add(options: AcquireOptions): Promise<Refund> {
    const { signal, deadline = Number.POSITIVE_INFINITY } = options;
    return new Promise<Refund>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, deadline, timer: undefined };
      if (signal) {
        waiter.onAbort = () => this.#drop(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (Number.isFinite(deadline)) waiter.timer = setTimeout(() => this.#drop(waiter, this.expired(deadline)), deadline - Date.now());
      this.#queue.push(waiter);
    });
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Gives the first waiter its slot; false when no one waits (the caller keeps the slot). */
  serveHead(refund: Refund): boolean {
    const waiter = this.#queue.shift();
    if (!waiter) return false;
    this.#release(waiter);
    waiter.resolve(refund);
    return true;
  }

  /** Rejects every waiter whose deadline matches (all of them when `matches` is omitted). */
  rejectWhere(reason: () => unknown, matches: (deadline: number) => boolean = () => true): void {
    for (const waiter of [...this.#queue]) {
      if (matches(waiter.deadline)) this.#drop(waiter, reason(), false);
    }
  }

  #drop(waiter: Waiter, reason: unknown, notify = true): void {
    const index = this.#queue.indexOf(waiter);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    this.#release(waiter);
    waiter.reject(reason);
    if (notify) this.onLeave();
  }

  #release(waiter: Waiter): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    if (waiter.timer) clearTimeout(waiter.timer);
  }
}
