import { Cron } from 'croner';
import { UserInputError } from '../../errors.js';

/** How to write a schedule, said whenever one cannot be read. */
export const SCHEDULE_HELP =
  'Write a schedule as `hourly`, `daily 09:00`, `weekdays 09:00`, a day of the week such as `mondays 08:30`, or a five-field cron expression such as `30 8 * * 1` (minute hour day-of-month month day-of-week).';

/** Longer than any preset or cron expression needs; a longer one is refused, never echoed. */
const SCHEDULE_MAX_CHARS = 100;

const WEEKDAYS = ['sundays', 'mondays', 'tuesdays', 'wednesdays', 'thursdays', 'fridays', 'saturdays'] as const;

/** A schedule the engine can evaluate: the user's words, the cron pattern they mean, and the IANA time zone. */
export interface Schedule {
  readonly text: string;
  readonly cron: string;
  readonly timeZone: string;
}

/** Reads a preset or a five-field cron expression in `timeZone`; anything else is a UserInputError saying how to write it. */
export function parseSchedule(text: string, timeZone: string): Schedule {
  if (text.length > SCHEDULE_MAX_CHARS) throw new UserInputError(`That schedule is too long. ${SCHEDULE_HELP}`, 'schedule');
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const cron = presetCron(words) ?? (words.length === 5 ? words.join(' ') : undefined);
  if (cron === undefined) throw new UserInputError(`Visen cannot read the schedule “${text.trim()}”. ${SCHEDULE_HELP}`, 'schedule');
  checkTimeZone(timeZone);
  try {
    cronOf({ text, cron, timeZone });
  } catch {
    throw new UserInputError(`The schedule “${text.trim()}” is not a valid cron expression. ${SCHEDULE_HELP}`, 'schedule');
  }
  return { text: text.trim(), cron, timeZone };
}

/** The first slot strictly after `after`, in the schedule's time zone (daylight-saving changes included). */
export function nextSlot(schedule: Schedule, after: Date): Date {
  const next = cronOf(schedule).nextRun(after);
  if (!next) throw new UserInputError(`The schedule “${schedule.text}” never runs again. ${SCHEDULE_HELP}`, 'schedule');
  return next;
}

/**
 * The first slot of a cron pattern strictly after `afterMs` (epoch ms), or undefined when it never comes: what team
 * mode's shared triggers fire by, so they keep the very slots `nextSlot` gives.
 */
export function nextCronSlot(pattern: string, timeZone: string, afterMs: number): number | undefined {
  return cronOf({ text: pattern, cron: pattern, timeZone }).nextRun(new Date(afterMs))?.getTime();
}

/** `daily 09:00` and the like as cron; undefined when the words are no preset. */
function presetCron(words: readonly string[]): string | undefined {
  if (words.length === 1 && words[0] === 'hourly') return '0 * * * *';
  if (words.length !== 2) return undefined;
  const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(words[1]!);
  if (!time) return undefined;
  const at = `${Number(time[2])} ${Number(time[1])}`;
  if (words[0] === 'daily') return `${at} * * *`;
  if (words[0] === 'weekdays') return `${at} * * 1-5`;
  const day = (WEEKDAYS as readonly string[]).indexOf(words[0]!);
  return day >= 0 ? `${at} * * ${day}` : undefined;
}

function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new UserInputError(`Visen does not know the time zone “${timeZone}”. Set your time zone in Slack’s preferences and try again.`, 'schedule');
  }
}

function cronOf(schedule: Schedule): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true, mode: '5-part' });
}
