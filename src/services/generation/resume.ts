import type { Logger } from 'pino';
import { describeForLog, StoreError } from '../../errors.js';
import { userKey } from '../../users.js';
import type { SettingsService, UserSettings } from '../settings/types.js';
import { type ActiveRun, progressOf } from './active-run.js';
import { rollbackPage } from './page-run.js';
import type { RunLauncher } from './run-launcher.js';
import { hasEnded } from './run-record.js';
import type { RunRegistry } from './run-registry.js';
import type { RunRecord, RunStore } from './run-store.js';
import type { ProgressListener, RunProgress } from './types.js';

const INTERRUPTED_MESSAGE = 'Visen was restarted while writing this page, so the run was interrupted; what it had written was taken out again. Run it again.';

export interface ResumeDeps {
  readonly settings: Pick<SettingsService, 'load'>;
  readonly runStore: RunStore;
  readonly registry: RunRegistry;
  readonly launcher: RunLauncher;
  readonly logger: Logger;
}

export type ListenerFor = (notifyState: unknown, progress: RunProgress) => ProgressListener;

/**
 * After a restart, every run whose connection row is not final: database runs go on where they stopped, page runs
 * are taken out and marked Failed ("interrupted"), runs that had ended get their end recorded. A run that cannot be
 * resumed now stays pending for the next start.
 */
export async function resumeInterrupted(deps: ResumeDeps, listenerFor: ListenerFor): Promise<RunProgress[]> {
  const results: RunProgress[] = [];
  for (const runId of await deps.runStore.pendingRunIds()) {
    try {
      const progress = await resumeOne(deps, runId, listenerFor);
      if (progress) results.push(progress);
    } catch (err) {
      const level = err instanceof StoreError ? 'warn' : 'error';
      deps.logger[level]({ err: describeForLog(err), runId }, 'could not resume an interrupted run; it stays pending for the next start');
    }
  }
  return results;
}

async function resumeOne(deps: ResumeDeps, runId: string, listenerFor: ListenerFor): Promise<RunProgress | undefined> {
  if (deps.registry.has(runId)) return undefined;
  const pending = await loadPending(deps, runId);
  if (!pending) return undefined;
  const { record, settings } = pending;
  const listener = listenerFor(record.notifyState, progressOf(record));
  if (hasEnded(record)) {
    // Finished, but its connection row was not updated before the restart.
    return endNow(deps.launcher.open(record, listener), (run) => deps.launcher.finalize(run, settings));
  }
  // A page run, or a thread's new row (one answer): undone and marked interrupted, not resumed.
  if (record.target.kind === 'Page' || record.request.output.kind === 'new-row')
    return endNow(deps.launcher.open(record, listener), (run) => endInterruptedPageRun(deps, run, settings));
  record.resumed = true;
  record.state = 'running';
  await deps.runStore.saveRun(record);
  const run = deps.launcher.launch(record, settings, listener);
  deps.logger.info({ runId, user: userKey(record.user), done: record.done }, 'resuming an interrupted database run');
  return progressOf(run.record);
}

/**
 * The pending run and its user's settings. A run gone or already recorded leaves the pending list, and so does one
 * whose user cleared their settings: nothing can be resumed or recorded without their secrets.
 */
export async function loadPending(deps: ResumeDeps, runId: string): Promise<{ record: RunRecord; settings: UserSettings } | undefined> {
  const record = await deps.runStore.loadRun(runId);
  const settings = record && !record.finalized ? await deps.settings.load(record.user) : undefined;
  if (!record || !settings) {
    await deps.runStore.dropPending(runId);
    return undefined;
  }
  return { record, settings };
}

export async function endNow(run: ActiveRun, end: (run: ActiveRun) => Promise<void>): Promise<RunProgress> {
  await end(run);
  run.sendFinalProgress();
  return progressOf(run.record);
}

/** Takes out what an interrupted page run wrote (unless it was complete), then records its end. */
export async function endInterruptedPageRun(deps: ResumeDeps, run: ActiveRun, settings: UserSettings): Promise<void> {
  const record = run.record;
  if (record.page?.complete) {
    record.state = 'succeeded';
  } else {
    await rollbackPage(deps.launcher.contextFor(run, settings));
    record.state = 'failed';
    record.error = record.error?.includes('could not remove') ? `${INTERRUPTED_MESSAGE} ${record.error}` : INTERRUPTED_MESSAGE;
  }
  record.resumed = true;
  await run.save();
  await deps.launcher.finalize(run, settings);
}
