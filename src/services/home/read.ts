import { describeForLog } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { SettingsSummary, UserSettings } from '../settings/types.js';
import { type CachedHome, readCache, rememberFault, writeCache } from './cache.js';
import { faultOf, isStoreFault } from './faults.js';
import type { HomeDeps } from './home-deps.js';
import { toHomeConnection } from './list.js';
import { activeRunsOf, composeModel, storeFaultModel } from './model.js';
import { storedPreferences } from './preferences.js';
import type { HomeModel, HomePreferences } from './types.js';

/** The model from the local store only (no Notion call); a store failure becomes its fault. */
export async function cachedModel(deps: HomeDeps, user: UserRef): Promise<HomeModel> {
  try {
    const settings = await deps.settings.summary(user);
    const preferences = await storedPreferences(deps, user);
    if (!settings.configured) return composeModel({ settings, preferences, cache: undefined, runs: await activeRunsOf(deps, user), fault: undefined });
    const cache = await readCache(deps, user, settings.connections?.databaseId);
    return composeModel({ settings, preferences, cache, runs: await activeRunsOf(deps, user), fault: cache?.fault });
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not read the cached Home view');
    return storeFaultModel(err, deps.now());
  }
}

/** The model with the list read fresh from Notion (and cached); every failure becomes its fault. */
export async function freshModel(deps: HomeDeps, user: UserRef): Promise<HomeModel> {
  let settings: SettingsSummary;
  let preferences: HomePreferences;
  try {
    settings = await deps.settings.summary(user);
    preferences = await storedPreferences(deps, user);
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not read the settings for the Home view');
    return storeFaultModel(err, deps.now());
  }
  if (!settings.configured) return composeModel({ settings, preferences, cache: undefined, runs: await activeRunsOf(deps, user), fault: undefined });
  return withListFromNotion(deps, user, settings, preferences);
}

/** Reads the list from Notion; when that fails, the list read before (if any) with the fault. */
async function withListFromNotion(deps: HomeDeps, user: UserRef, summary: SettingsSummary, preferences: HomePreferences): Promise<HomeModel> {
  let previous: CachedHome | undefined;
  try {
    previous = await readCache(deps, user, summary.connections?.databaseId);
    const settings = await deps.settings.load(user);
    // Cleared between the two reads: show the onboarding rather than fail.
    if (!settings)
      return composeModel({
        settings: { ...summary, configured: false },
        preferences,
        cache: undefined,
        runs: await activeRunsOf(deps, user),
        fault: undefined,
      });
    const cache = await readAndCache(deps, user, settings, preferences);
    return composeModel({ settings: summary, preferences, cache, runs: await activeRunsOf(deps, user), fault: undefined });
  } catch (err) {
    const fault = faultOf(err, deps.now());
    deps.logger.warn({ err: describeForLog(err), user: userKey(user), fault: fault.code }, 'could not refresh the Home view');
    if (previous && !isStoreFault(fault)) await rememberFault(deps, user, previous, fault);
    return composeModel({ settings: summary, preferences, cache: previous, runs: await activeRunsOf(deps, user), fault });
  }
}

/** Reads the user's connections from Notion and caches them; fresh rows are returned even when caching fails. */
async function readAndCache(deps: HomeDeps, user: UserRef, settings: UserSettings, preferences: HomePreferences): Promise<CachedHome> {
  const rows = await deps.connections.list(user, settings, { sort: preferences.sort });
  const owner = userKey(user);
  const cache: CachedHome = {
    v: 2,
    databaseId: settings.connections.databaseId,
    // The connections service filters by owner already; checked again because a leak here is not recoverable.
    connections: rows.filter((r) => r.slackUser === owner).map(toHomeConnection),
    fetchedAt: deps.now().toISOString(),
    fault: undefined,
  };
  // Fresh rows are shown even when they cannot be cached (the store busy for a moment).
  await writeCache(deps, user, cache).catch((err: unknown) => deps.logger.warn({ err: describeForLog(err), user: owner }, 'could not cache the Home view'));
  return cache;
}
