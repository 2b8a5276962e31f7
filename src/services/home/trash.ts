import { UserInputError } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import { dropFromCache, readCache } from './cache.js';
import type { HomeDeps } from './home-deps.js';
import type { HomeConnection } from './types.js';

/** Moves one of the user's rows to Notion's trash and out of the cached list; returns it as it was cached. */
export async function trashConnection(deps: HomeDeps, user: UserRef, connectionId: string): Promise<HomeConnection | undefined> {
  const settings = await deps.settings.load(user);
  if (!settings) throw new UserInputError('Visen has no settings for you any more, so it cannot reach your connections database. Run `/visen settings` first.');
  const databaseId = settings.connections.databaseId;
  const cache = await readCache(deps, user, databaseId).catch(() => undefined);
  const known = cache?.connections.find((c) => c.id === connectionId);
  await deps.connections.trash(user, settings, connectionId);
  if (cache) await dropFromCache(deps, user, databaseId, connectionId);
  deps.logger.info({ user: userKey(user), connectionId }, 'moved a connection to the Notion trash');
  return known;
}
