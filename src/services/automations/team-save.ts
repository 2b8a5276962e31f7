import type { EngineDeps } from './deps.js';
import type { AutomationRecord } from './store.js';
import { timingOf } from './triggers.js';

/** What a team-mode save needs of the engine. */
export interface TeamSaveHost {
  readonly deps: Pick<EngineDeps, 'store' | 'triggers' | 'options'>;
  forget(id: string): void;
}

/**
 * Team mode's save: a record another worker cleared is not written back; a pause or resume another worker made
 * since this copy was read is kept; the trigger follows the record (paused: it only re-reads the row).
 */
export async function saveInTeam(engine: TeamSaveHost, record: AutomationRecord, created: boolean): Promise<void> {
  const { store, triggers, options } = engine.deps;
  const stored = created ? undefined : await store.load(record.id);
  if (!created && !stored) {
    engine.forget(record.id);
    return;
  }
  if (stored && (stored.control ?? 0) > (record.control ?? 0)) keepNewerControl(record, stored);
  await store.save(record);
  // A new watch's trigger waits for its first fill to end (armWhenEnded in service.ts).
  if (created && record.trigger === 'Watch') return;
  await triggers?.upsert(record.id, timingOf(record, options.pollIntervalMs));
}

function keepNewerControl(record: AutomationRecord, stored: AutomationRecord): void {
  record.paused = stored.paused;
  record.pausedBy = stored.pausedBy;
  record.pausedReason = stored.pausedReason;
  record.rowTrigger = stored.rowTrigger;
  record.failures = stored.failures;
  record.nextRun = stored.nextRun;
  record.control = stored.control;
}
