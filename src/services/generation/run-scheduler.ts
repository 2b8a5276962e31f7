/**
 * Where a started run goes to be worked on: the port both modes share, above which starting a run is one code path.
 * One process: the run is launched here at once, its progress going to the listener of whoever started it. Team
 * mode: the run is a job on the team's queue (src/adapters/team/run-queue.ts) that any worker takes, and the
 * connection is held in Redis so that no two workers run it at once.
 */

import type { Logger } from 'pino';
import type { DataSourceSchema } from '../../adapters/notion/index.js';
import type { RunJobHandlers } from '../../adapters/team/run-queue.js';
import { describeForLog } from '../../errors.js';
import type { UserSettings } from '../settings/types.js';
import { progressOf } from './active-run.js';
import type { RunLauncher } from './run-launcher.js';
import { hasEnded } from './run-record.js';
import { connectionBusyError, connectionKeyOf, type RunRegistry } from './run-registry.js';
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
  /** Holds the connection for `runId` (one run of a connection at a time); throws the "already running" message. */
  reserve(key: string, runId: string): Promise<void>;
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
  /** True when `runId` holds the connection now (taken, or taken over with its run); false when another run does. */
  hold(key: string, runId: string): Promise<boolean>;
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
export function queuedScheduler(registry: RunRegistry, launcher: RunLauncher, team: TeamRuns, logger: Logger): RunScheduler {
  return {
    async reserve(key, runId) {
      registry.reserve(key, runId);
      const held = await team.holds.hold(key, runId).catch((err: unknown) => {
        registry.unreserve(key, runId);
        throw err;
      });
      if (!held) {
        registry.unreserve(key, runId);
        throw connectionBusyError();
      }
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
