import { formatNotionId, type NotionWorkspace, type PageInfo } from '../../adapters/notion/index.js';
import { NotionError, type NotionErrorCode, VisenError } from '../../errors.js';
import { type UserRef, userKey } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { CONNECTION_ROW_PROPERTIES, toConnectionRecord } from './record.js';
import { assertCreatedForUser, namesUser } from './row-checks.js';
import type { ConnectionRowsDeps } from './rows-deps.js';
import type { ConnectionRecord } from './types.js';
import { resendOnUnknownOutcome } from './write-retry.js';

/** One of the user's rows, or undefined when it is gone, trashed, or names someone else. */
export async function getConnection(
  deps: ConnectionRowsDeps,
  user: UserRef,
  settings: UserSettings,
  connectionId: string,
): Promise<ConnectionRecord | undefined> {
  const id = formatNotionId(connectionId);
  if (!id) return undefined;
  const notion = deps.workspace(settings);
  const page = await retrieveUnlessGone(notion, id, settings, ['object_not_found', 'validation_error']);
  if (!page || page.inTrash || !namesUser(page, user, settings)) return undefined;
  await assertCreatedForUser(deps, user, notion, page);
  return toConnectionRecord(page);
}

/** Moves one of the user's rows to Notion's trash; a row already gone is fine, anyone else's is refused. */
export async function trashConnection(deps: ConnectionRowsDeps, user: UserRef, settings: UserSettings, connectionId: string): Promise<void> {
  const id = formatNotionId(connectionId);
  if (!id) throw new VisenError('not_found', 'That connection does not exist (any more).');
  const notion = deps.workspace(settings);
  const page = await retrieveUnlessGone(notion, id, settings, ['object_not_found']);
  if (!page || page.inTrash) return;
  if (!namesUser(page, user, settings)) {
    deps.logger.warn({ user: userKey(user), connectionId: id }, 'refused to trash a connection row of someone else');
    throw new VisenError('forbidden', 'That connection is not one of yours, so Visen left it alone.');
  }
  await assertCreatedForUser(deps, user, notion, page);
  // Trashing is idempotent: a write with an unknown outcome is simply sent again.
  await resendOnUnknownOutcome(deps.logger, () => notion.trashPage(id));
  await deps.createdRows.remove(user, id);
}

/**
 * The page with the connection row's properties only, or undefined when Notion answers with one of `goneCodes`
 * (no such page, or not one it can show).
 */
async function retrieveUnlessGone(
  notion: NotionWorkspace,
  id: string,
  settings: UserSettings,
  goneCodes: readonly NotionErrorCode[],
): Promise<PageInfo | undefined> {
  try {
    return await notion.retrievePage(id, { select: { dataSourceId: settings.connections.dataSourceId, properties: CONNECTION_ROW_PROPERTIES } });
  } catch (err) {
    if (err instanceof NotionError && goneCodes.includes(err.code)) return undefined;
    throw err;
  }
}
