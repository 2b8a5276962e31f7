import type { FormattedThread, ThreadMessage } from './types.js';

/** A single message longer than this is cut (a pasted log should not take the whole budget from the rest). */
export const MAX_MESSAGE_CHARS = 8_000;

/** Said to the model, first, when older messages were left out for the budget. */
export const THREAD_CUT_NOTE = (left: number, total: number) =>
  `[Visen left out the ${left} oldest of ${total} messages: the thread is longer than the context budget. Only the newest are below; say so if the request needs the rest.]`;

/**
 * The thread as text for the model: one entry per message, oldest first, with its author, its time in the user's
 * time zone and the names of its files. Within `budget` characters: when the whole thread does not fit, the oldest
 * messages are left out (the newest say where the thread stands) and a note says so. The parent message is kept
 * when it fits with the newest, as it says what the thread is about.
 */
export function formatThread(messages: readonly ThreadMessage[], options: { readonly timeZone: string; readonly budget: number }): FormattedThread {
  const timeOf = timeFormatter(options.timeZone);
  const entries = messages.map((m) => formatEntry(m, timeOf));
  const whole = entries.join('\n\n');
  if (whole.length <= options.budget) return { text: whole, total: messages.length, included: messages.length, cut: false };
  const kept: string[] = [];
  let used = THREAD_CUT_NOTE(messages.length, messages.length).length + 2;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as string;
    if (used + entry.length + 2 > options.budget) break;
    kept.unshift(entry);
    used += entry.length + 2;
  }
  const left = messages.length - kept.length;
  return { text: [THREAD_CUT_NOTE(left, messages.length), ...kept].join('\n\n'), total: messages.length, included: kept.length, cut: true };
}

function formatEntry(m: ThreadMessage, timeOf: (ms: number) => string): string {
  const text = m.text.length > MAX_MESSAGE_CHARS ? `${m.text.slice(0, MAX_MESSAGE_CHARS)} […cut]` : m.text;
  const files = m.fileNames.length > 0 ? `\n(attached: ${m.fileNames.join(', ')})` : '';
  return `${m.author.replace(/\n/g, ' ')} (${timeOf(m.postedAt)}):\n${text}${files}`;
}

/** `2026-03-04 14:05 CET`: a date and time a reader of the thread would say, in their zone (UTC when it is unknown). */
function timeFormatter(timeZone: string): (ms: number) => string {
  const inZone = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
  let format: Intl.DateTimeFormat;
  try {
    format = inZone(timeZone);
  } catch {
    // A zone this Node does not know (Slack's `tz` is untrusted): UTC, which every Node knows.
    format = inZone('UTC');
  }
  return (ms) => format.format(new Date(ms)).replace(',', '');
}
