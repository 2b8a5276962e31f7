import type { Logger } from 'pino';
import type { NotionWorkspace } from '../../adapters/notion/index.js';
import type { UserSettings } from '../settings/types.js';
import type { CreatedRowsStore } from './provenance.js';

/** What the units of the connections service share, built once by `createConnectionsService`. */
export interface ConnectionRowsDeps {
  readonly logger: Logger;
  readonly now: () => Date;
  /** The local record of the rows Visen created for each user (see provenance.ts). */
  readonly createdRows: CreatedRowsStore;
  /** The user's Notion workspace, reached with their own integration secret. */
  workspace(settings: UserSettings): NotionWorkspace;
  /** The bot user id of the integration behind `notion`. */
  ownBotId(notion: NotionWorkspace): Promise<string>;
}

/**
 * Asks each integration for its bot user id once (one workspace per secret; the id never changes for a secret).
 * A failed ask is forgotten, so the next call asks again.
 */
export function botIdLookup(): (notion: NotionWorkspace) => Promise<string> {
  const botIds = new WeakMap<NotionWorkspace, Promise<string>>();
  return (notion) => {
    let known = botIds.get(notion);
    if (!known) {
      known = notion.whoAmI().then((me) => me.botId);
      botIds.set(notion, known);
      known.catch(() => botIds.delete(notion));
    }
    return known;
  };
}
