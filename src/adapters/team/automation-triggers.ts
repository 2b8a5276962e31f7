/**
 * Team mode's automation triggers on BullMQ job schedulers (https://docs.bullmq.io/guide/job-schedulers): each
 * automation is one scheduler whose jobs any worker may take, and a job is taken by exactly one worker. Loaded only
 * in team mode (a dynamic import from visen.ts).
 */
import { type Job, Queue, type RepeatStrategy, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { describeForLog } from '../../errors.js';
import { AUTOMATIONS_QUEUE_NAME, BULLMQ_PREFIX } from './bullmq-keys.js';
import { openTeamConnection } from './redis-connection.js';

/** A scheduler's timing: an interval with its offset within it, or a cron pattern in an IANA time zone. */
export type SchedulerTiming = { readonly everyMs: number; readonly offsetMs: number } | { readonly pattern: string; readonly timeZone: string };

export interface AutomationSchedulersOptions {
  readonly url: string;
  /**
   * The next slot of a cron pattern after `afterMs` (undefined: none). BullMQ's own cron-parser disagrees with the
   * schedules users were promised (a slot in a spring-forward gap, time zones with half-hour daylight saving), so
   * the slots come from the same code the single process uses.
   */
  readonly nextCronSlot: (pattern: string, timeZone: string, afterMs: number) => number | undefined;
  /** Firings one worker handles side by side (each may wait for a whole run). */
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 10;

export interface AutomationSchedulers {
  upsert(id: string, timing: SchedulerTiming): Promise<void>;
  remove(id: string): Promise<void>;
  start(fire: (id: string, slotMs: number) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export function openAutomationSchedulers(options: AutomationSchedulersOptions, logger: Logger): AutomationSchedulers {
  const log = logger.child({ component: 'automation-triggers' });
  const repeatStrategy: RepeatStrategy = (millis, repeat) => (repeat.pattern ? options.nextCronSlot(repeat.pattern, repeat.tz ?? 'UTC', millis) : undefined);
  const connections: Redis[] = [openTeamConnection(options.url, 'command', log)];
  const queue = new Queue(AUTOMATIONS_QUEUE_NAME, { connection: connections[0]!, prefix: BULLMQ_PREFIX, settings: { repeatStrategy } });
  queue.on('error', (err) => log.warn({ err: describeForLog(err) }, 'automation queue error'));
  let worker: Worker | undefined;

  return {
    async upsert(id, timing) {
      if (sameTiming(await queue.getJobScheduler(id), timing)) return;
      const repeat = 'pattern' in timing ? { pattern: timing.pattern, tz: timing.timeZone } : { every: timing.everyMs, offset: timing.offsetMs };
      // One attempt: a firing that fails is not retried, the next slot is (as the single process does).
      await queue.upsertJobScheduler(id, repeat, { name: 'fire', data: { id }, opts: { attempts: 1, removeOnComplete: true, removeOnFail: true } });
    },
    async remove(id) {
      await queue.removeJobScheduler(id);
    },
    async start(fire) {
      const blocking = openTeamConnection(options.url, 'blocking', log);
      connections.push(blocking);
      worker = new Worker(AUTOMATIONS_QUEUE_NAME, (job: Job) => processFiring(queue, job, fire), {
        connection: blocking,
        prefix: BULLMQ_PREFIX,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        settings: { repeatStrategy },
      });
      worker.on('error', (err) => log.warn({ err: describeForLog(err) }, 'automation worker error'));
      worker.on('failed', (job, err) => log.warn({ err: describeForLog(err), automation: job?.repeatJobKey }, 'an automation firing failed'));
      await worker.waitUntilReady();
    },
    async close() {
      // Forced: a firing under way waits for its run, which the generation service's shutdown ends or records.
      await worker?.close(true).catch((err: unknown) => log.warn({ err: describeForLog(err) }, 'closing the automation worker failed'));
      await queue.close().catch(() => undefined);
      for (const connection of connections) connection.disconnect();
    },
  };
}

/**
 * One firing: skipped while the same automation's previous firing is still under way (a long run outlasting the
 * interval), so one automation never polls or runs twice at once across workers.
 */
async function processFiring(queue: Queue, job: Job, fire: (id: string, slotMs: number) => Promise<void>): Promise<void> {
  const schedulerId = job.repeatJobKey;
  if (!schedulerId) return;
  // Job ids only (one LRANGE), not the jobs: a scheduler's job ids start with `repeat:<scheduler id>:`.
  const active = await queue.getRanges(['active'], 0, -1);
  if (active.some((id) => id !== job.id && id.startsWith(`repeat:${schedulerId}:`))) return;
  await fire(schedulerId, slotOf(job));
}

/** A scheduler's job id ends with the slot it is for (`repeat:<scheduler id>:<ms>`, BullMQ's getSchedulerNextJobId). */
function slotOf(job: Job): number {
  const slot = Number(job.id?.slice(job.id.lastIndexOf(':') + 1));
  return Number.isFinite(slot) && slot > 0 ? slot : job.timestamp;
}

function sameTiming(current: { every?: number; offset?: number; pattern?: string; tz?: string } | undefined, timing: SchedulerTiming): boolean {
  if (!current) return false;
  if ('pattern' in timing) return current.pattern === timing.pattern && current.tz === timing.timeZone;
  return current.every === timing.everyMs && (timing.offsetMs === 0 || current.offset === timing.offsetMs);
}
