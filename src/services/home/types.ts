import type { UserRef } from '../../users.js';
import type { ConnectionRecord, ConnectionSort, ConnectionStatus, ConnectionType } from '../connections/types.js';
import type { RunProgress } from '../generation/types.js';
import type { SettingsSummary } from '../settings/types.js';

/** How one user wants the Home tab's list: remembered per user in the local store. */
export interface HomePreferences {
  readonly sort: ConnectionSort;
  /** Only connections of this type; undefined: all. */
  readonly type: ConnectionType | undefined;
  /** Only connections in this status; undefined: all. */
  readonly status: ConnectionStatus | undefined;
  /** 1-based page of the list; the view clamps it to the pages that exist. */
  readonly page: number;
}

export const DEFAULT_HOME_PREFERENCES: HomePreferences = Object.freeze({
  sort: 'last_run',
  type: undefined,
  status: undefined,
  page: 1,
});

/** One connection as the Home tab shows it: the row's plain values (no prompt: it can be long and is not shown). */
export type HomeConnection = Omit<ConnectionRecord, 'prompt' | 'model' | 'slackUser'>;

/** A run in progress, as the Home tab shows it. */
export type HomeRun = Pick<
  RunProgress,
  'runId' | 'connectionId' | 'connectionName' | 'targetKind' | 'targetUrl' | 'targetTitle' | 'state' | 'total' | 'done' | 'skipped' | 'failed'
>;

/** A connection in the list, with its run in progress when there is one. */
export interface HomeListItem extends HomeConnection {
  readonly activeRun: HomeRun | undefined;
}

/**
 * Why the list could not be read fresh. The Slack layer turns the code into words; `detail` is the safe
 * `userMessage` of the error that caused it, for codes whose wording depends on it.
 */
export type HomeFaultCode =
  | 'notion_unauthorized' //          the integration secret was revoked or regenerated
  | 'connections_database_missing' // deleted, moved, or the integration was disconnected from it
  | 'notion_unreachable' //           timeout, 5xx, network
  | 'notion_busy' //                  rate limited
  | 'notion_rejected' //              validation error and the like (e.g. a property renamed in Notion)
  | 'store_busy' //                   the local store is locked by another program
  | 'store_unavailable'
  | 'unexpected';

export interface HomeFault {
  readonly code: HomeFaultCode;
  readonly detail: string | undefined;
  /** When it happened (ISO). */
  readonly at: string;
}

/** The connections part of the model. */
export interface HomeConnectionList {
  /** The user's connections after the type and status filters, in the chosen order. */
  readonly items: readonly HomeListItem[];
  /** How many connections the user has before filtering. */
  readonly total: number;
  /** When the list was read from Notion (ISO). */
  readonly fetchedAt: string;
  /** True when the last refresh failed and this is the list as it was at `fetchedAt`. */
  readonly stale: boolean;
}

/** Everything the Home tab shows, as plain values. */
export interface HomeModel {
  /** Undefined only when even the local settings could not be read (see `fault`). */
  readonly settings: SettingsSummary | undefined;
  readonly preferences: HomePreferences;
  /** Undefined until the list was read once (or when the last read failed with nothing to fall back on). */
  readonly connections: HomeConnectionList | undefined;
  /** This user's runs in progress, newest first. */
  readonly activeRuns: readonly HomeRun[];
  /** Set when the last refresh (or reading the local store) failed. */
  readonly fault: HomeFault | undefined;
}

export interface HomeService {
  /**
   * At once, from the local store only (no Notion call): the last list read, with the current settings
   * summary, preferences and runs in progress. Never throws: a local store failure becomes `fault`.
   */
  cached(user: UserRef): Promise<HomeModel>;
  /**
   * Reads the user's connections from Notion, caches them and returns the model. Never throws: Notion
   * being unreachable, a revoked secret or a missing database become `fault`, with the settings part kept.
   * Concurrent calls for one user share a read; a call made while a read is going gets a fresh one after it.
   */
  refresh(user: UserRef): Promise<HomeModel>;
  preferences(user: UserRef): Promise<HomePreferences>;
  /** Saves a change of sort, filters or page; a change of sort or filter goes back to page 1. */
  updatePreferences(user: UserRef, change: Partial<HomePreferences>): Promise<HomePreferences>;
  /**
   * Moves one of the user's connection rows to Notion's trash and drops it from the cached list.
   * Returns the connection as it was cached (for its name), if it was. Throws a VisenError when it cannot.
   */
  trashConnection(user: UserRef, connectionId: string): Promise<HomeConnection | undefined>;
  /** A connection from the cached list (no Notion call). */
  cachedConnection(user: UserRef, connectionId: string): Promise<HomeConnection | undefined>;
  /** Deletes this user's Home preferences and cached list (for `/visen clear`); exact keys, this user only. */
  forgetUser(user: UserRef): Promise<void>;
}
