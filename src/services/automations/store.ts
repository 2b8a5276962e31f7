import type { LocalStore } from '../../adapters/store.js';
import { type UserRef, userKey } from '../../users.js';
import type { ConnectionType } from '../connections/types.js';
import type { GenerationRequest } from '../generation/types.js';
import { KeyedLock } from '../keyed-lock.js';
import type { AutomationRunResult } from './types.js';

export const NAMESPACE = 'automations';
/** Key of the list of every automation id (one process serves every user). */
const INDEX_KEY = 'index';

/** Who paused an automation: its owner (from Slack or by setting `Trigger` in Notion), or Visen itself. */
export type PausedBy = 'user' | 'failures' | 'credentials';

/** One automatic connection as the local store keeps it (survives restarts). */
export interface AutomationRecord {
  readonly version: 1;
  /** The connection row's Notion page id. */
  readonly id: string;
  readonly owner: UserRef;
  connectionName: string;
  readonly connectionUrl: string;
  readonly targetUrl: string;
  readonly targetKind: ConnectionType;
  /** Watches: the data source polled (known after the first poll). */
  dataSourceId?: string | undefined;
  readonly request: GenerationRequest;
  readonly trigger: 'Watch' | 'Schedule';
  readonly schedule?: string | undefined;
  readonly timeZone?: string | undefined;
  readonly createdAt: string;
  /** Watches: Notion's `last_edited_time` of the newest row handled (rows edited since are read again). */
  cursor?: string | undefined;
  /** Schedules: ISO time of the next slot. */
  nextRun?: string | undefined;
  paused: boolean;
  pausedBy?: PausedBy | undefined;
  pausedReason?: string | undefined;
  /**
   * What the connection row's `Trigger` said when last read or written: a change to Manual (or the trash) pauses
   * the automation, a change back resumes it. Absent: automatic.
   */
  rowTrigger?: 'automatic' | 'manual' | undefined;
  /** Automatic runs that failed one after another. */
  failures: number;
  /**
   * Team mode: counts pauses and resumes, so a worker that saves a copy it read before another worker paused or
   * resumed the automation keeps that newer choice (absent: 0).
   */
  control?: number | undefined;
  lastRun?: AutomationRunResult | undefined;
}

/**
 * A watched row's inputs when Visen last filled it or first saw it filled: a hash of its filled template. `adopt`:
 * the row's page body is both read (`{{@content}}`) and written, so the hash after Visen's own write is taken as the
 * row's new inputs the next time the row is seen.
 */
export interface RowFingerprint {
  readonly hash: string;
  readonly adopt?: boolean;
}

export type Fingerprints = Record<string, RowFingerprint>;

/** The automations' records, their watched rows' fingerprints and the index, in the local store. */
export class AutomationStore {
  readonly #lock: KeyedLock;

  constructor(private readonly store: LocalStore) {
    this.#lock = new KeyedLock(store, NAMESPACE);
  }

  async loadAll(): Promise<AutomationRecord[]> {
    const ids = (await this.store.get<string[]>(NAMESPACE, INDEX_KEY)) ?? [];
    const records = await Promise.all(ids.map((id) => this.store.get<AutomationRecord>(NAMESPACE, recordKey(id))));
    return records.filter((record): record is AutomationRecord => record !== undefined);
  }

  async load(id: string): Promise<AutomationRecord | undefined> {
    return this.store.get<AutomationRecord>(NAMESPACE, recordKey(id));
  }

  async save(record: AutomationRecord): Promise<void> {
    await this.#lock.run(recordKey(record.id), () => this.store.set(NAMESPACE, recordKey(record.id), record));
    await this.#updateIndex((ids) => (ids.includes(record.id) ? ids : [...ids, record.id]));
  }

  async remove(id: string): Promise<void> {
    await this.#updateIndex((ids) => ids.filter((known) => known !== id));
    await this.store.delete(NAMESPACE, recordKey(id));
    await this.store.delete(NAMESPACE, fingerprintsKey(id));
  }

  async fingerprints(id: string): Promise<Fingerprints> {
    return (await this.store.get<Fingerprints>(NAMESPACE, fingerprintsKey(id))) ?? {};
  }

  saveFingerprints(id: string, fingerprints: Fingerprints): Promise<void> {
    return this.#lock.run(fingerprintsKey(id), () => this.store.set(NAMESPACE, fingerprintsKey(id), fingerprints));
  }

  #updateIndex(change: (ids: string[]) => string[]): Promise<void> {
    return this.#lock.run(INDEX_KEY, async () => {
      const ids = (await this.store.get<string[]>(NAMESPACE, INDEX_KEY)) ?? [];
      await this.store.set(NAMESPACE, INDEX_KEY, change(ids));
    });
  }
}

/** Records are keyed by the connection row's Notion page id; callers check the owner (isOwnedBy). */
function recordKey(id: string): string {
  return `automation:${id}`;
}

function fingerprintsKey(id: string): string {
  return `rows:${id}`;
}

export function isOwnedBy(record: AutomationRecord, user: UserRef): boolean {
  return userKey(record.owner) === userKey(user);
}
