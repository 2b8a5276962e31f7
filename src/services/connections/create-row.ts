import { formatNotionId, type NotionWorkspace, type PageInfo } from '../../adapters/notion/index.js';
import { describeForLog } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { slackUserPropertyValue, type UserRef, userKey } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { aboutConnectionsDatabase } from './database-errors.js';
import { CREATED_TIME_GRANULARITY_MS } from './provenance.js';
import { CONNECTION_ROW_PROPERTIES, isSameConnection, newRowProperties, toConnectionRecord } from './record.js';
import type { ConnectionRowsDeps } from './rows-deps.js';
import { ConnectionsProperty as P } from './schema.js';
import type { ConnectionRecord, ConnectionSpec } from './types.js';
import { UNKNOWN_OUTCOME_RETRIES } from './write-retry.js';

/**
 * Creates the row and records it as created for the user; when Notion's answer is lost, looks for the row this
 * integration just created before creating it again. A row that cannot be recorded goes back to the trash: an
 * unrecorded row would never count as the user's, so it would only be clutter.
 */
export async function createRow(
  deps: ConnectionRowsDeps,
  notion: NotionWorkspace,
  user: UserRef,
  settings: UserSettings,
  spec: ConnectionSpec,
): Promise<ConnectionRecord> {
  let startedAt: Date;
  let landed: PageInfo | undefined;
  const create = async (): Promise<PageInfo> => {
    startedAt = deps.now();
    try {
      return await notion.createPage({
        parent: { type: 'data_source', id: settings.connections.dataSourceId },
        properties: newRowProperties(slackUserPropertyValue(user), spec),
      });
    } catch (err) {
      throw aboutConnectionsDatabase(err, settings);
    }
  };
  // Before a retry, look for the row the lost answer may have created; if found, the next attempt takes it.
  const page = await withRetries(async () => landed ?? (await create()), {
    ...UNKNOWN_OUTCOME_RETRIES,
    beforeRetry: async (_err, attempt) => {
      deps.logger.info({ user: userKey(user), attempt }, 'creating a connection row: outcome unknown, checking before trying again');
      landed = await findJustCreated(deps, notion, user, settings, spec, startedAt);
    },
  });
  await recordCreated(deps, notion, user, page);
  return toConnectionRecord(page);
}

async function recordCreated(deps: ConnectionRowsDeps, notion: NotionWorkspace, user: UserRef, page: PageInfo): Promise<void> {
  try {
    // The answer to our own create names our integration's bot; users/me is the fallback if it did not say.
    await deps.createdRows.add(user, [[page.id, page.createdBy || (await deps.ownBotId(notion))]]);
  } catch (err) {
    deps.logger.warn({ err: describeForLog(err), user: userKey(user), connectionId: page.id }, 'could not record a new connection row: moving it to the trash');
    await notion
      .trashPage(page.id)
      .catch((again: unknown) => deps.logger.warn({ err: describeForLog(again), connectionId: page.id }, 'could not trash the unrecorded row'));
    throw err;
  }
}

/** The row this integration created for the spec since `startedAt` (to the minute), not yet recorded. */
async function findJustCreated(
  deps: ConnectionRowsDeps,
  notion: NotionWorkspace,
  user: UserRef,
  settings: UserSettings,
  spec: ConnectionSpec,
  startedAt: Date,
): Promise<PageInfo | undefined> {
  const owner = slackUserPropertyValue(user);
  const [botId, record] = await Promise.all([deps.ownBotId(notion), deps.createdRows.read(user)]);
  // Notion gives `created_time` to the minute: "created since we began" counts from the start of that minute.
  const earliest = Math.floor(startedAt.getTime() / CREATED_TIME_GRANULARITY_MS) * CREATED_TIME_GRANULARITY_MS;
  try {
    const query = { filter: { property: P.slackUser, rich_text: { equals: owner } }, properties: CONNECTION_ROW_PROPERTIES };
    for await (const page of notion.queryDataSource(settings.connections.dataSourceId, query)) {
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
