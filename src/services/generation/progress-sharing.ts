import type { Logger } from 'pino';
import type { RunControl } from '../../adapters/run-control.js';
import { describeForLog } from '../../errors.js';
import { progressOf } from './active-run.js';
import type { RunRegistry } from './run-registry.js';
import type { RunStore } from './run-store.js';
import type { ProgressListener } from './types.js';

/**
 * Team mode: a Home tab shows the user's runs of every worker live. This worker announces each of its runs'
 * progress (at the emitter's pace, so at most about once a second a run), and hands the runs other workers announce,
 * as last saved, to its own subscribers (the Home publisher); never back to the announcer, so nothing echoes.
 * Returns the function that stops both.
 */
export function shareProgressAcrossWorkers(registry: RunRegistry, runStore: RunStore, control: RunControl, logger: Logger): () => void {
  if (!control.acrossWorkers) return () => undefined;
  const announce: ProgressListener = (progress) => control.announceProgress(progress.runId);
  const stopAnnouncing = registry.subscribe(announce);
  const stopHearing = control.onProgress((runId) => {
    if (registry.has(runId)) return;
    runStore
      .loadRun(runId)
      .then((record) => {
        if (!record) return;
        const progress = progressOf(record);
        for (const listener of registry.subscribers()) if (listener !== announce) listener(progress);
      })
      .catch((err: unknown) => logger.debug({ err: describeForLog(err), runId }, 'could not read a run another worker announced'));
  });
  return () => {
    stopAnnouncing();
    stopHearing();
  };
}
