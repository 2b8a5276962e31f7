import type { Logger } from 'pino';
import { formatNotionId, type NotionGateway, type NotionWorkspace, type PageInfo } from '../../adapters/notion/index.js';
import { NotionError, VisenError, describeForLog } from '../../errors.js';
import { slackUserPropertyValue, userKey, type UserRef } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { KeyedLock } from '../keyed-lock.js';
import { beginRunProperties, finishRunProperties, isSameConnection, newRowProperties, toConnectionRecord } from './record.js';
import { ConnectionsProperty as P } from './schema.js';
import type { ConnectionQuery, ConnectionRecord, ConnectionSpec, ConnectionsService, RunOutcome } from './types.js';

export interface ConnectionsServiceDeps {
  readonly notion: NotionGateway;
  readonly logger: Logger;
}

/** Writes whose outcome stays unknown are tried this many times (each one checked first where needed). */
const WRITE_ATTEMPTS = 3;

/**
 * The user's connections database in Notion is the source of truth: every call reads or writes it with the
 * user's own integration secret. Rows belong to a user through `Slack user` = `<team id>:<user id>`, compared
 * exactly (Notion's text filter narrows the query; our own comparison decides).
 */
export function createConnectionsService(deps: ConnectionsServiceDeps): ConnectionsService {
  const logger = deps.logger.child({ service: 'connections' });
  /**
   * One find-or-create at a time per user and target, so two starts of the same connection cannot create two
   * rows, while runs of the same user on other targets do not wait for each other.
   */
  const perTarget = new KeyedLock();
  const workspace = (settings: UserSettings) => deps.notion.forSecret(settings.notionSecret);

  async function listAll(user: UserRef, settings: UserSettings, query?: Omit<ConnectionQuery, 'sort'>): Promise<ConnectionRecord[]> {
    const owner = slackUserPropertyValue(user);
    const conditions: Record<string, unknown>[] = [{ property: P.slackUser, rich_text: { equals: owner } }];
    if (query?.type) conditions.push({ property: P.type, select: { equals: query.type } });
    if (query?.status) conditions.push({ property: P.status, select: { equals: query.status } });
    const filter = conditions.length === 1 ? conditions[0]! : { and: conditions };
    const rows: ConnectionRecord[] = [];
    try {
      for await (const page of workspace(settings).queryDataSource(settings.connections.dataSourceId, { filter })) {
        if (page.inTrash) continue;
        const record = toConnectionRecord(page);
        if (record.slackUser !== owner) continue;
        if (query?.type && record.type !== query.type) continue;
        if (query?.status && record.status !== query.status) continue;
        rows.push(record);
      }
    } catch (err) {
      throw aboutConnectionsDatabase(err, settings);
    }
    return rows;
  }

  async function get(user: UserRef, settings: UserSettings, connectionId: string): Promise<ConnectionRecord | undefined> {
    const id = formatNotionId(connectionId);
    if (!id) return undefined;
    let page: PageInfo;
    try {
      page = await workspace(settings).retrievePage(id);
    } catch (err) {
      if (err instanceof NotionError && (err.code === 'object_not_found' || err.code === 'validation_error')) return undefined;
      throw err;
    }
    if (page.inTrash || !isRowOf(page, settings)) return undefined;
    const record = toConnectionRecord(page);
    return record.slackUser === slackUserPropertyValue(user) ? record : undefined;
  }

  return {
    async list(user, settings, query) {
      const rows = await listAll(user, settings, query);
      return rows.sort(query.sort === 'name' ? byName : byLastRun);
    },

    get,

    async trash(user, settings, connectionId) {
      const id = formatNotionId(connectionId);
      if (!id) throw new VisenError('not_found', 'That connection does not exist (any more).');
      const notion = workspace(settings);
      let page: PageInfo;
      try {
        page = await notion.retrievePage(id);
      } catch (err) {
        if (err instanceof NotionError && err.code === 'object_not_found') return; // already gone
        throw err;
      }
      if (page.inTrash) return;
      if (!isRowOf(page, settings) || toConnectionRecord(page).slackUser !== slackUserPropertyValue(user)) {
        logger.warn({ user: userKey(user), connectionId: id }, 'refused to trash a connection row of someone else');
        throw new VisenError('forbidden', 'That connection is not one of yours, so Visen left it alone.');
      }
      // Trashing is idempotent: a write with an unknown outcome is simply sent again.
      await retryUnknown(() => notion.trashPage(id));
    },

    beginRun(user, settings, spec) {
      return perTarget.run(`${userKey(user)}|${formatNotionId(spec.targetId) ?? spec.targetId}`, async () => {
        const notion = workspace(settings);
        const existing = (await listAll(user, settings)).find((row) => isSameConnection(row, spec));
        if (existing) {
          try {
            const page = await retryUnknown(() => notion.updatePageProperties(existing.id, beginRunProperties(spec)));
            return toConnectionRecord(page);
          } catch (err) {
            throw aboutConnectionsDatabase(err, settings);
          }
        }
        return createRow(notion, user, settings, spec);
      });
    },

    async finishRun(_user, settings, connectionId, outcome: RunOutcome) {
      const notion = workspace(settings);
      await retryUnknown(() => notion.updatePageProperties(connectionId, finishRunProperties(outcome)));
    },
  };

  /** Creates the row; when Notion's answer is lost, looks for it before creating it again. */
  async function createRow(notion: NotionWorkspace, user: UserRef, settings: UserSettings, spec: ConnectionSpec): Promise<ConnectionRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        const page = await notion.createPage({
          parent: { type: 'data_source', id: settings.connections.dataSourceId },
          properties: newRowProperties(slackUserPropertyValue(user), spec),
        });
        return toConnectionRecord(page);
      } catch (err) {
        if (!(err instanceof NotionError && err.code === 'outcome_unknown') || attempt >= WRITE_ATTEMPTS) {
          throw aboutConnectionsDatabase(err, settings);
        }
        logger.info({ user: userKey(user), attempt }, 'creating a connection row: outcome unknown, checking before trying again');
        const found = (await listAll(user, settings)).find((row) => isSameConnection(row, spec));
        if (found) return found;
      }
    }
  }

  async function retryUnknown<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (!(err instanceof NotionError && err.code === 'outcome_unknown') || attempt >= WRITE_ATTEMPTS) throw err;
        logger.info({ err: describeForLog(err), attempt }, 'connection row update: outcome unknown, sending the same values again');
      }
    }
  }
}

/** A row of this user's connections database (not some other page the id happens to name). */
function isRowOf(page: PageInfo, settings: UserSettings): boolean {
  if (page.parent.type !== 'data_source' || !page.parent.id) return false;
  return formatNotionId(page.parent.id) === formatNotionId(settings.connections.dataSourceId);
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

/** Notion errors about the connections database, reworded so the user knows which database and what to do. */
function aboutConnectionsDatabase(err: unknown, settings: UserSettings): unknown {
  if (!(err instanceof NotionError)) return err;
  const name = settings.connections.title ? `“${settings.connections.title}”` : 'your connections database';
  switch (err.code) {
    case 'object_not_found':
      return new NotionError(
        err.code,
        `Visen cannot reach ${name} in Notion: it was deleted, moved, or disconnected from your integration. To connect it, open it in Notion, click ••• at the top right, choose Connections, find your integration by name, and confirm; or pick another database in \`/visen settings\`.`,
        { cause: err, ...(err.status !== undefined ? { status: err.status } : {}) },
      );
    case 'validation_error':
      return new NotionError(
        err.code,
        `${name} no longer has the properties Visen needs (${err.userMessage}). Open \`/visen settings\` to check it; Visen can add what is missing.`,
        { cause: err, ...(err.status !== undefined ? { status: err.status } : {}) },
      );
    default:
      return err;
  }
}
