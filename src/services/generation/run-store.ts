import { KeyQueue } from '../../adapters/key-queue.js';
import type { LocalStore } from '../../adapters/store.js';
import { StoreError } from '../../errors.js';
import { withRetries } from '../../retry.js';
import { type UserRef, userKey } from '../../users.js';
import { KeyedLock } from '../keyed-lock.js';
import type { ThreadOrigin } from '../threads/types.js';
import type { HeldAnswer, RowMarker, RunRecord } from './run-records.js';
import type { WrittenBlock } from './thread-output.js';
import { tallyOfOldRecord } from './tokens.js';

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
export type { ConnectionRef, HeldAnswer, PageWriteState, PreviewRecord, RowMarker, RunRecord, RunRequest, TargetRef } from './run-records.js';

export const NAMESPACE = 'generation';

/** Finished runs kept per user (older records are pruned; the written-rows logs stay). */
const FINISHED_RUNS_KEPT = 20;
/** Entries per chunk of a written-rows log: appends rewrite one small chunk, not the whole log. */
const LOG_CHUNK = 500;

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

/**
 * How long a running run waits for a store that cannot be reached (Redis restarting or failing over, in team mode)
 * before the failure counts: attempts 1 s apart. Only Redis reports `unavailable`; one process's SQLite never does.
 */
const STORE_WAIT_ATTEMPTS = 30;
const STORE_WAIT_STEP_MS = 1_000;

export class RunStore {
  private readonly lock: KeyedLock;

  constructor(
    private readonly store: LocalStore,
    /** A run's record is written by the one worker running it, whole: its saves need order here, not a shared lock. */
    private readonly saves = new KeyQueue(),
  ) {
    this.lock = new KeyedLock(store, NAMESPACE);
  }

  /**
   * The same records, for runs at work: a store call that finds the store unreachable is tried again for about 30 s,
   * so a short outage pauses a run instead of failing its rows. Starts and reads for a person fail fast instead.
   * Both views keep one order of a run's saves; read-modify-writes are exclusive in the store itself.
   */
  patient(): RunStore {
    return new RunStore(patientStore(this.store), this.saves);
  }

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
    return this.saves.run(`run:${record.runId}`, () => this.store.set(NAMESPACE, `run:${record.runId}`, { ...record, updatedAt: new Date().toISOString() }));
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

  /** The user's run ids: those not ended, and the last FINISHED_RUNS_KEPT that did. */
  async userRunIds(user: UserRef): Promise<string[]> {
    return (await this.store.get<UserIndex>(NAMESPACE, `user:${userKey(user)}`))?.runs ?? [];
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

function patientStore(store: LocalStore): LocalStore {
  const policy = {
    attempts: STORE_WAIT_ATTEMPTS,
    canRetry: (err: unknown) => err instanceof StoreError && err.code === 'unavailable',
    delayMs: () => STORE_WAIT_STEP_MS,
  };
  return {
    get: (namespace, key) => withRetries(() => store.get(namespace, key), policy),
    set: (namespace, key, value, ttlMs) => withRetries(() => store.set(namespace, key, value, ttlMs), policy),
    delete: (namespace, key) => withRetries(() => store.delete(namespace, key), policy),
    // A lock that could not be had is asked for again; `fn` reads what it changes afresh each time.
    exclusive: (namespace, key, fn) => withRetries(() => store.exclusive(namespace, key, fn), policy),
    close: () => store.close(),
  };
}

function logKey(user: UserRef, connectionId: string): string {
  return `written:${userKey(user)}:${connectionId}`;
}

function threadOutputKey(user: UserRef, connectionId: string): string {
  return `thread-output:${userKey(user)}:${connectionId}`;
}
