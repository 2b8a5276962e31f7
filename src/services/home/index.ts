import type { Logger } from 'pino';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog, NotionError, StoreError, UserInputError, VisenError } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { ConnectionsService } from '../connections/types.js';
import type { GenerationService } from '../generation/types.js';
import type { SettingsService, SettingsSummary } from '../settings/types.js';
import { activeHomeRuns, arrangeConnections, readCachedConnection, readPreferences, toHomeConnection } from './list.js';
import type { HomeConnection, HomeFault, HomeFaultCode, HomeModel, HomePreferences, HomeRun, HomeService } from './types.js';

export type * from './types.js';
export { DEFAULT_HOME_PREFERENCES } from './types.js';

/** Local store namespaces; keys are exactly `userKey(user)` (`<team>:<user>`). */
export const HOME_PREFERENCES_NAMESPACE = 'home-prefs';
export const HOME_VIEW_NAMESPACE = 'home-view';

export interface HomeServiceDeps {
  readonly settings: Pick<SettingsService, 'summary' | 'load'>;
  readonly connections: Pick<ConnectionsService, 'list' | 'trash'>;
  readonly generation: Pick<GenerationService, 'activeRuns'>;
  readonly store: LocalStore;
  readonly logger: Logger;
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

/** What the local store keeps per user: the last list read from Notion and how the last refresh went. */
interface CachedHome {
  /** 2: only rows Visen created for the user, links into Notion only (a list cached by version 1 is read again). */
  readonly v: 2;
  /** The connections database the list was read from: a list of another database is never shown. */
  readonly databaseId: string;
  readonly connections: readonly HomeConnection[];
  readonly fetchedAt: string;
  readonly fault: HomeFault | undefined;
}

/** Faults after which the last list read is still worth showing (marked stale): Notion will likely be back. */
const TRANSIENT_FAULTS: ReadonlySet<HomeFaultCode> = new Set(['notion_unreachable', 'notion_busy', 'unexpected']);

export function createHomeService(deps: HomeServiceDeps): HomeService {
  const logger = deps.logger.child({ component: 'home' });
  const now = deps.now ?? (() => new Date());
  const inFlight = new Map<string, { current: Promise<HomeModel>; next: Promise<HomeModel> | undefined }>();

  const readCache = async (user: UserRef, databaseId: string | undefined): Promise<CachedHome | undefined> => {
    const stored = await deps.store.get<unknown>(HOME_VIEW_NAMESPACE, userKey(user));
    const cache = readCachedHome(stored);
    return cache && databaseId !== undefined && cache.databaseId === databaseId ? cache : undefined;
  };

  const runsOf = (user: UserRef): HomeRun[] => {
    try {
      const runs: unknown = deps.generation.activeRuns(user);
      if (Array.isArray(runs)) return activeHomeRuns(runs);
      // Not a list (a placeholder service answers with a rejected promise): no runs to show.
      if (runs instanceof Promise) runs.catch((err: unknown) => logger.debug({ err: describeForLog(err) }, 'no runs in progress to show'));
      return [];
    } catch (err) {
      logger.warn({ err: describeForLog(err) }, 'could not read the runs in progress');
      return [];
    }
  };

  const compose = (
    settings: SettingsSummary,
    prefs: HomePreferences,
    cache: CachedHome | undefined,
    runs: HomeRun[],
    fault: HomeFault | undefined,
  ): HomeModel => {
    const showList = cache !== undefined && (fault === undefined || TRANSIENT_FAULTS.has(fault.code));
    return {
      settings,
      preferences: prefs,
      connections: showList
        ? { items: arrangeConnections(cache.connections, prefs, runs), total: cache.connections.length, fetchedAt: cache.fetchedAt, stale: fault !== undefined }
        : undefined,
      activeRuns: runs,
      fault,
    };
  };

  /** The model when even the local store failed: no settings part to show, only the fault. */
  const storeFaultModel = (err: unknown): HomeModel => ({
    settings: undefined,
    preferences: { ...readPreferences(undefined) },
    connections: undefined,
    activeRuns: [],
    fault: faultOf(err, now()),
  });

  const preferences = async (user: UserRef): Promise<HomePreferences> =>
    readPreferences(await deps.store.get<unknown>(HOME_PREFERENCES_NAMESPACE, userKey(user)));

  const cached = async (user: UserRef): Promise<HomeModel> => {
    try {
      const settings = await deps.settings.summary(user);
      const prefs = await preferences(user);
      if (!settings.configured) return compose(settings, prefs, undefined, runsOf(user), undefined);
      const cache = await readCache(user, settings.connections?.databaseId);
      return compose(settings, prefs, cache, runsOf(user), cache?.fault);
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not read the cached Home view');
      return storeFaultModel(err);
    }
  };

  const readFromNotion = async (user: UserRef): Promise<HomeModel> => {
    let settingsSummary: SettingsSummary;
    let prefs: HomePreferences;
    try {
      settingsSummary = await deps.settings.summary(user);
      prefs = await preferences(user);
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: userKey(user) }, 'could not read the settings for the Home view');
      return storeFaultModel(err);
    }
    if (!settingsSummary.configured) return compose(settingsSummary, prefs, undefined, runsOf(user), undefined);

    const databaseId = settingsSummary.connections?.databaseId;
    let previous: CachedHome | undefined;
    try {
      previous = await readCache(user, databaseId);
      const settings = await deps.settings.load(user);
      // Cleared between the two reads: show the onboarding rather than fail.
      if (!settings) return compose({ ...settingsSummary, configured: false }, prefs, undefined, runsOf(user), undefined);
      const rows = await deps.connections.list(user, settings, { sort: prefs.sort });
      const owner = userKey(user);
      const cache: CachedHome = {
        v: 2,
        databaseId: settings.connections.databaseId,
        // The connections service filters by owner already; checked again because a leak here is not recoverable.
        connections: rows.filter((r) => r.slackUser === owner).map(toHomeConnection),
        fetchedAt: now().toISOString(),
        fault: undefined,
      };
      // Fresh rows are shown even when they cannot be cached (the store busy for a moment).
      await deps.store
        .set(HOME_VIEW_NAMESPACE, owner, cache)
        .catch((err: unknown) => logger.warn({ err: describeForLog(err), user: owner }, 'could not cache the Home view'));
      return compose(settingsSummary, prefs, cache, runsOf(user), undefined);
    } catch (err) {
      const fault = faultOf(err, now());
      logger.warn({ err: describeForLog(err), user: userKey(user), fault: fault.code }, 'could not refresh the Home view');
      if (previous && fault.code !== 'store_busy' && fault.code !== 'store_unavailable') {
        // Remember the fault so the cached view published on the next open says so too.
        await deps.store.set(HOME_VIEW_NAMESPACE, userKey(user), { ...previous, fault }).catch(() => undefined);
      }
      return compose(settingsSummary, prefs, previous, runsOf(user), fault);
    }
  };

  const refresh = (user: UserRef): Promise<HomeModel> => {
    const key = userKey(user);
    const entry = inFlight.get(key);
    if (entry) {
      // A read is going; it may have started before the change the caller wants to see, so one more follows it.
      entry.next ??= entry.current.then(() => readFromNotion(user));
      return entry.next;
    }
    const fresh = { current: readFromNotion(user), next: undefined as Promise<HomeModel> | undefined };
    inFlight.set(key, fresh);
    const settle = async (): Promise<void> => {
      await fresh.current;
      if (fresh.next) {
        fresh.current = fresh.next;
        fresh.next = undefined;
        await settle();
        return;
      }
      if (inFlight.get(key) === fresh) inFlight.delete(key);
    };
    void settle();
    return fresh.current;
  };

  return {
    cached,
    refresh,
    preferences,

    async updatePreferences(user, change) {
      const current = await preferences(user);
      const listChanged =
        (change.sort !== undefined && change.sort !== current.sort) ||
        ('type' in change && change.type !== current.type) ||
        ('status' in change && change.status !== current.status);
      const next = readPreferences({
        sort: change.sort ?? current.sort,
        type: 'type' in change ? change.type : current.type,
        status: 'status' in change ? change.status : current.status,
        page: listChanged ? 1 : (change.page ?? current.page),
      });
      await deps.store.set(HOME_PREFERENCES_NAMESPACE, userKey(user), next);
      return next;
    },

    async trashConnection(user, connectionId) {
      const settings = await deps.settings.load(user);
      if (!settings)
        throw new UserInputError('Visen has no settings for you any more, so it cannot reach your connections database. Run `/visen settings` first.');
      const cache = await readCache(user, settings.connections.databaseId).catch(() => undefined);
      const known = cache?.connections.find((c) => c.id === connectionId);
      await deps.connections.trash(user, settings, connectionId);
      if (cache) {
        const latest = await readCache(user, settings.connections.databaseId).catch(() => undefined);
        if (latest)
          await deps.store.set(HOME_VIEW_NAMESPACE, userKey(user), { ...latest, connections: latest.connections.filter((c) => c.id !== connectionId) });
      }
      logger.info({ user: userKey(user), connectionId }, 'moved a connection to the Notion trash');
      return known;
    },

    async cachedConnection(user, connectionId) {
      const settings = await deps.settings.summary(user);
      const cache = await readCache(user, settings.connections?.databaseId);
      return cache?.connections.find((c) => c.id === connectionId);
    },

    async forgetUser(user) {
      const key = userKey(user);
      await deps.store.delete(HOME_PREFERENCES_NAMESPACE, key);
      await deps.store.delete(HOME_VIEW_NAMESPACE, key);
    },
  };
}

/** Which fault an error is, for the words the view shows. */
export function faultOf(err: unknown, at: Date): HomeFault {
  const detail = err instanceof VisenError ? err.userMessage : undefined;
  return { code: faultCodeOf(err), detail, at: at.toISOString() };
}

function faultCodeOf(err: unknown): HomeFaultCode {
  if (err instanceof StoreError) return err.code === 'locked' ? 'store_busy' : 'store_unavailable';
  if (err instanceof NotionError) {
    switch (err.code) {
      case 'unauthorized':
        return 'notion_unauthorized';
      case 'object_not_found':
      case 'restricted_resource':
        return 'connections_database_missing';
      case 'rate_limited':
        return 'notion_busy';
      case 'unavailable':
      case 'timeout':
      case 'outcome_unknown':
      case 'conflict_error':
        return 'notion_unreachable';
      case 'validation_error':
      case 'unknown':
        return 'notion_rejected';
    }
  }
  return 'unexpected';
}

function readCachedHome(stored: unknown): CachedHome | undefined {
  const s = stored as Partial<CachedHome> | undefined;
  if (!s || typeof s !== 'object' || s.v !== 2 || typeof s.databaseId !== 'string' || typeof s.fetchedAt !== 'string' || !Array.isArray(s.connections))
    return undefined;
  const connections = s.connections.map(readCachedConnection).filter((c): c is HomeConnection => c !== undefined);
  return { v: 2, databaseId: s.databaseId, connections, fetchedAt: s.fetchedAt, fault: readFault(s.fault) };
}

const FAULT_CODES: readonly HomeFaultCode[] = [
  'notion_unauthorized',
  'connections_database_missing',
  'notion_unreachable',
  'notion_busy',
  'notion_rejected',
  'store_busy',
  'store_unavailable',
  'unexpected',
];

function readFault(stored: unknown): HomeFault | undefined {
  const f = stored as Record<string, unknown> | undefined;
  if (!f || typeof f !== 'object' || typeof f.at !== 'string') return undefined;
  const code = FAULT_CODES.find((c) => c === f.code);
  if (!code) return undefined;
  return { code, detail: typeof f.detail === 'string' ? f.detail : undefined, at: f.at };
}
