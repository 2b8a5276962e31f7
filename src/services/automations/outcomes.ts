import type { Logger } from 'pino';
import { describeForLog, userMessageFor } from '../../errors.js';
import type { UserRef } from '../../users.js';
import type { ConnectionsService } from '../connections/types.js';
import { ConnectionBusyError } from '../generation/run-registry.js';
import type { SettingsService } from '../settings/types.js';
import { type AutomaticRunEnd, failedOnCredentials, reportOf, runFailed } from './run.js';
import type { AutomationRecord, PausedBy } from './store.js';
import type { AutomationNotice, AutomationSummary } from './types.js';

/** What the outcome of a run needs of the host. */
export interface OutcomeHost {
  readonly deps: {
    readonly settings: Pick<SettingsService, 'load'>;
    readonly connections: ConnectionsService;
    readonly logger: Logger;
    readonly clock: { now(): number };
    readonly options: { readonly maxFailures: number };
  };
  save(record: AutomationRecord): Promise<void>;
  notify(notice: AutomationNotice): Promise<void>;
  summary(record: AutomationRecord): AutomationSummary;
  recordsOf(owner: UserRef): AutomationRecord[];
  /** Reads the owner's records again where another worker may have changed them (team mode). */
  refresh(owner: UserRef): Promise<void>;
}

/** What happens after an automatic run: failures counted, the owner told, pauses when runs keep failing or credentials stop working. */

/** Counts failures, pauses after too many or on revoked credentials, and tells the owner what the run did. */
export async function afterRun(
  host: OutcomeHost,
  record: AutomationRecord,
  end: AutomaticRunEnd,
  at: { startedAt: string; lateFor?: string | undefined },
): Promise<void> {
  if (!end.started && end.error instanceof ConnectionBusyError) {
    // Another run of the connection holds it (a person's, or in team mode one on another worker): that run comes first.
    // Not a failure: a watch finds its rows again at the next poll; a schedule's slot is left to that run.
    host.deps.logger.info({ automation: record.id }, 'the connection was already running: this automatic run was skipped');
    return;
  }
  const finishedAt = new Date(host.deps.clock.now()).toISOString();
  const report = reportOf(record, end, { ...at, finishedAt });
  record.lastRun = {
    at: finishedAt,
    written: report?.written ?? 0,
    failed: report?.failed ?? 0,
    ...(report?.failures[0] ? { error: report.failures[0].reason } : {}),
  };
  const failed = runFailed(end);
  record.failures = failed ? record.failures + 1 : 0;
  await host.save(record);
  if (report) await host.notify({ kind: 'run', report: { ...report, owner: record.owner, automation: host.summary(record) } });
  if (failedOnCredentials(end)) await pauseForCredentials(host, record.owner, end.started ? undefined : end.error, report?.failures[0]?.reason);
  else if (record.failures >= host.deps.options.maxFailures) await pauseForFailures(host, record, report?.failures[0]?.reason);
}

async function pauseForFailures(host: OutcomeHost, record: AutomationRecord, lastReason: string | undefined): Promise<void> {
  const reason = `Paused after ${record.failures} automatic runs failed in a row. Last problem: ${lastReason ?? 'unknown'}`;
  await pause(host, record, 'failures', reason);
  await host.notify({ kind: 'paused', owner: record.owner, automations: [host.summary(record)], cause: 'failures', reason });
}

/** A revoked Notion secret or model key: every automation of the owner pauses, with one notice. */
export async function pauseForCredentials(host: OutcomeHost, owner: UserRef, err: unknown, message?: string): Promise<void> {
  await host.refresh(owner);
  const running = host.recordsOf(owner).filter((record) => !record.paused);
  if (running.length === 0) return;
  const reason = `Paused: ${message ?? userMessageFor(err)} Fix it in \`/visen settings\`, then resume the automations.`;
  for (const record of running) await pause(host, record, 'credentials', reason);
  await host.notify({ kind: 'paused', owner, automations: running.map((record) => host.summary(record)), cause: 'credentials', reason });
}

/** Pauses one automation; its row's `Trigger` becomes Manual (and `Status` Failed when Visen paused it) where Notion can be reached. */
export async function pause(host: OutcomeHost, record: AutomationRecord, by: PausedBy, reason?: string): Promise<void> {
  record.paused = true;
  record.control = (record.control ?? 0) + 1;
  record.pausedBy = by;
  record.pausedReason = reason;
  const settings = await host.deps.settings.load(record.owner);
  if (settings) {
    try {
      await host.deps.connections.setAutomation(record.owner, settings, record.id, {
        trigger: 'Manual',
        ...(by !== 'user' && reason ? { failure: reason } : {}),
      });
      record.rowTrigger = 'manual';
    } catch (err) {
      host.deps.logger.warn({ err: describeForLog(err), automation: record.id }, 'could not set Trigger to Manual on a paused automation');
    }
  }
  await host.save(record);
}
