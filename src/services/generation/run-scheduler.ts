/**
 * Where a started run goes to be worked on: the port both modes share, above which starting a run is one code path.
 * One process: the run is launched here at once, its progress going to the listener of whoever started it. Team
 * mode: the run is a job on the team's queue (src/adapters/team/run-queue.ts) that any worker takes, and the
 * connection is held in Redis so that no two workers run it at once.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DataSourceSchema } from '../../adapters/notion/index.js';
import type { RunJobHandlers } from '../../adapters/team/run-queue.js';
import { describeForLog, UserInputError, VisenError } from '../../errors.js';
import type { UserSettings } from '../settings/types.js';
import { progressOf } from './active-run.js';
import type { RunLauncher } from './run-launcher.js';
import { hasEnded } from './run-record.js';
import { ConnectionBusyError, connectionKeyOf, type RunRegistry } from './run-registry.js';
import type { RunRecord } from './run-store.js';
import type { ProgressListener, StartedRun } from './types.js';

/** A run recorded and ready to go, with what only the process that started it has. */
export interface SubmittedRun {
  readonly record: RunRecord;
  readonly settings: UserSettings;
  readonly listener: ProgressListener;
  readonly startSchema?: DataSourceSchema | undefined;
  /** Team mode: its starter follows it through `listener`, so it runs here, not through the queue. */
  readonly followHere?: boolean;
}

export interface RunScheduler {
  /**
   * Holds the connection for `runId` (one run of a connection at a time); throws the "already running" message.
   * A manual start (`automatic` false) first waits for an automatic run holding it to end, wherever that runs.
   */
  reserve(key: string, runId: string, automatic: boolean): Promise<void>;
  /** A start that failed before its run went lets go of the connection. */
  unreserve(key: string, runId: string): Promise<void>;
  /** Hands a recorded run to a worker. Throws (StoreError) when it could not; the caller then ends the run. */
  submit(run: SubmittedRun): Promise<StartedRun>;
}

/** Team mode's queue, as the services see it (implemented by src/adapters/team/run-queue.ts). */
export interface RunQueue {
  /** Adds the run for any worker; a run already queued or running is left as it is. */
  submit(runId: string): Promise<void>;
  /** From now on this worker takes runs, as many at once as it is configured for. */
  serve(handlers: RunJobHandlers): void;
  /** Takes no more runs; resolves once the runs in flight ended or were handed back. */
  stopServing(): Promise<void>;
  /** Closes the connection runs are submitted on (after stopServing). */
  close(): Promise<void>;
}

/** Team mode: which run holds a connection, across workers (implemented by src/adapters/team/connection-holds.ts). */
export interface ConnectionHolds {
  /**
   * True when `runId` holds the connection now (taken, or taken over with its run: `resuming`); false when another run
   * does, or, for a new automatic run, while a manual start waits for the connection (manual first).
   */
  hold(key: string, runId: string, automatic?: boolean, resuming?: boolean): Promise<boolean>;
  /** True while the run holding it is automatic, on any worker. */
  heldByAutomaticRun(key: string): Promise<boolean>;
  /** Lets go of it, if `runId` still holds it. */
  release(key: string, runId: string): Promise<void>;
  /** True while `runId` holds it: its run is going on some worker (or queued). */
  isHeldBy(key: string, runId: string): Promise<boolean>;
  close(): void;
}

/** What team mode needs from Redis, handed in by visen.ts (which loads it only then). */
export interface TeamRuns {
  readonly queue: RunQueue;
  readonly holds: ConnectionHolds;
}

/** How long a manual start waits for an automatic run of its connection on another worker, and how often it looks. */
export interface ManualWait {
  readonly maxMs: number;
  readonly firstPollMs: number;
  readonly maxPollMs: number;
}

/** Long enough for an automatic run of a few hundred rows; a Slack response_url stays usable for 30 minutes. */
export const MANUAL_WAIT: ManualWait = { maxMs: 20 * 60_000, firstPollMs: 100, maxPollMs: 2_000 };

/** Tries `attempt` with a growing pause until it is true; past `maxMs`, or when Visen stops, the start is refused. */
async function waitForAutomaticRun(wait: ManualWait, registry: RunRegistry, attempt: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + wait.maxMs;
  for (let pauseMs = wait.firstPollMs; ; pauseMs = Math.min(pauseMs * 2, wait.maxPollMs)) {
    if (registry.closing) throw new VisenError('shutting_down', 'Visen is restarting right now, so it did not start this. Try again in a minute.');
    if (Date.now() >= deadline) throw automaticRunTooLongError(wait.maxMs);
    await delay(Math.min(pauseMs, Math.max(0, deadline - Date.now())));
    if (await attempt()) return;
  }
}

function automaticRunTooLongError(waitedMs: number): UserInputError {
  const minutes = Math.max(1, Math.round(waitedMs / 60_000));
  return new UserInputError(
    `An automatic run of this connection is still going after ${minutes} minute${minutes === 1 ? '' : 's'} of waiting, so Visen did not start yours. Start it again once that run has ended (the connection's Status says when), or pause the automation first.`,
    'target',
  );
}

/** One process: the run is launched here and now. */
export function inProcessScheduler(registry: RunRegistry, launcher: RunLauncher): RunScheduler {
  return {
    reserve: async (key, runId) => registry.reserve(key, runId),
    unreserve: async (key, runId) => registry.unreserve(key, runId),
    async submit({ record, settings, listener, startSchema }) {
      const run = launcher.launch(record, settings, listener, startSchema);
      return { runId: record.runId, progress: progressOf(run.record) };
    },
  };
}

/**
 * Team mode. A run whose progress is a Slack message (its notifyState says where) becomes a job: whichever worker
 * takes it shows the progress from the notifyState. A run followed by its starter in this process (an automation's,
 * a thread kept current: their listeners cannot travel) is launched here, still holding its connection across
 * workers; interrupted by a shutdown, it is queued so that another worker goes on with it.
 */
export function queuedScheduler(
  registry: RunRegistry,
  launcher: RunLauncher,
  team: TeamRuns,
  logger: Logger,
  manualWait: ManualWait = MANUAL_WAIT,
): RunScheduler {
  const tryHold = async (key: string, runId: string, automatic: boolean): Promise<boolean> => {
    registry.reserve(key, runId);
    const held = await team.holds.hold(key, runId, automatic).catch((err: unknown) => {
      registry.unreserve(key, runId);
      throw err;
    });
    if (!held) registry.unreserve(key, runId);
    return held;
  };
  return {
    async reserve(key, runId, automatic) {
      if (await tryHold(key, runId, automatic)) return;
      if (automatic || !(await team.holds.heldByAutomaticRun(key))) throw new ConnectionBusyError();
      // Manual first, as in one process: wait for the automatic run (on whichever worker) to end, then take it.
      await waitForAutomaticRun(manualWait, registry, async () => {
        await registry.automaticRunEnded(key);
        if (await tryHold(key, runId, false)) return true;
        if (await team.holds.heldByAutomaticRun(key)) return false;
        throw new ConnectionBusyError();
      });
    },
    async unreserve(key, runId) {
      registry.unreserve(key, runId);
      await team.holds.release(key, runId).catch((err: unknown) => logger.debug({ err: describeForLog(err), runId }, 'could not release a connection hold'));
    },
    async submit(submitted) {
      const { record } = submitted;
      if (submitted.followHere || followedInProcess(record)) return launchHere(launcher, team, submitted, logger);
      await team.queue.submit(record.runId);
      return { runId: record.runId, progress: progressOf(record), queued: true };
    },
  };
}

/** Automations and thread refreshes start runs with a listener of their own and no Slack message to update. */
export function followedInProcess(record: RunRecord): boolean {
  return record.request.automatic === true || record.notifyState === null || record.notifyState === undefined;
}

function launchHere(launcher: RunLauncher, team: TeamRuns, { record, settings, listener, startSchema }: SubmittedRun, logger: Logger): StartedRun {
  const run = launcher.launch(record, settings, listener, startSchema);
  const key = connectionKeyOf(record);
  run.finished = run.finished.then(async () => {
    try {
      if (hasEnded(run.record)) await team.holds.release(key, record.runId);
      else await team.queue.submit(record.runId);
    } catch (err) {
      logger.warn({ err: describeForLog(err), runId: record.runId }, 'could not hand over the end of a run (its record stays pending)');
    }
  });
  return { runId: record.runId, progress: progressOf(run.record) };
}
