import { userMessageFor } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { RunOutcome } from '../connections/types.js';
import type { ConnectionRef, RunRecord, RunRequest, TargetRef } from './run-store.js';
import { emptyTally, reportedTotal } from './tokens.js';

/** How a page or database run's work stopped, short of failing: `interrupted` means for a restart, to be resumed. */
export type WorkEnd = 'complete' | 'cancelled' | 'interrupted';
/** How a run's work ended, before it is recorded. */
export type RunEnd = WorkEnd | 'failed';

/** A new run, as it is stored before its work starts. */
export function newRunRecord(o: {
  runId: string;
  user: UserRef;
  request: RunRequest;
  target: TargetRef;
  model: string;
  connection: ConnectionRef;
  notifyState: unknown;
}): RunRecord {
  const now = new Date().toISOString();
  return {
    version: 1,
    runId: o.runId,
    user: { teamId: o.user.teamId, userId: o.user.userId },
    request: o.request,
    target: o.target,
    model: o.model,
    connection: o.connection,
    notifyState: o.notifyState ?? null,
    startedAt: now,
    state: 'starting',
    finalized: false,
    resumed: false,
    total: o.target.kind === 'Page' || o.request.output.kind === 'new-row' ? 1 : undefined,
    done: 0,
    skipped: 0,
    failed: 0,
    failedRowIds: [],
    inFlight: [],
    written: [],
    error: undefined,
    page: undefined,
    tokens: emptyTally(),
    updatedAt: now,
  };
}

/** Sets the final state of a run that ended (not interrupted), and the message its user sees. */
export function applyEnd(record: RunRecord, end: Exclude<RunEnd, 'interrupted'>, fatal: unknown): void {
  record.state = end === 'complete' ? (record.failed > 0 ? 'failed' : 'succeeded') : end === 'cancelled' ? 'cancelled' : 'failed';
  if (end === 'failed') record.error = joinErrors(userMessageFor(fatal), record.error, record);
  else if (end === 'complete' && record.failed > 0)
    record.error = `${record.failed} of ${record.done + record.failed} rows failed. Last problem: ${record.error ?? 'unknown'} Run it again to retry them.`;
}

/** What the connection row says about a run that ended. */
export function outcomeOf(record: RunRecord): RunOutcome {
  const status = record.state === 'succeeded' ? 'Succeeded' : record.state === 'cancelled' ? 'Cancelled' : 'Failed';
  return {
    status,
    finishedAt: new Date().toISOString(),
    runs: record.connection.runsBefore + 1,
    items: record.done,
    tokens: reportedTotal(record.tokens),
    error: status === 'Failed' ? (record.error ?? 'The run failed.') : undefined,
  };
}

/** True when the run is over and only its record on the connection row may be missing. */
export function hasEnded(record: RunRecord): boolean {
  return record.state === 'succeeded' || record.state === 'failed' || record.state === 'cancelled';
}

function joinErrors(fatal: string, rowError: string | undefined, record: RunRecord): string {
  if (record.target.kind === 'Page' || !rowError || record.failed === 0) return fatal;
  return `${fatal} (${record.failed} row${record.failed === 1 ? '' : 's'} failed before that.)`;
}
