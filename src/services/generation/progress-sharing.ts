import type { Logger } from 'pino';
import type { RunControl } from '../../adapters/run-control.js';
import { describeForLog } from '../../errors.js';
import { progressOf } from './active-run.js';
import type { RunRegistry } from './run-registry.js';
import type { RunStore } from './run-store.js';
import type { ProgressListener, RunProgress } from './types.js';

/**
 * Team mode: a Home tab shows the user's runs of every worker live. This worker announces each of its runs'
 * progress (at the emitter's pace, so at most about once a second a run), and hands the runs other workers announce,
 * as last saved, to its own subscribers (the Home publisher); never back to the announcer, so nothing echoes.
 * A record read again unchanged is not handed on twice: an announcement read late can find the record its next
 * one saved (its end, say), and the Home tab would redraw the same thing.
 * Returns the function that stops both.
 */
export function shareProgressAcrossWorkers(registry: RunRegistry, runStore: RunStore, control: RunControl, logger: Logger): () => void {
  if (!control.acrossWorkers) return () => undefined;
  // What this worker's subscribers last saw of each run, its own runs included (one may be announced late).
  const lastHanded = new Map<string, string>();
  const announce: ProgressListener = (progress) => {
    isNew(lastHanded, progress);
    control.announceProgress(progress.runId);
  };
  const stopAnnouncing = registry.subscribe(announce);
  const stopHearing = control.onProgress((runId) => {
    if (registry.has(runId)) return;
    runStore
      .loadRun(runId)
      .then((record) => {
        if (!record) return;
        const progress = progressOf(record);
        if (!isNew(lastHanded, progress)) return;
        for (const listener of registry.subscribers()) if (listener !== announce) listener(progress);
      })
      .catch((err: unknown) => logger.debug({ err: describeForLog(err), runId }, 'could not read a run another worker announced'));
  });
  return () => {
    stopAnnouncing();
    stopHearing();
  };
}

/** Runs remembered, newest last: more than one worker's Home tabs show at once. */
const RUNS_REMEMBERED = 1_000;

/** True (and remembered) when `progress` differs from the last one handed on for its run. */
function isNew(lastHanded: Map<string, string>, progress: RunProgress): boolean {
  const { updatedAt: _readAt, ...shownPart } = progress; // updatedAt is the time of reading, not of the run
  const shown = JSON.stringify(shownPart);
  if (lastHanded.get(progress.runId) === shown) return false;
  lastHanded.delete(progress.runId);
  lastHanded.set(progress.runId, shown);
  if (lastHanded.size > RUNS_REMEMBERED) lastHanded.delete(lastHanded.keys().next().value as string);
  return true;
}
