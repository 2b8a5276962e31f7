/**
 * Team mode's queue of started runs, on BullMQ: a run is a job `{ runId }` (jobId = runId, so adding it twice is a
 * no-op) that any worker with capacity takes; a dead worker's jobs are taken over through BullMQ's stalled-job
 * recovery; a stopping worker hands its jobs back. Loaded only in team mode (a dynamic import from visen.ts).
 */
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { describeForLog, StoreError } from '../../errors.js';
import { STORE_UNREACHABLE_MESSAGE, withTimeout } from '../redis-store.js';
import { BULLMQ_PREFIX, RUN_QUEUE_NAME } from './bullmq-keys.js';
import { openTeamConnection, whenReady } from './redis-connection.js';

/**
 * Stalled-job recovery (https://docs.bullmq.io/guide/workers/stalled-jobs, https://docs.bullmq.io/guide/going-to-production):
 * a worker holds a lock on each job it processes for `lockDuration` and renews it every `lockRenewTime`; every
 * worker checks every `stalledInterval` for active jobs whose lock is gone and moves them back to wait.
 * - A SIGKILLed worker's lock lapses at most LOCK_DURATION_MS after the kill, and the next check (at most
 *   STALLED_INTERVAL_MS later) hands the job to another worker: taken over within 20 + 5 = 25 s, inside the 30 s
 *   the issue asks for.
 * - Renewing every 5 s leaves at least 15 s on the lock at any moment, so a Redis outage of up to 15 s (restart,
 *   failover) does not make a live worker's run look dead and run it twice.
 * - A job may stall (its worker die) MAX_STALLED_COUNT times and still be taken over; one more and BullMQ fails it
 *   ("job stalled more than allowable limit"), and its run is ended Failed with a message (see `gaveUp`).
 */
export const LOCK_DURATION_MS = 20_000;
export const LOCK_RENEW_MS = 5_000;
export const STALLED_INTERVAL_MS = 5_000;
export const MAX_STALLED_COUNT = 2;
/** A processor that throws (Redis away while it loads a run, say) is tried again: 2, 4, 8, 16 s, then given up. */
const JOB_ATTEMPTS = 5;
const JOB_BACKOFF_MS = 2_000;
/** Most time an add may take before the user is told the store cannot be reached. */
const SUBMIT_TIMEOUT_MS = 3_000;

export type RunJobResult = 'ended' | 'interrupted';

export interface RunJobHandlers {
  /** Works on a run until it ended, or until this worker stops ('interrupted': another worker goes on with it). */
  work(runId: string): Promise<RunJobResult>;
  /** The queue gave up on a run (its workers died too often, or it kept failing): end it Failed, saying `reason`. */
  gaveUp(runId: string, reason: string): Promise<void>;
}

export interface RunQueueOptions {
  readonly url: string;
  /** Runs one worker works on at once (VISEN_WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** This worker's name in BullMQ (shown on the jobs it processes). */
  readonly workerName: string;
}

export interface TeamRunQueue {
  submit(runId: string): Promise<void>;
  serve(handlers: RunJobHandlers): void;
  stopServing(): Promise<void>;
  close(): Promise<void>;
}

interface RunJobData {
  readonly runId: string;
}

export function openRunQueue(options: RunQueueOptions, logger: Logger): TeamRunQueue {
  const producer = openTeamConnection(options.url, 'command', logger);
  const queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection: producer, prefix: BULLMQ_PREFIX });
  queue.on('error', (err) => logger.debug({ message: err.message }, 'run queue: connection error'));
  let worker: Worker<RunJobData, RunJobResult> | undefined;
  let blocking: ReturnType<typeof openTeamConnection> | undefined;

  return {
    async submit(runId) {
      try {
        await whenReady(producer, SUBMIT_TIMEOUT_MS);
        await withTimeout(
          queue.add(
            'run',
            { runId },
            { jobId: runId, attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: JOB_BACKOFF_MS }, removeOnComplete: true, removeOnFail: 1_000 },
          ),
          SUBMIT_TIMEOUT_MS,
        );
      } catch (err) {
        logger.warn({ runId, message: (err as Error).message }, 'run queue: could not add a run');
        throw new StoreError('unavailable', STORE_UNREACHABLE_MESSAGE, { cause: err });
      }
    },
    serve(handlers) {
      if (worker) return;
      blocking = openTeamConnection(options.url, 'blocking', logger);
      worker = new Worker<RunJobData, RunJobResult>(RUN_QUEUE_NAME, (job, token) => processRunJob(job, token, handlers), {
        connection: blocking,
        prefix: BULLMQ_PREFIX,
        name: options.workerName,
        concurrency: options.concurrency,
        lockDuration: LOCK_DURATION_MS,
        lockRenewTime: LOCK_RENEW_MS,
        stalledInterval: STALLED_INTERVAL_MS,
        maxStalledCount: MAX_STALLED_COUNT,
      });
      watchWorker(worker, handlers, logger);
    },
    async stopServing() {
      // Waits for the jobs in flight: they end, or are handed back as their runs are interrupted by the shutdown.
      await worker?.close().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'run queue: closing the worker failed'));
      blocking?.disconnect();
    },
    async close() {
      await queue.close().catch((err: unknown) => logger.warn({ err: describeForLog(err) }, 'run queue: closing the queue failed'));
      producer.disconnect();
    },
  };
}

/**
 * One run. Interrupted by this worker's shutdown, it goes back to the queue at once for another worker, BullMQ's
 * documented way (https://docs.bullmq.io/patterns/process-step-jobs#delaying): moved to delayed with a delay of
 * zero, then DelayedError so the worker neither completes nor fails it. Closing the worker with the job still
 * active would instead leave it locked until the lock lapses and a stalled check (up to 25 s) finds it.
 */
async function processRunJob(job: Job<RunJobData, RunJobResult>, token: string | undefined, handlers: RunJobHandlers): Promise<RunJobResult> {
  const result = await handlers.work(job.data.runId);
  if (result === 'interrupted') {
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }
  return result;
}

function watchWorker(worker: Worker<RunJobData, RunJobResult>, handlers: RunJobHandlers, logger: Logger): void {
  worker.on('error', (err) => logger.debug({ message: err.message }, 'run queue: worker connection error'));
  worker.on('stalled', (runId) => logger.warn({ runId }, 'run queue: a run whose worker stopped answering goes to another worker'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    logger.warn({ runId: job.data.runId, attempt: job.attemptsMade, final, message: err.message }, 'run queue: a run failed in its worker');
    if (!final) return;
    handlers
      .gaveUp(job.data.runId, reasonFor(err))
      .catch((gaveUpErr: unknown) => logger.error({ err: describeForLog(gaveUpErr), runId: job.data.runId }, 'run queue: could not record a run given up'));
  });
}

/** What the connection row says when the queue gives up on a run. */
function reasonFor(err: Error): string {
  if (/stalled more than allowable limit/.test(err.message)) {
    return `The Visen workers running this run stopped ${MAX_STALLED_COUNT + 1} times while running it (crashed or were killed), so it was given up. What it wrote is kept; run it again to do the rest.`;
  }
  return 'Visen could not keep this run going (its workers kept failing to load or record it). What it wrote is kept; run it again to do the rest.';
}
