/**
 * Team mode's automation triggers on BullMQ job schedulers, against a private Redis: a scheduler's slots are the
 * schedule's slots as the single process computes them (croner, daylight saving included), each firing reaches one
 * of several workers, one automation never fires twice at once, and an upsert of the same timing changes nothing.
 */
import { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutomationSchedulers, openAutomationSchedulers } from '../../../src/adapters/team/automation-triggers.js';
import { AUTOMATIONS_QUEUE_NAME, BULLMQ_PREFIX } from '../../../src/adapters/team/bullmq-keys.js';
import { nextCronSlot, nextSlot, parseSchedule } from '../../../src/services/automations/schedule.js';
import { type RedisServer, redisAvailable, startRedis } from '../../support/redis.js';

const silent = pino({ level: 'silent' });
let redis: RedisServer;
const opened: AutomationSchedulers[] = [];

beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  for (const schedulers of opened) await schedulers.close();
  await redis?.stop();
});

function open(): AutomationSchedulers {
  const schedulers = openAutomationSchedulers({ url: redis.url, nextCronSlot }, silent);
  opened.push(schedulers);
  return schedulers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SCHEDULES = ['hourly', 'daily 09:00', 'daily 02:30', 'weekdays 09:00', 'mondays 08:30', 'sundays 23:59', '*/15 * * * *', '30 1 1 * *', '0 0 29 2 *'];
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];

describe('the slots of a schedule', () => {
  it('nextCronSlot, which the triggers fire by, gives the slots nextSlot gives, through daylight-saving changes', () => {
    const starts = ['2026-03-07T00:00:00Z', '2026-03-28T00:00:00Z', '2026-10-24T00:00:00Z', '2026-04-04T00:00:00Z', '2026-09-26T00:00:00Z'];
    for (const text of SCHEDULES) {
      for (const zone of ZONES) {
        const schedule = parseSchedule(text, zone);
        for (const start of starts) {
          let after = Date.parse(start);
          for (let slot = 0; slot < 30; slot++) {
            const expected = nextSlot(schedule, new Date(after)).getTime();
            expect(nextCronSlot(schedule.cron, zone, after), `${text} in ${zone} after ${new Date(after).toISOString()}`).toBe(expected);
            after = expected;
          }
        }
      }
    }
  });

  it('is why the triggers do not use BullMQ’s own cron-parser: it moves a slot in the spring-forward gap', () => {
    // 29 March 2026, Paris: clocks go from 02:00 to 03:00. Visen has always run `daily 02:30` at 03:00 that day.
    const after = Date.parse('2026-03-28T12:00:00Z');
    expect(new Date(nextCronSlot('30 2 * * *', 'Europe/Paris', after)!).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    const cronParser = CronExpressionParser.parse('30 2 * * *', { tz: 'Europe/Paris', currentDate: new Date(after) });
    expect(cronParser.next().toDate().toISOString()).not.toBe('2026-03-29T01:00:00.000Z');
  });
});

describe.skipIf(!redisAvailable)('BullMQ job schedulers as automation triggers', () => {
  it('a schedule’s scheduler is due at the schedule’s next slot, in the schedule’s time zone', async () => {
    const schedulers = open();
    const reader = new Queue(AUTOMATIONS_QUEUE_NAME, { connection: { url: redis.url }, prefix: BULLMQ_PREFIX });
    try {
      for (const [index, text] of SCHEDULES.entries()) {
        const zone = ZONES[index % ZONES.length]!;
        const schedule = parseSchedule(text, zone);
        const before = Date.now();
        await schedulers.upsert(`slots-${index}`, { pattern: schedule.cron, timeZone: zone });
        const expected = [nextSlot(schedule, new Date(before)).getTime(), nextSlot(schedule, new Date()).getTime()];
        const made = await reader.getJobScheduler(`slots-${index}`);
        expect(made).toMatchObject({ pattern: schedule.cron, tz: zone });
        expect(expected).toContain(made?.next);
        // The same timing again changes nothing: the same next firing, no iteration added.
        await schedulers.upsert(`slots-${index}`, { pattern: schedule.cron, timeZone: zone });
        expect(await reader.getJobScheduler(`slots-${index}`)).toEqual(made);
        await schedulers.remove(`slots-${index}`);
      }
      expect(await reader.getJobSchedulers()).toEqual([]);
    } finally {
      await reader.close();
    }
  }, 30_000);

  it('keeps its keys under the one BullMQ prefix, in its own queue (`visen:bullmq:automations:`)', async () => {
    await open().upsert('keys-check', { everyMs: 60_000, offsetMs: 0 });
    const keys = redis.cli('KEYS', '*').trim().split('\n');
    expect(keys).toContain(`${BULLMQ_PREFIX}:${AUTOMATIONS_QUEUE_NAME}:repeat:keys-check`);
    expect(keys.filter((key) => !key.startsWith('visen:bullmq:automations:'))).toEqual([]);
  });

  it('each firing reaches exactly one of three workers, and one automation never fires twice at once', async () => {
    const workers = [open(), open(), open()];
    const firings: Array<{ worker: number; id: string; slot: number }> = [];
    const running = new Map<string, number>();
    let mostAtOnce = 0;
    for (const [worker, schedulers] of workers.entries()) {
      await schedulers.start(async (id, slot) => {
        firings.push({ worker, id, slot });
        running.set(id, (running.get(id) ?? 0) + 1);
        mostAtOnce = Math.max(mostAtOnce, running.get(id)!);
        // The slow automation outlasts its interval: its next firings come while this one is under way.
        if (id === 'slow') await sleep(2_500);
        running.set(id, running.get(id)! - 1);
      });
    }
    await workers[0]!.upsert('quick', { everyMs: 500, offsetMs: 0 });
    await workers[1]!.upsert('slow', { everyMs: 500, offsetMs: 0 });
    await sleep(4_000);
    await workers[2]!.remove('quick');
    await workers[2]!.remove('slow');
    await sleep(3_000);

    const quick = firings.filter((f) => f.id === 'quick');
    expect(quick.length).toBeGreaterThanOrEqual(5);
    expect(new Set(quick.map((f) => f.slot)).size).toBe(quick.length);
    const slow = firings.filter((f) => f.id === 'slow');
    expect(slow.length).toBeGreaterThanOrEqual(1);
    expect(slow.length).toBeLessThanOrEqual(3);
    expect(mostAtOnce).toBe(1);
  }, 30_000);
});
