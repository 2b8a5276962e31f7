import { type UserRef, userKey } from '../../users.js';
import type { HomeDeps } from './home-deps.js';
import { readPreferences } from './list.js';
import type { HomePreferences } from './types.js';

/** Local store namespace of the preferences; keys are exactly `userKey(user)` (`<team>:<user>`). */
export const HOME_PREFERENCES_NAMESPACE = 'home-prefs';

export async function storedPreferences(deps: Pick<HomeDeps, 'store'>, user: UserRef): Promise<HomePreferences> {
  return readPreferences(await deps.store.get<unknown>(HOME_PREFERENCES_NAMESPACE, userKey(user)));
}

/** Saves a change of sort, filters or page, and returns the preferences saved. */
export async function updatePreferences(deps: Pick<HomeDeps, 'store'>, user: UserRef, change: Partial<HomePreferences>): Promise<HomePreferences> {
  const next = applyChange(await storedPreferences(deps, user), change);
  await deps.store.set(HOME_PREFERENCES_NAMESPACE, userKey(user), next);
  return next;
}

/** The preferences after `change`; a change of sort or filter goes back to page 1 (the list is another one). */
function applyChange(current: HomePreferences, change: Partial<HomePreferences>): HomePreferences {
  const listChanged =
    (change.sort !== undefined && change.sort !== current.sort) ||
    ('type' in change && change.type !== current.type) ||
    ('status' in change && change.status !== current.status);
  return readPreferences({
    sort: change.sort ?? current.sort,
    type: 'type' in change ? change.type : current.type,
    status: 'status' in change ? change.status : current.status,
    page: listChanged ? 1 : (change.page ?? current.page),
  });
}
