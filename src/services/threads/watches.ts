import type { Logger } from 'pino';
import type { LocalStore } from '../../adapters/store.js';
import { type UserRef, userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';

/**
 * Threads kept current ("Send to Notion" with "Keep it current"): which user's connection to refresh when a reply
 * arrives in a thread. Local store, namespace `threads`, exact keys only:
 * - `watch:<team>:<channel>:<thread ts>`  the watches of one thread (each user's, each target);
 * - `user:<team>:<user>`                  the thread keys a user watches (for `/visen clear`).
 * The thread keys watched are also held in memory once read, so a message in a thread nobody watches costs no read.
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
  /** The watches of a thread; none for a thread nobody watches (answered from memory). */
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
  let watched: Set<string> | undefined;
  const known = async () => {
    watched ??= new Set((await deps.store.get<string[]>(NAMESPACE, 'watched')) ?? []);
    return watched;
  };
  const update = (key: string, change: (list: ThreadWatch[]) => ThreadWatch[]) =>
    lock.run(key, async () => {
      const list = change((await deps.store.get<ThreadWatch[]>(NAMESPACE, key)) ?? []);
      if (list.length > 0) await deps.store.set(NAMESPACE, key, list);
      else await deps.store.delete(NAMESPACE, key);
      const keys = await known();
      const had = keys.has(key);
      if (list.length > 0) keys.add(key);
      else keys.delete(key);
      if (had !== keys.has(key)) await saveWatched(key, list.length > 0);
    });
  /** Changes the stored list as read now: other workers add to it too (this worker's memory may be behind). */
  const saveWatched = (key: string, isWatched: boolean) =>
    lock.run('watched', async () => {
      const stored = new Set((await deps.store.get<string[]>(NAMESPACE, 'watched')) ?? []);
      if (isWatched) stored.add(key);
      else stored.delete(key);
      await deps.store.set(NAMESPACE, 'watched', [...stored]);
      watched = stored;
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
    async watchersOf(teamId, channelId, threadTs) {
      const key = threadKey(teamId, channelId, threadTs);
      if (!(await known()).has(key)) return [];
      return (await deps.store.get<ThreadWatch[]>(NAMESPACE, key)) ?? [];
    },
    markRun: (w, at) => update(keyOf(w), (list) => list.map((o) => (same(o, w) ? { ...o, lastRunAt: at } : o))),
    unwatch: (w) => update(keyOf(w), (list) => list.filter((o) => !same(o, w))),
    async forgetUser(user) {
      const keys = (await deps.store.get<string[]>(NAMESPACE, `user:${userKey(user)}`)) ?? [];
      for (const key of keys) await update(key, (list) => list.filter((o) => userKey(o.user) !== userKey(user)));
      await lock.run(`user:${userKey(user)}`, () => deps.store.delete(NAMESPACE, `user:${userKey(user)}`));
    },
  };
}
