import type { Logger } from 'pino';
import { formatNotionId, type NotionGateway } from '../../adapters/notion/index.js';
import type { LocalStore } from '../../adapters/store.js';
import { userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';
import { automaticRows, setAutomationFields } from './automation-rows.js';
import { listConnections } from './list.js';
import { CreatedRowsStore } from './provenance.js';
import { getConnection, trashConnection } from './row-by-id.js';
import { botIdLookup, type ConnectionRowsDeps } from './rows-deps.js';
import { beginRun, finishRun } from './runs.js';
import type { ConnectionsService } from './types.js';

export { NOT_CREATED_FOR_YOU } from './row-checks.js';

export interface ConnectionsServiceDeps {
  readonly notion: NotionGateway;
  /** Holds the record of the rows Visen created for each user (see provenance.ts). */
  readonly store: LocalStore;
  readonly logger: Logger;
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

/**
 * The user's connections database in Notion is the source of truth: every call reads or writes it with the
 * user's own integration secret. A row is a user's connection when its `Slack user` is `<team id>:<user id>`,
 * compared exactly (Notion's text filter narrows the query; our own comparison decides), AND Visen created it
 * for them: Notion's `created_by` and the local record of created rows agree (provenance.ts). Other rows are
 * ignored: never listed, run, reused or trashed.
 */
export function createConnectionsService(deps: ConnectionsServiceDeps): ConnectionsService {
  const now = deps.now ?? (() => new Date());
  const rows: ConnectionRowsDeps = {
    logger: deps.logger.child({ component: 'connections' }),
    now,
    createdRows: new CreatedRowsStore(deps.store, now),
    workspace: (settings) => deps.notion.forSecret(settings.notionSecret),
    ownBotId: botIdLookup(),
  };
  /**
   * One find-or-create at a time per user and target, so two starts of the same connection cannot create two
   * rows, while runs of the same user on other targets do not wait for each other.
   */
  const perTarget = new KeyedLock(deps.store, 'connections');
  return {
    list: (user, settings, query) => listConnections(rows, user, settings, query),
    get: (user, settings, connectionId) => getConnection(rows, user, settings, connectionId),
    trash: (user, settings, connectionId) => trashConnection(rows, user, settings, connectionId),
    beginRun: (user, settings, spec) =>
      perTarget.run(`${userKey(user)}|${formatNotionId(spec.targetId) ?? spec.targetId}`, () => beginRun(rows, user, settings, spec)),
    finishRun: (_user, settings, connectionId, outcome) => finishRun(rows, settings, connectionId, outcome),
    setAutomation: (_user, settings, connectionId, fields) => setAutomationFields(rows, settings, connectionId, fields),
    automaticRows: (_user, settings) => automaticRows(rows, settings),
    forgetUser: (user) => rows.createdRows.forget(user),
  };
}
