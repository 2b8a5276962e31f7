import type { LocalStore } from '../adapters/store.js';

/**
 * Read-modify-write of store values one at a time per key, across every process that shares the store (SQLite:
 * this process; Redis: every worker of the team). Lock keys live in their own space (`namespace`), apart from data.
 */
export class KeyedLock {
  constructor(
    private readonly store: Pick<LocalStore, 'exclusive'>,
    private readonly namespace: string,
  ) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.store.exclusive(this.namespace, key, fn);
  }
}
