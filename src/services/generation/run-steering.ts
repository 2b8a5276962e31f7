import type { RunControl, RunControlAction } from '../../adapters/run-control.js';
import { VisenError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { ActiveRun } from './active-run.js';
import { hasEnded } from './run-record.js';
import type { RunRegistry } from './run-registry.js';
import type { RunRecord, RunStore } from './run-store.js';
import type { PreviewAnswer } from './types.js';

/**
 * Cancel and a preview's buttons, wherever the run is. A run in this worker's registry is steered here, as in one
 * process; another (team mode) is checked against its shared record (the user's own, not ended) and the request goes
 * through RunControl to the worker that runs it, or waits for the worker that launches or resumes it next.
 */
export interface SteeringDeps {
  readonly registry: RunRegistry;
  readonly runStore: RunStore;
  readonly control: RunControl;
}

/** True when the run is stopping (or will stop as it starts); false when there is no such run going. */
export async function cancel(deps: SteeringDeps, user: UserRef, runId: string): Promise<boolean> {
  const run = deps.registry.find(user, runId);
  if (run) {
    if (run.record.state !== 'starting' && run.record.state !== 'running') return false;
    applyRequest(run, 'cancel');
    return true;
  }
  if (!deps.control.acrossWorkers || !(await liveRecordOf(deps.runStore, user, runId))) return false;
  await deps.control.request(runId, 'cancel');
  return true;
}

/** How long a clear waits for the user's runs on other workers to stop (a worker's own shutdown grace is 10 s). */
const REMOTE_STOP_WAIT_MS = 15_000;
const REMOTE_STOP_POLL_MS = 250;

/**
 * `/visen clear`: the user's runs stop here and, in team mode, wherever else they run (a queued one never starts:
 * the cancel is kept for the worker that would take it). Returns this worker's runs, for the caller to wait for.
 */
export async function cancelAllOf(deps: SteeringDeps, user: UserRef): Promise<ActiveRun[]> {
  const local = deps.registry.ofUser(user);
  for (const run of local) cancelRun(run);
  if (!deps.control.acrossWorkers) return local;
  const remote = new Set<string>();
  for (const record of await sharedRunsOf(deps.runStore, user)) {
    if (deps.registry.has(record.runId)) continue;
    await deps.control.request(record.runId, 'cancel');
    remote.add(record.runId);
  }
  // Their workers record the end on the row (Cancelled; the run then leaves the pending list) before the user's
  // records go; one that does not in time (a dead worker) is forgotten anyway, its kept cancel stopping it wherever
  // it is taken over.
  const deadline = Date.now() + REMOTE_STOP_WAIT_MS;
  while (remote.size > 0 && Date.now() < deadline && (await deps.runStore.pendingRunIds()).some((id) => remote.has(id))) {
    await new Promise((resolve) => setTimeout(resolve, REMOTE_STOP_POLL_MS));
  }
  return local;
}

/** Confirms or cancels a waiting preview; decided once, across workers too. */
export async function answerPreview(deps: SteeringDeps, user: UserRef, runId: string, action: 'confirm-preview' | 'cancel-preview'): Promise<PreviewAnswer> {
  const run = deps.registry.find(user, runId);
  if (run?.preview) {
    if (deps.control.acrossWorkers && run.record.preview?.phase === 'waiting' && !(await deps.control.decideOnce(runId))) return 'already-decided';
    return applyPreviewAnswer(run, action);
  }
  if (run || !deps.control.acrossWorkers) return 'not-waiting';
  const record = await liveRecordOf(deps.runStore, user, runId);
  const phase = record?.preview?.phase;
  if (phase === 'confirmed' || phase === 'cancelled') return 'already-decided';
  if (phase !== 'waiting') return 'not-waiting';
  if (!(await deps.control.decideOnce(runId))) return 'already-decided';
  await deps.control.request(runId, action);
  return action === 'confirm-preview' ? 'confirmed' : 'cancelled';
}

/**
 * A request on the worker that runs the run (it came through RunControl, or was kept for it). Before the run's
 * preview gate exists (the run is launching), a preview answer goes into the record, which the gate starts from.
 */
export function applyRequest(run: ActiveRun, action: RunControlAction): void {
  if (action !== 'cancel' && run.preview) {
    applyPreviewAnswer(run, action);
    return;
  }
  const preview = run.record.preview;
  if (action === 'confirm-preview') {
    if (preview?.phase === 'waiting') {
      preview.phase = 'confirmed';
      preview.rows = [];
    }
    return;
  }
  if (action === 'cancel-preview' && preview?.phase === 'waiting') preview.phase = 'cancelled';
  if (hasEnded(run.record)) return;
  cancelRun(run);
  run.emit();
}

function applyPreviewAnswer(run: ActiveRun, action: 'confirm-preview' | 'cancel-preview'): PreviewAnswer {
  const preview = run.preview!;
  if (action === 'confirm-preview') return preview.confirm();
  const answer = preview.cancel();
  if (answer === 'cancelled') {
    cancelRun(run);
    run.emit();
  }
  return answer;
}

/**
 * Stops every model stream of the run at once (the HTTP requests are aborted, so an endless answer stops
 * arriving). A page run then takes out what it wrote; a database run writes nothing of the rows whose
 * answers were still coming in (they stay to do) and takes no more. A row whose Notion write had already
 * started (its answer was complete) finishes it, so every row is whole or untouched.
 */
export function cancelRun(run: ActiveRun): void {
  run.cancelRequested = true;
  run.generation.abort(new VisenError('cancelled', 'Cancelled.'));
  run.preview?.wake();
}

/** The shared record of this user's run (exact ids) while it has not ended; undefined for any other. */
async function liveRecordOf(runStore: RunStore, user: UserRef, runId: string): Promise<RunRecord | undefined> {
  const record = await runStore.loadRun(runId);
  if (!record || record.user.teamId !== user.teamId || record.user.userId !== user.userId) return undefined;
  return record.finalized || hasEnded(record) ? undefined : record;
}

/** This user's runs that have not ended, from the shared records: those of every worker, as last saved. */
export async function sharedRunsOf(runStore: RunStore, user: UserRef): Promise<RunRecord[]> {
  const pending = new Set(await runStore.pendingRunIds());
  const records = await Promise.all((await runStore.userRunIds(user)).filter((id) => pending.has(id)).map((id) => runStore.loadRun(id)));
  return records.filter((r): r is RunRecord => r !== undefined && !r.finalized && !hasEnded(r));
}
