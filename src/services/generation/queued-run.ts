/**
 * Team mode: what a worker does with a run it takes off the queue. A run never started is started; one whose
 * worker died or stopped is taken over from its recorded state as after a restart (a database run goes on where it
 * stopped, with the check-before-repeat rule; a page run or a thread's new row is taken out and marked
 * interrupted); one that ended but was not recorded on its connection row gets that done.
 */
import type { RunJobHandlers, RunJobResult } from '../../adapters/team/run-queue.js';
import { describeForLog } from '../../errors.js';
import { userKey } from '../../users.js';
import type { UserSettings } from '../settings/types.js';
import { type ActiveRun, progressOf } from './active-run.js';
import { endInterruptedPageRun, endNow, loadPending, type ResumeDeps } from './resume.js';
import { hasEnded } from './run-record.js';
import { connectionKeyOf } from './run-registry.js';
import type { TeamRuns } from './run-scheduler.js';
import type { RunRecord } from './run-store.js';
import type { ProgressListener, RunProgress } from './types.js';

/** Where a queued run's progress goes; `fresh`: the run starts now (else it is taken over or ended). */
export type QueuedListenerFor = (notifyState: unknown, progress: RunProgress, fresh: boolean) => ProgressListener;

export interface QueuedRunDeps extends ResumeDeps {
  readonly team: TeamRuns;
}

/** How often a worker queues the pending runs no live worker holds (a run followed where it started has no job). */
const SWEEP_MS = 10_000;

/**
 * Enqueues the runs still pending in the store that no worker holds (jobId = runId: those queued stay as they are),
 * then serves, and sweeps again every SWEEP_MS. A held run is going somewhere: a run followed by the worker that
 * started it (an automation's, Keep it current's) has no job, and queueing it would have a second worker write its
 * rows again. Its worker dead, its hold lapses (30 s) and the next sweep, on any worker, queues it.
 */
export async function serveQueuedRuns(deps: QueuedRunDeps, listenerFor: QueuedListenerFor): Promise<void> {
  const queued = await queueUnheldRuns(deps, 'warn');
  if (queued > 0) deps.logger.info({ runs: queued }, 'pending runs are on the team queue');
  deps.team.queue.serve(queuedRunHandlers(deps, listenerFor));
  const sweep = setInterval(() => {
    if (deps.registry.closing) clearInterval(sweep);
    else void queueUnheldRuns(deps, 'debug');
  }, SWEEP_MS);
  sweep.unref();
}

/** Queues every pending run no worker holds; how many were submitted (a run already on the queue stays as it is). */
async function queueUnheldRuns(deps: QueuedRunDeps, failureLevel: 'warn' | 'debug'): Promise<number> {
  let queued = 0;
  try {
    for (const runId of await deps.runStore.pendingRunIds()) {
      const record = await deps.runStore.loadRun(runId);
      if (record && (await deps.team.holds.isHeldBy(connectionKeyOf(record), runId))) continue;
      await deps.team.queue.submit(runId);
      queued++;
    }
  } catch (err) {
    // A sweep fails every time while Redis is away: the store has logged the outage once already.
    deps.logger[failureLevel]({ err: describeForLog(err) }, 'could not queue the pending runs; the next sweep tries again');
  }
  return queued;
}

function queuedRunHandlers(deps: QueuedRunDeps, listenerFor: QueuedListenerFor): RunJobHandlers {
  return {
    work: async (runId) => {
      const run = await deps.registry.track(takeUp(deps, runId, listenerFor));
      if (!run) return deps.registry.closing ? 'interrupted' : 'ended';
      return settle(deps, run);
    },
    gaveUp: (runId, reason) => giveUp(deps, runId, reason, listenerFor),
  };
}

/** The run, going (or ended) in this worker; undefined when there is nothing to do, or this worker is stopping. */
async function takeUp(deps: QueuedRunDeps, runId: string, listenerFor: QueuedListenerFor): Promise<ActiveRun | undefined> {
  // Already going here: the queue handed it back to this very worker (its lock lapsed while Redis was away).
  const mine = deps.registry.byId(runId);
  if (mine || deps.registry.closing) return mine;
  const pending = await loadPending(deps, runId);
  if (!pending) return undefined;
  const { record, settings } = pending;
  const resuming = record.state !== 'starting';
  if (!(await deps.team.holds.hold(connectionKeyOf(record), runId, record.request.automatic === true, resuming))) {
    deps.logger.warn({ runId }, 'another run of this connection started while this one waited for a worker; both go on');
  }
  const fresh = record.state === 'starting';
  if (!fresh && !hasEnded(record)) record.resumed = true;
  const listener = listenerFor(record.notifyState, progressOf(record), fresh);
  if (hasEnded(record)) return ended(deps.launcher.open(record, listener), (run) => deps.launcher.finalize(run, settings));
  if (!fresh && (record.target.kind === 'Page' || record.request.output.kind === 'new-row')) {
    return ended(deps.launcher.open(record, listener), (run) => endInterruptedPageRun(deps, run, settings));
  }
  if (deps.registry.closing) return undefined;
  if (fresh) deps.logger.info({ runId, user: userKey(record.user) }, 'working on a run from the team queue');
  else await takeOver(deps, record);
  // Checked again after the last wait: a run launched once shutdown took its list of runs would not be stopped.
  if (deps.registry.closing) return undefined;
  return deps.launcher.launch(record, settings, listener);
}

async function takeOver(deps: QueuedRunDeps, record: RunRecord): Promise<void> {
  record.state = 'running';
  await deps.runStore.saveRun(record);
  deps.logger.info({ runId: record.runId, user: userKey(record.user), done: record.done }, 'taking over a run whose worker stopped');
}

async function ended(run: ActiveRun, end: (run: ActiveRun) => Promise<void>): Promise<ActiveRun> {
  await endNow(run, end);
  return run;
}

/** Waits for the run; it ended (its connection is let go) or was interrupted by this worker's shutdown. */
async function settle(deps: QueuedRunDeps, run: ActiveRun): Promise<RunJobResult> {
  await run.finished;
  if (!hasEnded(run.record)) return 'interrupted';
  await deps.team.holds
    .release(connectionKeyOf(run.record), run.record.runId)
    .catch((err: unknown) => deps.logger.debug({ err: describeForLog(err), runId: run.record.runId }, 'could not release a connection hold'));
  return 'ended';
}

/** The queue gave up on the run: a database run ends Failed with `reason`; a page run is taken out as interrupted. */
async function giveUp(deps: QueuedRunDeps, runId: string, reason: string, listenerFor: QueuedListenerFor): Promise<void> {
  if (deps.registry.has(runId)) return; // going here after all: it ends by itself
  const pending = await loadPending(deps, runId);
  if (!pending) return;
  const { record, settings } = pending;
  const run = deps.launcher.open(record, listenerFor(record.notifyState, progressOf(record), false));
  await endNow(run, (r) => endGivenUp(deps, r, settings, reason));
  deps.logger.warn({ runId, user: userKey(record.user) }, 'a run was given up by the team queue');
  await settle(deps, run);
}

async function endGivenUp(deps: QueuedRunDeps, run: ActiveRun, settings: UserSettings, reason: string): Promise<void> {
  const record = run.record;
  if (!hasEnded(record) && (record.target.kind === 'Page' || record.request.output.kind === 'new-row')) {
    await endInterruptedPageRun(deps, run, settings);
    return;
  }
  if (!hasEnded(record)) {
    record.state = 'failed';
    record.error = reason;
    await run.save();
  }
  await deps.launcher.finalize(run, settings);
}
