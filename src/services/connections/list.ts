import type { PageInfo } from '../../adapters/notion/index.js';
import { slackUserPropertyValue, type UserRef } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { aboutConnectionsDatabase } from './database-errors.js';
import { type CreatedRows, judgeRow } from './provenance.js';
import { CONNECTION_ROW_PROPERTIES, toConnectionRecord } from './record.js';
import type { ConnectionRowsDeps } from './rows-deps.js';
import { ConnectionsProperty as P } from './schema.js';
import type { ConnectionQuery, ConnectionRecord } from './types.js';

type RowFilter = Omit<ConnectionQuery, 'sort'>;

/** What one read of the database found: the user's rows, rows to adopt, and rows that only claim the user. */
interface RowsFound {
  readonly rows: ConnectionRecord[];
  readonly adopted: Array<readonly [rowId: string, botId: string]>;
  readonly foreign: string[];
}

/** The user's connections, filtered by `query` and sorted as it asks. */
export async function listConnections(deps: ConnectionRowsDeps, user: UserRef, settings: UserSettings, query: ConnectionQuery): Promise<ConnectionRecord[]> {
  const rows = await listOwnRows(deps, user, settings, query);
  return rows.sort(query.sort === 'name' ? byName : byLastRun);
}

/**
 * Every row that names the user and that Visen created for them, in Notion's order; rows an older Visen created
 * are adopted (recorded) on the way, and rows that only claim the user are left out and logged.
 */
export async function listOwnRows(deps: ConnectionRowsDeps, user: UserRef, settings: UserSettings, filter?: RowFilter): Promise<ConnectionRecord[]> {
  const owner = slackUserPropertyValue(user);
  let found: RowsFound;
  try {
    found = await readOwnRows(deps, user, settings, filter);
  } catch (err) {
    throw aboutConnectionsDatabase(err, settings);
  }
  if (found.adopted.length > 0) {
    await deps.createdRows.add(user, found.adopted);
    deps.logger.info({ user: owner, rows: found.adopted.length }, 'recorded connection rows an earlier Visen created for this user');
  }
  if (found.foreign.length > 0) {
    deps.logger.warn(
      { user: owner, count: found.foreign.length, rowIds: found.foreign.slice(0, 10) },
      'ignored rows that name this user but Visen did not create for them',
    );
  }
  return found.rows;
}

/** Reads the rows Notion's filter narrows to, and sorts them by who made them (our own comparison decides). */
async function readOwnRows(deps: ConnectionRowsDeps, user: UserRef, settings: UserSettings, filter: RowFilter | undefined): Promise<RowsFound> {
  const owner = slackUserPropertyValue(user);
  const notion = deps.workspace(settings);
  const [botId, record] = await Promise.all([deps.ownBotId(notion), deps.createdRows.read(user)]);
  const found: RowsFound = { rows: [], adopted: [], foreign: [] };
  const query = { filter: notionFilter(owner, filter), properties: CONNECTION_ROW_PROPERTIES };
  for await (const page of notion.queryDataSource(settings.connections.dataSourceId, query)) {
    classifyRow(page, owner, botId, record, filter, found);
  }
  return found;
}

/** Puts one row where it belongs in `found`: the user's (adopted or not), foreign, or none (trashed, someone else's). */
function classifyRow(page: PageInfo, owner: string, botId: string, record: CreatedRows, filter: RowFilter | undefined, found: RowsFound): void {
  if (page.inTrash) return;
  const row = toConnectionRecord(page);
  if (row.slackUser !== owner) return;
  const verdict = judgeRow(page, botId, record);
  if (verdict === 'foreign') {
    found.foreign.push(page.id);
    return;
  }
  if (verdict === 'adopt') found.adopted.push([page.id, botId]);
  if (matches(row, filter)) found.rows.push(row);
}

/** Notion's filter: it narrows the query; `classifyRow` and `matches` decide. */
function notionFilter(owner: string, filter: RowFilter | undefined): Record<string, unknown> {
  const conditions: Record<string, unknown>[] = [{ property: P.slackUser, rich_text: { equals: owner } }];
  if (filter?.type) conditions.push({ property: P.type, select: { equals: filter.type } });
  if (filter?.status) conditions.push({ property: P.status, select: { equals: filter.status } });
  return conditions.length === 1 ? conditions[0]! : { and: conditions };
}

function matches(row: ConnectionRecord, filter: RowFilter | undefined): boolean {
  return (!filter?.type || row.type === filter.type) && (!filter?.status || row.status === filter.status);
}

/** Newest run first; rows that never ran last; then by name. */
function byLastRun(a: ConnectionRecord, b: ConnectionRecord): number {
  const ta = a.lastRun ? Date.parse(a.lastRun) : Number.NEGATIVE_INFINITY;
  const tb = b.lastRun ? Date.parse(b.lastRun) : Number.NEGATIVE_INFINITY;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return byName(a, b);
}

function byName(a: ConnectionRecord, b: ConnectionRecord): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}
