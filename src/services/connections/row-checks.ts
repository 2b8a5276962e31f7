import { formatNotionId, type NotionWorkspace, type PageInfo } from '../../adapters/notion/index.js';
import { VisenError } from '../../errors.js';
import { slackUserPropertyValue, type UserRef, userKey } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { judgeRow, type RowOwnership } from './provenance.js';
import { toConnectionRecord } from './record.js';
import type { ConnectionRowsDeps } from './rows-deps.js';

/** Said when a row names the user but Visen did not create it for them: Run again, Delete and Open refuse it. */
export const NOT_CREATED_FOR_YOU =
  'Visen left that row alone: its “Slack user” names you, but Visen did not create it for you. Someone with edit access to your connections database may have added it; check it in Notion. To run a prompt, use `/visen generate`.';

/** A row of this user's connections database (not some other page the id happens to name). */
export function isRowOf(page: PageInfo, settings: UserSettings): boolean {
  if (page.parent.type !== 'data_source' || !page.parent.id) return false;
  return formatNotionId(page.parent.id) === formatNotionId(settings.connections.dataSourceId);
}

/** A row of the user's connections database whose `Slack user` names them (compared exactly). */
export function namesUser(page: PageInfo, user: UserRef, settings: UserSettings): boolean {
  return isRowOf(page, settings) && toConnectionRecord(page).slackUser === slackUserPropertyValue(user);
}

/** Who made a row that names the user; adopted rows are recorded. Throws only when the local store fails. */
export async function ownershipOf(deps: ConnectionRowsDeps, user: UserRef, notion: NotionWorkspace, page: PageInfo): Promise<RowOwnership> {
  const [botId, record] = await Promise.all([deps.ownBotId(notion), deps.createdRows.read(user)]);
  const verdict = judgeRow(page, botId, record);
  if (verdict === 'adopt') await deps.createdRows.add(user, [[page.id, botId]]);
  if (verdict === 'foreign')
    deps.logger.warn({ user: userKey(user), connectionId: page.id }, 'a row names this user but Visen did not create it for them: refused');
  return verdict;
}

/** Throws a VisenError (`forbidden`) when the row names the user but Visen did not create it for them. */
export async function assertCreatedForUser(deps: ConnectionRowsDeps, user: UserRef, notion: NotionWorkspace, page: PageInfo): Promise<void> {
  if ((await ownershipOf(deps, user, notion, page)) === 'foreign') throw new VisenError('forbidden', NOT_CREATED_FOR_YOU);
}
