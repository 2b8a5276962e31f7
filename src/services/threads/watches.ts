import type { Logger } from 'pino';
import type { LocalStore } from '../../adapters/store.js';
import { type UserRef, userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';

/**
 * Threads kept current ("Send to Notion" with "Keep it current"): which user's connection to refresh when a reply
 * arrives in a thread. Local store, namespace `threads`, exact keys only:
 * - `watch:<team>:<channel>:<thread ts>`  the watches of one thread (each user's, each target);
 * - `user:<team>:<user>`                  the thread keys a user watches (for `/visen clear`).
 * Nothing is held in memory: in team mode a watch saved through one worker must be seen by a reply that lands on any
 * other, so each thread reply costs one exact-key read (cheap in SQLite and in Redis alike).
 */
const NAMESPACE = 'threads';

export interface ThreadWatch {
  readonly user: UserRef;
  readonly channelId: string;
  readonly threadTs: string;
  readonly targetUrl: string;
  readonly prompt: string;
  /** When it last ran (ms since the epoch): a refresh waits until the interval since then has passed. */
  readonly lastRunAt: number;
}

export interface ThreadWatchService {
  /** Keeps this thread current for this user and target (replacing an earlier watch of the same). */
  watch(watch: ThreadWatch): Promise<void>;
  /** The watches of a thread, as stored now; none for a thread nobody watches. */
  watchersOf(teamId: string, channelId: string, threadTs: string): Promise<ThreadWatch[]>;
  markRun(watch: ThreadWatch, at: number): Promise<void>;
  /** Stops watching (e.g. its target is gone). */
  unwatch(watch: ThreadWatch): Promise<void>;
  forgetUser(user: UserRef): Promise<void>;
}

export interface ThreadWatchDeps {
  readonly store: LocalStore;
  readonly logger: Logger;
}

const threadKey = (teamId: string, channelId: string, threadTs: string) => `watch:${teamId}:${channelId}:${threadTs}`;
const keyOf = (w: Pick<ThreadWatch, 'user' | 'channelId' | 'threadTs'>) => threadKey(w.user.teamId, w.channelId, w.threadTs);
const same = (a: ThreadWatch, b: ThreadWatch) => userKey(a.user) === userKey(b.user) && a.targetUrl === b.targetUrl && a.prompt === b.prompt;

export function createThreadWatches(deps: ThreadWatchDeps): ThreadWatchService {
  const lock = new KeyedLock(deps.store, NAMESPACE);
  const update = (key: string, change: (list: ThreadWatch[]) => ThreadWatch[]) =>
    lock.run(key, async () => {
      const list = change((await deps.store.get<ThreadWatch[]>(NAMESPACE, key)) ?? []);
      if (list.length > 0) await deps.store.set(NAMESPACE, key, list);
      else await deps.store.delete(NAMESPACE, key);
    });
  const userIndex = (user: UserRef, change: (keys: string[]) => string[]) =>
    lock.run(`user:${userKey(user)}`, async () => {
      const keys = change((await deps.store.get<string[]>(NAMESPACE, `user:${userKey(user)}`)) ?? []);
      await deps.store.set(NAMESPACE, `user:${userKey(user)}`, [...new Set(keys)]);
    });
  return {
    async watch(w) {
      await update(keyOf(w), (list) => [...list.filter((o) => !same(o, w)), w]);
      await userIndex(w.user, (keys) => [...keys, keyOf(w)]);
    },
    watchersOf: async (teamId, channelId, threadTs) => (await deps.store.get<ThreadWatch[]>(NAMESPACE, threadKey(teamId, channelId, threadTs))) ?? [],
    markRun: (w, at) => update(keyOf(w), (list) => list.map((o) => (same(o, w) ? { ...o, lastRunAt: at } : o))),
    unwatch: (w) => update(keyOf(w), (list) => list.filter((o) => !same(o, w))),
    async forgetUser(user) {
      const keys = (await deps.store.get<string[]>(NAMESPACE, `user:${userKey(user)}`)) ?? [];
      for (const key of keys) await update(key, (list) => list.filter((o) => userKey(o.user) !== userKey(user)));
      await lock.run(`user:${userKey(user)}`, () => deps.store.delete(NAMESPACE, `user:${userKey(user)}`));
    },
  };
}
