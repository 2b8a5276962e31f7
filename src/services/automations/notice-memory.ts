import type { LocalStore } from '../../adapters/store.js';

/**
 * Where the automation notifier remembers each connection's open message (the one later runs fold into). One process
 * keeps it in memory; team mode keeps it in the shared store, so runs of one connection on different workers fold
 * into one message.
 */
export interface OpenNoticeMemory {
  /**
   * Runs `change` with what is remembered under `key` (undefined: nothing, or it expired) while no other `change` of
   * the same key runs, in any worker; what `change` returns is remembered for `ttlMs` (undefined: nothing is written).
   * Rejects when the memory cannot be read or written (the store away); `change` then may or may not have run.
   */
  change<T>(key: string, ttlMs: number, change: (remembered: T | undefined) => Promise<T | undefined>): Promise<void>;
}

const NAMESPACE = 'automation-notice';

/** Team mode: the memory in the shared store (Redis), read, changed and written back under the store's lock. */
export function storeNoticeMemory(store: Pick<LocalStore, 'get' | 'set' | 'exclusive'>): OpenNoticeMemory {
  return {
    change: (key, ttlMs, change) =>
      store.exclusive(NAMESPACE, key, async () => {
        const next = await change(await store.get(NAMESPACE, key));
        if (next !== undefined) await store.set(NAMESPACE, key, next, ttlMs);
      }),
  };
}

/** One process: the memory is this process's own; entries past their time are forgotten (bounded memory). */
export function inMemoryNoticeMemory(now: () => number = Date.now): OpenNoticeMemory {
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  return {
    async change<T>(key: string, ttlMs: number, change: (remembered: T | undefined) => Promise<T | undefined>) {
      for (const [entryKey, entry] of entries) if (entry.expiresAt < now()) entries.delete(entryKey);
      const next = await change(entries.get(key)?.value as T | undefined);
      if (next !== undefined) entries.set(key, { value: next, expiresAt: now() + ttlMs });
    },
  };
}
