import { describeForLog } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { SettingsSummary } from '../settings/types.js';
import type { CachedHome } from './cache.js';
import { faultOf, isTransient } from './faults.js';
import type { HomeDeps } from './home-deps.js';
import { activeHomeRuns, arrangeConnections, readPreferences } from './list.js';
import type { HomeFault, HomeModel, HomePreferences, HomeRun } from './types.js';

/** The parts a Home model is made of. */
export interface ModelParts {
  readonly settings: SettingsSummary;
  readonly preferences: HomePreferences;
  /** The list to show, when there is one (undefined before the first read, or when it is not worth showing). */
  readonly cache: CachedHome | undefined;
  readonly runs: HomeRun[];
  readonly fault: HomeFault | undefined;
}

/** The model: a cached list is shown unless the fault says it no longer applies (only transient faults keep it). */
export function composeModel({ settings, preferences, cache, runs, fault }: ModelParts): HomeModel {
  const showList = cache !== undefined && (fault === undefined || isTransient(fault));
  return {
    settings,
    preferences,
    connections: showList
      ? {
          items: arrangeConnections(cache.connections, preferences, runs),
          total: cache.connections.length,
          fetchedAt: cache.fetchedAt,
          stale: fault !== undefined,
        }
      : undefined,
    activeRuns: runs,
    fault,
  };
}

/** The model when even the local store failed: no settings part to show, only the fault. */
export function storeFaultModel(err: unknown, at: Date): HomeModel {
  return {
    settings: undefined,
    preferences: { ...readPreferences(undefined) },
    connections: undefined,
    activeRuns: [],
    fault: faultOf(err, at),
  };
}

/** The user's runs in progress (on every worker, in team mode), newest first; none when the generation service cannot say. */
export async function activeRunsOf(deps: Pick<HomeDeps, 'generation' | 'logger'>, user: UserRef): Promise<HomeRun[]> {
  try {
    const runs: unknown = await deps.generation.runsInProgress(user);
    return Array.isArray(runs) ? activeHomeRuns(runs) : [];
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err) }, 'could not read the runs in progress');
    return [];
  }
}
