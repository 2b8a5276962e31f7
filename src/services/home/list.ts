import { notionWebLink } from '../../adapters/notion/index.js';
import {
  CONNECTION_STATUSES,
  CONNECTION_TYPES,
  type ConnectionRecord,
  type ConnectionSort,
  type ConnectionStatus,
  type ConnectionType,
} from '../connections/types.js';
import type { RunProgress } from '../generation/types.js';
import { clip } from '../text.js';
import { DEFAULT_HOME_PREFERENCES, type HomeConnection, type HomeListItem, type HomePreferences, type HomeRun } from './types.js';

/**
 * Pure helpers of the Home service: turning rows and runs into the model's values, ordering and filtering
 * the list, and reading back what the local store holds (which may come from an older version, or be damaged).
 */

/** The one test of a link shown on the Home tab: https into notion.so only (see the adapter for why). */
export { notionWebLink };

/** Cached values are bounded so one user's cache stays small whatever their rows hold. */
const MAX_CACHED_NAME = 500;
const MAX_CACHED_ERROR = 1_000;
const MAX_CACHED_URL = 3_000;

/** Links are kept only when they go into Notion: `Target` is whatever anyone with edit access typed. */
export function toHomeConnection(record: ConnectionRecord): HomeConnection {
  return {
    id: record.id,
    url: notionLinkOrEmpty(record.url),
    name: clip(record.name, MAX_CACHED_NAME),
    type: record.type,
    target: notionLinkOrEmpty(record.target),
    output: clip(record.output, MAX_CACHED_NAME),
    status: record.status,
    lastRun: record.lastRun,
    runs: finiteOr(record.runs, 0),
    items: finiteOr(record.items, 0),
    lastError: record.lastError === undefined ? undefined : clip(record.lastError, MAX_CACHED_ERROR),
  };
}

export function toHomeRun(progress: RunProgress): HomeRun {
  return {
    runId: progress.runId,
    connectionId: progress.connectionId,
    connectionName: progress.connectionName,
    targetKind: progress.targetKind,
    targetUrl: progress.targetUrl,
    targetTitle: progress.targetTitle,
    state: progress.state,
    total: progress.total,
    done: progress.done,
    skipped: progress.skipped,
    failed: progress.failed,
  };
}

/** Newest run first; connections that never ran after those that did; ties by name, then id (a stable order). */
export function sortConnections<T extends HomeConnection>(connections: readonly T[], sort: ConnectionSort): T[] {
  const byName = (a: T, b: T) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true });
  const byLastRun = (a: T, b: T) => {
    const ta = timeOf(a.lastRun);
    const tb = timeOf(b.lastRun);
    if (ta === tb) return 0;
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return tb - ta;
  };
  const byId = (a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const order = sort === 'name' ? [byName, byLastRun, byId] : [byLastRun, byName, byId];
  return [...connections].sort((a, b) => {
    for (const compare of order) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  });
}

export function filterConnections<T extends HomeConnection>(connections: readonly T[], prefs: Pick<HomePreferences, 'type' | 'status'>): T[] {
  return connections.filter((c) => (prefs.type === undefined || c.type === prefs.type) && (prefs.status === undefined || c.status === prefs.status));
}

/** The list as the model shows it: filtered, ordered, each connection with its run in progress. */
export function arrangeConnections(connections: readonly HomeConnection[], prefs: HomePreferences, runs: readonly HomeRun[]): HomeListItem[] {
  const runByConnection = new Map<string, HomeRun>();
  for (const run of runs) if (run.connectionId && !runByConnection.has(run.connectionId)) runByConnection.set(run.connectionId, run);
  return sortConnections(filterConnections(connections, prefs), prefs.sort).map((c) => ({ ...c, activeRun: runByConnection.get(c.id) }));
}

/** Runs still going, newest first. */
export function activeHomeRuns(runs: readonly RunProgress[]): HomeRun[] {
  return runs
    .filter((r) => r.state === 'starting' || r.state === 'running')
    .sort((a, b) => (timeOf(b.startedAt) ?? 0) - (timeOf(a.startedAt) ?? 0))
    .map(toHomeRun);
}

/** Preferences as stored, checked field by field: anything unknown falls back to the default. */
export function readPreferences(stored: unknown): HomePreferences {
  const s = (stored ?? {}) as Record<string, unknown>;
  return {
    sort: parseSort(s.sort) ?? DEFAULT_HOME_PREFERENCES.sort,
    type: parseType(s.type),
    status: parseStatus(s.status),
    page: parsePage(s.page) ?? 1,
  };
}

export function parseSort(value: unknown): ConnectionSort | undefined {
  return value === 'last_run' || value === 'name' ? value : undefined;
}

export function parseType(value: unknown): ConnectionType | undefined {
  return CONNECTION_TYPES.find((t) => t === value);
}

export function parseStatus(value: unknown): ConnectionStatus | undefined {
  return CONNECTION_STATUSES.find((s) => s === value);
}

export function parsePage(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : undefined;
}

/** A cached connection as stored; undefined when it does not have the shape this version writes. */
export function readCachedConnection(stored: unknown): HomeConnection | undefined {
  const c = stored as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') return undefined;
  const type = parseType(c.type);
  if (typeof c.id !== 'string' || typeof c.url !== 'string' || typeof c.name !== 'string' || !type || typeof c.target !== 'string') return undefined;
  return {
    id: c.id,
    url: notionLinkOrEmpty(c.url),
    name: c.name,
    type,
    target: notionLinkOrEmpty(c.target),
    output: typeof c.output === 'string' ? c.output : '',
    status: parseStatus(c.status),
    lastRun: typeof c.lastRun === 'string' ? c.lastRun : undefined,
    runs: finiteOr(c.runs, 0),
    items: finiteOr(c.items, 0),
    lastError: typeof c.lastError === 'string' ? c.lastError : undefined,
  };
}

function notionLinkOrEmpty(link: string): string {
  const href = notionWebLink(link);
  return href !== undefined && href.length <= MAX_CACHED_URL ? href : '';
}

function timeOf(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
