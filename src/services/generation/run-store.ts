import type { NotionBlock, PropertyWrites } from '../../adapters/notion/index.js';
import type { LocalStore } from '../../adapters/store.js';
import { type UserRef, userKey } from '../../users.js';
import type { ConnectionType } from '../connections/types.js';
import { KeyedLock } from '../keyed-lock.js';
import type { ThreadOrigin, ThreadSource } from '../threads/types.js';
import type { ReplacedNote, WrittenBlock } from './thread-output.js';
import { type TokenTally, tallyOfOldRecord } from './tokens.js';
import type { GenerationRequest, OutputChoice, PageContextNote, PreviewRow, RunState } from './types.js';

/**
 * Run state in the local store, written as a run progresses so a restart loses nothing. Keys (namespace
 * `generation`, exact keys only):
 * - `run:<runId>`                       the run record;
 * - `pending`                           ids of runs whose connection row is not yet final (resumed after a restart);
 * - `user:<team>:<user>`                the user's run ids and connection ids with a written-rows log (for `forgetUser`);
 * - `inflight:<runId>:<rowId>`          a row whose write may have started: the generated text, checked on resume;
 * - `held:<runId>:<rowId>`              a previewed row's answer, written as it is once the preview is confirmed;
 * - `written:<team>:<user>:<connectionId>` (+ `:<n>` chunks)  rows each connection wrote into, with the run that wrote them;
 * - `thread-output:<team>:<user>:<connectionId>`  the blocks a thread connection last wrote (replaced when it runs again);
 * - `thread-origin:<team>:<user>:<connectionId>`  where in Slack a thread connection's thread is (Run again reads it).
 */
export const NAMESPACE = 'generation';

/** Finished runs kept per user (older records are pruned; the written-rows logs stay). */
const FINISHED_RUNS_KEPT = 20;
/** Entries per chunk of a written-rows log: appends rewrite one small chunk, not the whole log. */
const LOG_CHUNK = 500;

export interface TargetRef {
  readonly kind: ConnectionType;
  /** The page id, or the database id. */
  readonly id: string;
  readonly url: string;
  readonly title: string;
  /** Database targets: the data source whose rows are filled. */
  readonly dataSourceId?: string;
  /** Database targets: the database's description (its owner's standing instructions), bounded; absent when none. */
  readonly description?: string;
}

/** Automations' fields (rows, rowsEditedSince, automatic, pageTitle) are kept as GenerationRequest says them. */
export interface RunRequest extends Pick<GenerationRequest, 'rows' | 'rowsEditedSince' | 'automatic' | 'pageTitle'> {
  readonly targetUrl: string;
  readonly prompt: string;
  readonly output: OutputChoice;
  readonly onlyEmpty: boolean;
  readonly limit: number | undefined;
  readonly connectionName: string | undefined;
  /** False: the page is not given to the model (`--no-context`); absent in records saved before it existed: true. */
  readonly context?: boolean;
  /** The Slack thread the content is made from (kept, so a restart knows it). */
  readonly source?: ThreadSource;
  /** Rows to preview before anything is written (see GenerationRequest.preview); absent: none asked. */
  readonly preview?: number;
}

/** A database run's preview as kept in its record (see PreviewProgress); the held answers stay in memory. */
export interface PreviewRecord {
  readonly reason: 'asked' | 'large';
  readonly size: number;
  phase: 'generating' | 'waiting' | 'confirmed' | 'cancelled';
  rows: PreviewRow[];
  failed: number;
  /** Rows whose answers are held (under `held:`) until they are written or the preview is cancelled. */
  heldRowIds: string[];
  /** Rows counted by the query so far (the estimate's rows until the query ends). */
  rowsSeen: number;
  /** The run's tokens when the preview began: the preview's own are the difference. */
  readonly tokensBefore: TokenTally;
}

export interface ConnectionRef {
  readonly id: string;
  readonly url: string;
  readonly name: string;
  /** `Runs` before this run, so the final update (`runsBefore + 1`) can be repeated safely. */
  readonly runsBefore: number;
}

/** Page runs: what was written so far, so a failure or an interrupted run can be undone. */
export interface PageWriteState {
  /** new-page: the title being created (set before the create, to find the page if its answer is lost). */
  creatingTitle?: string;
  /** new-page: child page ids of the parent before the create. */
  childPagesBefore?: string[];
  /** new-page: the child page, once created. */
  createdPageId?: string;
  createdPageUrl?: string;
  /** new-page: the title came from a heading of the answer (else from the prompt, until a heading comes). */
  titleFromHeading?: boolean;
  /** append: the top-level blocks appended so far, in order (removed again if the run fails). */
  appendedBlockIds: string[];
  /** The batch being appended: on a restart, what of it landed is found on the page and removed too. */
  pendingBlocks?: NotionBlock[];
  /** The content is complete (only the final connection update may be missing). */
  complete: boolean;
  /** What was written has been removed again (or marked) after a failure or an interruption. */
  rolledBack?: boolean;
}

export interface RunRecord {
  readonly version: 1;
  readonly runId: string;
  readonly user: UserRef;
  readonly request: RunRequest;
  readonly target: TargetRef;
  readonly model: string;
  readonly connection: ConnectionRef;
  notifyState: unknown;
  readonly startedAt: string;
  state: RunState;
  /** The connection row carries this run's final status; the run needs nothing more. */
  finalized: boolean;
  resumed: boolean;
  total: number | undefined;
  done: number;
  skipped: number;
  failed: number;
  failedRowIds: string[];
  /** Rows whose write may have started (markers under `inflight:`). */
  inFlight: string[];
  written: Array<{ title: string; url: string }>;
  error: string | undefined;
  page: PageWriteState | undefined;
  /** Tokens of every answer so far, kept across restarts (records saved before counts existed get one on load). */
  tokens: TokenTally;
  /** Page runs: what the model was given of the page. */
  context?: PageContextNote | undefined;
  /** A failed run: the code and vendor of the error that ended it (automations tell revoked credentials apart). */
  errorCode?: string | undefined;
  errorSource?: 'notion' | 'openai' | undefined;
  /** Thread runs run again: what of the last run's output was replaced, and what was kept. */
  replaced?: ReplacedNote | undefined;
  /** Database runs with a preview (asked, or more than 500 rows). */
  preview?: PreviewRecord | undefined;
  updatedAt: string;
}

/** A row whose write may have started: enough to check it, and to finish it without generating again. */
export interface RowMarker {
  readonly rowId: string;
  /** The generated text: the property's text or the page body's Markdown ('' for a typed row without `@body`). */
  readonly text: string;
  readonly since: string;
  /** Typed rows: every property value of the row, as written in one page update (absent in markers of text rows). */
  readonly properties?: PropertyWrites;
}

/** A previewed row's answer, kept so a confirmation after a restart still writes it without generating again. */
export interface HeldAnswer extends Omit<RowMarker, 'since'> {
  readonly title: string;
  readonly url: string;
}

interface UserIndex {
  runs: string[];
  logs: string[];
  /** Connections with a `thread-output:` record (absent in indexes saved before it existed). */
  threadOutputs?: string[];
  threadOrigins?: string[];
}

interface LogMeta {
  chunks: number;
}

type LogEntry = [rowId: string, runId: string];

export class RunStore {
  private readonly lock = new KeyedLock();

  constructor(private readonly store: LocalStore) {}

  async loadRun(runId: string): Promise<RunRecord | undefined> {
    const record = await this.store.get<RunRecord>(NAMESPACE, `run:${runId}`);
    if (record && (record as Partial<RunRecord>).tokens === undefined) record.tokens = tallyOfOldRecord(record.done);
    return record;
  }

  /** Saves a new run and adds it to the user's index and the pending list. */
  async createRun(record: RunRecord): Promise<void> {
    await this.saveRun(record);
    await this.updateUserIndex(record.user, (index) => {
      if (!index.runs.includes(record.runId)) index.runs.push(record.runId);
    });
    await this.updatePending((ids) => (ids.includes(record.runId) ? ids : [...ids, record.runId]));
  }

  saveRun(record: RunRecord): Promise<void> {
    return this.lock.run(`run:${record.runId}`, () => this.store.set(NAMESPACE, `run:${record.runId}`, { ...record, updatedAt: new Date().toISOString() }));
  }

  /** The run is over and its connection row says so: it leaves the pending list; old records are pruned. */
  async finishRun(record: RunRecord): Promise<void> {
    record.finalized = true;
    await this.saveRun(record);
    await this.updatePending((ids) => ids.filter((id) => id !== record.runId));
    const pending = new Set(await this.pendingRunIds());
    const pruned: string[] = [];
    await this.updateUserIndex(record.user, (index) => {
      const finished = index.runs.filter((id) => !pending.has(id));
      const excess = new Set(finished.slice(0, Math.max(0, finished.length - FINISHED_RUNS_KEPT)));
      pruned.push(...excess);
      index.runs = index.runs.filter((id) => !excess.has(id));
    });
    for (const runId of pruned) await this.store.delete(NAMESPACE, `run:${runId}`);
  }

  async pendingRunIds(): Promise<string[]> {
    return (await this.store.get<string[]>(NAMESPACE, 'pending')) ?? [];
  }

  async dropPending(runId: string): Promise<void> {
    await this.updatePending((ids) => ids.filter((id) => id !== runId));
  }

  setMarker(runId: string, marker: RowMarker): Promise<void> {
    return this.store.set(NAMESPACE, `inflight:${runId}:${marker.rowId}`, marker);
  }

  getMarker(runId: string, rowId: string): Promise<RowMarker | undefined> {
    return this.store.get<RowMarker>(NAMESPACE, `inflight:${runId}:${rowId}`);
  }

  async deleteMarker(runId: string, rowId: string): Promise<void> {
    await this.store.delete(NAMESPACE, `inflight:${runId}:${rowId}`);
  }

  setHeld(runId: string, held: HeldAnswer): Promise<void> {
    return this.store.set(NAMESPACE, `held:${runId}:${held.rowId}`, held);
  }

  getHeld(runId: string, rowId: string): Promise<HeldAnswer | undefined> {
    return this.store.get<HeldAnswer>(NAMESPACE, `held:${runId}:${rowId}`);
  }

  async deleteHeld(runId: string, rowId: string): Promise<void> {
    await this.store.delete(NAMESPACE, `held:${runId}:${rowId}`);
  }

  /** Rows this connection wrote into: row id -> the run that last wrote it. */
  async writtenRows(user: UserRef, connectionId: string): Promise<Map<string, string>> {
    const base = logKey(user, connectionId);
    const meta = await this.store.get<LogMeta>(NAMESPACE, base);
    const rows = new Map<string, string>();
    for (let n = 0; n < (meta?.chunks ?? 0); n++) {
      for (const [rowId, runId] of (await this.store.get<LogEntry[]>(NAMESPACE, `${base}:${n}`)) ?? []) rows.set(rowId, runId);
    }
    return rows;
  }

  /** Records that a run wrote into a row. Appends to the last chunk only. */
  async recordWritten(user: UserRef, connectionId: string, rowId: string, runId: string): Promise<void> {
    const base = logKey(user, connectionId);
    const isNew = await this.lock.run(base, async () => {
      const meta = (await this.store.get<LogMeta>(NAMESPACE, base)) ?? { chunks: 0 };
      const last = meta.chunks - 1;
      const chunk = last >= 0 ? ((await this.store.get<LogEntry[]>(NAMESPACE, `${base}:${last}`)) ?? []) : [];
      if (last >= 0 && chunk.length < LOG_CHUNK) {
        chunk.push([rowId, runId]);
        await this.store.set(NAMESPACE, `${base}:${last}`, chunk);
        return false;
      }
      await this.store.set(NAMESPACE, `${base}:${meta.chunks}`, [[rowId, runId]]);
      await this.store.set(NAMESPACE, base, { chunks: meta.chunks + 1 });
      return meta.chunks === 0;
    });
    if (isNew) {
      await this.updateUserIndex(user, (index) => {
        if (!index.logs.includes(connectionId)) index.logs.push(connectionId);
      });
    }
  }

  /** The blocks a thread connection wrote last time (see thread-replace.ts). */
  threadOutput(user: UserRef, connectionId: string): Promise<WrittenBlock[] | undefined> {
    return this.store.get<WrittenBlock[]>(NAMESPACE, threadOutputKey(user, connectionId));
  }

  async setThreadOutput(user: UserRef, connectionId: string, blocks: readonly WrittenBlock[]): Promise<void> {
    await this.store.set(NAMESPACE, threadOutputKey(user, connectionId), blocks);
    await this.updateUserIndex(user, (index) => {
      index.threadOutputs ??= [];
      if (!index.threadOutputs.includes(connectionId)) index.threadOutputs.push(connectionId);
    });
  }

  threadOrigin(user: UserRef, connectionId: string): Promise<ThreadOrigin | undefined> {
    return this.store.get<ThreadOrigin>(NAMESPACE, `thread-origin:${userKey(user)}:${connectionId}`);
  }

  async setThreadOrigin(user: UserRef, connectionId: string, origin: ThreadOrigin): Promise<void> {
    await this.store.set(NAMESPACE, `thread-origin:${userKey(user)}:${connectionId}`, origin);
    await this.updateUserIndex(user, (index) => {
      index.threadOrigins = [...new Set([...(index.threadOrigins ?? []), connectionId])];
    });
  }

  /** Deletes every local record of this user, key by exact key. */
  async forgetUser(user: UserRef): Promise<void> {
    const key = `user:${userKey(user)}`;
    const index = await this.store.get<UserIndex>(NAMESPACE, key);
    if (!index) return;
    for (const runId of index.runs) {
      const record = await this.loadRun(runId);
      for (const rowId of record?.inFlight ?? []) await this.deleteMarker(runId, rowId);
      for (const rowId of record?.preview?.heldRowIds ?? []) await this.deleteHeld(runId, rowId);
      await this.store.delete(NAMESPACE, `run:${runId}`);
    }
    await this.updatePending((ids) => ids.filter((id) => !index.runs.includes(id)));
    for (const connectionId of index.logs) {
      const base = logKey(user, connectionId);
      await this.lock.run(base, async () => {
        const meta = await this.store.get<LogMeta>(NAMESPACE, base);
        for (let n = 0; n < (meta?.chunks ?? 0); n++) await this.store.delete(NAMESPACE, `${base}:${n}`);
        await this.store.delete(NAMESPACE, base);
      });
    }
    for (const connectionId of index.threadOutputs ?? []) await this.store.delete(NAMESPACE, threadOutputKey(user, connectionId));
    for (const connectionId of index.threadOrigins ?? []) await this.store.delete(NAMESPACE, `thread-origin:${userKey(user)}:${connectionId}`);
    await this.lock.run(key, () => this.store.delete(NAMESPACE, key));
  }

  private updateUserIndex(user: UserRef, change: (index: UserIndex) => void): Promise<void> {
    const key = `user:${userKey(user)}`;
    return this.lock.run(key, async () => {
      const index = (await this.store.get<UserIndex>(NAMESPACE, key)) ?? { runs: [], logs: [] };
      change(index);
      await this.store.set(NAMESPACE, key, index);
    });
  }

  private updatePending(change: (ids: string[]) => string[]): Promise<void> {
    return this.lock.run('pending', async () => {
      const ids = (await this.store.get<string[]>(NAMESPACE, 'pending')) ?? [];
      await this.store.set(NAMESPACE, 'pending', change(ids));
    });
  }
}

function logKey(user: UserRef, connectionId: string): string {
  return `written:${userKey(user)}:${connectionId}`;
}

function threadOutputKey(user: UserRef, connectionId: string): string {
  return `thread-output:${userKey(user)}:${connectionId}`;
}
