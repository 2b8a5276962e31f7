import { type UserRef, userKey } from '../../users.js';
import { readFault } from './faults.js';
import type { HomeDeps } from './home-deps.js';
import { readCachedConnection } from './list.js';
import type { HomeConnection, HomeFault } from './types.js';

/** Local store namespace of the cached list; keys are exactly `userKey(user)` (`<team>:<user>`). */
export const HOME_VIEW_NAMESPACE = 'home-view';

/** What the local store keeps per user: the last list read from Notion and how the last refresh went. */
export interface CachedHome {
  /** 2: only rows Visen created for the user, links into Notion only (a list cached by version 1 is read again). */
  readonly v: 2;
  /** The connections database the list was read from: a list of another database is never shown. */
  readonly databaseId: string;
  readonly connections: readonly HomeConnection[];
  readonly fetchedAt: string;
  readonly fault: HomeFault | undefined;
}

/** The user's cached list, when it was read from `databaseId` (the database now in their settings). */
export async function readCache(deps: Pick<HomeDeps, 'store'>, user: UserRef, databaseId: string | undefined): Promise<CachedHome | undefined> {
  const cache = readCachedHome(await deps.store.get<unknown>(HOME_VIEW_NAMESPACE, userKey(user)));
  return cache && databaseId !== undefined && cache.databaseId === databaseId ? cache : undefined;
}

export function writeCache(deps: Pick<HomeDeps, 'store'>, user: UserRef, cache: CachedHome): Promise<void> {
  return deps.store.set(HOME_VIEW_NAMESPACE, userKey(user), cache);
}

/** Remembers a failed refresh with the list, so the cached view published on the next open says so too. */
export async function rememberFault(deps: Pick<HomeDeps, 'store'>, user: UserRef, previous: CachedHome, fault: HomeFault): Promise<void> {
  await writeCache(deps, user, { ...previous, fault }).catch(() => undefined);
}

/** A connection from the cached list of the user's current database (no Notion call). */
export async function cachedConnection(deps: HomeDeps, user: UserRef, connectionId: string): Promise<HomeConnection | undefined> {
  const settings = await deps.settings.summary(user);
  const cache = await readCache(deps, user, settings.connections?.databaseId);
  return cache?.connections.find((c) => c.id === connectionId);
}

/** Takes a trashed connection out of the cached list, as it is now (the list may have changed meanwhile). */
export async function dropFromCache(deps: Pick<HomeDeps, 'store'>, user: UserRef, databaseId: string, connectionId: string): Promise<void> {
  const latest = await readCache(deps, user, databaseId).catch(() => undefined);
  if (latest) await writeCache(deps, user, { ...latest, connections: latest.connections.filter((c) => c.id !== connectionId) });
}

function readCachedHome(stored: unknown): CachedHome | undefined {
  const s = stored as Partial<CachedHome> | undefined;
  if (!s || typeof s !== 'object' || s.v !== 2 || typeof s.databaseId !== 'string' || typeof s.fetchedAt !== 'string' || !Array.isArray(s.connections))
    return undefined;
  const connections = s.connections.map(readCachedConnection).filter((c): c is HomeConnection => c !== undefined);
  return { v: 2, databaseId: s.databaseId, connections, fetchedAt: s.fetchedAt, fault: readFault(s.fault) };
}
