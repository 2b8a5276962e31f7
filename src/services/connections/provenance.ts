/**
 * Which rows of a connections database are a user's connections. A connections database can be shared: anyone
 * with edit access can add a row whose `Slack user` names someone else, and its Target and Prompt are whatever
 * they typed. So `Slack user` alone proves nothing. A row counts as a user's connection only when two
 * independent sources agree that Visen created it for them:
 *
 * 1. Notion: the row's `created_by` (https://developers.notion.com/reference/page) is the bot user of the
 *    integration Visen used. Pages created through the API are created by the bot of the calling integration,
 *    the user `GET /v1/users/me` returns (https://developers.notion.com/reference/get-self); a row added in the
 *    Notion app is created by a person, a row added by another integration by that integration's bot.
 * 2. The local store: the row id is in the user's record of rows Visen created for them (`CREATED_ROWS_NAMESPACE`,
 *    keyed `<team>:<user>`, written as soon as Notion answers the create), with the bot that created it.
 *
 * Rows Visen created before this record existed (older versions kept none) are adopted once when Notion says
 * they were created by the user's current integration, name the user, and were created before the user's record
 * began; then they are recorded like the others. Notion gives `created_time` to the minute, so "before" means a
 * whole minute before. See `judgeRow`.
 */

import { formatNotionId, type PageInfo } from '../../adapters/notion/index.js';
import type { LocalStore } from '../../adapters/store.js';
import { type UserRef, userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';

/** The local store namespace of the record; keys are exactly `userKey(user)`. */
export const CREATED_ROWS_NAMESPACE = 'connection-rows';

/** Notion rounds `created_time` down to the minute (its API shows `…:00.000Z`), so times compare with this margin. */
export const CREATED_TIME_GRANULARITY_MS = 60_000;

/** The rows Visen created for one user, as kept in the local store. */
export interface CreatedRows {
  readonly v: 1;
  /** When the record began (ISO). Rows created a minute or more before it may be adopted (see `judgeRow`). */
  readonly since: string;
  /** Row id (dashed, lower case) -> the bot user id of the integration that created it. */
  readonly rows: Readonly<Record<string, string>>;
}

/**
 * - `created-for-user`: recorded, and Notion agrees its recorded integration created it;
 * - `adopt`: not recorded, but created by the user's own integration before the record began (an older Visen's);
 * - `foreign`: anything else: added by a person or another integration, or by this integration after the record
 *   began without Visen recording it (with one integration shared by two users, the other user's Visen).
 */
export type RowOwnership = 'created-for-user' | 'adopt' | 'foreign';

/** The ownership of a row whose `Slack user` already names the user. `ownBotId`: the user's integration's bot now. */
export function judgeRow(row: Pick<PageInfo, 'id' | 'createdBy' | 'createdTime'>, ownBotId: string, record: CreatedRows): RowOwnership {
  const id = formatNotionId(row.id);
  const createdBy = formatNotionId(row.createdBy);
  if (!id || !createdBy) return 'foreign';
  const recordedBot = record.rows[id];
  if (recordedBot !== undefined) return formatNotionId(recordedBot) === createdBy ? 'created-for-user' : 'foreign';
  if (createdBy !== formatNotionId(ownBotId)) return 'foreign';
  const created = Date.parse(row.createdTime);
  const since = Date.parse(record.since);
  return Number.isFinite(created) && Number.isFinite(since) && created + CREATED_TIME_GRANULARITY_MS <= since ? 'adopt' : 'foreign';
}

/** The local record of rows Visen created, per user; every change of one user's record is one at a time. */
export class CreatedRowsStore {
  private readonly perUser: KeyedLock;

  constructor(
    private readonly store: LocalStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.perUser = new KeyedLock(store, CREATED_ROWS_NAMESPACE);
  }

  /** The user's record; begun (and saved) now when there is none, so that `since` stays put from here on. */
  read(user: UserRef): Promise<CreatedRows> {
    return this.perUser.run(userKey(user), () => this.readOrBegin(user));
  }

  /** Records rows Visen created for the user (or adopted): row id -> the bot that created it. */
  add(user: UserRef, rows: ReadonlyArray<readonly [rowId: string, botId: string]>): Promise<void> {
    return this.update(user, (current) => {
      const next = { ...current };
      for (const [rowId, botId] of rows) {
        const id = formatNotionId(rowId);
        if (id) next[id] = botId;
      }
      return next;
    });
  }

  /** Forgets a row (it went to Notion's trash through Visen). */
  remove(user: UserRef, rowId: string): Promise<void> {
    const id = formatNotionId(rowId);
    return this.update(user, (current) => Object.fromEntries(Object.entries(current).filter(([key]) => key !== id)));
  }

  /** Deletes the user's record (`/visen clear`): exact key, this user only. */
  async forget(user: UserRef): Promise<void> {
    await this.perUser.run(userKey(user), () => this.store.delete(CREATED_ROWS_NAMESPACE, userKey(user)));
  }

  private update(user: UserRef, change: (rows: Readonly<Record<string, string>>) => Record<string, string>): Promise<void> {
    return this.perUser.run(userKey(user), async () => {
      const current = await this.readOrBegin(user);
      await this.store.set<CreatedRows>(CREATED_ROWS_NAMESPACE, userKey(user), { ...current, rows: change(current.rows) });
    });
  }

  private async readOrBegin(user: UserRef): Promise<CreatedRows> {
    const stored = readCreatedRows(await this.store.get<unknown>(CREATED_ROWS_NAMESPACE, userKey(user)));
    if (stored) return stored;
    const begun: CreatedRows = { v: 1, since: this.now().toISOString(), rows: {} };
    await this.store.set<CreatedRows>(CREATED_ROWS_NAMESPACE, userKey(user), begun);
    return begun;
  }
}

/**
 * A stored record, checked; undefined when absent. A damaged record is not begun again (that would move `since`
 * and adopt rows made since): its readable rows are kept and `since` becomes the epoch, so nothing is adopted.
 */
function readCreatedRows(stored: unknown): CreatedRows | undefined {
  if (stored === undefined || stored === null) return undefined;
  const s = (typeof stored === 'object' ? stored : {}) as Partial<Record<keyof CreatedRows, unknown>>;
  const since = typeof s.since === 'string' && Number.isFinite(Date.parse(s.since)) ? s.since : new Date(0).toISOString();
  const rows: Record<string, string> = {};
  if (s.rows && typeof s.rows === 'object') {
    for (const [id, bot] of Object.entries(s.rows)) if (typeof bot === 'string') rows[id] = bot;
  }
  return { v: 1, since, rows };
}
