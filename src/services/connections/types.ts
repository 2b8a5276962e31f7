import type { UserRef } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import type { CONNECTION_STATUS_OPTIONS, CONNECTION_TYPE_OPTIONS } from './schema.js';

/** The status and type values come from the one schema module (schema.ts), as users see them in Notion. */
export { CONNECTION_STATUS_OPTIONS as CONNECTION_STATUSES, CONNECTION_TYPE_OPTIONS as CONNECTION_TYPES } from './schema.js';
export type ConnectionStatus = (typeof CONNECTION_STATUS_OPTIONS)[number];
export type ConnectionType = (typeof CONNECTION_TYPE_OPTIONS)[number];

/** One row of a user's connections database, as plain values. */
export interface ConnectionRecord {
  /** The row's Notion page id. */
  readonly id: string;
  /** The row's Notion URL. */
  readonly url: string;
  readonly name: string;
  readonly type: ConnectionType;
  /** Notion URL of the target page or database. */
  readonly target: string;
  readonly prompt: string;
  /** `Append to page`, `Page body`, or `Property: <name>`. */
  readonly output: string;
  readonly model: string;
  /** `<team id>:<user id>` of the owner. */
  readonly slackUser: string;
  readonly status: ConnectionStatus | undefined;
  readonly lastRun: string | undefined;
  readonly runs: number;
  readonly items: number;
  readonly lastError: string | undefined;
  /** The Slack thread's permalink of a "Send to Notion" connection; undefined otherwise. */
  readonly source?: string | undefined;
}

export type ConnectionSort = 'last_run' | 'name';

export interface ConnectionQuery {
  readonly sort: ConnectionSort;
  readonly type?: ConnectionType;
  readonly status?: ConnectionStatus;
}

export interface ConnectionsService {
  /**
   * Every row of the user's connections database whose `Slack user` is theirs and that Visen created for them
   * (Notion's `created_by` and the local record agree), sorted and filtered. Other rows are left out.
   */
  list(user: UserRef, settings: UserSettings, query: ConnectionQuery): Promise<ConnectionRecord[]>;
  /**
   * One of the user's rows; undefined when it is gone, trashed, or names someone else. Throws a VisenError
   * (`forbidden`) when the row names the user but Visen did not create it for them.
   */
  get(user: UserRef, settings: UserSettings, connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Moves the user's row to Notion's trash (`in_trash: true`); refuses rows of other users and rows Visen did not create for them. */
  trash(user: UserRef, settings: UserSettings, connectionId: string): Promise<void>;
  /**
   * A run starts: finds the user's row for this target, prompt and output (the same user, target, prompt
   * and output is the same connection) or creates it, and sets Status `Running` (and Model, and Name when
   * `spec.rename`). Throws a VisenError saying how to fix it when the connections database is unreachable.
   */
  beginRun(user: UserRef, settings: UserSettings, spec: ConnectionSpec): Promise<ConnectionRecord>;
  /** A run ended: Status, Last run, Runs, Items and Last error, as absolute values (safe to repeat). */
  finishRun(user: UserRef, settings: UserSettings, connectionId: string, outcome: RunOutcome): Promise<void>;
  /** Deletes the local record of rows Visen created for the user (`/visen clear`); nothing in Notion changes. */
  forgetUser(user: UserRef): Promise<void>;
}

/** What identifies a connection, and what a run writes when it starts. */
export interface ConnectionSpec {
  readonly type: ConnectionType;
  /** Notion URL of the target (stored in `Target`). */
  readonly target: string;
  /** The target's Notion id: rows whose `Target` link names this id are the same target. */
  readonly targetId: string;
  readonly prompt: string;
  /** `Append to page`, `New page`, `Page body`, or `Property: <name>`. */
  readonly output: string;
  readonly model: string;
  /** Name for a new row; also written to an existing row when `rename` is true. */
  readonly name: string;
  readonly rename?: boolean;
  /** The Slack thread's permalink (stored in `Source`): a thread is part of what identifies its connection. */
  readonly source?: string;
}

export interface RunOutcome {
  readonly status: Exclude<ConnectionStatus, 'Ready' | 'Running'>;
  /** ISO time the run ended (`Last run`). */
  readonly finishedAt: string;
  /** The new `Runs` value (the value read when the run began, plus one). */
  readonly runs: number;
  /** Pages or rows written by this run. */
  readonly items: number;
  /** Tokens of this run (prompt + completion) as the model server reported them; undefined leaves `Tokens` empty. */
  readonly tokens?: number | undefined;
  /** Short, safe message; empty clears `Last error`. */
  readonly error: string | undefined;
}
