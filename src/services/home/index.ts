import { userKey } from '../../users.js';
import { cachedConnection, HOME_VIEW_NAMESPACE } from './cache.js';
import type { HomeDeps } from './home-deps.js';
import { HOME_PREFERENCES_NAMESPACE, storedPreferences, updatePreferences } from './preferences.js';
import { cachedModel, freshModel } from './read.js';
import { SharedReads } from './shared-reads.js';
import { trashConnection } from './trash.js';
import type { HomeModel, HomeService } from './types.js';

export { HOME_VIEW_NAMESPACE } from './cache.js';
export { faultOf } from './faults.js';
export { HOME_PREFERENCES_NAMESPACE } from './preferences.js';
export type * from './types.js';
export { DEFAULT_HOME_PREFERENCES } from './types.js';

/** What the Home service is built from; the clock defaults to the system's. */
export interface HomeServiceDeps extends Omit<HomeDeps, 'now'> {
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

export function createHomeService(deps: HomeServiceDeps): HomeService {
  const home: HomeDeps = {
    settings: deps.settings,
    connections: deps.connections,
    generation: deps.generation,
    store: deps.store,
    logger: deps.logger.child({ component: 'home' }),
    now: deps.now ?? (() => new Date()),
  };
  const refreshes = new SharedReads<HomeModel>();
  return {
    cached: (user) => cachedModel(home, user),
    refresh: (user) => refreshes.read(userKey(user), () => freshModel(home, user)),
    preferences: (user) => storedPreferences(home, user),
    updatePreferences: (user, change) => updatePreferences(home, user, change),
    trashConnection: (user, connectionId) => trashConnection(home, user, connectionId),
    cachedConnection: (user, connectionId) => cachedConnection(home, user, connectionId),
    async forgetUser(user) {
      const key = userKey(user);
      await home.store.delete(HOME_PREFERENCES_NAMESPACE, key);
      await home.store.delete(HOME_VIEW_NAMESPACE, key);
    },
  };
}
