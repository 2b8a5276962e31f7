import { parseSchedule } from './schedule.js';
import type { AutomationRecord } from './store.js';

/**
 * When an automation fires in team mode: a watch (and any paused automation, which only re-reads its connection
 * row) every poll interval, at an offset that spreads a secret's watches over it; a schedule at its cron pattern's
 * slots in its time zone.
 */
export type TriggerTiming = { readonly everyMs: number; readonly offsetMs: number } | { readonly pattern: string; readonly timeZone: string };

/**
 * Team mode's triggers (issue 15): one shared timer per automation that fires on exactly one worker, never twice at
 * once. The engine keeps it in step with the records: made on create, changed on pause and resume, removed on clear.
 */
export interface AutomationTriggers {
  /** Makes the automation fire on `timing`; nothing changes when it already does (safe to repeat at every start). */
  upsert(id: string, timing: TriggerTiming): Promise<void>;
  remove(id: string): Promise<void>;
  /** Begins taking due firings: `fire` gets the automation's id and the slot it fired for (epoch ms). */
  start(fire: (id: string, slotMs: number) => Promise<void>): Promise<void>;
  /** Stops taking firings (a firing under way is left to the run's own shutdown) and closes the connections. */
  close(): Promise<void>;
}

/** The timing an automation's record calls for. */
export function timingOf(record: AutomationRecord, pollIntervalMs: number): TriggerTiming {
  if (record.trigger === 'Schedule' && !record.paused) {
    const schedule = parseSchedule(record.schedule ?? '', record.timeZone ?? 'UTC');
    return { pattern: schedule.cron, timeZone: schedule.timeZone };
  }
  return { everyMs: pollIntervalMs, offsetMs: spreadOffset(record.id, pollIntervalMs) };
}

/** A stable offset within the interval, so one secret's watches do not all poll at once. */
export function spreadOffset(id: string, intervalMs: number): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % Math.max(1, intervalMs);
}

/** When an `every` trigger fires next after `now`: BullMQ aligns its slots to multiples of the interval, plus the offset. */
export function nextEveryFiring(timing: { readonly everyMs: number; readonly offsetMs: number }, now: number): number {
  const slot = Math.floor(now / timing.everyMs) * timing.everyMs + timing.offsetMs;
  return slot > now ? slot : slot + timing.everyMs;
}
