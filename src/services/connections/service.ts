import type { Logger } from 'pino';
import { formatNotionId, type NotionGateway, type NotionWorkspace, type PageInfo } from '../../adapters/notion/index.js';
import type { LocalStore } from '../../adapters/store.js';
import { describeForLog, NotionError, VisenError } from '../../errors.js';
import { slackUserPropertyValue, type UserRef, userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';
import type { UserSettings } from '../settings/types.js';
import { CreatedRowsStore, judgeRow, type RowOwnership } from './provenance.js';
import { beginRunProperties, finishRunProperties, isSameConnection, newRowProperties, toConnectionRecord } from './record.js';
import { ConnectionsProperty as P } from './schema.js';
import type { ConnectionQuery, ConnectionRecord, ConnectionSpec, ConnectionsService, RunOutcome } from './types.js';

export interface ConnectionsServiceDeps {
  readonly notion: NotionGateway;
  /** Holds the record of the rows Visen created for each user (see provenance.ts). */
  readonly store: LocalStore;
  readonly logger: Logger;
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

/** Said when a row names the user but Visen did not create it for them: Run again, Delete and Open refuse it. */
export const NOT_CREATED_FOR_YOU =
  'Visen left that row alone: its “Slack user” names you, but Visen did not create it for you. Someone with edit access to your connections database may have added it; check it in Notion. To run a prompt, use `/visen generate`.';

/** Writes whose outcome stays unknown are tried this many times (each one checked first where needed). */
const WRITE_ATTEMPTS = 3;

/**
 * The user's connections database in Notion is the source of truth: every call reads or writes it with the
 * user's own integration secret. A row is a user's connection when its `Slack user` is `<team id>:<user id>`,
 * compared exactly (Notion's text filter narrows the query; our own comparison decides), AND Visen created it
 * for them: Notion's `created_by` and the local record of created rows agree (provenance.ts). Other rows are
 * ignored: never listed, run, reused or trashed.
 */
export function createConnectionsService(deps: ConnectionsServiceDeps): ConnectionsService {
  const logger = deps.logger.child({ service: 'connections' });
  /**
   * One find-or-create at a time per user and target, so two starts of the same connection cannot create two
   * rows, while runs of the same user on other targets do not wait for each other.
   */
  const perTarget = new KeyedLock();
  const createdRows = new CreatedRowsStore(deps.store, deps.now);
  /** The bot user id of each integration (one workspace per secret); it never changes for a secret. */
  const botIds = new WeakMap<NotionWorkspace, Promise<string>>();
  const workspace = (settings: UserSettings) => deps.notion.forSecret(settings.notionSecret);

  const ownBotId = (notion: NotionWorkspace): Promise<string> => {
    let known = botIds.get(notion);
    if (!known) {
      known = notion.whoAmI().then((me) => me.botId);
      botIds.set(notion, known);
      known.catch(() => botIds.delete(notion));
    }
    return known;
  };

  /** Who made a row that names the user; adopted rows are recorded. Throws only when the local store fails. */
  async function ownershipOf(user: UserRef, notion: NotionWorkspace, page: PageInfo): Promise<RowOwnership> {
    const [botId, record] = await Promise.all([ownBotId(notion), createdRows.read(user)]);
    const verdict = judgeRow(page, botId, record);
    if (verdict === 'adopt') await createdRows.add(user, [[page.id, botId]]);
    if (verdict === 'foreign')
      logger.warn({ user: userKey(user), connectionId: page.id }, 'a row names this user but Visen did not create it for them: refused');
    return verdict;
  }

  async function listAll(user: UserRef, settings: UserSettings, query?: Omit<ConnectionQuery, 'sort'>): Promise<ConnectionRecord[]> {
    const owner = slackUserPropertyValue(user);
    const conditions: Record<string, unknown>[] = [{ property: P.slackUser, rich_text: { equals: owner } }];
    if (query?.type) conditions.push({ property: P.type, select: { equals: query.type } });
    if (query?.status) conditions.push({ property: P.status, select: { equals: query.status } });
    const filter = conditions.length === 1 ? conditions[0]! : { and: conditions };
    const notion = workspace(settings);
    const rows: ConnectionRecord[] = [];
    const adopted: Array<readonly [string, string]> = [];
    const foreign: string[] = [];
    try {
      const [botId, record] = await Promise.all([ownBotId(notion), createdRows.read(user)]);
      for await (const page of notion.queryDataSource(settings.connections.dataSourceId, { filter })) {
        if (page.inTrash) continue;
        const row = toConnectionRecord(page);
        if (row.slackUser !== owner) continue;
        const verdict = judgeRow(page, botId, record);
        if (verdict === 'foreign') {
          foreign.push(page.id);
          continue;
        }
        if (verdict === 'adopt') adopted.push([page.id, botId]);
        if (query?.type && row.type !== query.type) continue;
        if (query?.status && row.status !== query.status) continue;
        rows.push(row);
      }
    } catch (err) {
      throw aboutConnectionsDatabase(err, settings);
    }
    if (adopted.length > 0) {
      await createdRows.add(user, adopted);
      logger.info({ user: owner, rows: adopted.length }, 'recorded connection rows an earlier Visen created for this user');
    }
    if (foreign.length > 0) {
      logger.warn({ user: owner, count: foreign.length, rowIds: foreign.slice(0, 10) }, 'ignored rows that name this user but Visen did not create for them');
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
    if (record.slackUser !== slackUserPropertyValue(user)) return undefined;
    if ((await ownershipOf(user, workspace(settings), page)) === 'foreign') throw new VisenError('forbidden', NOT_CREATED_FOR_YOU);
    return record;
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
      if ((await ownershipOf(user, notion, page)) === 'foreign') throw new VisenError('forbidden', NOT_CREATED_FOR_YOU);
      // Trashing is idempotent: a write with an unknown outcome is simply sent again.
      await retryUnknown(() => notion.trashPage(id));
      await createdRows.remove(user, id);
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

    forgetUser: (user) => createdRows.forget(user),
  };

  /**
   * Creates the row and records it as created for the user; when Notion's answer is lost, looks for the row this
   * integration just created before creating it again. A row that cannot be recorded goes back to the trash: an
   * unrecorded row would never count as the user's, so it would only be clutter.
   */
  async function createRow(notion: NotionWorkspace, user: UserRef, settings: UserSettings, spec: ConnectionSpec): Promise<ConnectionRecord> {
    for (let attempt = 1; ; attempt++) {
      const startedAt = (deps.now ?? (() => new Date()))();
      let page: PageInfo;
      try {
        page = await notion.createPage({
          parent: { type: 'data_source', id: settings.connections.dataSourceId },
          properties: newRowProperties(slackUserPropertyValue(user), spec),
        });
      } catch (err) {
        if (!(err instanceof NotionError && err.code === 'outcome_unknown') || attempt >= WRITE_ATTEMPTS) {
          throw aboutConnectionsDatabase(err, settings);
        }
        logger.info({ user: userKey(user), attempt }, 'creating a connection row: outcome unknown, checking before trying again');
        const found = await findJustCreated(notion, user, settings, spec, startedAt);
        if (!found) continue;
        page = found;
      }
      await recordCreated(notion, user, page);
      return toConnectionRecord(page);
    }
  }

  async function recordCreated(notion: NotionWorkspace, user: UserRef, page: PageInfo): Promise<void> {
    try {
      // The answer to our own create names our integration's bot; users/me is the fallback if it did not say.
      await createdRows.add(user, [[page.id, page.createdBy || (await ownBotId(notion))]]);
    } catch (err) {
      logger.warn({ err: describeForLog(err), user: userKey(user), connectionId: page.id }, 'could not record a new connection row: moving it to the trash');
      await notion
        .trashPage(page.id)
        .catch((again: unknown) => logger.warn({ err: describeForLog(again), connectionId: page.id }, 'could not trash the unrecorded row'));
      throw err;
    }
  }

  /** The row this integration created for the spec since `startedAt` (to the minute), not yet recorded. */
  async function findJustCreated(
    notion: NotionWorkspace,
    user: UserRef,
    settings: UserSettings,
    spec: ConnectionSpec,
    startedAt: Date,
  ): Promise<PageInfo | undefined> {
    const owner = slackUserPropertyValue(user);
    const [botId, record] = await Promise.all([ownBotId(notion), createdRows.read(user)]);
    const earliest = Math.floor(startedAt.getTime() / 60_000) * 60_000;
    try {
      for await (const page of notion.queryDataSource(settings.connections.dataSourceId, { filter: { property: P.slackUser, rich_text: { equals: owner } } })) {
        const row = toConnectionRecord(page);
        const recorded = record.rows[formatNotionId(page.id) ?? ''] !== undefined;
        if (page.inTrash || recorded || row.slackUser !== owner || !isSameConnection(row, spec)) continue;
        if (formatNotionId(page.createdBy) === formatNotionId(botId) && Date.parse(page.createdTime) >= earliest) return page;
      }
    } catch (err) {
      throw aboutConnectionsDatabase(err, settings);
    }
    return undefined;
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
